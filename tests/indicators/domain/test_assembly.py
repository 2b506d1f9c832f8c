"""evaluate_parts with a memo kept from run to run (the incremental recompute: the parts of families that did not
change are the very objects of the last run, and `domain.assembly.Assembly` patches the county's lists) gives the
evaluation of a cold run from the same parts and of `evaluate` from scratch, field for field and digit for digit,
after any sequence of changes: schools' figures replaced, schools leaving and joining the order, parts given in
any order."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.domain.assembly import Assembly, _placed_positions
from indicators.domain.evaluate import evaluate, evaluate_parts
from indicators.domain.families import families, family_part
from indicators.domain.inputs import EvaluationInput
from indicators.domain.memo import Memo
from indicators.domain.standard import national_2017

from .builders import all_entries_met, school, survey_met
from .counties import POLICIES, counties, school_figures
from .former_engine import former_evaluate_parts

STD = national_2017()


def county_input(schools, policy: str, expected) -> EvaluationInput:
    return EvaluationInput(
        schools=tuple(schools),
        expected_school_codes=tuple(expected),
        county_entries=all_entries_met(STD),
        survey=survey_met(STD),
        standard=STD,
        teaching_point_policy=policy,
    )


def parts_of(schools, policy: str, last: dict) -> dict:
    """Each family's part: last run's very object when its members are the same objects, else evaluated again."""
    out = {}
    for key, members in families(schools).items():
        old = last.get(key)
        if old is not None and old[0] == [id(m) for m in members]:
            out[key] = old
        else:
            out[key] = ([id(m) for m in members], family_part(key, members, STD, policy), members)
    return out


@st.composite
def step(draw, codes: list[str]):
    """One run's changes: some schools replaced by new figures, some left out of the order (no figures)."""
    replaced = {c: draw(school_figures(c, [x for x in codes if x != c])) for c in codes if draw(st.integers(0, 3)) == 0}
    left_out = {c for c in codes if draw(st.integers(0, 7)) == 0}
    return replaced, left_out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(counties(min_size=2, max_size=9), st.sampled_from(POLICIES), st.data())
def test_a_warm_memo_gives_the_evaluation_of_a_cold_run_and_of_evaluate_after_any_changes(schools, policy, data):
    # Patch whenever it can (share 0), or only when few parts changed, as in production.
    share = data.draw(st.sampled_from((0, 4)), label="rebuild share")
    with mock.patch("indicators.domain.assembly._REBUILD_SHARE", share):
        runs(schools, policy, data)


def runs(schools, policy, data) -> None:
    codes = [s.code for s in schools]
    current = {s.code: s for s in schools}
    memo = Memo()
    last: dict = {}
    for _run in range(data.draw(st.integers(1, 5), label="runs")):
        replaced, left_out = data.draw(step(codes), label="changes")
        current |= replaced
        present = [current[c] for c in codes if c not in left_out]
        last = parts_of(present, policy, last)
        parts = [p for _ids, p, _m in last.values()]
        shuffled = data.draw(st.permutations(parts), label="parts order")
        order = [s.code for s in present]
        inp = county_input(present, policy, codes)
        memo.turn()
        warm = evaluate_parts(inp, shuffled, order, memo)
        cold = evaluate_parts(inp, parts, order)
        scratch = evaluate(inp)
        assert warm == cold == scratch == former_evaluate_parts(inp, parts, order)
        assert repr(warm) == repr(cold) == repr(scratch)  # the same digits and the same order of every dict


def test_a_school_joining_the_order_is_placed_between_its_neighbours_and_one_leaving_keeps_the_others():
    old = {"A": 4096, "B": 8192, "C": 12288}
    pos = _placed_positions(old, ["A", "X", "B", "Y", "Z", "C", "W"], 16384)
    assert [pos[c] for c in "AXBYZCW"] == sorted(pos.values())
    assert (pos["A"], pos["B"], pos["C"]) == (4096, 8192, 12288)
    assert _placed_positions(old, ["A", "C"], 16384) == {"A": 4096, "C": 12288}
    assert _placed_positions(old, ["B", "A"], 16384) is None  # the order of the schools kept changed: built again
    assert _placed_positions({"A": 1, "B": 2}, ["A", "X", "B"], 3) is None  # no room left between them


def test_one_changed_part_is_patched_not_rebuilt():
    schools = [school_figures_example(i) for i in range(12)]
    inp = county_input(schools, "merge", [s.code for s in schools])
    parts = {k: family_part(k, m, STD, "merge") for k, m in families(schools).items()}
    found = Assembly().update(parts.values(), [s.code for s in schools], STD, "merge", True)
    streams = found.streams
    first = next(iter(parts))
    members = families(schools)[first]
    parts[first] = family_part(first, members, STD, "merge")  # an equal part, but another object
    found.update(parts.values(), [s.code for s in schools], STD, "merge", True)
    assert found.streams is streams and found.valid  # the same lists, patched
    assert evaluate_parts(inp, parts.values(), [s.code for s in schools]) == evaluate(inp)


def test_a_county_with_every_kind_of_finding_is_evaluated_as_the_former_engine_did():
    """Rows failing and open (unknown figures), a point whose parent has no figures (a finding of the plan), a CV over
    its limit, school items failing and open: the findings of each list and area in the former order."""
    schools = [
        school("A1", primary=400, equipment_value_yuan=Decimal(1000)),
        school("A2", primary=300, teaching_area_m2=None),
        school("P1", kind="teaching_point", primary=20, parent_code="ZZ"),
        school("A3", primary=900, sports_area_m2=Decimal(10), multimedia_rooms=None),
        school("A4", primary=200),
    ]
    codes = [s.code for s in schools]
    inp = county_input(schools, "merge", codes)
    parts = {k: family_part(k, m, STD, "merge") for k, m in families(schools).items()}
    ev = evaluate_parts(inp, parts.values(), codes, Memo())
    former = former_evaluate_parts(inp, list(parts.values()), codes)
    assert ev.areas["resource"].no_data and ev.plan.no_data and ev.blocking
    assert ev == former
    assert repr(ev.areas) == repr(former.areas) and ev.no_data == former.no_data


def school_figures_example(i: int):
    return school(f"S{i:02d}", primary=300 + 40 * i, equipment_value_yuan=Decimal(400000 + 1000 * i))
