"""A standard as people read it: every parameter with its Chinese label and unit, never a data key.

The standards page (`/indicators/standards/<id>/`) shows these rows; internal notes of the data (`note`) are
for the people who maintain it and are not shown.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .county_items import COUNTY_ITEM_PARTS
from .domain.standard import IndicatorDef, Standard
from .labels import SECTION_LABELS

OPS_ZH = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "==": "＝"}
LEVELS_ZH = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ"}
COMPUTED_PERCENT_NAMES = {"G12": _lazy("持有教师资格证专任教师比例"), "Q4": _lazy("教师培训经费占年度公用经费比例")}
KIND_LABELS = {
    "primary": "小学",
    "junior": "初中",
    "nine_year": "九年一贯制学校",
    "twelve_year": "十二年一贯制学校",
    "complete_secondary": "完全中学",
    "senior": "高中",
}


def number(value) -> str:
    """A threshold as written: 4.2, 100, 0.15 (no trailing zeros, no exponent)."""
    d = Decimal(str(value))
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_of_fraction(value) -> str:
    return f"{number(Decimal(str(value)) * 100)}%"


def part_name(code: str, key: str) -> str:
    """A part's Chinese name without the unit its entry label carries (“…比例（%）” → “…比例”)."""
    for part in COUNTY_ITEM_PARTS.get(code, ()):
        if part.key == key:
            return re.sub(r"（[^（）]*）$", "", str(part.label))
    return key


def _part_unit(code: str, key: str) -> str:
    kinds = {p.key: p.kind for p in COUNTY_ITEM_PARTS.get(code, ())}
    return {"percent": "%", "amount": _("元")}.get(kinds.get(key, ""), "")


def _part_criterion(defn: IndicatorDef, key: str, op: str) -> str:
    name = part_name(defn.code, key)
    if op == "record":
        return _("%(name)s：如实填报") % {"name": name}
    if op in ("yes", "no"):
        return f"{name}：{_('是') if op == 'yes' else _('否')}"
    if ":" in op:
        base, other = op.split(":", 1)
        return f"{name} {OPS_ZH[base]} {part_name(defn.code, other)}"
    threshold = defn.thresholds[key]
    if key == "level":
        shown = _("%(level)s级") % {"level": LEVELS_ZH.get(int(threshold), number(threshold))}
        return f"{name} {OPS_ZH[op]} {shown}"
    return f"{name} {OPS_ZH[op]} {number(threshold)}{_part_unit(defn.code, key)}"


def _rule_criterion(defn: IndicatorDef, std: Standard) -> str:
    code = defn.code
    if code == "G3":
        rule = std.room_rule
        return _(
            "每%(n)s个班至少音乐、美术专用教室各1间；音乐教室每间 ≥ %(music)s平方米，美术教室每间 ≥ %(art)s平方米"
        ) % {
            "n": rule.classes_per_room,
            "music": number(rule.min_area_m2.get("music", 0)),
            "art": number(rule.min_area_m2.get("art", 0)),
        }
    if code == "G4":
        return "；".join(
            _("%(kind)s ≤ %(cap)s人") % {"kind": KIND_LABELS.get(kind, kind), "cap": cap}
            for kind, cap in std.school_size_caps.items()
        )
    if code == "G5":
        return "；".join(
            _("%(section)s每班 ≤ %(cap)s人") % {"section": SECTION_LABELS.get(s, s), "cap": cap}
            for s, cap in std.class_caps.items()
        )
    if code == "G6":
        return _("不足%(n)s人的村小学和教学点按%(n)s人核定，公用经费 ≥ %(n)s × %(rate)s元") % {
            "n": std.small_school_students,
            "rate": number(std.base_rates.get("primary", 0)),
        }
    if code == "G7":
        return _("生均公用经费 ≥ %(min)s元/生") % {"min": number(std.special_school_min_per_student)}
    return ""


def criterion(defn: IndicatorDef, std: Standard) -> str:
    """What meeting the indicator takes, in Chinese with units (e.g. “小学 ≥ 4.2；初中 ≥ 5.3 人/百名学生”)."""
    if defn.area == "resource":
        shown = "；".join(
            f"{SECTION_LABELS.get(s, s)} ≥ {number(v)}" for s, v in defn.thresholds.items() if s in SECTION_LABELS
        )
        return f"{shown} {defn.unit_zh}"
    if defn.comparison == "veto":
        return _("不存在该情形")
    if defn.comparison == "rule":
        return _rule_criterion(defn, std)
    if defn.code == "S1":
        return _("总体满意度 ≥ %(rate)s") % {"rate": percent_of_fraction(std.survey.threshold)}
    if defn.comparison == "bool":
        return _("是")
    if defn.comparison == ">=" and "percent" in defn.thresholds:
        name = str(COMPUTED_PERCENT_NAMES.get(defn.code, _("比例")))
        return f"{name} ≥ {number(defn.thresholds['percent'])}%"
    return "；".join(_part_criterion(defn, key, op) for key, op in defn.parts.items())


def indicator_rows(std: Standard) -> list[dict]:
    rows = []
    for area in ("resource", "guarantee", "quality", "social", "veto"):
        for code in std.codes(area):
            d = std.indicators[code]
            rows.append(
                {
                    "code": code,
                    "name": d.name_zh,
                    "unit": d.unit_zh,
                    "level": d.level,
                    "source": d.source,
                    "criterion": criterion(d, std),
                }
            )
    return rows


def _by_section(values: dict, unit: str = "") -> str:
    return "；".join(f"{SECTION_LABELS.get(k, KIND_LABELS.get(k, k))} {number(v)}{unit}" for k, v in values.items())


def parameters(std: Standard) -> list[tuple[str, str]]:
    """Every number of the standard outside its indicators, labelled in Chinese with its unit."""
    survey = std.survey
    weights = "；".join(
        f"{KIND_LABELS.get(kind, kind)} " + " : ".join(f"{KIND_LABELS.get(s, s)} {number(w)}" for s, w in parts.items())
        for kind, parts in std.split_weights.items()
    )
    return [
        (_("差异系数限值"), "；".join(f"{SECTION_LABELS.get(k, k)} ≤ {v}" for k, v in std.cv_limits.items())),
        (
            _("学校达标规则"),
            _("7项中至少%(n)s项达标，未达标项不低于标准的%(floor)s")
            % {"n": std.min_met, "floor": percent_of_fraction(std.tolerance_floor)},
        ),
        (_("生均公用经费基准定额"), _by_section(std.base_rates, _("元/生·年"))),
        (_("班额上限"), _by_section(std.class_caps, _("人"))),
        (
            _("学校规模上限"),
            "；".join(f"{KIND_LABELS.get(k, k)} {v}{_('人')}" for k, v in std.school_size_caps.items()),
        ),
        (
            _("音乐、美术专用教室"),
            _("每%(n)s个班1间；音乐 ≥ %(music)s平方米，美术 ≥ %(art)s平方米")
            % {
                "n": std.room_rule.classes_per_room,
                "music": number(std.room_rule.min_area_m2.get("music", 0)),
                "art": number(std.room_rule.min_area_m2.get("art", 0)),
            },
        ),
        (_("按100人核定公用经费的小规模学校"), _("不足%(n)s人") % {"n": std.small_school_students}),
        (_("“不足50人不参评”处理方式的人数线"), _("不足%(n)s人") % {"n": std.small_point_students}),
        (_("特殊教育学校生均公用经费下限"), f"{number(std.special_school_min_per_student)}{_('元/生')}"),
        (_("合校分学段的折算系数"), weights),
        (
            _("满意度调查"),
            _("达标线 %(rate)s；每类对象有效问卷不少于%(n)s份；计入满意的选项：%(levels)s")
            % {
                "rate": percent_of_fraction(survey.threshold),
                "n": survey.min_valid_per_group,
                "levels": "、".join(survey.level_names_zh.get(lv, lv) for lv in survey.counted_levels),
            },
        ),
        (
            _("调查对象及权重"),
            "；".join(f"{survey.group_names_zh.get(g, g)} {number(w)}" for g, w in survey.groups.items()),
        ),
        (_("一票否决事项"), "、".join(std.codes("veto"))),
        (
            _("前提条件"),
            _("评估学年前至少%(n)s年通过县域义务教育基本均衡发展认定") % {"n": std.basic_balance_years},
        ),
    ]
