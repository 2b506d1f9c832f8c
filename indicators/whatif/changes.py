"""What-if (模拟测算): changes to schools' figures applied to the pure input, evaluated, compared with a baseline.

Pure: no database. A change is plain data (JSON in `Scenario.changes`), applied in order to the frozen input
dataclasses with `dataclasses.replace`; nothing stored is touched.

    {"school": "2136100001", "field": "sports_area_m2", "delta": "500"}
    {"school": "2136100001", "field": "teachers_pe_arts", "section": "primary", "delta": 2}
    {"school": "2136100001", "field": "students", "section": "junior", "set": 380}
    {"school": "2136100001", "field": "class_students", "section": "primary", "class": "1年级1班", "delta": -20}
    {"school": "2136100001", "field": "class_add", "section": "primary", "class": "1年级3班", "grade": 1, "set": 20}
    {"school": "2136100009", "field": "kind", "set": "teaching_point"}
    {"school": "2136100009", "field": "parent", "set": "2136100001"}       ("" clears the parent)
    {"school": "", "field": "teaching_point_policy", "set": "include"}

Exactly one of `delta` (add; negative removes) or `set` (replace). Rules:
- a delta needs a known current value (an unknown figure can only be set);
- no result may be negative; counts (students, teachers, rooms, classes) must be whole numbers;
- a teacher sub-count (above the required degree, backbone, PE/arts, certified) changes alone: a new hire who
  counts in several categories is one change per category (and one for 专任教师数 if the total should grow);
- `class_students` changes one class of the class list (a split = fewer students here + `class_add`); the
  section's student count is not changed by class changes. `class_add` also adds one to the section's
  `classes` figure (a section's classes equal its rows in the class list);
- `kind` / `parent` let a school become a teaching point of a parent, so the policy merges it;
  `teaching_point_policy` evaluates the whole scenario under another policy.
Every refusal is a Chinese message naming the change's number, the school and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools.models import SECTION_LABELS, SchoolKind

from ..domain.costing import cost_gaps
from ..domain.decimals import quantize
from ..domain.evaluate import Evaluation
from ..domain.inputs import POLICIES, ClassFigures, EvaluationInput, SchoolFigures, SectionFigures
from ..domain.sections import SECTIONS_OF_KIND
from ..domain.standard import KINDS

PLACES = 6
MAX_CHANGES = 200
MAX_AMOUNT = Decimal(10) ** 12
DELTA, SET = "delta", "set"

SCHOOL_AMOUNTS = {
    "teaching_area_m2": gettext_lazy("教学及辅助用房面积（平方米）"),
    "sports_area_m2": gettext_lazy("体育运动场馆面积（平方米）"),
    "equipment_value_yuan": gettext_lazy("教学仪器设备值（元）"),
    "multimedia_rooms": gettext_lazy("网络多媒体教室数"),
    "public_funds_yuan": gettext_lazy("年度公用经费（元）"),
    "training_funds_yuan": gettext_lazy("教师培训经费（元）"),
}
SECTION_COUNTS = {
    "students": gettext_lazy("在校生数"),
    "teachers": gettext_lazy("专任教师数"),
    "teachers_above_required": gettext_lazy("高于规定学历专任教师数"),
    "teachers_backbone": gettext_lazy("县级及以上骨干教师数"),
    "teachers_pe_arts": gettext_lazy("体育、艺术专任教师数"),
    "teachers_certified": gettext_lazy("持有教师资格证专任教师数"),
}
CLASS_CHANGES = {
    "class_students": gettext_lazy("班级人数（班级名单）"),
    "class_add": gettext_lazy("增设班级（班级名单）"),
}
REGISTRY_CHANGES = {
    "kind": gettext_lazy("办学类型"),
    "parent": gettext_lazy("所属学校（教学点并入）"),
}
POLICY_FIELD = "teaching_point_policy"
FIELD_LABELS = {
    **SCHOOL_AMOUNTS,
    **SECTION_COUNTS,
    **CLASS_CHANGES,
    **REGISTRY_CHANGES,
    POLICY_FIELD: gettext_lazy("教学点处理方式（整个方案）"),
}
WHOLE_NUMBERS = frozenset({"multimedia_rooms", *SECTION_COUNTS, *CLASS_CHANGES})
SET_ONLY = frozenset({"class_add", *REGISTRY_CHANGES, POLICY_FIELD})
SECTION_FIELDS = frozenset({*SECTION_COUNTS, *CLASS_CHANGES})
SECTION_GRADES = {"primary": range(1, 7), "junior": range(7, 10)}
KIND_LABELS = dict(SchoolKind.choices)
POLICY_LABELS = {
    "merge": gettext_lazy("并入所属学校小学部"),
    "exclude_small": gettext_lazy("不足50人的教学点不参评"),
    "include": gettext_lazy("每个教学点单独评估"),
}
R_CODES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
COST_TOTALS = ("money_one_off", "money_recurring", "land_m2", "posts")
COST_LABELS = {
    "money_one_off": gettext_lazy("一次性投入（元）"),
    "money_recurring": gettext_lazy("每年经常性投入（元/年）"),
    "land_m2": gettext_lazy("需新增用地（平方米）"),
    "posts": gettext_lazy("需新增教师编制（人）"),
}


class ChangeError(ValueError):
    """The changes cannot be applied; `messages` are Chinese, one per refused change."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class _Refused(Exception):
    pass


# --- reading one change ---


def _number(value: Any, whole: bool) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _Refused(_("数值无效"))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise _Refused(_("“%(value)s”不是数字") % {"value": str(value)[:20]}) from None
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        raise _Refused(_("“%(value)s”不是有效的数值") % {"value": str(value)[:20]})
    if whole and number != number.to_integral_value():
        raise _Refused(_("应为整数，而不是%(value)s") % {"value": number})
    return number


def _text(value: Any, limit: int = 40) -> str:
    if not isinstance(value, str | int):
        raise _Refused(_("应为文字"))
    return str(value).strip()[:limit]


def canonical(raw: Mapping[str, Any]) -> dict[str, Any]:
    """One change checked for shape and brought to its stored form (numbers as exact text or ints)."""
    if not isinstance(raw, Mapping):
        raise _Refused(_("格式无效"))
    field = raw.get("field")
    if field not in FIELD_LABELS:
        raise _Refused(_("未知的调整项“%(field)s”") % {"field": str(field)[:40]})
    has_delta, has_set = DELTA in raw, SET in raw
    if has_delta == has_set:
        raise _Refused(_("请给出增加量或设定值（二者选一）"))
    if has_delta and field in SET_ONLY:
        raise _Refused(_("只能设定，不能增减"))
    out: dict[str, Any] = {"school": "" if field == POLICY_FIELD else _text(raw.get("school", "")), "field": field}
    if field in SECTION_FIELDS:
        section = raw.get("section")
        if section not in SECTION_GRADES:
            raise _Refused(_("请选择学段（小学或初中）"))
        out["section"] = section
    if field in CLASS_CHANGES:
        name = _text(raw.get("class", ""), 30)
        if not name:
            raise _Refused(_("请填写班级名称"))
        out["class"] = name
    if field == "class_add":
        grade = _number(raw.get("grade"), whole=True) if raw.get("grade") not in (None, "") else None
        if grade is None or int(grade) not in SECTION_GRADES[out["section"]]:
            grades = SECTION_GRADES[out["section"]]
            raise _Refused(
                _("%(section)s的年级应为%(lo)s至%(hi)s")
                % {"section": SECTION_LABELS[out["section"]], "lo": grades[0], "hi": grades[-1]}
            )
        out["grade"] = int(grade)
    op = DELTA if has_delta else SET
    if field == "kind":
        value = _text(raw[SET])
        if value not in KINDS:
            raise _Refused(_("未知的办学类型“%(value)s”") % {"value": value})
        out[op] = value
    elif field == "parent":
        out[op] = _text(raw[SET])
    elif field == POLICY_FIELD:
        value = _text(raw[SET])
        if value not in POLICIES:
            raise _Refused(_("未知的教学点处理方式“%(value)s”") % {"value": value})
        out[op] = value
    else:
        number = _number(raw[op], whole=field in WHOLE_NUMBERS)
        out[op] = int(number) if field in WHOLE_NUMBERS else _decimal_text(number)
    return out


def _decimal_text(d: Decimal) -> str:
    return format(d.normalize(), "f") if d else "0"


# --- applying changes ---


def _new_value(current, change: dict, whole: bool):
    if SET in change:
        new = Decimal(str(change[SET]))
    else:
        if current is None:
            raise _Refused(_("当前无数据，只能直接设定数值"))
        new = Decimal(str(current)) + Decimal(str(change[DELTA]))
    if new < 0:
        raise _Refused(_("调整后为负数（%(value)s），请检查调整量") % {"value": _decimal_text(new)})
    return int(new) if whole else new


def _section_figures(school: SchoolFigures, change: dict) -> tuple[str, SectionFigures]:
    section = change["section"]
    if section not in SECTIONS_OF_KIND[school.kind]:
        raise _Refused(_("该校没有%(section)s学段") % {"section": SECTION_LABELS[section]})
    figures = school.section(section)
    if figures is None:
        if SET not in change or change["field"] in CLASS_CHANGES:
            raise _Refused(_("该校%(section)s学段无数据，只能直接设定数值") % {"section": SECTION_LABELS[section]})
        figures = SectionFigures()
    return section, figures


def _apply_class(school: SchoolFigures, change: dict) -> SchoolFigures:
    section, figures = _section_figures(school, change)
    name = change["class"]
    classes = list(school.classes)
    found = [i for i, c in enumerate(classes) if c.section == section and c.name == name]
    if change["field"] == "class_add":
        if any(c.name == name for c in classes):
            raise _Refused(_("已有名为“%(name)s”的班级") % {"name": name})
        students = _new_value(None, change, whole=True)
        classes.append(ClassFigures(section, change["grade"], name, students))
        count = None if figures.classes is None else figures.classes + 1
        return replace(school, classes=tuple(classes), **{section: replace(figures, classes=count)})
    if not found:
        raise _Refused(
            _("班级名单中没有%(section)s班级“%(name)s”") % {"section": SECTION_LABELS[section], "name": name}
        )
    i = found[0]
    classes[i] = replace(classes[i], students=_new_value(classes[i].students, change, whole=True))
    return replace(school, classes=tuple(classes))


def _apply_one(school: SchoolFigures, change: dict, schools: Mapping[str, SchoolFigures]) -> SchoolFigures:
    field = change["field"]
    if field in SCHOOL_AMOUNTS:
        return replace(school, **{field: _new_value(getattr(school, field), change, field in WHOLE_NUMBERS)})
    if field in SECTION_COUNTS:
        section, figures = _section_figures(school, change)
        value = _new_value(getattr(figures, field), change, whole=True)
        return replace(school, **{section: replace(figures, **{field: value})})
    if field in CLASS_CHANGES:
        return _apply_class(school, change)
    if field == "kind":
        return replace(school, kind=change[SET])
    # parent
    parent = change[SET] or None
    if parent is not None and (parent == school.code or parent not in schools):
        raise _Refused(_("找不到所属学校“%(code)s”（须为本批次有数据的另一所学校）") % {"code": parent})
    return replace(school, parent_code=parent)


def _where(n: int, raw: Any, schools: Mapping[str, SchoolFigures]) -> str:
    field = raw.get("field") if isinstance(raw, Mapping) else None
    code = str(raw.get("school", "")) if isinstance(raw, Mapping) else ""
    school = schools.get(code)
    who = f"{school.name} {code}" if school is not None else code
    label = str(FIELD_LABELS.get(field, field or "")) if isinstance(field, str) else ""
    parts = "，".join(p for p in (who, label) if p)
    return _("第%(n)s条调整（%(what)s）") % {"n": n, "what": parts} if parts else _("第%(n)s条调整") % {"n": n}


def apply_changes(inp: EvaluationInput, changes: Sequence[Any]) -> tuple[EvaluationInput, list[dict]]:
    """The input with every change applied in order, and the changes in their stored form.

    Raises ChangeError listing every refused change (the others are still checked, so all problems show at once).
    """
    if not isinstance(changes, Sequence) or isinstance(changes, str | bytes):
        raise ChangeError([_("调整列表格式无效。")])
    if len(changes) > MAX_CHANGES:
        raise ChangeError([_("一个方案最多%(n)s条调整。") % {"n": MAX_CHANGES}])
    schools = {s.code: s for s in inp.schools}
    policy = inp.teaching_point_policy
    stored: list[dict] = []
    errors: list[str] = []
    for n, raw in enumerate(changes, start=1):
        try:
            change = canonical(raw)
            if change["field"] == POLICY_FIELD:
                policy = change[SET]
            else:
                school = schools.get(change["school"])
                if school is None:
                    raise _Refused(_("找不到该学校，或该校在本批次没有审核通过的数据"))
                schools[school.code] = _apply_one(school, change, schools)
        except (_Refused, ValueError) as exc:
            errors.append(f"{_where(n, raw, schools)}：{exc}")
            continue
        stored.append(change)
    if errors:
        raise ChangeError(errors)
    return replace(inp, schools=tuple(schools.values()), teaching_point_policy=policy), stored


def describe_change(change: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One change as a line of the page, e.g. "甲小学 体育运动场馆面积（平方米） +500"."""
    field = change.get("field", "")
    label = str(FIELD_LABELS.get(field, field))
    code = change.get("school", "")
    who = names.get(code, code)
    if field in SECTION_FIELDS:
        who = f"{who}（{SECTION_LABELS.get(change.get('section'), '')}）"
    if field in CLASS_CHANGES:
        label = f"{label}“{change.get('class', '')}”"
        if field == "class_add":
            label += _("（%(grade)s年级）") % {"grade": change.get("grade")}
    if SET in change:
        value = change[SET]
        if field == "kind":
            value = KIND_LABELS.get(value, value)
        elif field == POLICY_FIELD:
            value = POLICY_LABELS.get(value, value)
        elif field == "parent":
            value = names.get(value, value) or _("（无）")
        shown = _("设为 %(value)s") % {"value": value}
    else:
        delta = Decimal(str(change.get(DELTA, 0)))
        shown = f"+{_decimal_text(delta)}" if delta >= 0 else _decimal_text(delta)
    return " ".join(p for p in (who, label, shown) if p)


# --- what the comparison reads: a snapshot of one evaluation ---


def _q(value) -> Decimal | None:
    return None if value is None else quantize(Decimal(str(value)), PLACES)


def costing_totals(gaps: Iterable, unit_costs: Mapping[str, Any]) -> dict[str, Any]:
    costing = cost_gaps(gaps, unit_costs)
    return {
        **{k: getattr(costing, k) for k in COST_TOTALS},
        "uncosted": len(costing.uncosted),
        "by_resource": {r: {"quantity": t.quantity, "money": t.money} for r, t in costing.by_resource.items()},
    }


def snapshot(ev: Evaluation, summary: dict, unit_costs: Mapping[str, Any]) -> dict[str, Any]:
    """What a comparison shows of one evaluation; values rounded to 6 places as the stored results are.

    `summary` is `storing.summary(ev, meta)` (the county verdict in Chinese, with school names resolved).
    """
    cvs: dict[str, dict[str, dict]] = {}
    for section, table in ev.sections.items():
        cvs[section] = {
            code: {
                "mean": _q(stats.mean) if stats else None,
                "sd": _q(stats.sd) if stats else None,
                "cv": _q(stats.cv) if stats and stats.cv is not None else None,
                "limit": table.limit,
                "met": table.met[code],
            }
            for code, stats in table.stats.items()
        }
    schools: dict[str, dict[str, dict]] = {}
    for r in ev.section_results:
        schools.setdefault(r.school_code, {})[r.section] = {
            "name": r.unit.school_name,
            "students": r.unit.students,
            "values": {c: _q(x.value) for c, x in r.results.items()},
            "thresholds": {c: x.threshold for c, x in r.results.items()},
            "status": {c: x.display_status for c, x in r.results.items()},
            "met_count": r.met_count,
            "verdict": r.status,
        }
    return {
        "summary": summary,
        "policy": ev.policy,
        "cvs": cvs,
        "schools": schools,
        "costing": costing_totals(ev.gaps, unit_costs),
    }


# --- comparing two snapshots ---


def _school_rows(before: dict, after: dict, focus: Iterable[str], names: Mapping[str, str]) -> list[dict]:
    keys: list[tuple[str, str]] = []
    for code in dict.fromkeys([*before["schools"], *after["schools"]]):
        for section in ("primary", "junior"):
            b = before["schools"].get(code, {}).get(section)
            a = after["schools"].get(code, {}).get(section)
            if b is None and a is None:
                continue
            changed = _row_changed(b, a)
            if changed or code in focus:
                keys.append((code, section))
    rows = []
    for code, section in keys:
        b = before["schools"].get(code, {}).get(section)
        a = after["schools"].get(code, {}).get(section)
        cells = []
        for c in R_CODES:
            bv = b["values"].get(c) if b else None
            av = a["values"].get(c) if a else None
            bs = b["status"].get(c, "") if b else ""
            as_ = a["status"].get(c, "") if a else ""
            threshold = (a or b)["thresholds"].get(c)
            cells.append(
                {
                    "code": c,
                    "before": bv,
                    "after": av,
                    "threshold": threshold,
                    "before_status": bs,
                    "after_status": as_,
                    "changed": bv != av or bs != as_,
                }
            )
        rows.append(
            {
                "code": code,
                "name": names.get(code) or (a or b)["name"],
                "section": section,
                "before": b,
                "after": a,
                "cells": cells,
                "verdict_changed": (b or {}).get("verdict") != (a or {}).get("verdict"),
            }
        )
    return rows


def _row_changed(b: dict | None, a: dict | None) -> bool:
    if b is None or a is None:
        return True
    return b["values"] != a["values"] or b["status"] != a["status"] or b["verdict"] != a["verdict"]


def _cv_rows(before: dict, after: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for section in dict.fromkeys([*before["cvs"], *after["cvs"]]):
        b_table, a_table = before["cvs"].get(section, {}), after["cvs"].get(section, {})
        rows = []
        for code in dict.fromkeys([*b_table, *a_table]):
            b, a = b_table.get(code), a_table.get(code)
            limit = (a or b)["limit"]
            empty = {"mean": None, "sd": None, "cv": None, "limit": limit, "met": None}
            b, a = b or empty, a or empty
            rows.append(
                {
                    "code": code,
                    "limit": limit,
                    "before": b,
                    "after": a,
                    "changed": b["cv"] != a["cv"] or b["met"] != a["met"],
                }
            )
        out[section] = rows
    return out


def _marked(items: list[str], other: list[str]) -> list[dict]:
    others = set(other)
    return [{"text": t, "only_here": t not in others} for t in items]


def compare(before: dict, after: dict, *, focus: Iterable[str] = (), names: Mapping[str, str] | None = None) -> dict:
    """Before → after of every school section that changed (and of the `focus` schools), the CVs, the county
    verdict with its blocking list (items only on one side marked), and the costing totals with their change."""
    names = names or {}
    focus = set(focus)
    b_county, a_county = before["summary"]["county"], after["summary"]["county"]
    costing = []
    for key in COST_TOTALS:
        b, a = Decimal(str(before["costing"][key])), Decimal(str(after["costing"][key]))
        costing.append({"key": key, "label": COST_LABELS[key], "before": b, "after": a, "delta": a - b})
    return {
        "schools": _school_rows(before, after, focus, names),
        "cvs": _cv_rows(before, after),
        "county": {
            "before": b_county.get("passed"),
            "after": a_county.get("passed"),
            "before_provisional": before["summary"].get("provisional"),
            "after_provisional": after["summary"].get("provisional"),
            "blocking_before": _marked(b_county.get("blocking", []), a_county.get("blocking", [])),
            "blocking_after": _marked(a_county.get("blocking", []), b_county.get("blocking", [])),
        },
        "costing": costing,
        "policy_before": before.get("policy"),
        "policy_after": after.get("policy"),
    }


def scenario_column(snap: dict) -> dict[str, Any]:
    """One column of the side-by-side comparison of scenarios."""
    counts = snap["summary"].get("counts", {})
    failed = sum(c.get("failed", 0) for c in counts.values())
    return {
        "passed": snap["summary"]["county"].get("passed"),
        "provisional": snap["summary"].get("provisional"),
        "blocking": len(snap["summary"]["county"].get("blocking", [])),
        "failed_sections": failed,
        "cvs": {(s, c): v for s, table in snap["cvs"].items() for c, v in table.items()},
        "costing": {k: snap["costing"][k] for k in COST_TOTALS},
        "policy": snap.get("policy"),
    }
