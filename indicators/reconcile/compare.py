"""Pure comparison of the portal's figures with the statistics return's: the differences figure by figure, the
class-size bands against the class list, the figures substituted into a school's evaluation input, and the
verdicts read from an evaluation.

A difference is |portal − statistics| at or above the statistics unit's rounding step (0.01 万元 = 100 yuan for
a 万元 column; 1 for persons, classes, rooms and whole m²): below it the two say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from indicators.domain.inputs import SchoolFigures, SectionFigures
from indicators.domain.status import NO_DATA, NOT_MET

HUNDRED = Decimal(100)
ONE = Decimal(1)

# The indicators a figure enters (students enter every per-student and per-hundred value and the school size).
_SECTION_INDICATORS = {
    "students": ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "G4"),
    "classes": ("G3",),
    "teachers": ("G12",),
    "teachers_above_required": ("R1",),
    "teachers_pe_arts": ("R3",),
}
FIGURE_INDICATORS: dict[str, tuple[str, ...]] = {
    **{f"{s}_{k}": v for s in ("primary", "junior") for k, v in _SECTION_INDICATORS.items()},
    "senior_students": ("R4", "R5", "R6", "R7"),  # through the apportionment of shared resources
    "special_students": ("G7",),
    "special_teachers": ("G12",),
    "teaching_area_m2": ("R4",),
    "sports_area_m2": ("R5",),
    "equipment_value_yuan": ("R6",),
    "multimedia_rooms": ("R7",),
    "land_area_m2": ("T1",),
    "classrooms": ("T2",),
    "classrooms_connected": ("T2",),
    "bands": ("G5",),
}
SHARED = ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms")
DIRECT = ("senior_students", "special_students", "special_teachers")


@dataclass(frozen=True)
class Difference:
    figure: str  # a return field, or "bands_<section>" for the class-size bands
    portal: Decimal | None
    statistics: Decimal | None
    diff: Decimal | None  # portal − statistics
    percent: Decimal | None  # diff ÷ statistics × 100
    indicators: tuple[str, ...]
    bands: tuple = ()  # for bands: ((label, portal classes, statistics classes), ...)


def figure_differences(
    portal: Mapping[str, Decimal | int | None], statistics: Mapping[str, Decimal], steps: Mapping[str, Decimal]
) -> list[Difference]:
    """Every figure the statistics return holds whose portal value differs by at least its step."""
    out = []
    for figure, stat in statistics.items():
        value = portal.get(figure)
        step = steps.get(figure, ONE)
        if value is None:
            out.append(Difference(figure, None, stat, None, None, FIGURE_INDICATORS.get(figure, ())))
            continue
        diff = Decimal(value) - stat
        if abs(diff) < step:
            continue
        percent = diff / stat * HUNDRED if stat else None
        out.append(Difference(figure, Decimal(value), stat, diff, percent, FIGURE_INDICATORS.get(figure, ())))
    return out


def band_counts(class_sizes: Iterable[int], bands: list) -> list[int]:
    """How many classes of the list fall in each band [label, low, high, n] (low/high None: open)."""
    counts = [0] * len(bands)
    for size in class_sizes:
        for i, (_label, low, high, _n) in enumerate(bands):
            if (low is None or size >= low) and (high is None or size <= high):
                counts[i] += 1
                break
    return counts


def band_differences(classes: Iterable[tuple], bands_by_section: Mapping[str, list]) -> list[Difference]:
    """The statistics return's 班额 bands of each section against the portal's class list counted into the same
    bands; one difference per section whose counts differ. `classes`: (section, grade, name, students)."""
    out = []
    rows = list(classes)
    for section, bands in bands_by_section.items():
        sizes = [c[3] for c in rows if c[0] == section and c[3] is not None]
        portal = band_counts(sizes, bands)
        stat = [b[3] for b in bands]
        if portal != stat:
            detail = tuple((b[0], p, s) for b, p, s in zip(bands, portal, stat, strict=True) if p != s)
            out.append(
                Difference(
                    f"bands_{section}",
                    Decimal(sum(portal)),
                    Decimal(sum(stat)),
                    Decimal(sum(portal) - sum(stat)),
                    None,
                    FIGURE_INDICATORS["bands"],
                    detail,
                )
            )
    return out


def _as_number(figure: str, value: Decimal):
    return value if figure in SHARED and figure != "multimedia_rooms" else int(value)


def with_statistics(school: SchoolFigures, statistics: Mapping[str, Decimal]) -> SchoolFigures:
    """The school's evaluation input with every figure the statistics return holds put in place of the portal's
    (figures the evaluation does not read, such as land or classrooms, change nothing here)."""
    changes: dict = {}
    for section in ("primary", "junior"):
        current = school.section(section)
        if current is None:
            continue
        values = {
            k: int(statistics[f"{section}_{k}"])
            for k in SectionFigures.__dataclass_fields__
            if f"{section}_{k}" in statistics
        }
        if values:
            changes[section] = replace(current, **values)
    for figure in SHARED + DIRECT:
        if figure in statistics:
            changes[figure] = _as_number(figure, statistics[figure])
    return replace(school, **changes) if changes else school


def statuses_of(results: Iterable, checks: Iterable) -> dict[str, dict[tuple[str, str], str]]:
    """school code → {(indicator, section): status} of the given section results and school-level checks (pairs of
    the item's code and one school's check)."""
    out: dict[str, dict[tuple[str, str], str]] = {}
    for r in results:
        row = out.setdefault(r.school_code, {})
        for code, result in r.results.items():
            row[(code, r.section)] = result.status
    for code, check in checks:
        out.setdefault(check.school_code, {})[(code, "")] = check.status
    return out


def verdicts_of(results: Iterable, checks: Iterable) -> dict[str, bool | None]:
    """school code → passed (every section under the 6-of-7 rule and every school-level check met), False when any
    fails, None when nothing fails but something is unknown."""
    out: dict[str, bool | None] = {}

    def merge(code: str, passed: bool | None) -> None:
        current = out.get(code, True)
        out[code] = (
            False if (current is False or passed is False) else None if (current is None or passed is None) else True
        )

    for r in results:
        merge(r.school_code, r.passed)
    for _code, check in checks:
        merge(check.school_code, False if check.status == NOT_MET else None if check.status == NO_DATA else True)
    return out


def school_statuses(evaluation) -> dict[str, dict[tuple[str, str], str]]:
    """statuses_of a whole evaluation (its resource values and school-level items)."""
    return statuses_of(evaluation.section_results, _checks(evaluation))


def school_verdicts(evaluation) -> dict[str, bool | None]:
    """verdicts_of a whole evaluation."""
    return verdicts_of(evaluation.section_results, _checks(evaluation))


def _checks(evaluation):
    return ((code, check) for code, item in evaluation.items.items() for check in item.schools)


# A part's rows in the order the whole evaluation lists them relative to each other (by group, then family order): a
# school with two rows for one key keeps the later, as school_statuses does.
def _part_results(part):
    return (r for _g, r in sorted(part.results, key=_group))


def _part_checks(part):
    return ((code, c) for code, checks in part.checks.items() for _g, c in sorted(checks, key=_group))


def _group(entry) -> int:
    return entry[0]


def part_statuses(part) -> dict[str, dict[tuple[str, str], str]]:
    """statuses_of one family's part (`indicators.domain.families.FamilyPart`): what the whole evaluation gives for
    the family's schools, since a school's rows depend on its family's figures only."""
    return statuses_of(_part_results(part), _part_checks(part))


def part_verdicts(part) -> dict[str, bool | None]:
    """verdicts_of one family's part."""
    return verdicts_of(_part_results(part), _part_checks(part))


def changed_indicators(
    before: Mapping[tuple[str, str], str], after: Mapping[tuple[str, str], str], codes: Iterable[str]
) -> list[tuple[str, str, str, str]]:
    """(indicator, section, status before, status after) of the given indicators whose status differs."""
    wanted = set(codes)
    keys = sorted({k for k in (*before, *after) if k[0] in wanted})
    return [
        (c, s, before.get((c, s), ""), after.get((c, s), ""))
        for c, s in keys
        if before.get((c, s)) != after.get((c, s))
    ]


def affected_group(schools: Iterable[SchoolFigures], changed: set[str]) -> set[str]:
    """The changed schools with their parents and every teaching point of either (a parent's figures take its points'
    under the policy `merge`, and G6 reads a point funded through its parent)."""
    schools = list(schools)
    points: dict[str, set[str]] = {}
    for s in schools:
        if s.parent_code:
            points.setdefault(s.parent_code, set()).add(s.code)
    group = set(changed)
    group |= {s.parent_code for s in schools if s.code in changed and s.parent_code}
    for code in list(group):
        group |= points.get(code, set())
    return group
