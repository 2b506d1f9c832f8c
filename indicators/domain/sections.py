"""Schools into section units: the rows of area 1 (resource allocation).

A combined school enters each of its sections as if it were a separate school. Teacher counts come per
section from the returns; the shared resources (teaching area, sports area, equipment, multimedia rooms) are
apportioned by weighted enrolment, w_s·P_s / Σ w·P, with the weights of the standard. An apportioned amount
is kept exactly as a fraction (`Share`) so that a per-student value is one division of exact numbers.

Teaching points follow the evaluation's policy (see INDICATORS.md):
  merge          the point's students, teachers and resources join its parent's primary section after the
                 parent's own apportionment; the point has no row of its own.
  exclude_small  points under `standard.small_point_students` are left out of area 1; larger ones are rows.
  include        every point is a row, evaluated as a primary school.
Special schools are not in area 1. A section with 0 students is not evaluated (no division by zero).
A section the school does not have is left empty in the return (SectionFigures None) and is not a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .decimals import ONE, ZERO, exact, raw, to_decimal
from .inputs import SHARED_FIGURES, SchoolFigures, SectionFigures
from .standard import Standard
from .status import Finding, NotEvaluated

SECTIONS_OF_KIND: dict[str, tuple[str, ...]] = {
    "primary": ("primary",),
    "teaching_point": ("primary",),
    "junior": ("junior",),
    "nine_year": ("primary", "junior"),
    "complete_secondary": ("junior", "senior"),
    "twelve_year": ("primary", "junior", "senior"),
    "special": (),
}
EVALUATED_SECTIONS = ("primary", "junior")
_TEACHER_FIELDS = (
    "teachers",
    "teachers_above_required",
    "teachers_backbone",
    "teachers_pe_arts",
    "teachers_certified",
)


class Share(NamedTuple):
    """An exact amount num / den; den is the school's weighted enrolment Σ w·P (or 1 when nothing is split)."""

    num: Decimal
    den: Decimal

    @property
    def amount(self) -> Decimal:
        return self.num / self.den

    def plus(self, amount: Decimal) -> Share:
        return Share(self.num + amount * self.den, self.den)


class SectionUnit(NamedTuple):
    """One row of area 1: a school section (or a point evaluated as a primary school) with its figures.

    `resources` holds the section's part of each shared resource (None = unknown). `share` is the fraction
    of the school's shared resources this section received (1 for a single-section school).
    """

    school_code: str
    school_name: str
    township: str
    location: str
    kind: str
    section: str
    students: int | None
    teachers: int | None
    teachers_above_required: int | None
    teachers_backbone: int | None
    teachers_pe_arts: int | None
    teachers_certified: int | None
    resources: dict[str, Share | None]
    share: Decimal | None
    merged_points: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.school_code, self.section)

    def figure(self, name: str) -> Share | None:
        """Any figure as an exact Share: teacher counts are whole numbers over 1."""
        if name in self.resources:
            return self.resources[name]
        count = getattr(self, name)
        return None if count is None else Share(Decimal(count), ONE)


@dataclass(frozen=True)
class SectionPlan:
    """The rows of area 1 and what was left out, and why.

    `merged` maps a parent school code to the points merged into it (policy `merge`); `no_data` holds
    points that could not be placed (their parent has no figures).
    """

    units: tuple[SectionUnit, ...]
    not_evaluated: tuple[NotEvaluated, ...]
    no_data: tuple[Finding, ...]
    merged: dict[str, tuple[str, ...]]
    policy: str


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


@exact
def section_shares(school: SchoolFigures, standard: Standard) -> dict[str, tuple[Decimal, Decimal]] | None:
    """Each section's (w·P, Σ w·P) for the school's kind; None when an enrolment needed for the split is unknown.

    A single-section school keeps everything: (1, 1).
    """
    sections = SECTIONS_OF_KIND[school.kind]
    if len(sections) == 1:
        return {sections[0]: (ONE, ONE)}
    weights = standard.split_weights[school.kind]
    weighted: dict[str, Decimal] = {}
    for s in sections:
        if s == "senior":
            students = school.senior_students
        else:
            figures = school.section(s)
            students = 0 if figures is None else figures.students  # an empty section: the school has none
        if students is None:
            return None
        weighted[s] = weights[s] * students
    total = sum(weighted.values(), ZERO)
    if total == 0:
        return {s: (ZERO, ONE) for s in sections}
    return {s: (w, total) for s, w in weighted.items()}


@exact
def apportion(
    school: SchoolFigures, standard: Standard, shares: dict[str, tuple[Decimal, Decimal]] | None | bool = True
) -> dict[str, dict[str, Share | None]]:
    """The school's shared resources split between its sections (primary and junior only are returned).

    `shares` may pass in what `section_shares` already gave (None included); by default it is computed.
    """
    if shares is True:
        shares = section_shares(school, standard)
    totals = {f: to_decimal(getattr(school, f)) for f in SHARED_FIGURES}
    out: dict[str, dict[str, Share | None]] = {}
    for s in SECTIONS_OF_KIND[school.kind]:
        if s not in EVALUATED_SECTIONS:
            continue
        if shares is None:
            out[s] = dict.fromkeys(SHARED_FIGURES)
            continue
        num, den = shares[s]
        out[s] = {f: None if t is None else Share(t * num, den) for f, t in totals.items()}
    return out


def _unit(school: SchoolFigures, section: str, figures: SectionFigures, resources, share) -> SectionUnit:
    return SectionUnit(
        school_code=school.code,
        school_name=school.name,
        township=school.township,
        location=school.location,
        kind=school.kind,
        section=section,
        students=figures.students,
        teachers=figures.teachers,
        teachers_above_required=figures.teachers_above_required,
        teachers_backbone=figures.teachers_backbone,
        teachers_pe_arts=figures.teachers_pe_arts,
        teachers_certified=figures.teachers_certified,
        resources=resources,
        share=share,
    )


_EMPTY = SectionFigures(0, 0, 0, 0, 0, 0, 0)
_UNKNOWN = SectionFigures()


@exact
def school_units(school: SchoolFigures, standard: Standard) -> list[SectionUnit]:
    """The school's section units (0-student and empty sections included; `plan_sections` filters them)."""
    sections = [s for s in SECTIONS_OF_KIND[school.kind] if s in EVALUATED_SECTIONS]
    if not sections:
        return []
    shares = raw(section_shares)(school, standard)
    split = raw(apportion)(school, standard, shares)
    units = []
    for s in sections:
        figures = school.section(s)
        if figures is None:
            # A combined school leaves a section it does not have empty; a single-section school must report it.
            figures = _EMPTY if len(sections) > 1 else _UNKNOWN
        share = None if shares is None else shares[s][0] / shares[s][1]
        units.append(_unit(school, s, figures, split[s], share))
    return units


@exact
def merge_point(unit: SectionUnit, point: SchoolFigures) -> SectionUnit:
    """The parent's primary unit with the point's students, teachers and (whole) resources added."""
    pf = point.primary or _UNKNOWN
    resources = {}
    for f in SHARED_FIGURES:
        share, amount = unit.resources[f], to_decimal(getattr(point, f))
        resources[f] = None if share is None or amount is None else share.plus(amount)
    return unit._replace(
        students=_add(unit.students, pf.students),
        **{f: _add(getattr(unit, f), getattr(pf, f)) for f in _TEACHER_FIELDS},
        resources=resources,
        merged_points=(*unit.merged_points, point.code),
    )


@exact
def plan_sections(schools: Iterable[SchoolFigures], standard: Standard, policy: str) -> SectionPlan:
    """All area-1 rows of the county under a teaching-point policy, with the exclusions and their reasons."""
    schools = list(schools)
    by_code = {s.code: s for s in schools}
    units: dict[tuple[str, str], SectionUnit] = {}
    order: list[tuple[str, str]] = []
    not_evaluated: list[NotEvaluated] = []
    no_data: list[Finding] = []
    merged: dict[str, list[str]] = {}
    points: list[SchoolFigures] = []
    units_of = raw(school_units)

    for school in schools:
        if school.kind == "special":
            not_evaluated.append(NotEvaluated(school.code, "", "special_school"))
            continue
        if school.kind == "teaching_point":
            points.append(school)
            continue
        for u in units_of(school, standard):
            units[u.key] = u
            order.append(u.key)

    for point in points:
        students = point.primary.students if point.primary else None
        if policy == "merge":
            parent = by_code.get(point.parent_code or "")
            if parent is None or parent.kind in ("teaching_point", "special"):
                no_data.append(
                    Finding("R", "parent_missing", point.code, "primary", detail={"parent": point.parent_code})
                )
                continue
            key = (parent.code, "primary")
            if key in units:
                units[key] = raw(merge_point)(units[key], point)
                merged.setdefault(parent.code, []).append(point.code)
                not_evaluated.append(NotEvaluated(point.code, "primary", "merged_into_parent"))
                continue
            # The parent has no primary section at all (a junior school): the point stands as its own row.
        elif policy == "exclude_small" and students is not None and students < standard.small_point_students:
            not_evaluated.append(NotEvaluated(point.code, "primary", "small_teaching_point"))
            continue
        for u in units_of(point, standard):
            units[u.key] = u
            order.append(u.key)

    rows = []
    for key in order:
        u = units[key]
        if u.students == 0:
            empty = by_code[u.school_code].section(u.section) is None and not u.merged_points
            not_evaluated.append(NotEvaluated(u.school_code, u.section, "no_section" if empty else "no_students"))
        else:
            rows.append(u)
    return SectionPlan(
        units=tuple(rows),
        not_evaluated=tuple(not_evaluated),
        no_data=tuple(no_data),
        merged={k: tuple(v) for k, v in merged.items()},
        policy=policy,
    )
