"""The binder's files from the schools' returns (issue 19 item 1): explanations of flagged figures, the files attached
to a return's figures, and the resolutions of differences with the statistics return, each under the indicators the
figure feeds.

A return figure (its exchange name, `schools.models.FIGURE_FIELDS`) feeds the indicators `figure_indicators` gives:
the reconciliation's table (`indicators.reconcile.compare.FIGURE_INDICATORS`) completed with what the guarantee and
quality checks read (`indicators/domain/guarantee.py`: students set G6's funding floor, public funds feed G6, G7 and
Q4, certified teachers G12, training funds Q4) and R2's backbone teachers (the standard's R2 figure). The plan's
targets (T1 land, T2 connected classrooms) go to 实施方案.

Each indicator folder gets one generated .xlsx of explanations and one of resolutions (formula-safe cells), listing
every row whose figure bears on it; an attachment tied to a figure is stored once, under the figure's first indicator,
and listed under each. Every file names its schools (`school_ids`), so a township's binder keeps only its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing.spreadsheets import append_row
from indicators.reconcile.compare import FIGURE_INDICATORS
from indicators.reconcile.present import figure_name as present_name
from schools.annotations.models import Explanation, ReturnAttachment
from schools.models import SchoolReturn
from schools.quality.models import Rule
from schools.statistics.models import Resolution

from . import sources
from .folders import INDICATOR_CODES, OTHER
from .sources import PLAN, TABLE, BinderFile, Scope

_EXTRA: dict[str, tuple[str, ...]] = {
    "students": ("G6",),  # the small schools' funding floor counts students
    "teachers_backbone": ("R2",),
    "teachers_certified": ("G12",),
    "special_teachers_certified": ("G12",),
    "special_students": ("G7",),
    "public_funds_yuan": ("G6", "G7", "Q4"),
    "training_funds_yuan": ("Q4",),
}
_PLAN_TARGETS = ("T1", "T2")
_ORDER = {code: i for i, code in enumerate(INDICATOR_CODES)}


def figure_indicators(figure: str) -> tuple[str, ...]:
    """The binder folders a return figure bears on, in the folders' order: indicator codes, and `plan` for the plan's
    targets; () for a blank or unknown figure. `primary_students` → R1…R7, G4, G6; `bands_junior` → G5."""
    if not figure:
        return ()
    base = "bands" if figure.startswith("bands_") else figure
    suffix = base.split("_", 1)[1] if base.startswith(("primary_", "junior_")) else base
    codes = set(FIGURE_INDICATORS.get(base, ())) | set(_EXTRA.get(suffix, ())) | set(_EXTRA.get(base, ()))
    out = sorted((c for c in codes if c in _ORDER), key=_ORDER.__getitem__)
    if codes & set(_PLAN_TARGETS):
        out.append(PLAN)
    return tuple(out)


def figure_name(figure: str) -> str:
    try:
        return str(present_name(figure))
    except Exception:  # a figure the return no longer has: its exchange name
        return figure


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _person(user) -> str:
    return str(user) if user is not None else ""


def _by_key(rows: Iterable, figure_of) -> dict[str, list]:
    """Rows grouped by every folder key their figure bears on (rows without one: under `other`)."""
    out: dict[str, list] = defaultdict(list)
    for r in rows:
        for key in figure_indicators(figure_of(r)) or (OTHER,):
            out[key].append(r)
    return out


def _table(*, key: str, rows: list, owner: str, title: str, source: str, heading: list, line, school_of) -> BinderFile:
    def fill(ws):
        ws.title = key[:31]
        append_row(ws, [f"{key} · {owner} · {title}", str(source)])
        append_row(ws, heading)
        for r in rows:
            append_row(ws, line(r))

    return BinderFile(
        keys=(key,),
        owner=owner,
        title=title,
        ext=".xlsx",
        source=_("%(source)s（%(n)s条）") % {"source": source, "n": len(rows)},
        date=timezone.localdate(),
        uploader=_("平台生成"),
        data=sources._xlsx(fill),
        school_ids=frozenset(school_of(r) for r in rows),
        kind=TABLE,
    )


def _returns(scope: Scope):
    rows = SchoolReturn.objects.filter(round=scope.round, deleted_at__isnull=True)
    if not scope.county:
        rows = rows.filter(school_id__in=scope.school_ids or ())
    return rows


def explanations(scope: Scope) -> Iterable[BinderFile]:
    """Per indicator, the explanations of flagged figures bearing on it (school, figure, rule, text, who/when, the
    reviewer's decision) of the round's live returns. Two queries."""
    rows = list(
        Explanation.objects.filter(school_return__in=_returns(scope))
        .select_related("school_return__school__township", "written_by", "reviewed_by")
        .order_by("school_return__school__township__order", "school_return__school__code", "field", "rule_code")
    )
    if not rows:
        return
    labels = dict(Rule.objects.filter(code__in={e.rule_code for e in rows}).values_list("code", "label"))
    heading = [
        _("学校标识码"), _("学校名称"), _("乡镇（街道）"), _("数据项"), _("规则"), _("说明"), _("填写人"),
        _("填写时间"), _("审核结论"), _("审核人"), _("审核时间"), _("审核意见"),
    ]  # fmt: skip

    def line(e):
        school = e.school_return.school
        return [
            school.code, school.name, school.township.name, figure_name(e.field) if e.field else _("（整份填报）"),
            labels.get(e.rule_code, e.rule_code), e.text, _person(e.written_by), _when(e.written_at),
            e.get_status_display(), _person(e.reviewed_by), _when(e.reviewed_at), e.review_comment,
        ]  # fmt: skip

    for key, group in _by_key(rows, lambda e: e.field).items():
        yield _table(
            key=key, rows=group, owner=_("数据说明"), title=str(scope.round), heading=heading, line=line,
            school_of=lambda e: e.school_return.school_id,
            source=_("数据质量审核 · %(round)s 数据说明") % {"round": scope.round},
        )  # fmt: skip


def attachments(scope: Scope) -> Iterable[BinderFile]:
    """The files attached to a figure of the round's live returns: stored under the figure's first indicator, listed
    under each (a file about no figure bears on no indicator and is left out). One query."""
    rows = (
        ReturnAttachment.objects.filter(school_return__in=_returns(scope))
        .exclude(field="")
        .select_related("school_return__school", "uploaded_by")
    )
    for a in rows.order_by("uploaded_at", "pk"):
        keys = figure_indicators(a.field)
        if not keys:
            continue
        stem, ext = sources._stem(a.name)
        school = a.school_return.school
        yield BinderFile(
            keys=keys,
            owner=school.name,
            title=a.title or stem,
            ext=ext or sources._stem(a.file.name)[1],
            source=_("填报附件 #%(pk)s %(school)s · %(round)s · %(figure)s")
            % {"pk": a.pk, "school": school.name, "round": scope.round, "figure": figure_name(a.field)},
            date=sources._day(a.uploaded_at),
            uploader=_person(a.uploaded_by),
            storage_name=a.file.name,
            school_ids=frozenset({school.pk}),
        )


def resolutions(scope: Scope) -> Iterable[BinderFile]:
    """Per indicator, how the differences with the round's year's statistics return were resolved (school, figure,
    portal and statistics values, kind, text, who/when). One query."""
    rows = Resolution.objects.filter(stat_year__school_year=scope.round.school_year).select_related(
        "school__township", "by"
    )
    if not scope.county:
        rows = rows.filter(school_id__in=scope.school_ids or ())
    rows = list(rows.order_by("school__township__order", "school__code", "figure"))
    heading = [
        _("学校标识码"), _("学校名称"), _("乡镇（街道）"), _("数据项"), _("本系统数值"), _("统计基表数值"),
        _("处理方式"), _("说明"), _("处理人"), _("处理时间"),
    ]  # fmt: skip

    def line(r):
        return [
            r.school.code, r.school.name, r.school.township.name, figure_name(r.figure), r.portal_value,
            r.statistics_value, r.get_kind_display(), r.text, _person(r.by), _when(r.at),
        ]  # fmt: skip

    for key, group in _by_key(rows, lambda r: r.figure).items():
        yield _table(
            key=key, rows=group, owner=_("差异处理"), heading=heading, line=line,
            title=_("%(year)s统计基表核对") % {"year": scope.round.school_year},
            school_of=lambda r: r.school_id,
            source=_("统计基表核对 · %(year)s 差异处理") % {"year": scope.round.school_year},
        )  # fmt: skip


def register() -> None:
    """Add the returns' sources after the binder's own (called from `BinderConfig.ready`)."""
    for name, source in (
        ("explanations", explanations),
        ("return_attachments", attachments),
        ("resolutions", resolutions),
    ):
        if name not in sources.BINDER_SOURCES:
            sources.register(name, source)
