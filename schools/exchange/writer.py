"""Write returns as XLSX (three sheets, Chinese headers) or as a ZIP of three CSVs (English headers).

Both round-trip into the upload. Every user-derived string goes through gongqing.spreadsheets (formula neutralised).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import Workbook

from gongqing.spreadsheets import append_row, csv_bytes
from schools.models import FIGURE_FIELDS, RoomKind, School, SchoolReturn, Section

from .formats import CLASSES, CSV_NAMES, RETURNS, ROOMS, SHEET_NAMES, csv_columns, xlsx_columns

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportRow:
    school: School
    ret: SchoolReturn | None  # where the figures, classes and rooms come from; None → code and name only


def _figures(ret: SchoolReturn | None) -> list:
    return [getattr(ret, f) if ret is not None else None for f in FIGURE_FIELDS]


def _classes(ret: SchoolReturn | None) -> list:
    return list(ret.classes.all()) if ret is not None else []


def _rooms(ret: SchoolReturn | None) -> list:
    return list(ret.rooms.all()) if ret is not None else []


def workbook_bytes(rows: Iterable[ExportRow]) -> bytes:
    rows = list(rows)
    wb = Workbook(write_only=True)
    sheets = {}
    for table in (RETURNS, CLASSES, ROOMS):
        ws = wb.create_sheet(str(SHEET_NAMES[table]))
        ws.freeze_panes = "A2"
        append_row(ws, [str(c.header) for c in xlsx_columns(table)])
        sheets[table] = ws
    for row in rows:
        code, name = row.school.code, row.school.name
        append_row(sheets[RETURNS], [code, name, *_figures(row.ret)])
        for c in _classes(row.ret):
            append_row(sheets[CLASSES], [code, name, str(Section(c.section).label), c.grade, c.name, c.students])
        for r in _rooms(row.ret):
            append_row(sheets[ROOMS], [code, name, str(RoomKind(r.room).label), r.area_m2])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_zip_bytes(rows: Iterable[ExportRow], *, school_year: int) -> bytes:
    rows = list(rows)
    returns = [[school_year, r.school.code, *_figures(r.ret)] for r in rows]
    classes = [[r.school.code, c.section, c.grade, c.name, c.students] for r in rows for c in _classes(r.ret)]
    rooms = [[r.school.code, m.room, m.area_m2] for r in rows for m in _rooms(r.ret)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, data in ((RETURNS, returns), (CLASSES, classes), (ROOMS, rooms)):
            header = [c.csv for c in csv_columns(table)]
            archive.writestr(CSV_NAMES[table], csv_bytes(header, data))
    return out.getvalue()
