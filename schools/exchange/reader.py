"""Read checked uploads (see gongqing.uploads) into plain tables: a header and numbered rows of raw values.

Workbooks open read-only with cached values (formulas are never evaluated), and every sheet is capped at
MAX_ROWS_PER_SHEET rows and at the width of its header.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

from gongqing.uploads import MAX_ROWS_PER_SHEET, CheckedUpload, UploadRejected

from .formats import CSV_NAMES, RETURNS, SHEET_NAMES, TABLES, normalise_header

MAX_COLUMNS = 200


@dataclass
class Table:
    kind: str  # returns / classes / rooms
    title: str  # how messages name it: the sheet name or the file name
    headers: list[Any]
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number in the file, values)
    csv: bool = False


def _too_many_rows(title: str) -> UploadRejected:
    return UploadRejected(
        _("“%(title)s”超过%(max)s行，请分批上传。") % {"title": title, "max": f"{MAX_ROWS_PER_SHEET:,}"}
    )


def _too_many_columns(title: str) -> UploadRejected:
    return UploadRejected(_("“%(title)s”的列数超过%(max)s列，请检查表头。") % {"title": title, "max": MAX_COLUMNS})


def _blank_row(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_workbook(upload: CheckedUpload) -> dict[str, Table]:
    """The sheets 学校填报 / 班级 / 功能室 found in the workbook (other sheets are ignored)."""
    wb = openpyxl.load_workbook(upload.open(), read_only=True, data_only=True, keep_links=False)
    try:
        wanted = {normalise_header(SHEET_NAMES[kind]): kind for kind in TABLES}
        tables: dict[str, Table] = {}
        for ws in wb.worksheets:
            kind = wanted.get(normalise_header(ws.title))
            if kind is None or kind in tables:
                continue
            tables[kind] = _read_sheet(ws, kind)
        return tables
    finally:
        wb.close()


def _read_sheet(ws, kind: str) -> Table:
    title = ws.title
    if ws.max_row is not None and ws.max_row > MAX_ROWS_PER_SHEET + 1:
        raise _too_many_rows(title)
    # The declared dimension may lie (rows past it would be silently dropped): read what is there, capped.
    ws.reset_dimensions()
    header = list(next(ws.iter_rows(max_row=1, values_only=True), ()) or ())
    while header and header[-1] in (None, ""):
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise _too_many_columns(title)
    table = Table(kind=kind, title=title, headers=header)
    width = len(header)
    for number, values in enumerate(ws.iter_rows(min_row=2, max_col=max(width, 1), values_only=True), start=2):
        if number > MAX_ROWS_PER_SHEET + 1:
            raise _too_many_rows(title)
        if _blank_row(values):
            continue
        table.rows.append((number, tuple(values) + (None,) * (width - len(values))))
    return table


def decode_text(data: bytes, title: str) -> str:
    """UTF-8 with or without a BOM, or GB18030 (what Excel and WPS save on a Chinese Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejected(_("无法识别“%(title)s”的编码，请保存为UTF-8或GB18030编码的CSV。") % {"title": title})


def read_csv(data: bytes, title: str) -> Table:
    """One CSV; which table it is (returns, classes, rooms) is told by its header."""
    text = decode_text(data, title)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        if len(header) > MAX_COLUMNS:
            raise _too_many_columns(title)
        kind = _csv_kind(header, title)
        table = Table(kind=kind, title=title, headers=header, csv=True)
        width = len(header)
        for count, values in enumerate(reader, start=1):
            if count > MAX_ROWS_PER_SHEET:
                raise _too_many_rows(title)
            number = count + 1
            values = values[:width]
            if _blank_row(values):
                continue
            table.rows.append((number, tuple(values) + (None,) * (width - len(values))))
    except csv.Error:
        raise UploadRejected(_("“%(title)s”不是有效的CSV文件。") % {"title": title}) from None
    return table


def _csv_kind(header: list[str], title: str) -> str:
    names = {normalise_header(h) for h in header}
    if "school_year" in names:
        return RETURNS
    if "section" in names:
        return "classes"
    if "room" in names:
        return "rooms"
    raise UploadRejected(
        _("无法识别“%(title)s”：表头应为%(files)s之一的英文列名（见字段说明）。")
        % {"title": title, "files": "、".join(CSV_NAMES.values())}
    )


def read_csv_zip(upload: CheckedUpload) -> list[Table]:
    """The CSVs inside a ZIP already checked by check_upload (entry count, sizes, ratios)."""
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    tables = []
    with zipfile.ZipFile(upload.open()) as archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir() or name.startswith("__MACOSX/"):
                continue
            if not name.lower().endswith(".csv"):
                raise UploadRejected(
                    _("压缩包中只能包含CSV文件（%(files)s），不能包含“%(name)s”。")
                    % {"files": "、".join(CSV_NAMES.values()), "name": name}
                )
            if info.file_size > limit:
                raise UploadRejected(_("压缩包中的“%(name)s”过大。") % {"name": name})
            with archive.open(info) as fh:
                tables.append(read_csv(fh.read(limit + 1), name.rsplit("/", 1)[-1]))
    return tables
