"""Reads for the side-by-side review page and the data-quality page, each in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from schools.models import (
    FIGURE_FIELDS,
    KIND_SECTIONS,
    KINDS_WITH_SENIOR,
    SPECIAL_SCHOOL_FIELDS,
    CollectionRound,
    ReturnStatus,
    SchoolKind,
    SchoolReturn,
)
from schools.selectors import last_approved_return

from . import checks
from .models import Explanation, ExplanationStatus, FigureFlag, FlagKind, ReturnAttachment
from .services import figure_label, warning_key

# The status of a warning on the data-quality page: its explanation's, or 未说明 without one; follow-ups are rows too.
UNEXPLAINED = "unexplained"
FOLLOW_UP = "follow_up"
STATUS_LABELS = {
    UNEXPLAINED: _("未说明"),
    ExplanationStatus.WRITTEN: ExplanationStatus.WRITTEN.label,
    ExplanationStatus.ACCEPTED: ExplanationStatus.ACCEPTED.label,
    ExplanationStatus.SENT_BACK: ExplanationStatus.SENT_BACK.label,
    FOLLOW_UP: _("跟进中"),
}


def school_figures(kind: str) -> list[str]:
    """The figures a school of this kind reports, in form order (as schools.forms.ReturnFiguresForm shows them)."""
    sections = KIND_SECTIONS[kind]
    out = []
    for name in FIGURE_FIELDS:
        section = name.split("_", 1)[0]
        if section in ("primary", "junior") and section not in sections:
            continue
        if name == "senior_students" and kind not in KINDS_WITH_SENIOR:
            continue
        if name in SPECIAL_SCHOOL_FIELDS and kind != SchoolKind.SPECIAL:
            continue
        out.append(name)
    return out


def figure_change(new, old) -> tuple[Decimal | None, Decimal | None]:
    """(difference, percent change to one decimal) of a figure against its earlier value; the percent is None
    when there is no earlier value or it is 0. E.g. 600 against 480: (120, 25.0)."""
    if new is None or old is None:
        return None, None
    diff = Decimal(new) - Decimal(old)
    if not old:
        return diff, None
    return diff, (diff * 100 / Decimal(old)).quantize(Decimal("0.1"))


@dataclass
class FigureRow:
    field: str
    label: str
    value: object
    previous: object
    diff: Decimal | None
    pct: Decimal | None
    changed_since_sent_back: bool = False
    warnings: list = field(default_factory=list)  # (finding, key, explanation or None)
    attachments: list = field(default_factory=list)
    follow_up: FigureFlag | None = None
    sent_back: list = field(default_factory=list)  # FigureFlag of kind sent_back, newest first


@dataclass
class ReviewSheet:
    school_return: SchoolReturn
    previous: SchoolReturn | None
    rows: list[FigureRow]
    general_warnings: list  # warnings about no one figure: (finding, key, explanation)
    general_attachments: list
    errors: list
    sent_back_at: object = None

    @property
    def flagged_rows(self) -> list[FigureRow]:
        return [r for r in self.rows if r.warnings or r.attachments or r.follow_up or r.sent_back]

    @property
    def open_warnings(self) -> int:
        return sum(1 for r in self.rows for _f, _k, e in r.warnings if e is None) + sum(
            1 for _f, _k, e in self.general_warnings if e is None
        )


def review_sheet(*, school_return: SchoolReturn) -> ReviewSheet:
    """Each figure of the return beside the last approved one (earlier round or year), with the change, its
    warnings and their explanations, its attachments and marks, and whether it changed since the return was last
    sent back. `school_return` has school and round read."""
    previous = last_approved_return(school=school_return.school, before_round=school_return.round)
    findings = checks.findings_for_return(school_return)
    explanations = {(e.rule_code, e.field): e for e in Explanation.objects.filter(school_return=school_return)}
    attachments = defaultdict(list)
    for a in ReturnAttachment.objects.filter(school_return=school_return).select_related("uploaded_by"):
        attachments[a.field].append(a)
    follow_ups, sent_back = {}, defaultdict(list)
    for flag in (
        FigureFlag.objects.filter(school_return=school_return)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    ):
        if flag.kind == FlagKind.FOLLOW_UP and flag.is_open:
            follow_ups.setdefault(flag.field, flag)
        elif flag.kind == FlagKind.SENT_BACK:
            sent_back[flag.field].append(flag)
    at_send_back = _state_when_sent_back(school_return)
    by_field = defaultdict(list)
    for f in checks.warnings_of(findings):
        by_field[f.field].append((f, warning_key(f), explanations.get((f.rule_code, f.field))))
    rows = []
    for name in school_figures(school_return.school.kind):
        value = getattr(school_return, name)
        old = getattr(previous, name) if previous else None
        diff, pct = figure_change(value, old)
        rows.append(
            FigureRow(
                field=name,
                label=figure_label(name),
                value=value,
                previous=old,
                diff=diff,
                pct=pct,
                changed_since_sent_back=at_send_back is not None and getattr(at_send_back, name) != value,
                warnings=by_field.pop(name, []),
                attachments=attachments.pop(name, []),
                follow_up=follow_ups.get(name),
                sent_back=sent_back.get(name, []),
            )
        )
    general = [w for ws in by_field.values() for w in ws]
    return ReviewSheet(
        school_return=school_return,
        previous=previous,
        rows=rows,
        general_warnings=general,
        general_attachments=[a for files in attachments.values() for a in files],
        errors=[f for f in findings if f.importance == "error"],
        sent_back_at=at_send_back.history_date if at_send_back is not None else None,
    )


def _state_when_sent_back(school_return: SchoolReturn):
    """The return's history record of the moment it was last sent back (its latest entry into 已退回), or None."""
    states = list(school_return.history.order_by("-history_date", "-history_id").values_list("history_id", "status"))
    for i, (history_id, status) in enumerate(states):
        if status == ReturnStatus.RETURNED and (i + 1 == len(states) or states[i + 1][1] != ReturnStatus.RETURNED):
            return school_return.history.get(history_id=history_id)
    return None


def field_choices(school_return: SchoolReturn) -> list[tuple[str, str]]:
    return [(name, figure_label(name)) for name in school_figures(school_return.school.kind)]


# --- The bureau's data-quality page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityRow:
    school_return: SchoolReturn
    rule_code: str
    rule_label: str
    field: str
    field_label: str
    message: str
    status: str
    explanation: str
    comment: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class QualitySheet:
    round: CollectionRound
    rows: list[QualityRow]
    by_township: list[dict]
    by_rule: list[dict]
    rules: list[tuple[str, str]]
    total: int


def quality_sheet(*, round: CollectionRound, schools, township=None, rule: str = "", status: str = "") -> QualitySheet:
    """Every warning of the round's returns with its explanation's status (未说明 without one), and every open
    follow-up, among `schools` (the viewer's scope), filtered by township, rule and status; with counts by township
    and by rule over the filtered rows. Queries: the returns, the findings, the explanations, the follow-ups."""
    returns = list(
        SchoolReturn.objects.filter(round=round, school__in=schools)
        .select_related("school", "school__township", "round")
        .order_by("school__township__order", "school__code")
    )
    by_pk = {r.pk: r for r in returns}
    findings = checks.findings_for_returns(returns)
    explanations = {
        (e.school_return_id, e.rule_code, e.field): e for e in Explanation.objects.filter(school_return__in=returns)
    }
    rows: list[QualityRow] = []
    rules: dict[str, str] = {}
    for ret in returns:
        for f in checks.warnings_of(findings.get(ret.pk, [])):
            rules[f.rule_code] = f.rule_label
            expl = explanations.get((ret.pk, f.rule_code, f.field))
            rows.append(
                QualityRow(
                    school_return=ret,
                    rule_code=f.rule_code,
                    rule_label=f.rule_label,
                    field=f.field,
                    field_label=figure_label(f.field),
                    message=f.message,
                    status=expl.status if expl else UNEXPLAINED,
                    explanation=expl.text if expl else "",
                    comment=expl.review_comment if expl else "",
                )
            )
    follow_up_label = str(FlagKind.FOLLOW_UP.label)
    for flag in FigureFlag.objects.filter(
        school_return__in=returns, kind=FlagKind.FOLLOW_UP, resolved_at__isnull=True
    ).order_by("created_at", "pk"):
        rules.setdefault(FOLLOW_UP, follow_up_label)
        rows.append(
            QualityRow(
                school_return=by_pk[flag.school_return_id],
                rule_code=FOLLOW_UP,
                rule_label=follow_up_label,
                field=flag.field,
                field_label=figure_label(flag.field),
                message=flag.comment,
                status=FOLLOW_UP,
                explanation="",
                comment=flag.comment,
            )
        )
    total = len(rows)
    if township is not None:
        rows = [r for r in rows if r.school_return.school.township_id == township.pk]
    if rule:
        rows = [r for r in rows if r.rule_code == rule]
    if status:
        rows = [r for r in rows if r.status == status]
    return QualitySheet(
        round=round,
        rows=rows,
        by_township=_counts(rows, lambda r: r.school_return.school.township.name),
        by_rule=_counts(rows, lambda r: r.rule_label),
        rules=sorted(rules.items(), key=lambda kv: kv[1]),
        total=total,
    )


def _counts(rows: list[QualityRow], key) -> list[dict]:
    """Per key (in first-seen order): the rows in each status and in all."""
    counts: dict[str, Counter] = {}
    for r in rows:
        counts.setdefault(key(r), Counter())[r.status] += 1
    return [{"name": name, "total": sum(c.values()), **{s: c[s] for s in STATUS_LABELS}} for name, c in counts.items()]
