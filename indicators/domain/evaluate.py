"""One county evaluation for one school year: every area, the verdict, and how sure it is.

The verdict is three-valued and never optimistic:
- `passed` False when something definitely fails (a section under the 6-of-7 rule, an item not met, a veto);
- `passed` None when nothing definitely fails but something is unknown: a school without figures, a county
  item without an entry, a `no_data` value, a CV over its limit computed while schools are missing;
- `passed` True only when the evaluation is complete and everything is met.
An evaluation is complete when every expected school has figures and every entered item (and the survey)
has an entry; `provisional` is True whenever it is not complete or any value is `no_data`.

A failure found on the data present is reported as definite. One caveat is accepted: under policy `merge` a
missing teaching point could still change its parent's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from .assembly import Assembly
from .cv import SectionCv, cv_table, section_pairs
from .decimals import exact, raw
from .families import SCHOOL_ITEMS, FamilyPart, family_parts
from .gaps import UNIT_OF_FIGURE, CvImprovement, Gap, check_gaps, cv_improvement, improvement_rows
from .gcpause import without_gc
from .guarantee import ItemResult, evaluate_county_items, survey_item
from .inputs import EvaluationInput, Precondition
from .memo import Memo
from .resource import SectionResult
from .sections import EVALUATED_SECTIONS, SectionPlan
from .standard import AREAS, code_key
from .status import MET, NO_DATA, NOT_MET, Finding, NotEvaluated, combine
from .survey import SurveyAnswers, SurveyResult, score_survey

AREA_OF_PREFIX = {"R": "resource", "G": "guarantee", "Q": "quality", "S": "social", "V": "veto"}
PRECONDITION = "P"  # the code of the precondition's finding: county-level, in no area, listed first


@dataclass(frozen=True)
class PreconditionResult:
    """Basic balance recognised in `basic_balance_year`, required by `required_by` (evaluation year − N)."""

    status: str  # met / not_met / no_data
    evaluation_year: int
    basic_balance_year: int | None
    required_by: int
    years: int


def check_precondition(pre: Precondition, years: int) -> PreconditionResult:
    """Met when basic balance was recognised at least `years` years before the evaluated school year."""
    required_by = pre.evaluation_year - years
    known = pre.basic_balance_year
    status = NO_DATA if known is None else MET if known <= required_by else NOT_MET
    return PreconditionResult(status, pre.evaluation_year, pre.basic_balance_year, required_by, years)


@dataclass(frozen=True)
class Completeness:
    """Which schools and entries the evaluation had; complete only with all of them."""

    complete: bool
    schools_expected: int
    schools_with_figures: int
    missing_schools: tuple[str, ...]
    unexpected_schools: tuple[str, ...]
    missing_items: tuple[str, ...]

    @property
    def label(self) -> str:
        """ "N of M schools", as every provisional page shows it."""
        return f"{self.schools_with_figures} of {self.schools_expected} schools"


@dataclass(frozen=True)
class AreaVerdict:
    area: str
    passed: bool | None
    blocking: tuple[Finding, ...]
    no_data: tuple[Finding, ...]


@dataclass(frozen=True)
class Evaluation:
    """The whole result; `serialize.evaluation_to_json_dict` turns it into the stored JSON."""

    standard_code: str
    standard_version: str
    standard_label: str
    policy: str
    provisional: bool
    passed: bool | None
    completeness: Completeness
    plan: SectionPlan
    section_results: tuple[SectionResult, ...]
    sections: dict[str, SectionCv]
    items: dict[str, ItemResult]
    survey: SurveyResult | None
    areas: dict[str, AreaVerdict]
    blocking: tuple[Finding, ...]
    no_data: tuple[Finding, ...]
    not_evaluated: tuple[NotEvaluated, ...]
    gaps: tuple[Gap, ...]
    cv_improvements: dict[tuple[str, str], CvImprovement]
    precondition: PreconditionResult | None = None

    def results_of(self, section: str) -> list[SectionResult]:
        return [r for r in self.section_results if r.section == section]

    @property
    def not_evaluated_codes(self) -> tuple[str, ...]:
        """Indicator codes with any no_data finding (the codes a provisional page lists as not evaluated).

        A section whose 6-of-7 verdict is open contributes the codes lacking a value; "R" stands alone only
        for a teaching point that could not be placed (its parent has no figures).
        """
        codes: set[str] = set()
        for f in self.no_data:
            if f.code == PRECONDITION:
                continue
            if f.code == "R" and f.detail.get("codes"):
                codes.update(f.detail["codes"])
            elif f.code:
                codes.add(f.code)
        return tuple(sorted(codes, key=code_key))


def _completeness(inp: EvaluationInput, codes: Sequence[str]) -> Completeness:
    given = set(codes)
    expected = tuple(dict.fromkeys(inp.expected_school_codes))
    expected_set = set(expected)
    # Set comparisons first: a whole county's codes are not looked up one by one when none is missing or unexpected.
    missing = () if given >= expected_set else tuple(c for c in expected if c not in given)
    unexpected = () if expected_set >= given else tuple(c for c in codes if c not in expected_set)
    items = [c for c in inp.standard.entered_codes if c not in inp.county_entries]
    if inp.survey is None:
        items.append("S1")
    items_t = tuple(sorted(items, key=code_key))
    return Completeness(
        complete=not missing and not items_t,
        schools_expected=len(expected),
        schools_with_figures=len(expected) - len(missing),
        missing_schools=missing,
        unexpected_schools=unexpected,
        missing_items=items_t,
    )


def _cv_findings(sections: dict[str, SectionCv], schools_complete: bool) -> tuple[list[Finding], list[Finding]]:
    blocking: list[Finding] = []
    no_data: list[Finding] = []
    for section, table in sections.items():
        for code, status in table.status.items():
            stats = table.stats[code]
            if status == NOT_MET:
                detail = {"cv": stats.cv, "limit": table.limit}
                blocking.append(Finding(code, "cv_over_limit", "", section, schools_complete, detail))
            elif status == NO_DATA:
                detail = {"schools": list(table.missing.get(code, ()))}
                no_data.append(Finding(code, "cv_no_data", "", section, detail=detail))
    return blocking, no_data


def _item_findings(
    items: dict[str, ItemResult], school_items: dict[str, ItemResult], found: Assembly
) -> dict[str, tuple[list[Finding], list[Finding]]]:
    """Each item's blocking and no-data findings; a school-level item's are its checks' (kept by `found`)."""
    out: dict[str, tuple[list[Finding], list[Finding]]] = {}
    for code, item in items.items():
        reason = "veto" if code.startswith("V") else "not_met"
        if item.schools and item is school_items.get(code):
            out[code] = (found.objs(("check_blocking", code)), found.objs(("check_no_data", code)))
        elif item.schools:
            out[code] = (
                [Finding(code, reason, c.school_code, detail=c.detail) for c in item.schools if c.status == NOT_MET],
                [Finding(code, c.reason or "no_data", c.school_code) for c in item.schools if c.status == NO_DATA],
            )
        elif item.status == NOT_MET:
            out[code] = ([Finding(code, reason)], [])
        elif item.status == NO_DATA:
            out[code] = ([], [Finding(code, item.reason or "no_data")])
    return out


def _school_items(found: Assembly) -> dict[str, ItemResult]:
    """G3–G7, G12 and Q4 over the county's checks, as `guarantee._aggregate` makes them."""
    items = {}
    for code in SCHOOL_ITEMS:
        kept = tuple(found.objs(("checks", code)))
        failing, open_ = found.count(("check_blocking", code)), found.count(("check_no_data", code))
        status = combine((NOT_MET,) * bool(failing) + (NO_DATA,) * bool(open_))
        note = "" if kept else "no applicable school"
        items[code] = ItemResult(code, status, schools=kept, applicable=len(kept), note=note, level="school")
    return items


def _area_of(finding: Finding) -> str:
    return AREA_OF_PREFIX.get(finding.code[:1], "resource")


def _verdict(blocking: Sequence[Finding], no_data: Sequence[Finding], unknown: bool) -> bool | None:
    if any(f.definite for f in blocking):
        return False
    if blocking or no_data or unknown:
        return None
    return True


@without_gc
@exact
def evaluate(inp: EvaluationInput) -> Evaluation:
    """Evaluate a county for one school year under the input's standard and teaching-point policy."""
    parts = raw(family_parts)(inp.schools, inp.standard, inp.teaching_point_policy)
    return raw(evaluate_parts)(inp, parts.values(), [s.code for s in inp.schools])


@without_gc
@exact
def evaluate_parts(
    inp: EvaluationInput,
    parts: Iterable[FamilyPart],
    codes: Sequence[str],
    memo: Memo | None = None,
    *,
    details: bool = True,
) -> Evaluation:
    """The county evaluation from its families' parts (`families.family_part`) and the county's own input (`inp`:
    entries, survey, precondition, expected schools; its `schools` are not read). `codes` are the schools with
    figures in the county's order (the order `evaluate` is given them in). `memo` (`domain.memo.Memo`) carries the
    `domain.assembly.Assembly` of the last run: the parts' rows, checks, findings, gaps and CV moments in county
    order, patched for the parts that are not the last run's objects, so one family's change costs about its own
    share. Without a memo they are assembled from every part; the evaluation is the same either way.
    `details=False`: the verdicts, findings and CVs only, without gaps and CV improvements (left empty), for a
    caller that reads verdicts alone (the reconciliation)."""
    standard = inp.standard
    policy = inp.teaching_point_policy
    found = memo.carried("assembly", Assembly) if memo is not None else Assembly()
    found.update(parts, codes, standard, policy, details)

    results = tuple(found.objs("results"))
    plan = SectionPlan(
        units=tuple(map(attrgetter("unit"), results)),
        not_evaluated=tuple(found.objs("not_evaluated")),
        no_data=tuple(found.objs("plan_no_data")),
        merged=dict(found.objs("merged")),
        policy=policy,
    )
    school_items = _school_items(found)

    not_evaluated = list(plan.not_evaluated)
    sections: dict[str, SectionCv] = {}
    sums = found.moments()
    for s in EVALUATED_SECTIONS:
        n_units = found.sections.get(s, 0)
        if not n_units:
            not_evaluated.append(NotEvaluated("", s, "no_schools"))
            continue
        missing = {c: tuple(found.objs(("missing", s, c))) for c in standard.resource_codes}
        by_code = {c: m for (sec, c), m in sums.items() if sec == s}
        sections[s] = cv_table(
            s, standard, by_code, missing, n_units, lambda c, s=s: section_pairs(found.rows(s), c)[0]
        )

    survey = inp.survey
    if isinstance(survey, SurveyAnswers):
        survey = score_survey(survey, standard.survey)
    items = {
        **school_items,
        **evaluate_county_items(standard, inp.county_entries),
        "S1": survey_item(survey),
    }
    items = dict(sorted(items.items(), key=lambda kv: code_key(kv[0])))

    completeness = _completeness(inp, codes)
    schools_complete = not completeness.missing_schools
    cv_blocking, cv_no_data = _cv_findings(sections, schools_complete)
    r_blocking = [*found.objs("rule_blocking"), *cv_blocking]
    r_no_data = [*plan.no_data, *found.objs("rule_no_data"), *cv_no_data]
    by_item = _item_findings(items, school_items, found)
    i_blocking = [f for b, _n in by_item.values() for f in b]
    i_no_data = [f for _b, n in by_item.values() for f in n]
    grouped: dict[str, tuple[list[Finding], list[Finding]]] = {a: ([], []) for a in AREAS}
    # The rows' findings are area 1's (code "R"); an item's findings carry the item's code.
    grouped["resource"][0].extend(found.objs("rule_blocking"))
    for f in cv_blocking:
        grouped[_area_of(f)][0].append(f)
    for f in plan.no_data:
        grouped[_area_of(f)][1].append(f)
    grouped["resource"][1].extend(found.objs("rule_no_data"))
    for f in cv_no_data:
        grouped[_area_of(f)][1].append(f)
    for code, (b, n) in by_item.items():
        area = _area_of(Finding(code, ""))
        grouped[area][0].extend(b)
        grouped[area][1].extend(n)

    # The precondition comes before everything: failing it, the county is not recognised whatever the areas say.
    pre = check_precondition(inp.precondition, standard.basic_balance_years) if inp.precondition else None
    p_blocking: list[Finding] = []
    p_no_data: list[Finding] = []
    if pre is not None and pre.status != MET:
        detail = {
            "basic_balance_year": pre.basic_balance_year,
            "evaluation_year": pre.evaluation_year,
            "required_by": pre.required_by,
            "years": pre.years,
        }
        if pre.status == NOT_MET:
            p_blocking.append(Finding(PRECONDITION, "precondition_not_met", detail=detail))
        else:
            p_no_data.append(Finding(PRECONDITION, "precondition_unknown", detail=detail))
    blocking = tuple(p_blocking + r_blocking + i_blocking)
    no_data = tuple(p_no_data + r_no_data + i_no_data)
    areas = {}
    for area, (ab, an) in grouped.items():
        # Missing schools leave area 1 and the school-level items open; missing entries their own items.
        unknown = (area in ("resource", "guarantee", "quality") and not schools_complete) or any(
            AREA_OF_PREFIX.get(c[:1]) == area for c in completeness.missing_items
        )
        areas[area] = AreaVerdict(area, _verdict(ab, an, unknown), tuple(ab), tuple(an))

    provisional = not completeness.complete or bool(no_data)
    passed = _verdict(blocking, no_data, provisional)

    gaps: list[Gap] = []
    if details:
        gaps.extend(found.flat("result_gaps"))
        for code, item in items.items():
            if item is school_items.get(code):
                gaps.extend(found.flat(("check_gaps", code)))
            else:
                for c in item.failing:
                    gaps.extend(check_gaps(c))

    improvements: dict[tuple[str, str], CvImprovement] = {}
    for s, table in sections.items() if details else ():
        for code, status in table.status.items():
            if status != NOT_MET:
                continue
            defn = standard.indicators[code]
            rows = improvement_rows(found.rows(s), code)
            unit = UNIT_OF_FIGURE.get(defn.figure, "")
            found_imp = cv_improvement(s, code, rows, table.limit, defn.per, unit, defn.figure)
            if found_imp is not None:
                improvements[(s, code)] = found_imp

    return Evaluation(
        standard_code=standard.code,
        standard_version=standard.version,
        standard_label=standard.label,
        policy=inp.teaching_point_policy,
        provisional=provisional,
        passed=passed,
        completeness=completeness,
        plan=plan,
        section_results=results,
        sections=sections,
        items=items,
        survey=survey,
        areas=areas,
        blocking=blocking,
        no_data=no_data,
        not_evaluated=tuple(not_evaluated),
        gaps=tuple(gaps),
        cv_improvements=improvements,
        precondition=pre,
    )
