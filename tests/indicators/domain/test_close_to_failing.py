"""Close to failing, read from the indicator dictionary: a minimum, a cap, a rule-judged item, an all-or-nothing
item."""

from decimal import Decimal

import pytest

from indicators.domain import forecast
from indicators.domain.forecast import MAX, MIN, RULE
from indicators.domain.standard import IndicatorDef, national_2017

D = Decimal


# --- The rule, from the dictionary -----------------------------------------------------------------------------------


def test_the_direction_is_read_from_the_dictionarys_comparison():
    std = national_2017()
    side = {code: forecast.direction_of(d) for code, d in std.indicators.items()}
    assert [side[c] for c in ("R1", "R5", "R7")] == [MIN, MIN, MIN]  # ">=" one threshold per section
    assert side["Q4"] == MIN  # ">=" 5 %
    assert side["G12"] is None  # ">=" 100 %: all or nothing
    assert side["G9"] is None  # parts ">=" 100 %
    assert [side[c] for c in ("G3", "G4", "G5", "G6", "G7")] == [RULE] * 5
    assert side["G1"] is None and side["V1"] is None  # yes/no, veto
    assert side["Q9"] is None  # mixed parts (level ">=", difference rate "<")
    cap = IndicatorDef("X1", "guarantee", "上限", "人", "school", "computed", "<=", {"n": D("2000")})
    assert forecast.direction_of(cap) == MAX


@pytest.mark.parametrize("direction", [MAX, RULE])
def test_a_cap_is_close_within_ten_percent_below_it(direction):
    close = lambda v: forecast.is_close(status="met", value=D(v), threshold=D("2000"), direction=direction)  # noqa: E731
    assert close("1850")  # 1850 > 0.9 × 2000 = 1800
    assert not close("1700")
    assert not close("1800")  # exactly 10% below: not close
    assert close("2000")  # at the cap
    assert not close("81")  # the demo's small school against 2,000
    assert forecast.heat_class(status="met", value=D("1850"), threshold=D("2000"), direction=direction) == "close"
    assert forecast.heat_class(status="not_met", value=D("2310"), threshold=D("2000"), direction=direction) == "not-met"


@pytest.mark.parametrize("direction", [MIN, RULE])
def test_a_minimum_is_close_within_ten_percent_above_it(direction):
    close = lambda v: forecast.is_close(status="met", value=D(v), threshold=D("4.5"), direction=direction)  # noqa: E731
    assert close("4.9")  # 4.9 < 4.95
    assert not close("5.0")
    assert not close("4.95")
    assert close("4.5")


def test_an_all_or_nothing_item_is_never_close():
    assert not forecast.is_close(status="met", value=D("100"), threshold=D("100"), direction=None)
    assert forecast.heat_class(status="met", value=D("100"), threshold=D("100"), direction=None) == "met"
    assert forecast.heat_class(status="not_met", value=D("91.7"), threshold=D("100"), direction=None) == "not-met"
