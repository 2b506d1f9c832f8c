"""How a stored gap reads on the school panel and the round's gap list."""

from decimal import Decimal
from types import SimpleNamespace

from indicators.templatetags.indicator_tags import gap_text


def result(gap, unit):
    return SimpleNamespace(gap=None if gap is None else Decimal(gap), detail={"unit": unit})


def test_counts_read_as_whole_numbers_and_areas_keep_one_decimal():
    assert gap_text(result("46", "classes")) == "46 个班"
    assert gap_text(result("310", "students")) == "310 人"
    assert gap_text(result("2", "teachers")) == "2 人"
    assert gap_text(result("396.44", "m2")) == "396.4 平方米"
    assert gap_text(result("120000", "yuan")) == "120000 元"


def test_no_gap_reads_as_nothing():
    assert gap_text(result(None, "classes")) == ""
