"""The report's content as plain data, built from stored results and supervision records only.

Every figure comes from what the indicator engine stored for the report's round (SchoolResult, SectionVerdict,
SectionCV, EvaluationState) or from supervision and school records; nothing is re-evaluated and no number is typed
by a person. The one derived column is the CV annex's per-school term (P_i/P)·(X_i − X̄)², computed for display by
the engine's own `weighted_terms` from the stored values; the CV, its mean and its verdict printed beside it are
the stored ones. Texts are formatted here (three decimals, more where three would read as the limit), so the
templates do no arithmetic. The number of queries does not depend on the number of schools.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import numbers
from indicators import loading, verdicts
from indicators.domain.cv import weighted_terms
from indicators.domain.display import format_value, status_zh
from indicators.labels import SECTION_LABELS, UNIT_LABELS
from indicators.models import CountyEntry, EvaluationState, Evidence, SchoolResult, SectionCV, SectionVerdict
from indicators.services import indicator_names
from indicators.templatetags.indicator_tags import verdict_label
from schools.models import CollectionRound, CountyProfile, Location, School, SchoolKind, Township
from supervision.models import (
    BodyRole,
    EvidenceFile,
    Finding,
    ItemState,
    Measure,
    MeasureBody,
    ProgressUpdate,
    Project,
    RectificationItem,
    Stage,
)
from supervision.selectors import ASSIGNMENTS

from . import charts

R_CODES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
GUARANTEE_CODES = tuple(f"G{i}" for i in range(1, 16))
QUALITY_CODES = tuple(f"Q{i}" for i in range(1, 10))
VETO_CODES = tuple(f"V{i}" for i in range(1, 7))
SECTIONS = ("primary", "junior")
MARKS = {"met": "√", "not_met": "×", "within_tolerance": "△", "no_data": "—", "not_evaluated": ""}

# What each stage's report puts weight on (PLAN.md): 1 baseline and gaps, 2–3 progress against targets,
# 4 the full self-assessment with every table, 5 the final report with the response to review findings.
STAGE_PROFILES: dict[int, dict[str, Any]] = {
    1: {"kind": _("基线与差距"), "gaps": True, "progress": False, "school_tables": True, "cv_annex": True},
    2: {"kind": _("推进情况"), "gaps": True, "progress": True, "school_tables": True, "cv_annex": False},
    3: {"kind": _("攻坚进展"), "gaps": True, "progress": True, "school_tables": True, "cv_annex": False},
    4: {"kind": _("全面自评"), "gaps": False, "progress": True, "school_tables": True, "cv_annex": True},
    5: {"kind": _("总结报告"), "gaps": False, "progress": True, "school_tables": True, "cv_annex": True},
}


def _profile(number: int) -> dict[str, Any]:
    base = STAGE_PROFILES.get(number, STAGE_PROFILES[4])
    return {**base, "findings": number >= 5, "full": number >= 4}


@dataclass
class ReportContext:
    title: str
    county: dict
    stage: dict
    round: dict
    profile: dict
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
    findings: list[dict]
    annex_schools: list[dict]
    annex_cv: list[dict]
    annex_evidence: list[dict]
    narrative: dict
    charts: dict = field(default_factory=dict)
    school_names: list[str] = field(default_factory=list)


def fmt(value, limit=None, places: int = 3) -> str:
    if value is None:
        return "—"
    return format_value(Decimal(str(value)), Decimal(str(limit)) if limit is not None else None, places)


def fmt_amount(value) -> str:
    return numbers.amount(value)


def fmt_int(value) -> str:
    return numbers.amount(value)


def fmt_percent_value(value) -> str:
    return "—" if value is None else f"{fmt(value, places=1)}%"


def report_title(*, county: str, stage: Stage) -> str:
    return _("%(county)s推进县域义务教育优质均衡发展“%(stage)s”阶段自评报告") % {
        "county": county,
        "stage": stage.name,
    }


def _round_info(rnd: CollectionRound, state: EvaluationState | None) -> dict:
    computed_at = timezone.localtime(state.computed_at) if state and state.computed_at else None
    return {
        "label": str(rnd),
        "school_year": str(rnd.school_year),
        "name": rnd.name,
        "kind": rnd.get_kind_display(),
        "as_of": rnd.as_of,
        "computed_at": computed_at,
        "standard": (state.summary or {}).get("standard_label", "") if state else "",
        "policy": (state.summary or {}).get("policy_label", "") if state else "",
    }


def _verdict(state: EvaluationState | None) -> dict:
    summary = (state.summary or {}) if state else {}
    county = summary.get("county", {})
    passed = county.get("passed") if state and state.computed_version else None
    county_verdict = verdicts.county_verdict(summary, computed=bool(state and state.computed_version))
    label = county_verdict.label
    areas = []
    for a in summary.get("areas", []):
        p = a.get("passed")
        areas.append(
            {
                "name": a.get("name", ""),
                "passed": p,
                "label": verdicts.area_verdict(a).label,
                "not_met": "、".join(a.get("not_met", [])) or "—",
                "no_data": "、".join(a.get("no_data", [])) or "—",
            }
        )
    counts = summary.get("counts", {})
    return {
        "passed": passed,
        "code": county_verdict.code,
        "label": label,
        "missing": county_verdict.missing_text,
        "blocking": list(county.get("blocking", [])),
        "no_data": list(county.get("no_data", [])),
        "areas": areas,
        "section_counts": [
            {
                "section": str(SECTION_LABELS.get(s, s)),
                "passed": c.get("passed", 0) + c.get("passed_within_tolerance", 0),
                "within": c.get("passed_within_tolerance", 0),
                "failed": c.get("failed", 0),
                "no_data": c.get("no_data", 0),
                "total": sum(c.values()),
            }
            for s, c in sorted(counts.items(), key=lambda kv: SECTIONS.index(kv[0]) if kv[0] in SECTIONS else 9)
        ],
    }


def _provisional(state: EvaluationState | None) -> tuple[bool, str, list[str]]:
    if state is None or not state.computed_version:
        return True, _("暂定：本批次尚未计算评估结果"), []
    summary = state.summary or {}
    c = summary.get("completeness", {})
    missing = [*c.get("missing_schools", []), *c.get("missing_items", [])]
    if not summary.get("provisional", state.provisional):
        return False, "", []
    note = _("暂定：%(m)s所学校中%(n)s所有审核通过的数据") % {
        "n": c.get("schools_with_data", 0),
        "m": c.get("schools_expected", 0),
    }
    if c.get("missing_items"):
        note += _("；尚未填报：%(items)s") % {"items": "、".join(c["missing_items"])}
    return True, note, missing


# --- Basic facts ----------------------------------------------------------------------------------------------------


def _facts(rnd: CollectionRound, schools: list[School], verdicts: list[SectionVerdict]) -> dict:
    profile = CountyProfile.get()
    townships = list(Township.objects.order_by("order", "code").values_list("name", flat=True))
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for s in schools:
        by_kind[s.kind][s.location] += 1
    kind_rows = []
    for kind, label in SchoolKind.choices:
        if kind in by_kind:
            c = by_kind[kind]
            kind_rows.append(
                {
                    "kind": label,
                    "urban": c[Location.URBAN],
                    "town": c[Location.TOWN],
                    "rural": c[Location.RURAL],
                    "total": sum(c.values()),
                }
            )
    returns = loading.round_returns(round=rnd)
    open_ids = {s.pk for s in schools}
    section_rows = []
    for section in SECTIONS:
        students = classes = teachers = 0
        with_section = 0
        for school_id, ret in returns.items():
            if school_id not in open_ids:
                continue
            n = getattr(ret, f"{section}_students")
            if n:
                with_section += 1
                students += n
                classes += getattr(ret, f"{section}_classes") or 0
                teachers += getattr(ret, f"{section}_teachers") or 0
        section_rows.append(
            {
                "section": str(SECTION_LABELS[section]),
                "schools": with_section,
                "students": students,
                "classes": classes,
                "teachers": teachers,
            }
        )
    return {
        "name": profile.name,
        "government": profile.government,
        "area_km2": numbers.amount(profile.area_km2, 2),
        "population": fmt_int(profile.population),
        "basic_balance_year": profile.basic_balance_year,
        "townships": townships,
        "township_count": len(townships),
        "school_count": len(schools),
        "kinds": kind_rows,
        "sections": section_rows,
        "evaluated_sections": len(verdicts),
    }


# --- Area 1: resource allocation ------------------------------------------------------------------------------------


def _resource(rnd, names, verdicts, results, cvs) -> tuple[list[dict], list[dict]]:
    """Per section: the CV table against the limit and each school's seven values; and the CV annex."""
    cells: dict[tuple[int, str], dict[str, SchoolResult]] = defaultdict(dict)
    thresholds: dict[tuple[str, str], Decimal] = {}
    for r in results:
        cells[(r.school_id, r.section)][r.code] = r
        if r.threshold is not None:
            thresholds.setdefault((r.section, r.code), r.threshold)
    cv_by_section: dict[str, dict[str, SectionCV]] = defaultdict(dict)
    for cv in cvs:
        cv_by_section[cv.section][cv.code] = cv
    sections, annex = [], []
    for section in SECTIONS:
        rows = [v for v in verdicts if v.section == section]
        section_cvs = cv_by_section.get(section, {})
        if not rows and not section_cvs:
            continue
        limit = next((cv.limit for cv in section_cvs.values()), None)
        cv_rows = []
        for code in R_CODES:
            cv = section_cvs.get(code)
            met = cv.met if cv else None
            cv_rows.append(
                {
                    "code": code,
                    "name": names.get(code, ""),
                    "threshold": fmt(thresholds.get((section, code))),
                    "mean": fmt(cv.mean if cv else None),
                    "cv": cv.cv if cv else None,
                    "cv_text": fmt(cv.cv if cv else None, cv.limit if cv else None),
                    "limit": fmt(cv.limit, places=2) if cv else "—",
                    "met": met,
                    "mark": "√" if met else "×" if met is False else "—",
                    "label": _("达标") if met else _("超出限值") if met is False else _("无数据"),
                    "schools": cv.schools if cv else 0,
                }
            )
        school_rows = []
        for v in rows:
            row_cells = cells.get((v.school_id, section), {})
            school_rows.append(
                {
                    "name": v.school.name,
                    "township": v.school.township.name,
                    "students": v.students,
                    "cells": [
                        {
                            "value": fmt(row_cells[c].value, row_cells[c].threshold) if c in row_cells else "—",
                            "mark": MARKS.get(row_cells[c].status, "") if c in row_cells else "",
                            "status": row_cells[c].status if c in row_cells else "no_data",
                        }
                        for c in R_CODES
                    ],
                    "met_count": v.met_count,
                    "verdict": str(verdict_label(v.status)),
                    "failed": v.status == "failed",
                }
            )
        sections.append(
            {
                "key": section,
                "label": str(SECTION_LABELS[section]),
                "limit": fmt(limit, places=2) if limit is not None else "—",
                "cvs": cv_rows,
                "schools": school_rows,
                "thresholds": [fmt(thresholds.get((section, c))) for c in R_CODES],
                "passed": sum(1 for v in rows if v.status in ("passed", "passed_within_tolerance")),
                "total": len(rows),
                "chart": charts.cv_chart(
                    [(r["code"], r["cv"]) for r in cv_rows],
                    limit,
                    title=_("%(s)s差异系数") % {"s": SECTION_LABELS[section]},
                ),
            }
        )
        for code in R_CODES:
            cv = section_cvs.get(code)
            pairs, who = [], []
            for v in rows:
                r = cells.get((v.school_id, section), {}).get(code)
                if r is not None and r.value is not None and v.students:
                    pairs.append((v.students, r.value))
                    who.append(v.school.name)
            total = sum(p for p, _x in pairs)
            terms = weighted_terms(pairs) if pairs else []
            annex.append(
                {
                    "section": str(SECTION_LABELS[section]),
                    "code": code,
                    "name": names.get(code, ""),
                    "rows": [
                        {
                            "school": name,
                            "students": p,
                            "value": fmt(x),
                            "weight": fmt(Decimal(p) / total, places=4),
                            "term": fmt(t, places=6),
                        }
                        for name, (p, x), t in zip(who, pairs, terms, strict=True)
                    ],
                    "total_students": total,
                    "mean": fmt(cv.mean if cv else None),
                    "sd": fmt(cv.sd if cv else None, places=4),
                    "cv": fmt(cv.cv if cv else None, cv.limit if cv else None),
                    "limit": fmt(cv.limit, places=2) if cv else "—",
                    "label": _("达标") if cv and cv.met else _("超出限值") if cv and cv.met is False else _("无数据"),
                }
            )
    return sections, annex


# --- Areas 2 to 4 and the veto items --------------------------------------------------------------------------------


def _part_text(key: str, part: dict) -> str:
    value = part.get("value")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return "—"
    return fmt(value, places=2).rstrip("0").rstrip(".") if "." in fmt(value, places=2) else fmt(value, places=2)


def _county_items(codes, items: dict, names: dict, school_names: dict, evidence: dict, notes: dict) -> list[dict]:
    out = []
    for code in codes:
        item = items.get(code)
        if item is None:
            out.append(
                {
                    "code": code,
                    "name": names.get(code, ""),
                    "value": "—",
                    "status": "not_evaluated",
                    "label": _("未评估"),
                    "mark": "",
                    "detail": "",
                    "failing": [],
                    "evidence": evidence.get(code, []),
                    "note": notes.get(code, ""),
                }
            )
            continue
        status = item.get("status", "no_data")
        failing: list[str] = []
        if item.get("level") == "school":
            schools = item.get("schools", {})
            met = sum(1 for c in schools.values() if c.get("status") == "met")
            applicable = item.get("applicable", len(schools))
            value = _("%(m)s所学校中%(n)s所达标") % {"m": applicable, "n": met}
            for school_code, check in schools.items():
                if check.get("status") != "met":
                    failing.append(
                        f"{school_names.get(school_code, school_code)}（{status_zh(check.get('status', ''))}）"
                    )
        else:
            parts = item.get("parts", {})
            value = "；".join(f"{_part_label(code, k)}：{_part_text(k, p)}" for k, p in parts.items()) or "—"
        out.append(
            {
                "code": code,
                "name": names.get(code, ""),
                "value": value,
                "status": status,
                "label": status_zh(status),
                "mark": MARKS.get(status, ""),
                "failing": failing,
                "evidence": evidence.get(code, []),
                "note": item.get("note", "") or notes.get(code, ""),
            }
        )
    return out


def _part_label(code: str, key: str) -> str:
    from indicators.county_items import COUNTY_ITEM_PARTS

    for part in COUNTY_ITEM_PARTS.get(code, ()):
        if part.key == key:
            return str(part.label)
    return {"met": _("是否达到要求"), "occurred": _("是否存在该情形")}.get(key, key)


def _survey(rnd: CollectionRound, item: dict | None) -> dict:
    out: dict[str, Any] = {
        "status": (item or {}).get("status", "no_data"),
        "label": status_zh((item or {}).get("status", "no_data")),
        "rate": fmt_percent_value(Decimal(str(item["value"])) * 100) if item and item.get("value") is not None else "—",
        "reason": (item or {}).get("reason", ""),
        "groups": [],
        "online": 0,
        "paper": 0,
        "title": "",
        "method": _(
            "按五级量表（很满意、满意、基本满意、不满意、很不满意）作答，“不了解”不计；每份问卷满意度为前三级所占比例，"
            "各群体满意度取有效问卷平均，总体满意度为各群体满意度的平均；任一群体有效问卷少于规定数量时不出结论。"
        ),
    }
    try:
        from supervision.survey.models import Survey
        from supervision.survey.selectors import survey_tally
    except ImportError:  # pragma: no cover - the survey sub-app is always installed with supervision
        return out
    survey = Survey.objects.filter(school_year=rnd.school_year).first()
    if survey is None:
        return out
    tally = survey_tally(survey)
    out.update(
        title=survey.title,
        online=tally.online_total,
        paper=tally.paper_total,
        groups=[{"name": g.name, "valid": g.rate.valid, "short": g.short} for g in tally.groups],
    )
    return out


# --- Supervision --------------------------------------------------------------------------------------------------


def _lead(assignments) -> str:
    leads = [a.body.name for a in assignments if a.role == BodyRole.LEAD]
    return "、".join(leads) or "—"


def _others(assignments) -> str:
    return "、".join(a.body.name for a in assignments if a.role != BodyRole.LEAD) or "—"


def _measures(cycle) -> list[dict]:
    latest = Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-created_at", "-pk"), to_attr="recent")
    assignments = Prefetch("assignments", queryset=MeasureBody.objects.select_related("body"))
    rows = []
    for m in Measure.objects.filter(cycle=cycle).select_related("stage").prefetch_related(assignments, latest):
        rows.append(
            {
                "ref": m.ref,
                "title": m.title,
                "lead": _lead(m.assignments.all()),
                "others": _others(m.assignments.all()),
                "status": m.get_work_status_display(),
                "percent": m.percent,
                "due": m.due_date,
                "latest": m.recent[0].text if m.recent else "",
            }
        )
    rows.sort(key=lambda r: [int(p) if p.isdigit() else p for p in r["ref"].split(".")])
    return rows


def _projects() -> list[dict]:
    rows = []
    for p in Project.objects.select_related("school").order_by("planned_completion", "pk"):
        rows.append(
            {
                "name": p.name,
                "school": p.school.name if p.school else "—",
                "kind": p.get_kind_display(),
                "budget": fmt_amount(p.budget_total),
                "percent": p.percent,
                "planned": p.planned_completion,
                "actual": p.actual_completion,
                "done": p.actual_completion is not None,
            }
        )
    return rows


def _ledger(items: list[RectificationItem]) -> dict:
    counts = Counter(i.state for i in items)
    return {
        "open": counts[ItemState.OPEN],
        "awaiting_data": counts[ItemState.AWAITING_DATA],
        "closed": counts[ItemState.CLOSED],
        "total": len(items),
    }


def _item_row(i: RectificationItem, names: dict) -> dict:
    unit = str(UNIT_LABELS.get(i.unit, i.unit))
    return {
        "title": i.title,
        "school": i.school.name if i.school else "",
        "code": i.code,
        "name": names.get(i.code, ""),
        "value": fmt(i.value, i.threshold),
        "threshold": fmt(i.threshold),
        "gap": f"{fmt(i.gap)} {unit}".strip() if i.gap is not None else "—",
        "target": i.target,
        "lead": _lead(i.assignments.all()),
        "others": _others(i.assignments.all()),
        "due": i.due_date,
        "work": i.get_work_status_display(),
        "state": i.get_state_display(),
        "percent": i.percent,
        "warning": i.within_tolerance,
    }


def _findings() -> list[dict]:
    reviews: dict[int, dict] = {}
    for f in Finding.objects.select_related("review").prefetch_related("items").order_by("review__held_on", "pk"):
        r = reviews.setdefault(
            f.review_id,
            {
                "title": f.review.title,
                "level": f.review.get_level_display(),
                "held_on": f.review.held_on,
                "reviewer": f.review.reviewer,
                "findings": [],
            },
        )
        items = list(f.items.all())
        r["findings"].append(
            {
                "text": f.text,
                "response": f.response,
                "items": [{"title": i.title, "state": i.get_state_display()} for i in items],
            }
        )
    return list(reviews.values())


def _evidence(rnd: CollectionRound) -> tuple[list[dict], dict[str, list[str]], dict[str, str]]:
    rows: list[dict] = []
    by_code: dict[str, list[str]] = defaultdict(list)
    notes: dict[str, str] = {}
    for e in CountyEntry.objects.filter(school_year=rnd.school_year).only("code", "note"):
        if e.note:
            notes[e.code] = e.note
    for ev in Evidence.objects.filter(entry__school_year=rnd.school_year).select_related("entry"):
        by_code[ev.entry.code].append(ev.name)
        rows.append(
            {"source": _("县级指标 %(code)s") % {"code": ev.entry.code}, "name": ev.name, "date": ev.uploaded_at}
        )
    for f in EvidenceFile.objects.select_related("update", "update__measure", "update__item").order_by("pk"):
        about = f.update.measure or f.update.item
        rows.append({"source": str(about)[:60] if about else "", "name": f.name, "date": f.uploaded_at})
    for row in rows:
        row["date"] = timezone.localtime(row["date"]).date() if row["date"] else None
    return rows, dict(by_code), notes


# --- The whole report -----------------------------------------------------------------------------------------------


def build_context(*, stage: Stage, round: CollectionRound, narrative: dict | None = None, on=None) -> ReportContext:
    """Everything one stage's report shows, for one round's stored results and one narrative."""
    rnd = round
    cycle = stage.cycle
    state = EvaluationState.objects.filter(round=rnd).first()
    names = indicator_names(school_year=rnd.school_year)
    year = rnd.school_year.year
    schools = list(School.objects.open_in(year).select_related("township").order_by("township__order", "code"))
    school_names = {s.code: s.name for s in schools}
    verdicts = list(
        SectionVerdict.objects.filter(round=rnd)
        .select_related("school", "school__township")
        .order_by("school__township__order", "school__code", "section")
    )
    results = list(SchoolResult.objects.filter(round=rnd, code__in=R_CODES))
    cvs = list(SectionCV.objects.filter(round=rnd))
    resource, annex_cv = _resource(rnd, names, verdicts, results, cvs)
    items = (state.result or {}).get("items", {}) if state else {}
    annex_evidence, evidence_by_code, notes = _evidence(rnd)
    ledger_items = list(
        RectificationItem.objects.select_related("school").prefetch_related(ASSIGNMENTS).order_by("due_date", "pk")
    )
    open_items = [i for i in ledger_items if i.state != ItemState.CLOSED]
    provisional, note, missing = _provisional(state)
    profile = _profile(stage.number)
    measures = _measures(cycle)
    ledger = _ledger(ledger_items)
    county = CountyProfile.get()
    return ReportContext(
        title=report_title(county=county.name, stage=stage),
        county={"name": county.name, "government": county.government},
        stage={
            "number": stage.number,
            "name": stage.name,
            "starts": stage.starts,
            "ends": stage.ends,
            "cycle": cycle.name,
        },
        round=_round_info(rnd, state),
        profile=profile,
        generated_on=on or timezone.localdate(),
        provisional=provisional,
        provisional_note=note,
        missing=missing,
        stale=bool(state and state.is_stale),
        computed=bool(state and state.computed_version),
        verdict=_verdict(state),
        facts=_facts(rnd, schools, verdicts),
        measures=measures,
        projects=_projects(),
        ledger=ledger,
        resource=resource,
        guarantee=_county_items(GUARANTEE_CODES, items, names, school_names, evidence_by_code, notes),
        quality=_county_items(QUALITY_CODES, items, names, school_names, evidence_by_code, notes),
        survey=_survey(rnd, items.get("S1")),
        veto=_county_items(VETO_CODES, items, names, school_names, evidence_by_code, notes),
        problems=[_item_row(i, names) for i in open_items],
        gaps=_gaps(rnd, names) if profile["gaps"] else [],
        rectification=[_item_row(i, names) for i in open_items],
        findings=_findings() if profile["findings"] else [],
        annex_schools=_annex_schools(rnd, schools),
        annex_cv=annex_cv if profile["cv_annex"] else [],
        annex_evidence=annex_evidence,
        narrative={k: (v or "") for k, v in (narrative or {}).items()},
        charts={
            "progress": charts.progress_chart([(m["ref"], m["percent"]) for m in measures], title=_("主要措施完成进度"))
            if profile["progress"] and measures
            else "",
            "ledger": charts.ledger_chart(ledger, title=_("整改台账")) if ledger["total"] else "",
        },
        school_names=[s.name for s in schools],
    )


def _gaps(rnd: CollectionRound, names: dict) -> list[dict]:
    rows = []
    for g in (
        SchoolResult.objects.filter(round=rnd, status__in=("not_met", "within_tolerance"))
        .select_related("school")
        .order_by("school__township__order", "school__code", "section", "code")
    ):
        unit = (g.detail or {}).get("unit", "")
        rows.append(
            {
                "school": g.school.name,
                "section": str(SECTION_LABELS.get(g.section, g.section)),
                "code": g.code,
                "name": names.get(g.code, ""),
                "value": fmt(g.value, g.threshold),
                "threshold": fmt(g.threshold),
                "status": status_zh(g.status),
                "gap": f"{fmt(g.gap)} {UNIT_LABELS.get(unit, unit)}".strip() if g.gap is not None else "—",
            }
        )
    return rows


def _annex_schools(rnd: CollectionRound, schools: list[School]) -> list[dict]:
    returns = loading.round_returns(round=rnd)
    rows = []
    for s in schools:
        ret = returns.get(s.pk)

        def get(field, ret=ret):
            return getattr(ret, field) if ret is not None else None

        rows.append(
            {
                "code": s.code,
                "name": s.name,
                "township": s.township.name,
                "kind": s.get_kind_display(),
                "location": s.get_location_display(),
                "primary_students": fmt_int(get("primary_students")),
                "junior_students": fmt_int(get("junior_students")),
                "primary_teachers": fmt_int(get("primary_teachers")),
                "junior_teachers": fmt_int(get("junior_teachers")),
                "classes": fmt_int((get("primary_classes") or 0) + (get("junior_classes") or 0)) if ret else "—",
                "teaching_area": fmt_amount(get("teaching_area_m2")),
                "sports_area": fmt_amount(get("sports_area_m2")),
                "equipment": fmt_amount(get("equipment_value_yuan")),
                "multimedia": fmt_int(get("multimedia_rooms")),
                "has_return": ret is not None,
                "round": ret.round.name if ret is not None else _("无审核通过的数据"),
            }
        )
    return rows
