"""Costing (测算): gaps turned into money, land and teacher posts with unit costs the bureau sets.

Unit costs are a plain dict (keys in `UNIT_COST_KEYS`, values numbers or numeric strings); the engine ships
no prices of its own. A gap whose unit cost is not given stays in the lines with money None and is listed in
`uncosted`, so a total never silently leaves something out. Money is split into one-off (building,
equipment) and recurring per year (teacher posts, funding shortfalls).

Decisions:
- R1 and R3 gaps of one section overlap: a newly hired PE or arts teacher with the required degree counts
  for both, so the section needs max(R1 gap, R3 gap) posts; the smaller line is kept with 0 posts.
- R2 (backbone teachers) and G12 (certification) need training, not posts: optional per-teacher costs.
- G3 rooms are costed per room, with land for a new room of the minimum area; G5 extra classes per classroom;
  G4 (an oversized school) needs planning — a new school or new catchment areas — and is never costed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .decimals import ZERO, exact, to_decimal
from .gaps import Gap

UNIT_COST_KEYS: dict[str, tuple[str, str]] = {
    "teaching_building_yuan_per_m2": ("教学及辅助用房建设单价", "元/平方米"),
    "sports_ground_yuan_per_m2": ("体育运动场馆建设单价", "元/平方米"),
    "multimedia_room_yuan": ("网络多媒体教室建设单价", "元/间"),
    "music_room_yuan": ("音乐专用教室建设单价", "元/间"),
    "art_room_yuan": ("美术专用教室建设单价", "元/间"),
    "classroom_yuan": ("新增普通教室建设单价", "元/间"),
    "teacher_yuan_per_year": ("教师年人均人员经费", "元/人·年"),
    "backbone_teacher_yuan": ("骨干教师培养单价", "元/人"),
    "certification_yuan_per_teacher": ("教师资格培训认定单价", "元/人"),
    "land_m2_per_m2_building": ("每平方米建筑面积所需用地", "平方米"),
    "land_m2_per_m2_sports": ("每平方米运动场馆所需用地", "平方米"),
}

# resource → (unit-cost key, recurring?, land key or None)
_RULES: dict[str, tuple[str | None, bool, str | None]] = {
    "teachers_above_required": ("teacher_yuan_per_year", True, None),
    "teachers_pe_arts": ("teacher_yuan_per_year", True, None),
    "teachers_backbone": ("backbone_teacher_yuan", False, None),
    "certified_teachers": ("certification_yuan_per_teacher", False, None),
    "teaching_area_m2": ("teaching_building_yuan_per_m2", False, "land_m2_per_m2_building"),
    "sports_area_m2": ("sports_ground_yuan_per_m2", False, "land_m2_per_m2_sports"),
    "equipment_value_yuan": (None, False, None),
    "multimedia_rooms": ("multimedia_room_yuan", False, None),
    "music_rooms": ("music_room_yuan", False, "land_m2_per_m2_building"),
    "art_rooms": ("art_room_yuan", False, "land_m2_per_m2_building"),
    "extra_classes": ("classroom_yuan", False, None),
    "public_funds_yuan": (None, True, None),
    "training_funds_yuan": (None, True, None),
}
_POST_RESOURCES = ("teachers_above_required", "teachers_pe_arts")


@dataclass(frozen=True, slots=True)
class CostLine:
    """One gap costed. money None: no unit cost given (or not costable, see `note`)."""

    gap: Gap
    money: Decimal | None
    land_m2: Decimal
    posts: Decimal
    recurring: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class CostTotal:
    quantity: Decimal = ZERO
    money: Decimal = ZERO
    land_m2: Decimal = ZERO
    posts: Decimal = ZERO
    uncosted: int = 0


@dataclass(frozen=True)
class Costing:
    """All lines, totals per resource and the grand totals."""

    lines: tuple[CostLine, ...]
    by_resource: dict[str, CostTotal]
    money_one_off: Decimal
    money_recurring: Decimal
    land_m2: Decimal
    posts: Decimal
    uncosted: tuple[CostLine, ...] = field(default=())

    @property
    def money_total(self) -> Decimal:
        return self.money_one_off + self.money_recurring


def _land(gap: Gap, key: str | None, costs: Mapping[str, Decimal]) -> Decimal:
    if key is None or key not in costs:
        return ZERO
    area = gap.quantity * gap.detail["min_area_m2"] if gap.resource in ("music_rooms", "art_rooms") else gap.quantity
    return area * costs[key]


@exact
def cost_gaps(gaps: Iterable[Gap], unit_costs: Mapping[str, Any]) -> Costing:
    """Cost every gap with the given unit costs (unknown keys in `unit_costs` are ignored)."""
    costs = {k: to_decimal(v) for k, v in unit_costs.items() if v is not None and v != ""}
    gaps = list(gaps)
    # R1/R3 overlap: per section the larger of the two gaps carries the posts.
    post_owner: dict[tuple[str, str], Gap] = {}
    for g in gaps:
        if g.resource in _POST_RESOURCES:
            key = (g.school_code, g.section)
            if key not in post_owner or g.quantity > post_owner[key].quantity:
                post_owner[key] = g

    lines: list[CostLine] = []
    for g in gaps:
        rule = _RULES.get(g.resource)
        if rule is None:
            lines.append(CostLine(g, None, ZERO, ZERO, False, "needs planning, not costed"))
            continue
        cost_key, recurring, land_key = rule
        posts = ZERO
        note = ""
        quantity = g.quantity
        if g.resource in _POST_RESOURCES:
            if post_owner[(g.school_code, g.section)] is g:
                posts = g.quantity
            else:
                quantity, note = ZERO, "posts counted with the larger teacher gap of this section"
        if cost_key is None:
            money: Decimal | None = quantity
        elif cost_key in costs:
            money = quantity * costs[cost_key]
        else:
            money, note = None, f"no unit cost {cost_key}"
        lines.append(CostLine(g, money, _land(g, land_key, costs), posts, recurring, note))

    by_resource: dict[str, CostTotal] = {}
    one_off = recurring_total = land = posts_total = ZERO
    for line in lines:
        t = by_resource.get(line.gap.resource, CostTotal())
        by_resource[line.gap.resource] = CostTotal(
            t.quantity + line.gap.quantity,
            t.money + (line.money or ZERO),
            t.land_m2 + line.land_m2,
            t.posts + line.posts,
            t.uncosted + (line.money is None),
        )
        if line.money is not None:
            if line.recurring:
                recurring_total += line.money
            else:
                one_off += line.money
        land += line.land_m2
        posts_total += line.posts
    uncosted = tuple(line for line in lines if line.money is None)
    return Costing(tuple(lines), by_resource, one_off, recurring_total, land, posts_total, uncosted)
