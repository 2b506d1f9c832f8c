"""The city plan's own targets (measures 2.1 and 2.2; GLOSSARY's plan targets), tracked beside the indicators.

- T1 生均教育用地: a school's land (`land_area_m2`) ÷ its pupils (every section's students, senior and special ones
  included: the land is the whole school's), against the provincial construction standard's figure, which the bureau
  enters (`PlanTarget.threshold`); no figure entered, no target: nothing is judged and no ledger item opens.
- T2 “班班通”覆盖率: `classrooms_connected` ÷ `classrooms`, against 100%.

Each school's figures come from the return it is evaluated with in the ledger's source round. A failing target opens
a school ledger item keyed like an indicator's (`school:<pk>::T1`), routed by its routing rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.utils.translation import gettext as _

from gongqing.rows import plain_rows
from indicators.loading import round_return_values
from schools.models import School

from . import rules
from .models import ItemKind, PlanTarget

T1, T2 = "T1", "T2"
STORED = Decimal("0.000001")  # the ledger keeps six decimals: a value stored as computed syncs once, not every run
PUPIL_FIELDS = ("primary_students", "junior_students", "senior_students", "special_students")


@dataclass(frozen=True)
class TargetResult:
    status: str  # rules.PASSING / FAILING / NO_DATA
    value: Decimal | None
    gap: Decimal | None  # m² of land (T1) or classrooms to connect (T2)


def land_per_pupil(*, land_m2: Decimal | None, pupils: int, threshold: Decimal | None) -> TargetResult | None:
    """None while no threshold is entered (no target yet). E.g. 18,000 m² for 900 pupils against 23 m² per pupil:
    value 20, failing, gap 23 × 900 − 18,000 = 2,700 m²."""
    if threshold is None:
        return None
    if land_m2 is None or pupils <= 0:
        return TargetResult(rules.NO_DATA, None, None)
    value = land_m2 / pupils  # compared unrounded, stored to six decimals
    if value >= threshold:
        return TargetResult(rules.PASSING, value.quantize(STORED), None)
    return TargetResult(rules.FAILING, value.quantize(STORED), threshold * pupils - land_m2)


def connected_share(*, classrooms: int | None, connected: int | None, threshold: Decimal) -> TargetResult:
    """E.g. 18 of 24 classrooms connected: value 0.75 against 1, failing, gap 24 × 1 − 18 = 6 classrooms."""
    if not classrooms or connected is None:
        return TargetResult(rules.NO_DATA, None, None)
    value = Decimal(connected) / Decimal(classrooms)
    if value >= threshold:
        return TargetResult(rules.PASSING, value.quantize(STORED), None)
    gap = (threshold * classrooms - connected).to_integral_value(rounding=ROUND_CEILING)
    return TargetResult(rules.FAILING, value.quantize(STORED), gap)


def _pupils(ret: dict) -> int:
    return sum(ret[name] or 0 for name in PUPIL_FIELDS)


def thresholds() -> dict[str, PlanTarget]:
    return {t.code: t for t in PlanTarget.objects.all()}


def observations(round_, school_ids=None) -> dict[str, dict]:
    """What the round says of each school's plan targets (of `school_ids` when given), in the ledger sync's shape
    (key → facts)."""
    targets = thresholds()
    t1, t2 = targets.get(T1), targets.get(T2)
    out: dict[str, dict] = {}
    if t1 is None and (t2 is None or t2.threshold is None):
        return out
    # Plain values, not model instances: at 10,000 schools the instances cost most of the ledger sync's reading.
    returns = round_return_values(
        round=round_,
        fields=("land_area_m2", "classrooms", "classrooms_connected", *PUPIL_FIELDS),
        school_ids=school_ids,
    )
    schools = {
        pk: (name, township_id)
        for pk, name, township_id in plain_rows(
            School.objects.filter(pk__in=list(returns)).values_list("pk", "name", "township_id")
        )
    }
    for school_id, ret in returns.items():
        school = schools.get(school_id)
        if school is None:  # a school in the recycle bin: no item for it
            continue
        name, township_id = school
        results = []
        if t1 is not None:
            result = land_per_pupil(land_m2=ret["land_area_m2"], pupils=_pupils(ret), threshold=t1.threshold)
            if result is not None:
                target = _("增加教育用地 %(m2)s 平方米") % {"m2": _whole(result.gap)} if result.gap else None
                results.append((t1, result, "m2", target))
        if t2 is not None and t2.threshold is not None:
            result = connected_share(
                classrooms=ret["classrooms"], connected=ret["classrooms_connected"], threshold=t2.threshold
            )
            target = _("建设“班班通”教室 %(n)s 间") % {"n": _whole(result.gap)} if result.gap else None
            results.append((t2, result, "rooms", target))
        for plan_target, result, unit, target in results:
            out[f"school:{school_id}::{plan_target.code}"] = {
                "kind": ItemKind.SCHOOL,
                "school_id": school_id,
                "township_id": township_id,
                "section": "",
                "code": plan_target.code,
                "status": result.status,
                "value": result.value,
                "threshold": plan_target.threshold,
                "gap": result.gap,
                "unit": unit,
                "target": target if result.status == rules.FAILING else None,
                "title": f"{name} {plan_target.code} {plan_target.name}",
            }
    return out


def _whole(quantity: Decimal | None) -> str:
    return rules.quantity_text(quantity, "") if quantity is not None else "0"
