"""A county evaluation split into what each family of schools gives and what the county makes of it.

A family is a school with its teaching points, named by the school's code (a point whose parent has no figures still
belongs to its parent's code). Everything a school's own rows depend on — its section units (a point merged into its
parent's primary section under policy `merge`), their seven values and 6-of-7 verdict, its school-level checks (G3–G7,
G12, Q4), which look at a school's points — depends on its family's figures only. So one school's change re-evaluates
its family alone (`family_part`); `assemble` puts the families' parts back in the order the whole county gives them
(`domain.assembly` keeps that order from run to run and is checked against it), and `evaluate.evaluate_parts` applies
the county rules (CVs, findings, areas, gaps, CV improvements) to the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .decimals import exact, raw
from .guarantee import SchoolCheck, _aggregate, school_checks
from .inputs import SchoolFigures
from .resource import SectionResult, evaluate_unit
from .sections import SectionPlan, plan_sections
from .standard import Standard
from .status import Finding, NotEvaluated

SCHOOL_ITEMS = ("G3", "G4", "G5", "G6", "G7", "G12", "Q4")  # evaluate_school_items' items, in its order
_ORPHAN_FIRST = ("G3", "G4")  # items that list points without a parent after every school
# Where plan_sections puts an exclusion: special schools first, then teaching points (merged, small), then sections
# without students.
_PHASE = {"special_school": 0, "merged_into_parent": 1, "small_teaching_point": 1}


def family_key(school: SchoolFigures) -> str:
    if school.kind == "teaching_point" and school.parent_code:
        return school.parent_code
    return school.code


def families(schools: Iterable[SchoolFigures]) -> dict[str, list[SchoolFigures]]:
    """The schools by family, each family in the input's order."""
    out: dict[str, list[SchoolFigures]] = {}
    for s in schools:
        out.setdefault(family_key(s), []).append(s)
    return out


@dataclass(frozen=True)
class FamilyPart:
    """One family's share of the evaluation; each entry carries the key that orders it among all families'.

    Order keys are (group, school code): `assemble` turns the code into its position in the county's order.
    """

    key: str
    codes: tuple[str, ...]  # the family's schools (with figures), in the input's order
    results: tuple[tuple[int, SectionResult], ...]  # (1 for a point's own row, else 0)
    not_evaluated: tuple[tuple[tuple[int, int], NotEvaluated], ...]
    no_data: tuple[Finding, ...]
    merged: dict[str, tuple[str, ...]]
    checks: dict[str, tuple[tuple[int, SchoolCheck], ...]]


@exact
def family_part(key: str, schools: Sequence[SchoolFigures], standard: Standard, policy: str) -> FamilyPart:
    """Plan, judge and check one family's schools exactly as the whole-county evaluation does."""
    plan: SectionPlan = raw(plan_sections)(schools, standard, policy)
    judge = raw(evaluate_unit)
    points = {s.code for s in schools if s.kind == "teaching_point"}
    results = tuple((int(u.kind == "teaching_point"), judge(u, standard)) for u in plan.units)
    not_evaluated = tuple(
        ((_PHASE.get(n.reason, 2), int(n.reason not in _PHASE and n.school_code in points)), n)
        for n in plan.not_evaluated
    )
    found = raw(school_checks)(schools, standard, policy)
    checks = {
        code: tuple((int(code in _ORPHAN_FIRST and c.reason == "parent_missing"), c) for c in found[code])
        for code in SCHOOL_ITEMS
    }
    return FamilyPart(
        key=key,
        codes=tuple(s.code for s in schools),
        results=results,
        not_evaluated=not_evaluated,
        no_data=plan.no_data,
        merged=plan.merged,
        checks=checks,
    )


def family_parts(schools: Sequence[SchoolFigures], standard: Standard, policy: str) -> dict[str, FamilyPart]:
    return {key: family_part(key, members, standard, policy) for key, members in families(schools).items()}


def assemble(
    parts: Iterable[FamilyPart], order: Sequence[str], policy: str
) -> tuple[SectionPlan, tuple[SectionResult, ...], dict]:
    """The county's plan, section results and school-level items from its families' parts, in the order
    `plan_sections` and `evaluate_school_items` give them for schools given in `order` (their codes)."""
    pos = {code: i for i, code in enumerate(order)}
    parts = list(parts)
    results = [(g, pos[r.unit.school_code], r) for p in parts for g, r in p.results]
    results.sort(key=lambda t: t[:2])
    not_evaluated = [(phase, pos[n.school_code], n) for p in parts for phase, n in p.not_evaluated]
    not_evaluated.sort(key=lambda t: t[:2])
    no_data = sorted((f for p in parts for f in p.no_data), key=lambda f: pos[f.school_code])
    merged = sorted(((pos[v[0]], k, v) for p in parts for k, v in p.merged.items()), key=lambda t: t[0])
    units = tuple(r.unit for _g, _i, r in results)
    plan = SectionPlan(
        units=units,
        not_evaluated=tuple(n for _p, _i, n in not_evaluated),
        no_data=tuple(no_data),
        merged={k: v for _i, k, v in merged},
        policy=policy,
    )
    items = {}
    for code in SCHOOL_ITEMS:
        checks = [(g, pos[c.school_code], c) for p in parts for g, c in p.checks[code]]
        checks.sort(key=lambda t: t[:2])
        items[code] = _aggregate(code, (c for _g, _i, c in checks))
    return plan, tuple(r for _g, _i, r in results), items
