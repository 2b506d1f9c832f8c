"""Early warnings, computed from plain rows (no database, no Django): the school sections that meet a standard by less
than 10%, next year's grades over the class cap once the cohorts move up (less the places of projects finishing in
time), and the per-student areas that fall below the standard as enrolment grows.

The dashboards' selector (`warning_inputs`) reads the rows, `compute` finds the warnings, the page lays them out."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from . import forecast
from .standard import Standard, code_key

# The projects that add to each per-student area: R4 buildings, R5 sports grounds.
AREA_CODES = {"R4": ("extension", "new_school"), "R5": ("sports_ground",)}


def school_codes(std: Standard) -> tuple[str, ...]:
    """Every indicator judged school by school and stored in SchoolResult: the section results (R1–R7) and the
    school-level items (G3–G7, G12, Q4 in 2017), as the standard the year uses lists them."""
    return std.resource_codes + std.school_item_codes


def directions(std: Standard) -> dict[str, str | None]:
    """Code → the side "close" lies on, read from the standard's dictionary (forecast.direction_of)."""
    return {code: forecast.direction_of(std.indicators[code]) for code in school_codes(std)}


def next_as_of(as_of: datetime.date) -> datetime.date:
    """The same day a year later (28 February for the 29th): the forecast's horizon."""
    try:
        return as_of.replace(year=as_of.year + 1)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year + 1, day=28)


@dataclass(frozen=True)
class WarningInputs:
    """What the warnings are computed from. `info` maps a school id to an object with school_id, code, name,
    township_id, township and township_order; `results` are (school id, section, code, status, value, threshold), at
    least every met result close to failing and every met R4 / R5 (others are ignored, so a reader may leave them out);
    `projects` (school id, kind, places, area) finishing before `until`; `students` (school id, section) → pupils."""

    year: int
    until: datetime.date
    codes: tuple[str, ...]
    names: Mapping[str, str]
    directions: Mapping[str, str | None]
    caps: Mapping[str, int]
    results: list[tuple]
    grades: list[forecast.SchoolGrades]
    info: Mapping[int, object]
    projects: list[tuple]
    students: Mapping[tuple[int, str], int]
    intakes: Mapping[int, int]


@dataclass
class Warnings:
    close: list[tuple] = field(default_factory=list)  # (info, section, code, value, threshold)
    close_counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (section, code) → schools
    classes: list[tuple] = field(default_factory=list)  # (info, GradeForecast, school's over, places, remaining)
    by_township: dict[str, list[int]] = field(default_factory=dict)  # township → [over, over after projects]
    areas: list[tuple] = field(default_factory=list)  # (info, section, code, value, projected, threshold, n, now, next)
    unplaced: dict[int, int] = field(default_factory=dict)  # township id → grade-6 pupils with no junior school


def compute(inputs: WarningInputs) -> Warnings:
    found = Warnings()
    close_to_failing(inputs, found)
    result = forecast.next_year(inputs.grades, caps=inputs.caps, intakes=inputs.intakes)
    places, added_area = _project_gains(inputs.projects)
    over_cap(inputs, result, places, found)
    areas_falling(inputs, result, added_area, found)
    found.unplaced = dict(result.unplaced)
    return found


def close_to_failing(inputs: WarningInputs, found: Warnings) -> None:
    """Met, but within 10% of failing: the matrix's rule (forecast.is_close, each indicator's direction)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for sid, section, code, status, value, threshold in inputs.results:
        side = inputs.directions.get(code)
        if sid in inputs.info and forecast.is_close(status=status, value=value, threshold=threshold, direction=side):
            found.close.append((inputs.info[sid], section, code, value, threshold))
            counts[(section, code)] += 1
    keys = {code: code_key(code) for code in {r[2] for r in found.close}}  # a few codes, thousands of rows
    found.close.sort(key=lambda r: (r[0].township_order, r[0].code, r[1], keys[r[2]]))
    found.close_counts = dict(counts)


def _project_gains(projects) -> tuple[dict[int, int], dict[tuple[int, str], Decimal]]:
    places: dict[int, int] = defaultdict(int)
    added_area: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for sid, kind, p, area in projects or ():
        places[sid] += p
        for code, kinds in AREA_CODES.items():
            if kind in kinds:
                added_area[(sid, code)] += area
    return places, added_area


def over_cap(inputs: WarningInputs, result: forecast.Forecast, places: Mapping[int, int], found: Warnings) -> None:
    """Next year's grades over the cap, each school's total less its projects' new places, summed by township."""
    by_township: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for sid, rows in result.grades.items():
        over = [g for g in rows.values() if g.students > g.classes * g.cap]  # g.over, without a call per grade
        if not over:
            continue
        total = sum(g.over for g in over)
        remaining = forecast.over_after_projects(total, places.get(sid, 0))
        s = inputs.info[sid]
        by_township[s.township][0] += total
        by_township[s.township][1] += remaining
        found.classes.extend((s, g, total, places.get(sid, 0), remaining) for g in over)
    found.classes.sort(key=lambda r: (r[0].township_order, r[0].code, r[1].grade))
    found.by_township = dict(by_township)


def areas_falling(
    inputs: WarningInputs, result: forecast.Forecast, added_area: Mapping[tuple[int, str], Decimal], found: Warnings
) -> None:
    """Per-student areas met now that fall below the standard next year, a project's area shared by the sections in
    proportion to their pupils."""
    grades_now = {g.school_id: g.grades for g in inputs.grades}
    school_students: dict[int, int] = defaultdict(int)
    for (sid, _section), n in inputs.students.items():
        school_students[sid] += n
    listed: dict[tuple[int, str], tuple[int, int]] = {}  # (school, section) → pupils listed now and next year
    for sid, section, code, status, value, threshold in inputs.results:
        if code not in AREA_CODES or status != "met" or value is None or threshold is None or sid not in inputs.info:
            continue
        if (sid, section) not in listed:
            listed[(sid, section)] = (
                forecast.section_students(grades_now.get(sid, {}), section),
                forecast.section_students(result.grades.get(sid, {}), section),
            )
        now_listed, next_listed = listed[(sid, section)]
        if value * now_listed > threshold * next_listed:
            # Stays met, so not worked out: per_student_next is at least value × now / next (an added area only
            # raises it), here above the threshold by far more than its Decimal rounding (strict: at equality the
            # rounded division decides, as before).
            continue
        n = inputs.students.get((sid, section), 0)
        share = Decimal(n) / school_students[sid] if school_students.get(sid) else Decimal(0)
        projected = forecast.per_student_next(
            value=value,
            students=n,
            now_listed=now_listed,
            next_listed=next_listed,
            added=added_area.get((sid, code), Decimal(0)) * share,
        )
        if projected is not None and projected < threshold:
            found.areas.append(
                (inputs.info[sid], section, code, value, projected, threshold, n, now_listed, next_listed)
            )
    found.areas.sort(key=lambda r: (r[0].township_order, r[0].code, r[1], r[2]))
