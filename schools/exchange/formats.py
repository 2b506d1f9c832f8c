"""The exchange formats of GLOSSARY.md: the columns of each sheet / CSV, and turning one cell into a value.

Pure code: no database. Each table has a Chinese header (XLSX for people) and an English one (CSV for machines).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongqing.spreadsheets import restore_text
from schools.models import FIGURE_FIELDS, SchoolReturn

RETURNS, CLASSES, ROOMS = "returns", "classes", "rooms"
TABLES = (RETURNS, CLASSES, ROOMS)
SHEET_NAMES = {RETURNS: gettext_lazy("学校填报"), CLASSES: gettext_lazy("班级"), ROOMS: gettext_lazy("功能室")}
CSV_NAMES = {RETURNS: "returns.csv", CLASSES: "classes.csv", ROOMS: "rooms.csv"}
WAN_YUAN = Decimal(10000)
MAX_COUNT = 2_147_483_647
MAX_AMOUNT = Decimal(10) ** 12
CENT = Decimal("0.01")


class CellError(ValueError):
    """A cell's content cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # Chinese header, lazily translated
    csv: str | None  # English CSV name; None for XLSX-only columns
    parse: Callable[[Any], Any]
    scale: Decimal | None = None  # multiply by this (万元 → 元)
    required: bool = False


def normalise_header(value: Any) -> str:
    """Headers compare without spaces and with half-width brackets: 教学仪器设备值(万元) == 教学仪器设备值（万元）."""
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")").lower()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_count(value: Any) -> int | None:
    if value.__class__ is str and len(value) <= 10 and value.isascii() and value.isdigit():
        number = int(value)  # plain digits, the usual cell: what the general way below gives them
        if number > MAX_COUNT:
            raise CellError(_("数值过大"))
        return number
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为整数"))
    if isinstance(value, int):
        number = value
    else:
        try:
            decimal = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise CellError(_("应为整数，而不是“%(value)s”") % {"value": _shown(value)}) from None
        if not decimal.is_finite() or decimal != decimal.to_integral_value():
            raise CellError(_("应为整数，而不是“%(value)s”") % {"value": _shown(value)})
        number = int(decimal)
    if abs(number) > MAX_COUNT:
        raise CellError(_("数值过大"))
    return number


def parse_amount(value: Any, scale: Decimal | None = None) -> Decimal | None:
    if value.__class__ is str and len(value) <= 30 and value.isascii() and value.replace(".", "", 1).isdigit():
        amount = Decimal(value)  # digits with at most one point, the usual cell: a finite number as written
    else:
        if _blank(value):
            return None
        if isinstance(value, bool):
            raise CellError(_("应为数字"))
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise CellError(_("应为数字，而不是“%(value)s”") % {"value": _shown(value)}) from None
        if not amount.is_finite():
            raise CellError(_("应为数字，而不是“%(value)s”") % {"value": _shown(value)})
    if scale is not None:
        amount *= scale
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(amount) >= MAX_AMOUNT:
        raise CellError(_("数值过大"))
    return amount


def parse_bool(value: Any) -> bool | None:
    """1/0, true/false or 是/否; empty means not given."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "1.0", "true", "是", "y", "yes"):
        return True
    if text in ("0", "0.0", "false", "否", "n", "no"):
        return False
    raise CellError(_("应为是/否、1/0或true/false，而不是“%(value)s”") % {"value": _shown(value)})


def parse_text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore_text(str(value).strip())


def parse_code(value: Any) -> str:
    """A 学校标识码; Excel may have stored it as a number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return parse_text(value)


def _choice(mapping: dict[str, str], expected: Callable[[], str]) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        if _blank(value):
            return None
        text = parse_text(value).lower()
        if text in mapping:
            return mapping[text]
        raise CellError(_("应为%(expected)s，而不是“%(value)s”") % {"expected": expected(), "value": _shown(value)})

    return parse


parse_section = _choice(
    {"小学": "primary", "primary": "primary", "初中": "junior", "junior": "junior"}, lambda: _("小学或初中")
)
parse_room = _choice(
    {
        "音乐": "music",
        "音乐专用教室": "music",
        "音乐教室": "music",
        "music": "music",
        "美术": "art",
        "美术专用教室": "art",
        "美术教室": "art",
        "art": "art",
    },
    lambda: _("音乐或美术"),
)


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:20] + "…"


def _figure_column(field: str) -> Column:
    model_field = SchoolReturn._meta.get_field(field)
    parse = parse_amount if model_field.get_internal_type() == "DecimalField" else parse_count
    return Column(field, model_field.verbose_name, field, parse)


CODE = Column("school_code", gettext_lazy("学校标识码"), "school_code", parse_code, required=True)
NAME = Column("school_name", gettext_lazy("学校名称"), None, parse_text)
YEAR = Column("school_year", gettext_lazy("学年"), "school_year", parse_count)
FIGURE_COLUMNS = tuple(_figure_column(f) for f in FIGURE_FIELDS)
EQUIPMENT_WAN = Column("equipment_value_yuan", gettext_lazy("教学仪器设备值(万元)"), None, parse_amount, scale=WAN_YUAN)

COLUMNS: dict[str, tuple[Column, ...]] = {
    RETURNS: (YEAR, CODE, NAME, *FIGURE_COLUMNS),
    CLASSES: (
        CODE,
        NAME,
        Column("section", gettext_lazy("学段"), "section", parse_section, required=True),
        Column("grade", gettext_lazy("年级"), "grade", parse_count, required=True),
        Column("name", gettext_lazy("班级名称"), "name", parse_text, required=True),
        Column("students", gettext_lazy("学生数"), "students", parse_count, required=True),
    ),
    ROOMS: (
        CODE,
        NAME,
        Column("room", gettext_lazy("功能室"), "room", parse_room, required=True),
        Column("area_m2", gettext_lazy("面积（平方米）"), "area_m2", parse_amount),
    ),
}
# Accepted on import besides COLUMNS (XLSX only).
ALTERNATIVE_COLUMNS: dict[str, tuple[Column, ...]] = {RETURNS: (EQUIPMENT_WAN,), CLASSES: (), ROOMS: ()}


def xlsx_columns(table: str) -> tuple[Column, ...]:
    """The columns an XLSX sheet is written with: no year (the round says it)."""
    return tuple(c for c in COLUMNS[table] if c.key != "school_year")


def csv_columns(table: str) -> tuple[Column, ...]:
    return tuple(c for c in COLUMNS[table] if c.csv is not None)


def header_lookup(table: str, *, csv: bool) -> dict[str, Column]:
    """Normalised header → column, for the headers a file of this kind may use. A CSV may use the English names or
    the template's Chinese headers (what Excel or WPS write when the template is saved as CSV)."""
    columns = (*xlsx_columns(table), *ALTERNATIVE_COLUMNS[table])
    lookup = {normalise_header(c.header): c for c in columns}
    if csv:
        lookup |= {normalise_header(c.header): c for c in COLUMNS[table]}
        lookup |= {normalise_header(c.csv): c for c in csv_columns(table)}
    return lookup


def english_headers(table: str) -> set[str]:
    return {normalise_header(c.csv) for c in csv_columns(table)}


def csv_kind(header: list) -> str | None:
    """Which table a CSV holds, told from its header in English or Chinese: the class and room tables by their
    section and room columns, the returns table by its year or any figure column."""
    names = {normalise_header(h) for h in header}
    for table, key in ((CLASSES, "section"), (ROOMS, "room")):
        column = next(c for c in COLUMNS[table] if c.key == key)
        if names & {normalise_header(column.csv), normalise_header(column.header)}:
            return table
    returns = set(header_lookup(RETURNS, csv=True)) - {normalise_header(CODE.header), normalise_header(CODE.csv)}
    returns -= {normalise_header(NAME.header)}
    return RETURNS if names & returns else None


def header_of(column: Column, *, csv: bool) -> str:
    return column.csv if csv and column.csv else str(column.header)
