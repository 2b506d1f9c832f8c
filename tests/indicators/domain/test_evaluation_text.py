"""evaluation_text writes the text of dumps_indented(evaluation_to_json_dict(ev)), the same as json's own
dumps(…, indent=2) of that dict, with the long lists' entries written straight from the engine's objects."""

from __future__ import annotations

import sys
from collections import OrderedDict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.domain.evaluate import evaluate
from indicators.domain.guarantee import SchoolCheck
from indicators.domain.inputs import EvaluationInput
from indicators.domain.serialize import (
    _rounded,
    _write,
    _write_jsonable,
    dumps,
    evaluation_text,
    evaluation_to_json_dict,
    jsonable,
    quantize,
)
from indicators.domain.standard import national_2017
from indicators.domain.status import Finding

from .counties import POLICIES, counties
from .test_evaluate import county, run

D = Decimal
STD = national_2017()


def reference(ev) -> str:
    return dumps(evaluation_to_json_dict(ev), indent=2)


@settings(max_examples=60, deadline=None)
@given(counties(max_size=7), st.sampled_from(POLICIES), st.booleans())
def test_any_county_is_written_as_json_writes_its_dict(schools, policy, complete):
    codes = tuple(s.code for s in schools)
    ev = evaluate(
        EvaluationInput(
            schools=tuple(schools),
            expected_school_codes=codes if complete else (*codes, "S99"),
            standard=STD,
            teaching_point_policy=policy,
        )
    )
    assert evaluation_text(ev) == reference(ev)


def test_a_county_with_entries_survey_points_and_gaps_is_written_as_json_writes_its_dict():
    ev = run(county())
    text = evaluation_text(ev)
    assert text == reference(ev)
    assert '"merged_points": [' in text


def test_the_synthetic_bench_county_with_class_lists_rooms_and_every_kind_is_written_as_json_writes_it():
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    try:
        from bench_pure_eval import synthetic_input
    finally:
        sys.path.pop(0)
    ev = evaluate(synthetic_input(300))
    assert ev.gaps and any(i.schools for i in ev.items.values())
    assert evaluation_text(ev) == reference(ev)


def test_entries_of_unexpected_types_go_through_their_dicts():
    ev = run(county())
    odd_check = SchoolCheck("G4", "X1", "not_met", 3, Decimal("2.5"), OrderedDict(over=Decimal("0.1234567")), "odd")
    odd_finding = Finding("R", "no_data", None, "primary", False, MappingProxyType({"codes": ("R1", "R2")}))
    items = dict(ev.items)
    items["G4"] = replace(items["G4"], schools=(*items["G4"].schools, odd_check))
    ev = replace(ev, items=items, no_data=(*ev.no_data, odd_finding))
    assert evaluation_text(ev) == reference(ev)


def test_a_detail_with_a_key_that_is_not_text_is_written_by_json():
    ev = run(county())
    odd = Finding("R", "no_data", "", "primary", True, {1: "one", "1": "uno"})  # jsonable keeps one of them
    ev = replace(ev, no_data=(*ev.no_data, odd))
    assert evaluation_text(ev) == reference(ev)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_a_rounded_decimal_reads_as_quantize_writes_it(d):
    expected: list[str] = []
    _write(quantize(d, 6), 0, expected)
    assert _rounded(d) == "".join(expected)


@pytest.mark.parametrize("d", ["0.0000004", "-0.0000004", "-0.0000005", "0.0000005", "100", "1E+3", "2.5000000"])
def test_rounding_edges_read_as_quantize_writes_them(d):
    expected: list[str] = []
    _write(quantize(D(d), 6), 0, expected)
    assert _rounded(D(d)) == "".join(expected)


def test_a_decimal_that_is_not_a_number_is_refused_as_before():
    with pytest.raises(ValueError):
        _rounded(D("NaN"))


_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.decimals(allow_nan=False, allow_infinity=False)
)
_details = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.frozensets(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.dictionaries(st.text(max_size=5), inner, max_size=3).map(MappingProxyType),
    ),
    max_leaves=25,
)


@given(_details, st.integers(0, 40))
def test_a_detail_is_written_as_its_jsonable_form(detail, depth):
    direct: list[str] = []
    _write_jsonable(detail, depth, direct)
    copied: list[str] = []
    _write(jsonable(detail), depth, copied)
    assert "".join(direct) == "".join(copied)
