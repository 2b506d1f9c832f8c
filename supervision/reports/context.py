"""The report's content as plain data: what each stage's report holds, built from `selectors.report_data`.

`build` reads nothing: it lays the rows the selectors read out as the stage's chapters (tables.py shapes the tables,
formats.py the numbers). Each stage reports what it is (PLAN.md): stage 1 the baseline, the gaps and the
mobilisation; stage 2 the progress of each measure against its targets; stage 3 the hardest gaps and what closed;
stage 4 the full self-assessment with every table; stage 5 the final state and the answer to every review finding.
Stages 1–3 are issued by the leadership group's office, 4–5 by the city government, unless the draft names another
issuer. `build_context` is the one call that reads and builds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import verdicts
from schools.models import CollectionRound, CountyProfile
from supervision.models import ItemState, Stage

from . import charts, selectors, tables
from .formats import chapter_number
from .selectors import ReportData

GUARANTEE_CODES = tuple(f"G{i}" for i in range(1, 16))
QUALITY_CODES = tuple(f"Q{i}" for i in range(1, 10))
VETO_CODES = tuple(f"V{i}" for i in range(1, 7))
R_CODES = selectors.R_CODES
OFFICE = "office"  # the default issuer of stages 1–3: the leadership group's office
GOVERNMENT = "government"  # of stages 4–5: the city government


@dataclass(frozen=True)
class Chapter:
    key: str  # the partial templates/reports/pdf/_<key>.html lays it out
    heading: str
    narrative: str = ""  # the draft's field written in this chapter


@dataclass(frozen=True)
class Outline:
    kind: str
    issuer: str  # OFFICE or GOVERNMENT
    chapters: tuple[Chapter, ...]
    annexes: tuple[str, ...]  # "schools", "cv", "evidence"


OUTLINES: dict[int, Outline] = {
    1: Outline(
        gettext_lazy("基线、差距与宣传发动"),
        OFFICE,
        (
            Chapter("facts", gettext_lazy("基本情况"), "basic_facts"),
            Chapter("results", gettext_lazy("基线：各项指标现状")),
            Chapter("gaps", gettext_lazy("差距清单与缺口"), "problems"),
            Chapter("mobilisation", gettext_lazy("宣传发动与责任分工"), "measures"),
            Chapter("next", gettext_lazy("下一步工作安排"), "next_steps"),
        ),
        ("schools", "cv"),
    ),
    2: Outline(
        gettext_lazy("各项措施对照目标的推进情况"),
        OFFICE,
        (
            Chapter("progress", gettext_lazy("各项措施推进情况（对照目标）"), "measures"),
            Chapter("ledger", gettext_lazy("整改台账推进情况")),
            Chapter("projects", gettext_lazy("建设项目进展")),
            Chapter("problems", gettext_lazy("推进中的问题"), "problems"),
            Chapter("next", gettext_lazy("下一步推进安排"), "next_steps"),
        ),
        (),
    ),
    3: Outline(
        gettext_lazy("重点难点攻坚与销号情况"),
        OFFICE,
        (
            Chapter("hardest", gettext_lazy("重点难点问题"), "problems"),
            Chapter("closed", gettext_lazy("已解决的问题"), "measures"),
            Chapter("projects", gettext_lazy("建设项目进展")),
            Chapter("next", gettext_lazy("下一步攻坚措施"), "next_steps"),
        ),
        (),
    ),
    4: Outline(
        gettext_lazy("全面自评"),
        GOVERNMENT,
        (
            Chapter("facts", gettext_lazy("基本情况"), "basic_facts"),
            Chapter("measures", gettext_lazy("主要工作措施"), "measures"),
            Chapter("results", gettext_lazy("指标达成情况")),
            Chapter("problems", gettext_lazy("存在的问题和薄弱环节"), "problems"),
            Chapter("next", gettext_lazy("整改措施和下一步工作"), "next_steps"),
        ),
        ("schools", "cv", "evidence"),
    ),
    5: Outline(
        gettext_lazy("最终达成情况与评估反馈问题整改"),
        GOVERNMENT,
        (
            Chapter("results", gettext_lazy("最终达成情况")),
            Chapter("findings", gettext_lazy("对评估反馈问题的逐条回应"), "findings_response"),
            Chapter("problems", gettext_lazy("尚存的问题"), "problems"),
            Chapter("next", gettext_lazy("巩固提升措施"), "next_steps"),
        ),
        ("schools", "cv", "evidence"),
    ),
}
ANNEX_HEADINGS = {
    "schools": gettext_lazy("学校基本数据表"),
    "cv": gettext_lazy("差异系数计算表"),
    "evidence": gettext_lazy("佐证材料清单"),
}


def outline(number: int) -> Outline:
    return OUTLINES.get(number, OUTLINES[4])


def default_issuer(*, number: int, county: CountyProfile) -> str:
    """Stages 1–3: the leadership group's office; 4–5: the city government (PLAN.md)."""
    if outline(number).issuer == GOVERNMENT:
        return county.government
    return _("%(county)s推进义务教育优质均衡发展工作领导小组办公室") % {"county": county.name}


@dataclass
class ReportContext:
    title: str
    issuer: str
    county: dict
    stage: dict
    round: dict
    profile: dict
    chapters: list[dict]
    annexes: list[dict]
    generated_on: datetime.date
    provisional: bool
    provisional_note: str
    missing: list[str]
    stale: bool
    computed: bool
    verdict: dict
    facts: dict
    measures: list[dict]
    projects: list[dict]
    ledger: dict
    resource: list[dict]
    guarantee: list[dict]
    quality: list[dict]
    survey: dict
    veto: list[dict]
    problems: list[dict]
    gaps: list[dict]
    rectification: list[dict]
    hardest: list[dict]
    cvs_over_limit: list[dict]
    closed: list[dict]
    findings: list[dict]
    annex_schools: list[dict]
    annex_cv: list[dict]
    annex_evidence: list[dict]
    narrative: dict
    charts: dict = field(default_factory=dict)
    school_names: list[str] = field(default_factory=list)


def report_title(*, county: str, stage: Stage) -> str:
    return _("%(county)s推进县域义务教育优质均衡发展“%(stage)s”阶段自评报告") % {
        "county": county,
        "stage": stage.name,
    }


def _round_info(rnd: CollectionRound, state) -> dict:
    computed_at = timezone.localtime(state.computed_at) if state and state.computed_at else None
    summary = (state.summary or {}) if state else {}
    return {
        "label": str(rnd),
        "school_year": str(rnd.school_year),
        "name": rnd.name,
        "kind": rnd.get_kind_display(),
        "as_of": rnd.as_of,
        "is_open": rnd.is_open,
        "computed_at": computed_at,
        "standard": summary.get("standard_label", ""),
        "policy": summary.get("policy_label", ""),
        "basis": verdicts.basis_text(summary),
    }


def _verdict(state) -> dict:
    summary = (state.summary or {}) if state else {}
    county = summary.get("county", {})
    passed = county.get("passed") if state and state.computed_version else None
    county_verdict = verdicts.county_verdict(summary, computed=bool(state and state.computed_version))
    areas = []
    for a in summary.get("areas", []):
        areas.append(
            {
                "name": a.get("name", ""),
                "passed": a.get("passed"),
                "label": verdicts.area_verdict(a).label,
                "not_met": "、".join(a.get("not_met", [])) or "—",
                "no_data": "、".join(a.get("no_data", [])) or "—",
            }
        )
    return {
        "passed": passed,
        "code": county_verdict.code,
        "label": county_verdict.label,
        "missing": county_verdict.missing_text,
        "blocking": list(county.get("blocking", [])),
        "no_data": list(county.get("no_data", [])),
        "areas": areas,
        "section_counts": tables.section_counts(summary.get("counts", {})),
    }


def _provisional(state, rnd: CollectionRound) -> tuple[bool, str, list[str]]:
    if state is None or not state.computed_version:
        return True, _("暂定：本批次尚未计算评估结果"), []
    summary = state.summary or {}
    c = summary.get("completeness", {})
    missing = [*c.get("missing_schools", []), *c.get("missing_items", [])]
    if not summary.get("provisional", state.provisional) and not rnd.is_open:
        return False, "", []
    if not summary.get("provisional", state.provisional):
        return True, _("暂定：本批次仍在填报中"), missing
    note = _("暂定：%(m)s所学校中%(n)s所有审核通过的数据") % {
        "n": c.get("schools_with_data", 0),
        "m": c.get("schools_expected", 0),
    }
    basis = verdicts.basis_text(summary)
    if basis:  # this round's approvals, earlier rounds' carried forward and schools on none, counted apart
        note += f"（{basis}）"
    if c.get("missing_items"):
        note += _("；尚未填报：%(items)s") % {"items": "、".join(c["missing_items"])}
    if rnd.is_open:
        note += _("；本批次仍在填报中")
    return True, note, missing


def _chapters(number: int) -> list[dict]:
    return [
        {"key": c.key, "template": f"reports/pdf/_{c.key}.html", "heading": f"{chapter_number(i)}、{c.heading}",
         "anchor": f"ch{i}", "narrative": c.narrative}
        for i, c in enumerate(outline(number).chapters, start=1)
    ]  # fmt: skip


def _annexes(number: int) -> list[dict]:
    return [
        {
            "key": key,
            "template": f"reports/pdf/_annex_{key}.html",
            "heading": _("附件%(n)s %(name)s") % {"n": i, "name": ANNEX_HEADINGS[key]},
        }
        for i, key in enumerate(outline(number).annexes, start=1)
    ]


def build(
    data: ReportData, *, narrative: dict | None = None, issuer: str = "", on: datetime.date | None = None
) -> ReportContext:
    """The stage's report from the rows read for it. Runs no query."""
    rnd, state, stage, county = data.round, data.state, data.stage, data.county
    number = stage.number
    keys = {c.key for c in outline(number).chapters}
    items = (state.result or {}).get("items", {}) if state else {}
    evidence_rows, evidence_by_code = tables.evidence(data)
    resource, annex_cv = tables.resource(data)
    rows = [tables.item_row(i, data.names, data.today) for i in data.items]
    open_rows = [r for r, i in zip(rows, data.items, strict=True) if i.state != ItemState.CLOSED]
    done_rows = [r for r, i in zip(rows, data.items, strict=True) if i.state != ItemState.OPEN]
    provisional, note, missing = _provisional(state, rnd)
    measures = tables.measures(data)
    ledger = tables.ledger(data.items)
    annexes = _annexes(number)
    chart_progress = "progress" in keys or "measures" in keys
    return ReportContext(
        title=report_title(county=county.name, stage=stage),
        issuer=issuer or (narrative or {}).get("issuer", "") or default_issuer(number=number, county=county),
        county={"name": county.name, "government": county.government},
        stage={
            "number": number,
            "name": stage.name,
            "starts": stage.starts,
            "ends": stage.ends,
            "cycle": stage.cycle.name,
        },  # fmt: skip
        round=_round_info(rnd, state),
        profile={"kind": str(outline(number).kind), "findings": "findings" in keys, "full": number >= 4},
        chapters=_chapters(number),
        annexes=annexes,
        generated_on=on or data.today,
        provisional=provisional,
        provisional_note=note,
        missing=missing,
        stale=bool(state and state.is_stale),
        computed=bool(state and state.computed_version),
        verdict=_verdict(state),
        facts=tables.facts(data),
        measures=measures,
        projects=tables.projects(data),
        ledger=ledger,
        resource=resource,
        guarantee=tables.county_items(GUARANTEE_CODES, data, items, evidence_by_code),
        quality=tables.county_items(QUALITY_CODES, data, items, evidence_by_code),
        survey=tables.survey(data, items.get("S1")),
        veto=tables.county_items(VETO_CODES, data, items, evidence_by_code),
        problems=open_rows,
        gaps=tables.gaps(data) if keys & {"gaps", "hardest"} else [],
        rectification=open_rows,
        hardest=tables.hardest([r for r, i in zip(rows, data.items, strict=True) if i.state == ItemState.OPEN]),
        cvs_over_limit=tables.cvs_over_limit(resource),
        closed=done_rows,
        findings=tables.findings(data) if "findings" in keys else [],
        annex_schools=tables.annex_schools(data),
        annex_cv=annex_cv if any(a["key"] == "cv" for a in annexes) else [],
        annex_evidence=evidence_rows,
        narrative={k: (v or "") for k, v in (narrative or {}).items()},
        charts={
            "progress": charts.progress_chart([(m["ref"], m["percent"]) for m in measures], title=_("主要措施完成进度"))
            if chart_progress and measures
            else "",
            "ledger": charts.ledger_chart(ledger, title=_("整改台账")) if ledger["total"] else "",
        },
        school_names=[s.name for s in data.schools],
    )


def build_context(
    *, stage: Stage, round: CollectionRound, narrative: dict | None = None, issuer: str = "", on=None
) -> ReportContext:
    """Read the rows of one stage's report (`selectors.report_data`) and build its content."""
    data = selectors.report_data(stage=stage, round=round)
    return build(data, narrative=narrative, issuer=issuer, on=on)
