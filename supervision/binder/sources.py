"""Where a binder's files come from: a registry of sources, each a function of the binder's scope.

`BINDER_SOURCES` maps a name to `source(scope) -> Iterable[BinderFile]`. The binder app fills it with its own sources
in `AppConfig.ready()` (`register_builtin`); a later feature (explanations of flagged figures, reconciliation
resolutions) adds its files by calling `register("name", fn)` from its own `ready()`, without editing this module.

A source says which folders a file bears on (`keys`: indicator codes, or `plan`, `stage_reports`, `assessment`) and
whose it is: `school_ids` names the schools a file is about, None for a county document. The build keeps, for a
township's binder, only files whose every school is one of the township's (tested: none of another township's), so
a source that forgets the scope still leaks nothing; sources filter by scope as well, to read less.
"""

from __future__ import annotations

import datetime
import io
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongqing.spreadsheets import append_row
from indicators import verdicts
from indicators.labels import SECTION_LABELS
from indicators.models import Evidence, SchoolResult, SectionCV
from schools.models import CollectionRound
from supervision.models import BodyRole, Cycle, EvidenceFile, Measure, RoutingRule
from supervision.plan import ROUTE_MEASURES

PLAN, STAGE_REPORTS, ASSESSMENT = "plan", "stage_reports", "assessment"
EVIDENCE, TABLE, DOCUMENT = "evidence", "table", "document"  # kinds: only evidence counts as an indicator's 佐证


@dataclass(frozen=True)
class Scope:
    """What one binder covers: a cycle, a round, and the county (township None) or one township's schools."""

    cycle: Cycle
    round: CollectionRound
    township_id: int | None = None
    school_ids: frozenset[int] | None = None  # the township's schools; None for the county

    @property
    def county(self) -> bool:
        return self.township_id is None

    def holds(self, school_ids: frozenset[int] | None) -> bool:
        """Whether a file about `school_ids` (None: a county document) belongs in this scope's binder."""
        if self.county:
            return True
        return school_ids is not None and school_ids <= (self.school_ids or frozenset())


@dataclass(frozen=True)
class BinderFile:
    """One file of the binder: stored once under the first of `keys` in the folders' order, listed under each."""

    keys: tuple[str, ...]
    owner: str  # whose: a school, 县级, a measure
    title: str  # what: the uploaded file's name without its extension, or the generated table's
    ext: str  # ".pdf"
    source: str  # which page or record it comes from
    date: datetime.date | None = None
    uploader: str = ""
    storage_name: str = ""  # a file of default_storage, read while the zip is written ...
    data: bytes | None = None  # ... or bytes generated for the binder
    school_ids: frozenset[int] | None = None  # None: a county document
    kind: str = EVIDENCE


Source = Callable[[Scope], Iterable[BinderFile]]
BINDER_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Add (or replace) a source; the build asks every registered source, in the order they were registered."""
    BINDER_SOURCES[name] = source


def _day(at: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(at).date() if at else None


def _stem(name: str) -> tuple[str, str]:
    stem, ext = os.path.splitext(os.path.basename(name or ""))
    return stem or _("文件"), ext.lower()


def _person(user) -> str:
    return str(user) if user is not None else ""


def _xlsx(fill: Callable) -> bytes:
    wb = Workbook()
    fill(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- Uploaded evidence ----------------------------------------------------------------------------------------------


def county_evidence(scope: Scope) -> Iterable[BinderFile]:
    """The county entries' attachments (县级指标填报): county documents, in the county's binder only."""
    if not scope.county:
        return
    rows = Evidence.objects.filter(entry__school_year=scope.round.school_year).select_related("entry", "uploaded_by")
    for ev in rows.order_by("entry__code", "uploaded_at", "pk"):
        stem, ext = _stem(ev.name)
        yield BinderFile(
            keys=(ev.entry.code,),
            owner=_("县级"),
            title=stem,
            ext=ext or _stem(ev.file.name)[1],
            source=_("县级指标填报 %(code)s（%(year)s）佐证材料 #%(pk)s")
            % {"code": ev.entry.code, "year": scope.round.school_year, "pk": ev.pk},
            date=_day(ev.uploaded_at),
            uploader=_person(ev.uploaded_by),
            storage_name=ev.file.name,
        )


def measure_codes() -> dict[str, tuple[str, ...]]:
    """Which indicators each measure of the plan answers for (the routing table: `RoutingRule.measure`, else PLAN.md's
    default), e.g. 1.2 → G6, G7."""
    pairs = dict(ROUTE_MEASURES)
    pairs.update({r.code: r.measure for r in RoutingRule.objects.only("code", "measure")})
    codes: dict[str, list[str]] = defaultdict(list)
    for code, refs in pairs.items():
        for ref in (refs or "").replace("，", ",").split(","):
            if ref.strip():
                codes[ref.strip()].append(code)
    return {ref: tuple(c) for ref, c in codes.items()}


def work_evidence(scope: Scope) -> Iterable[BinderFile]:
    """Files of progress updates on the ledger's items (under the item's indicator; a school's item belongs to the
    school) and on the plan's measures (under 实施方案 and every indicator the measure answers for)."""
    rows = EvidenceFile.objects.select_related(
        "update__author", "update__item__school", "update__measure"
    ).prefetch_related("update__item__projects")
    in_cycle = Q(update__measure__cycle=scope.cycle) | Q(
        update__item__isnull=False, update__item__deleted_at__isnull=True
    )
    rows = rows.filter(in_cycle)
    if not scope.county:
        rows = rows.filter(update__item__school_id__in=scope.school_ids or ())
    by_measure = measure_codes() if scope.county else {}
    for f in rows.order_by("uploaded_at", "pk"):
        update = f.update
        stem, ext = _stem(f.name)
        common = {
            "title": stem,
            "ext": ext or _stem(f.file.name)[1],
            "date": _day(f.uploaded_at),
            "uploader": _person(update.author),
            "storage_name": f.file.name,
        }
        if update.item_id:
            item = update.item
            projects = "、".join(p.name for p in item.projects.all())
            source = _("整改任务 #%(pk)s %(title)s · 进展（%(day)s）") % {
                "pk": item.pk,
                "title": item.title,
                "day": _day(update.created_at),
            }
            if projects:
                source += _("；建设项目：%(names)s") % {"names": projects}
            yield BinderFile(
                keys=(item.code or PLAN,),
                owner=item.school.name if item.school_id else _("县域"),
                source=source,
                school_ids=frozenset({item.school_id}) if item.school_id else None,
                **common,
            )
        elif update.measure_id and update.measure.cycle_id == scope.cycle.pk:
            m = update.measure
            yield BinderFile(
                keys=(PLAN, *by_measure.get(m.ref, ())),
                owner=_("措施%(ref)s") % {"ref": m.ref},
                source=_("主要措施 %(ref)s %(title)s · 进展（%(day)s）")
                % {"ref": m.ref, "title": m.title[:40], "day": _day(update.created_at)},
                **common,
            )


# --- Generated tables -----------------------------------------------------------------------------------------------


def _result_sheet(ws, *, code: str, name: str, rnd: CollectionRound, rows, cvs, item: dict | None) -> None:
    ws.title = code
    append_row(ws, [f"{code} {name}", str(rnd)])
    if item is not None:
        append_row(ws, [_("县域结论"), verdicts.indicator_word(item.get("status"))])
        for key, part in (item.get("parts") or {}).items():
            value = part.get("value")
            append_row(ws, [key, value if isinstance(value, int | float) else str(value)])
    if cvs:
        append_row(ws, [])
        append_row(ws, [_("学段"), _("县域均值"), _("标准差"), _("差异系数"), _("限值"), _("是否达标"), _("学校数")])
        for cv in cvs:
            met = _("无数据") if cv.met is None else _("是") if cv.met else _("否")
            append_row(ws, [str(SECTION_LABELS.get(cv.section, cv.section)), cv.mean, cv.sd, cv.cv, cv.limit, met])
    append_row(ws, [])
    append_row(
        ws, [_("学校标识码"), _("学校名称"), _("乡镇（街道）"), _("学段"), _("现值"), _("标准"), _("结论"), _("缺口")]
    )
    for r in rows:
        append_row(
            ws,
            [
                r.school.code,
                r.school.name,
                r.school.township.name,
                str(SECTION_LABELS.get(r.section, r.section or "—")),
                r.value,
                r.threshold,
                verdicts.indicator_word(r.status),
                r.gap,
            ],
        )


def result_tables(scope: Scope, *, codes: Iterable[str], names: dict[str, str], items: dict) -> list[BinderFile]:
    """Each indicator's result table of the round as .xlsx (formula-safe cells): a township's only its schools' rows
    and no county figures."""
    results = SchoolResult.objects.filter(round=scope.round).select_related("school__township")
    if not scope.county:
        results = results.filter(school_id__in=scope.school_ids or ())
    by_code: dict[str, list] = defaultdict(list)
    for r in results.order_by("school__township__order", "school__code", "section"):
        by_code[r.code].append(r)
    cvs: dict[str, list] = defaultdict(list)
    if scope.county:
        for cv in SectionCV.objects.filter(round=scope.round).order_by("section"):
            cvs[cv.code].append(cv)
    out = []
    for code in codes:
        rows = by_code.get(code, [])
        data = _xlsx(
            lambda ws, code=code, rows=rows: _result_sheet(
                ws,
                code=code,
                name=names.get(code, ""),
                rnd=scope.round,
                rows=rows,
                cvs=cvs.get(code, []),
                item=items.get(code) if scope.county else None,
            )
        )
        out.append(
            BinderFile(
                keys=(code,),
                owner=_("结果表"),
                title=str(scope.round),
                ext=".xlsx",
                source=_("评估结果 %(round)s · %(code)s（%(n)s行）")
                % {"round": scope.round, "code": code, "n": len(rows)},
                date=timezone.localdate(),
                uploader=_("平台生成"),
                data=data,
                school_ids=None if scope.county else frozenset(r.school_id for r in rows),
                kind=TABLE,
            )
        )
    return out


def plan_table(scope: Scope) -> Iterable[BinderFile]:
    """实施方案: the cycle's measures with their lead and cooperating bodies, stage, due date and progress."""
    if not scope.county:
        return
    measures = list(
        Measure.objects.filter(cycle=scope.cycle).select_related("stage").prefetch_related("assignments__body")
    )

    def fill(ws):
        ws.title = _("主要措施")
        append_row(ws, [_("%(cycle)s 实施方案：主要措施与责任单位") % {"cycle": scope.cycle}])
        append_row(
            ws,
            [
                _("编号"),
                _("措施"),
                _("牵头单位"),
                _("配合单位"),
                _("工作阶段"),
                _("完成时限"),
                _("状态"),
                _("进度（%）"),
            ],
        )
        for m in sorted(measures, key=lambda m: [int(p) if p.isdigit() else p for p in m.ref.split(".")]):
            lead = "、".join(a.body.name for a in m.assignments.all() if a.role == BodyRole.LEAD)
            others = "、".join(a.body.name for a in m.assignments.all() if a.role == BodyRole.COOPERATING)
            append_row(
                ws,
                [
                    m.ref,
                    m.title,
                    lead,
                    others,
                    str(m.stage) if m.stage else "",
                    m.due_date,
                    m.get_work_status_display(),
                    m.percent,
                ],
            )

    yield BinderFile(
        keys=(PLAN,),
        owner=_("实施方案"),
        title=_("主要措施与责任单位"),
        ext=".xlsx",
        source=_("实施方案页（%(n)s项措施）") % {"n": len(measures)},
        date=timezone.localdate(),
        uploader=_("平台生成"),
        data=_xlsx(fill),
        kind=DOCUMENT,
    )


def stage_reports(scope: Scope) -> Iterable[BinderFile]:
    """The latest finished version of each stage's report of the cycle (and its annex PDF): county documents."""
    if not scope.county:
        return
    from supervision.reports.models import Report, ReportStatus

    latest: dict[int, Report] = {}
    done = Report.objects.filter(cycle=scope.cycle, status=ReportStatus.DONE).select_related("stage", "requested_by")
    for rep in done.order_by("stage__number", "-version", "-pk"):
        latest.setdefault(rep.stage_id, rep)
    for rep in latest.values():
        parts = [(rep.file.name, rep.title or str(rep.stage))]
        if rep.annex_file:
            parts.append((rep.annex_file.name, (rep.title or str(rep.stage)) + _("（附件）")))
        for name, title in parts:
            yield BinderFile(
                keys=(STAGE_REPORTS,),
                owner=_("第%(n)s阶段") % {"n": rep.stage.number},
                title=f"{title}_v{rep.version}",
                ext=".pdf",
                source=_("自评报告 第%(n)s阶段 第%(v)s版（%(round)s）")
                % {"n": rep.stage.number, "v": rep.version, "round": rep.round},
                date=_day(rep.finished_at),
                uploader=_person(rep.requested_by),
                storage_name=name,
                kind=DOCUMENT,
            )


def assessment_tables(scope: Scope) -> Iterable[BinderFile]:
    """The annual assessment (年度考核) of each year of the cycle that has scored work, as .xlsx."""
    if not scope.county:
        return
    from supervision import selectors

    years = {y for s in scope.cycle.stages.all() for y in (s.starts.year if s.starts else None, s.ends.year) if y}
    years = {y for y in years if y <= timezone.localdate().year}  # a year not yet begun has nothing to show
    for year in sorted(years & set(selectors.assessment_years())):
        rows = selectors.assessment(year=year)

        def fill(ws, year=year, rows=rows):
            ws.title = _("考核结果")
            append_row(ws, [_("%(year)s年度乡镇（街道）和部门履行教育职责督导考核") % {"year": year}])
            append_row(ws, [_("名次"), _("责任单位"), _("计分工作（项）"), _("未设时限（项）"), _("得分")])
            for r in rows:
                score = str(r.score) if r.score is not None else _("无考核事项")
                append_row(ws, [r.rank or "—", r.body.name, len(r.scored), len(r.undated), score])

        yield BinderFile(
            keys=(ASSESSMENT,),
            owner=_("%(year)s年度") % {"year": year},
            title=_("督导考核结果"),
            ext=".xlsx",
            source=_("年度考核页（%(year)s年）") % {"year": year},
            date=timezone.localdate(),
            uploader=_("平台生成"),
            data=_xlsx(fill),
            kind=DOCUMENT,
        )


def register_builtin() -> None:
    """The binder's own sources, first in the registry (the result tables are added by the build itself)."""
    for name, source in (
        ("county_evidence", county_evidence),
        ("work_evidence", work_evidence),
        ("plan", plan_table),
        ("stage_reports", stage_reports),
        ("assessment", assessment_tables),
    ):
        if name not in BINDER_SOURCES:
            register(name, source)
