"""The county rules as `evaluate_parts` applied them before `domain.assembly` (commit 4e5beda, verbatim but for the
imports): every part assembled and sorted (`families.assemble`), every row and check looped over. The oracle of
tests/indicators/domain/test_assembly.py: the patched lists must give what this gives."""

# ruff: noqa
from __future__ import annotations

from typing import Any

from indicators.domain.cv import SectionCv, section_cv
from indicators.domain.evaluate import (
    AREA_OF_PREFIX,
    PRECONDITION,
    AreaVerdict,
    Evaluation,
    _area_of,
    _completeness,
    _verdict,
    check_precondition,
)
from indicators.domain.families import assemble
from indicators.domain.gaps import UNIT_OF_FIGURE, check_gaps, cv_improvement, improvement_rows, resource_gaps
from indicators.domain.guarantee import evaluate_county_items, survey_item
from indicators.domain.memo import plain
from indicators.domain.decimals import exact, raw
from indicators.domain.sections import EVALUATED_SECTIONS
from indicators.domain.standard import AREAS, code_key
from indicators.domain.status import MET, NO_DATA, NOT_MET, Finding, NotEvaluated
from indicators.domain.survey import SurveyAnswers, score_survey


def _rule_finding(r: SectionResult) -> Finding:
    detail: dict[str, Any] = {
        "missed": list(r.missed),
        "below_floor": [c for c in r.missed if not r.results[c].within_tolerance],
        "met_count": r.met_count,
    }
    return Finding("R", "school_rule", r.school_code, r.section, True, detail)


def _no_data_finding(r: SectionResult) -> Finding:
    return Finding("R", "no_data", r.school_code, r.section, detail={"codes": list(r.no_data)})


def _resource_findings(
    results: Sequence[SectionResult],
    sections: dict[str, SectionCv],
    plan: SectionPlan,
    schools_complete: bool,
    cached: Any = plain,
) -> tuple[list[Finding], list[Finding]]:
    blocking: list[Finding] = []
    no_data: list[Finding] = list(plan.no_data)
    for r in results:
        if r.passed is False:
            blocking.append(cached(_rule_finding, r))
        elif r.passed is None:
            no_data.append(cached(_no_data_finding, r))
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


def _check_finding(c: SchoolCheck, code: str, reason: str) -> Finding:
    if c.status == NOT_MET:
        return Finding(code, reason, c.school_code, detail=c.detail)
    return Finding(code, c.reason or "no_data", c.school_code)


def _item_findings(items: dict[str, ItemResult], cached: Any = plain) -> tuple[list[Finding], list[Finding]]:
    blocking: list[Finding] = []
    no_data: list[Finding] = []
    for code, item in items.items():
        reason = "veto" if code.startswith("V") else "not_met"
        if item.schools:
            for c in item.schools:
                if c.status == NOT_MET:
                    blocking.append(cached(_check_finding, c, code, reason, key=(code, reason)))
                elif c.status == NO_DATA:
                    no_data.append(cached(_check_finding, c, code, reason, key=(code, reason)))
        elif item.status == NOT_MET:
            blocking.append(Finding(code, reason))
        elif item.status == NO_DATA:
            no_data.append(Finding(code, item.reason or "no_data"))
    return blocking, no_data


@exact
def former_evaluate_parts(
    inp: EvaluationInput,
    parts: Iterable[FamilyPart],
    codes: Sequence[str],
    memo: Memo | None = None,
    *,
    details: bool = True,
) -> Evaluation:
    """The county evaluation from its families' parts (`families.family_part`) and the county's own input (`inp`:
    entries, survey, precondition, expected schools; its `schools` are not read). `codes` are the schools with
    figures in the county's order (the order `evaluate` is given them in). `memo` (`domain.memo.Memo`) keeps the
    gaps of parts' results and checks from one run to the next: parts read back unchanged give them again.
    `details=False`: the verdicts, findings and CVs only, without gaps and CV improvements (left empty), for a
    caller that reads verdicts alone (the reconciliation)."""
    cached = memo or plain
    standard = inp.standard
    plan, results, school_items = assemble(parts, codes, inp.teaching_point_policy)

    by_section: dict[str, list[SectionResult]] = {s: [] for s in EVALUATED_SECTIONS}
    for r in results:
        by_section[r.section].append(r)
    not_evaluated = list(plan.not_evaluated)
    sections: dict[str, SectionCv] = {}
    for s, rows in by_section.items():
        if rows:
            sections[s] = section_cv(s, rows, standard)
        else:
            not_evaluated.append(NotEvaluated("", s, "no_schools"))

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
    r_blocking, r_no_data = _resource_findings(results, sections, plan, schools_complete, cached)
    i_blocking, i_no_data = _item_findings(items, cached)
    grouped: dict[str, tuple[list[Finding], list[Finding]]] = {a: ([], []) for a in AREAS}
    for f in r_blocking + i_blocking:
        grouped[_area_of(f)][0].append(f)
    for f in r_no_data + i_no_data:
        grouped[_area_of(f)][1].append(f)

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
    unit_gaps = raw(resource_gaps)
    for r in results if details else ():
        gaps.extend(cached(unit_gaps, r, standard, key=(standard.code, standard.version)))
    for item in items.values() if details else ():
        for c in item.failing:
            gaps.extend(cached(check_gaps, c))

    improvements: dict[tuple[str, str], CvImprovement] = {}
    for s, table in sections.items() if details else ():
        for code, status in table.status.items():
            if status != NOT_MET:
                continue
            defn = standard.indicators[code]
            rows = improvement_rows(by_section[s], code)
            unit = UNIT_OF_FIGURE.get(defn.figure, "")
            found = cv_improvement(s, code, rows, table.limit, defn.per, unit, defn.figure)
            if found is not None:
                improvements[(s, code)] = found

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
