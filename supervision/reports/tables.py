"""The report's tables as rows of plain values, from the rows `selectors.report_data` read (no query here).

Every figure is a stored one; the one derived column is the CV annex's per-school term (P_i/P)·(X_i − X̄)², computed
for display by the engine's own `weighted_terms` from the stored values.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import numbers
from indicators.county_items import COUNTY_ITEM_PARTS
from indicators.domain.cv import weighted_terms
from indicators.domain.display import status_zh
from indicators.labels import SECTION_LABELS, UNIT_LABELS
from indicators.models import SchoolResult, SectionCV
from indicators.templatetags.indicator_tags import verdict_label
from schools.models import Location, SchoolKind
from supervision.models import BodyRole, ItemState, WorkStatus

from . import charts
from .formats import MARKS, fmt, fmt_amount, fmt_int, fmt_percent_value, fmt_short
from .selectors import R_CODES, ReportData

SECTIONS = ("primary", "junior")


def _section_order(section: str) -> int:
    return SECTIONS.index(section) if section in SECTIONS else 9


# --- Basic facts ----------------------------------------------------------------------------------------------------


def facts(data: ReportData) -> dict:
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for s in data.schools:
        by_kind[s.kind][s.location] += 1
    kind_rows = [
        {
            "kind": label,
            "urban": by_kind[kind][Location.URBAN],
            "town": by_kind[kind][Location.TOWN],
            "rural": by_kind[kind][Location.RURAL],
            "total": sum(by_kind[kind].values()),
        }
        for kind, label in SchoolKind.choices
        if kind in by_kind
    ]
    open_ids = {s.pk for s in data.schools}
    section_rows = []
    for section in SECTIONS:
        students = classes = teachers = with_section = 0
        for school_id, ret in data.returns.items():
            n = getattr(ret, f"{section}_students") if school_id in open_ids else 0
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
    county = data.county
    return {
        "name": county.name,
        "government": county.government,
        "area_km2": numbers.amount(county.area_km2, 2),
        "population": fmt_int(county.population),
        "basic_balance_year": county.basic_balance_year,
        "townships": data.townships,
        "township_count": len(data.townships),
        "school_count": len(data.schools),
        "kinds": kind_rows,
        "sections": section_rows,
        "evaluated_sections": len(data.verdicts),
    }


# --- Area 1: resource allocation ------------------------------------------------------------------------------------


def _cv_label(cv: SectionCV | None) -> str:
    if cv is None or cv.met is None:
        return _("无数据")
    return _("达标") if cv.met else _("超出限值")


def resource(data: ReportData) -> tuple[list[dict], list[dict]]:
    """Per section: the CV table against the limit and each school's seven values; and the CV annex."""
    cells: dict[tuple[int, str], dict[str, SchoolResult]] = defaultdict(dict)
    thresholds: dict[tuple[str, str], Decimal] = {}
    for r in data.results:
        cells[(r.school_id, r.section)][r.code] = r
        if r.threshold is not None:
            thresholds.setdefault((r.section, r.code), r.threshold)
    cv_by_section: dict[str, dict[str, SectionCV]] = defaultdict(dict)
    for cv in data.cvs:
        cv_by_section[cv.section][cv.code] = cv
    sections, annex = [], []
    for section in SECTIONS:
        rows = [v for v in data.verdicts if v.section == section]
        section_cvs = cv_by_section.get(section, {})
        if not rows and not section_cvs:
            continue
        limit = next((cv.limit for cv in section_cvs.values()), None)
        cv_rows = [
            _cv_row(code, section_cvs.get(code), thresholds.get((section, code)), data.names) for code in R_CODES
        ]
        sections.append(
            {
                "key": section,
                "label": str(SECTION_LABELS[section]),
                "limit": fmt(limit, places=2) if limit is not None else "—",
                "cvs": cv_rows,
                "schools": [_school_row(v, cells.get((v.school_id, section), {})) for v in rows],
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
        annex += [_annex_cv(section, code, rows, cells, section_cvs.get(code), data.names) for code in R_CODES]
    return sections, annex


def _cv_row(code: str, cv: SectionCV | None, threshold, names: dict) -> dict:
    met = cv.met if cv else None
    return {
        "code": code,
        "name": names.get(code, ""),
        "threshold": fmt(threshold),
        "mean": fmt(cv.mean if cv else None),
        "cv": cv.cv if cv else None,
        "cv_text": fmt(cv.cv if cv else None, cv.limit if cv else None),
        "limit": fmt(cv.limit, places=2) if cv else "—",
        "met": met,
        "mark": "√" if met else "×" if met is False else "—",
        "label": _cv_label(cv),
        "schools": cv.schools if cv else 0,
    }


def _school_row(v, row_cells: dict[str, SchoolResult]) -> dict:
    return {
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


def _annex_cv(section: str, code: str, rows, cells, cv: SectionCV | None, names: dict) -> dict:
    pairs, who = [], []
    for v in rows:
        r = cells.get((v.school_id, section), {}).get(code)
        if r is not None and r.value is not None and v.students:
            pairs.append((v.students, r.value))
            who.append(v.school.name)
    total = sum(p for p, _x in pairs)
    terms = weighted_terms(pairs) if pairs else []
    return {
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
        "label": _cv_label(cv),
    }


# --- Areas 2 to 4 and the veto items --------------------------------------------------------------------------------


def _part_text(part: dict) -> str:
    value = part.get("value")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "—" if value is None else fmt_short(value)


def _part_label(code: str, key: str) -> str:
    for part in COUNTY_ITEM_PARTS.get(code, ()):
        if part.key == key:
            return str(part.label)
    return {"met": _("是否达到要求"), "occurred": _("是否存在该情形")}.get(key, key)


def county_items(codes, data: ReportData, items: dict, evidence: dict[str, list[str]]) -> list[dict]:
    school_names = {s.code: s.name for s in data.schools}
    out = []
    for code in codes:
        item = items.get(code)
        row = {"code": code, "name": data.names.get(code, ""), "evidence": evidence.get(code, [])}
        if item is None:
            out.append(
                row
                | {
                    "value": "—",
                    "status": "not_evaluated",
                    "label": _("未评估"),
                    "mark": "",
                    "failing": [],
                    "note": data.county_notes.get(code, ""),
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
            failing = [
                f"{school_names.get(school_code, school_code)}（{status_zh(check.get('status', ''))}）"
                for school_code, check in schools.items()
                if check.get("status") != "met"
            ]
        else:
            parts = item.get("parts", {})
            value = "；".join(f"{_part_label(code, k)}：{_part_text(p)}" for k, p in parts.items()) or "—"
        out.append(
            row
            | {
                "value": value,
                "status": status,
                "label": status_zh(status),
                "mark": MARKS.get(status, ""),
                "failing": failing,
                "note": item.get("note", "") or data.county_notes.get(code, ""),
            }
        )
    return out


def survey(data: ReportData, item: dict | None) -> dict:
    item = item or {}
    value = item.get("value")
    rows = data.survey
    return {
        "status": item.get("status", "no_data"),
        "label": status_zh(item.get("status", "no_data")),
        "rate": fmt_percent_value(Decimal(str(value)) * 100) if value is not None else "—",
        "reason": item.get("reason", ""),
        "method": _(
            "按五级量表（很满意、满意、基本满意、不满意、很不满意）作答，“不了解”不计；每份问卷满意度为前三级所占比例，"
            "各群体满意度取有效问卷平均，总体满意度为各群体满意度的平均；任一群体有效问卷少于规定数量时不出结论。"
        ),
        "title": rows.title if rows else "",
        "online": rows.online if rows else 0,
        "paper": rows.paper if rows else 0,
        "groups": [{"name": n, "valid": v, "short": s} for n, v, s in rows.groups] if rows else [],
    }


# --- Supervision ----------------------------------------------------------------------------------------------------


def _lead(assignments) -> str:
    return "、".join(a.body.name for a in assignments if a.role == BodyRole.LEAD) or "—"


def _others(assignments) -> str:
    return "、".join(a.body.name for a in assignments if a.role != BodyRole.LEAD) or "—"


def _ref_key(ref: str) -> list:
    return [int(p) if p.isdigit() else p for p in ref.split(".")]


def _pace(*, work: str, percent: int, due: datetime.date | None, today: datetime.date) -> tuple[str, bool]:
    """How a piece of work stands against its deadline: (words, behind)."""
    if work == WorkStatus.ACCEPTED:
        return _("已完成"), False
    if due is not None and due < today:
        return _("已逾期"), True
    if work == WorkStatus.NOT_STARTED and percent == 0:
        return _("尚未启动"), False
    return _("按期推进"), False


def measures(data: ReportData) -> list[dict]:
    rows = []
    for m in data.measures:
        assignments = m.assignments.all()
        due = m.due_date or (m.stage.ends if m.stage else None)
        pace, behind = _pace(work=m.work_status, percent=m.percent, due=due, today=data.today)
        rows.append(
            {
                "ref": m.ref,
                "title": m.title,
                "lead": _lead(assignments),
                "others": _others(assignments),
                "status": m.get_work_status_display(),
                "percent": m.percent,
                "due": due,
                "target_stage": m.stage.name if m.stage else "—",
                "pace": pace,
                "behind": behind,
                "latest": m.recent[0].text if m.recent else "",
            }
        )
    rows.sort(key=lambda r: _ref_key(r["ref"]))
    return rows


def projects(data: ReportData) -> list[dict]:
    return [
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
        for p in data.projects
    ]


def ledger(items) -> dict:
    counts = Counter(i.state for i in items)
    return {
        "open": counts[ItemState.OPEN],
        "awaiting_data": counts[ItemState.AWAITING_DATA],
        "closed": counts[ItemState.CLOSED],
        "total": len(items),
    }


def item_row(i, names: dict, today: datetime.date) -> dict:
    unit = str(UNIT_LABELS.get(i.unit, i.unit))
    assignments = i.assignments.all()
    pace, behind = _pace(work=i.work_status, percent=i.percent, due=i.due_date, today=today)
    share = None  # how far the value is from the standard, as a share of the standard (same unit, either side)
    if i.value is not None and i.threshold:
        share = abs(Decimal(i.threshold) - Decimal(i.value)) / abs(Decimal(i.threshold))
    return {
        "title": i.title,
        "school": i.school.name if i.school else "",
        "code": i.code,
        "name": names.get(i.code, ""),
        "value": fmt(i.value, i.threshold),
        "threshold": fmt(i.threshold),
        "gap": f"{fmt(i.gap)} {unit}".strip() if i.gap is not None else "—",
        "gap_share": fmt_percent_value(share * 100) if share is not None else "—",
        "share": share,
        "target": i.target,
        "lead": _lead(assignments),
        "others": _others(assignments),
        "due": i.due_date,
        "stage": i.stage.name if i.stage else "—",
        "work": i.get_work_status_display(),
        "state": i.get_state_display(),
        "closed_reason": i.get_closed_reason_display() if i.closed_reason else "",
        "percent": i.percent,
        "warning": i.within_tolerance,
        "pace": pace,
        "behind": behind,
    }


def hardest(rows: list[dict]) -> list[dict]:
    """Open items, the hardest first: overdue, then below 85% of the standard before the warnings, then the largest
    gap relative to the standard."""
    return sorted(
        rows,
        key=lambda r: (not r["behind"], r["warning"], -(r["share"] if r["share"] is not None else Decimal(0))),
    )


def cvs_over_limit(resource_sections: list[dict]) -> list[dict]:
    return [{"section": s["label"], **c} for s in resource_sections for c in s["cvs"] if c["met"] is False]


def findings(data: ReportData) -> list[dict]:
    reviews: dict[int, dict] = {}
    for f in data.findings:
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
        r["findings"].append(
            {
                "text": f.text,
                "response": f.response,
                "items": [{"title": i.title, "state": i.get_state_display()} for i in f.items.all()],
                "answered": bool(f.response),
            }
        )
    return list(reviews.values())


def evidence(data: ReportData) -> tuple[list[dict], dict[str, list[str]]]:
    rows: list[dict[str, Any]] = []
    by_code: dict[str, list[str]] = defaultdict(list)
    for code, name, uploaded in data.county_evidence:
        by_code[code].append(name)
        rows.append({"source": _("县级指标 %(code)s") % {"code": code}, "name": name, "date": uploaded})
    rows += [{"source": about, "name": name, "date": uploaded} for about, name, uploaded in data.evidence_files]
    for row in rows:
        row["date"] = timezone.localtime(row["date"]).date() if row["date"] else None
    return rows, dict(by_code)


def gaps(data: ReportData) -> list[dict]:
    rows = []
    for g in data.gap_results:
        unit = (g.detail or {}).get("unit", "")
        rows.append(
            {
                "school": g.school.name,
                "section": str(SECTION_LABELS.get(g.section, g.section)),
                "code": g.code,
                "name": data.names.get(g.code, ""),
                "value": fmt(g.value, g.threshold),
                "threshold": fmt(g.threshold),
                "status": status_zh(g.status),
                "gap": f"{fmt(g.gap)} {UNIT_LABELS.get(unit, unit)}".strip() if g.gap is not None else "—",
            }
        )
    return rows


def annex_schools(data: ReportData) -> list[dict]:
    rows = []
    for s in data.schools:
        ret = data.returns.get(s.pk)

        def get(name, ret=ret):
            return getattr(ret, name) if ret is not None else None

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


def section_counts(counts: dict) -> list[dict]:
    return [
        {
            "section": str(SECTION_LABELS.get(s, s)),
            "passed": c.get("passed", 0) + c.get("passed_within_tolerance", 0),
            "within": c.get("passed_within_tolerance", 0),
            "failed": c.get("failed", 0),
            "no_data": c.get("no_data", 0),
            "total": sum(c.values()),
        }
        for s, c in sorted(counts.items(), key=lambda kv: _section_order(kv[0]))
    ]
