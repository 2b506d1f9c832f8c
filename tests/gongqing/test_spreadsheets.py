"""Safe cells: user text never becomes a formula in an exported spreadsheet or CSV."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from gongqing.spreadsheets import append_row, csv_bytes, restore_text, safe_cell, safe_text


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")'])
def test_it_prefixes_text_that_would_start_a_formula(text):
    assert safe_text(text) == "'" + text
    assert restore_text(safe_text(text)) == text


@pytest.mark.parametrize("text", ["甘露镇中心小学", "1年级1班", "", "'quoted", "a=b"])
def test_it_leaves_other_text_alone(text):
    assert safe_text(text) == text
    assert restore_text(text) == text


def test_numbers_dates_and_none_pass_unchanged():
    assert safe_cell(-5) == -5
    assert safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell(None) is None


def test_control_characters_that_xlsx_cannot_hold_are_dropped():
    assert safe_text("a\x01b\x1fc") == "abc"


def test_a_workbook_written_through_append_row_has_no_formula_cells():
    wb = Workbook()
    append_row(wb.active, ['=HYPERLINK("http://evil/")', "+cmd", "@SUM(A1)", -3, "\x02=1"])
    out = io.BytesIO()
    wb.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [c.data_type for c in row] == ["s", "s", "s", "n", "s"]
    assert [c.value for c in row] == ['\'=HYPERLINK("http://evil/")', "'+cmd", "'@SUM(A1)", -3, "'=1"]


def test_csv_is_utf8_with_a_bom_and_neutralised():
    data = csv_bytes(["name", "n"], [["=cmd", -1], ["一年级", None], ["@x", Decimal("2.50")]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "n"], ["'=cmd", "-1"], ["一年级", ""], ["'@x", "2.50"]]
