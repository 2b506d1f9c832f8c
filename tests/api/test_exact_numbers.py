"""The API writes a Decimal from its own digits, exactly as the stored results are written (the shared core keeps its
own copy of the rule, since it imports no app)."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongqing.api.renderers import ExactJSONRenderer, decimal_text
from indicators.domain import serialize


def test_worked_examples():
    assert decimal_text(Decimal("0.233854")) == "0.233854"
    assert decimal_text(Decimal("1.50")) == "1.50"  # the digits as stored, trailing zero kept
    assert decimal_text(Decimal("1E+2")) == "100"  # never exponent notation
    assert decimal_text(Decimal("-2.5E-7")) == "-0.00000025"
    assert ExactJSONRenderer().render({"v": Decimal("0.1")}) == b'{"v":0.1}'


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_a_number_json_cannot_hold_is_refused(bad):
    with pytest.raises(ValueError):
        decimal_text(Decimal(bad))


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_the_api_and_the_stored_results_write_the_same_digits(d):
    assert decimal_text(d) == serialize.decimal_text(d)
    text = ExactJSONRenderer().render({"v": d}).decode()
    assert text == serialize.dumps({"v": d}, separators=(",", ":"))
    assert json.loads(text, parse_float=Decimal)["v"] == d
