"""Reading one cell of an exchange file: pure functions, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schools.exchange.formats import (
    WAN_YUAN,
    CellError,
    normalise_header,
    parse_amount,
    parse_bool,
    parse_code,
    parse_count,
    parse_section,
)


@pytest.mark.parametrize(("raw", "value"), [(12, 12), (12.0, 12), ("1,200", 1200), (" 7 ", 7), (-3, -3), ("", None)])
def test_counts_accept_whole_numbers_however_excel_stored_them(raw, value):
    assert parse_count(raw) == value


@pytest.mark.parametrize("raw", [1.5, "abc", "1e400", True, 10**10])
def test_counts_refuse_anything_else(raw):
    with pytest.raises(CellError):
        parse_count(raw)


def test_amounts_are_decimal_to_the_cent_and_wan_yuan_scale_to_yuan():
    assert parse_amount(2600.1) == Decimal("2600.10")
    assert parse_amount("1,234.565") == Decimal("1234.57")
    assert parse_amount(90.5, WAN_YUAN) == Decimal("905000.00")
    assert parse_amount("0.00001", WAN_YUAN) == Decimal("0.10")
    with pytest.raises(CellError):
        parse_amount("NaN")


@pytest.mark.parametrize(
    ("raw", "value"),
    [(1, True), ("0", False), ("TRUE", True), ("false", False), ("是", True), ("否", False), (None, None)],
)
def test_booleans_read_one_zero_true_false_and_shi_fou(raw, value):
    assert parse_bool(raw) is value


def test_a_boolean_of_another_word_is_refused():
    with pytest.raises(CellError):
        parse_bool("也许")


def test_codes_stored_as_numbers_come_back_as_text():
    assert parse_code(2136000001.0) == "2136000001"
    assert parse_code(" 2136000001 ") == "2136000001"


def test_sections_read_chinese_or_english():
    assert parse_section("小学") == parse_section("primary") == "primary"
    assert parse_section("初中") == "junior"
    with pytest.raises(CellError):
        parse_section("高中")


def test_headers_compare_without_spaces_and_bracket_width():
    assert normalise_header(" 教学仪器设备值（万元） ") == normalise_header("教学仪器设备值(万元)")


def _read(parse, raw, *args, message=True):
    """The value, or the message of the CellError (which quotes the cell as written)."""
    try:
        return parse(raw, *args)
    except CellError as exc:
        return f"error: {exc}" if message else "error"


@given(st.from_regex(r"\A[0-9]{1,12}\Z"))
def test_a_plain_digit_cell_reads_as_the_general_way_reads_it(cell):
    # a space before the digits sends the cell the general way (strip, Decimal); plain digits take the short one
    assert _read(parse_count, cell, message=False) == _read(parse_count, f" {cell}", message=False)


@given(st.from_regex(r"\A[0-9]{0,16}(\.[0-9]{0,8})?\Z"), st.sampled_from([None, WAN_YUAN]))
def test_a_plain_decimal_cell_reads_as_the_general_way_reads_it(cell, scale):
    assert _read(parse_amount, cell, scale, message=False) == _read(parse_amount, f" {cell}", scale, message=False)


def test_plain_cells_give_the_same_values_and_messages_as_before():
    assert parse_count("0472") == 472
    assert parse_count("2147483647") == 2_147_483_647
    assert _read(parse_count, "2147483648") == "error: 数值过大"
    assert _read(parse_count, "١٢") == 12  # Arabic-Indic digits: the general way, as before
    assert parse_amount("3000") == Decimal("3000.00")
    assert parse_amount("12.345") == Decimal("12.35")
    assert parse_amount(".5") == Decimal("0.50")
    assert _read(parse_amount, "1000000000000") == "error: 数值过大"
    assert _read(parse_amount, "1.2.3") == "error: 应为数字，而不是“1.2.3”"
