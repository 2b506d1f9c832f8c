"""Read checked uploads (see gongqing.uploads) into plain tables: a header and numbered rows of raw values.

Workbooks open read-only with cached values (formulas are never evaluated), and every sheet is capped at
MAX_ROWS_PER_SHEET rows and at the width of its header; their cells were counted by check_upload. CSVs are read
as streams, header first, each line bounded, under the same rows per table and one budget of cells per import
(MAX_CELLS_PER_IMPORT), so memory stays bounded whatever the file. The caps live in gongqing.uploads.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

from gongqing import uploads
from gongqing.uploads import CheckedUpload, UploadRejected

from .formats import CSV_NAMES, SHEET_NAMES, TABLES, csv_kind, normalise_header

MAX_COLUMNS = 200
MAX_LINE_CHARS = 64 * 1024
_CHUNK = 1024 * 1024


@dataclass
class Table:
    kind: str  # returns / classes / rooms
    title: str  # how messages name it: the sheet name or the file name
    headers: list[Any]
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number in the file, values)
    csv: bool = False


def _too_many_rows(title: str) -> UploadRejected:
    return UploadRejected(
        _("“%(title)s”超过%(max)s行，请分批上传。") % {"title": title, "max": f"{uploads.MAX_ROWS_PER_SHEET:,}"}
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
    if ws.max_row is not None and ws.max_row > uploads.MAX_ROWS_PER_SHEET + 1:
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
        if number > uploads.MAX_ROWS_PER_SHEET + 1:
            raise _too_many_rows(title)
        if _blank_row(values):
            continue
        table.rows.append((number, tuple(values) + (None,) * (width - len(values))))
    return table


class CellBudget:
    """The cells one import may hold, across all its tables (uploads.MAX_CELLS_PER_IMPORT, as for a workbook)."""

    def __init__(self, limit: int | None = None):
        self.limit = uploads.MAX_CELLS_PER_IMPORT if limit is None else limit
        self.used = 0

    def take(self, cells: int) -> None:
        self.used += cells
        if self.used > self.limit:
            raise UploadRejected(_("文件的单元格超过%(max)s个，请分批上传。") % {"max": f"{self.limit:,}"})


def csv_encoding(open_binary: Callable[[], IO[bytes]]) -> str:
    """UTF-8 with or without a BOM, or GB18030 (what Excel and WPS save on a Chinese Windows), told in one streaming
    pass without keeping the text."""
    with open_binary() as fh:
        head = fh.read(len(codecs.BOM_UTF8))
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def read_csv(open_binary: Callable[[], IO[bytes]], title: str, budget: CellBudget | None = None) -> Table:
    """One CSV, read as a stream: the header first (its width, and which table it is: returns, classes or rooms),
    then the rows, each line at most MAX_LINE_CHARS, held to MAX_ROWS_PER_SHEET rows and to the import's cells."""
    budget = budget or CellBudget()
    encoding = csv_encoding(open_binary)
    with open_binary() as fh:
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        try:
            reader = csv.reader(_lines(text, title))
            header = next(reader, [])
            if len(header) > MAX_COLUMNS:
                raise _too_many_columns(title)
            kind = _csv_kind(header, title)
            budget.take(len(header))
            table = Table(kind=kind, title=title, headers=header, csv=True)
            width = len(header)
            for count, values in enumerate(reader, start=1):
                if count > uploads.MAX_ROWS_PER_SHEET:
                    raise _too_many_rows(title)
                budget.take(len(values))
                values = values[:width]
                if _blank_row(values):
                    continue
                table.rows.append((count + 1, tuple(values) + (None,) * (width - len(values))))
        except csv.Error:
            raise UploadRejected(_("“%(title)s”不是有效的CSV文件。") % {"title": title}) from None
        except UnicodeDecodeError:
            raise UploadRejected(
                _("无法识别“%(title)s”的编码，请保存为UTF-8或GB18030编码的CSV。") % {"title": title}
            ) from None
        finally:
            text.detach()
    return table


def _lines(text: io.TextIOBase, title: str):
    while line := text.readline(MAX_LINE_CHARS):
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise UploadRejected(
                _("“%(title)s”中有一行超过%(max)s个字符，请检查文件。") % {"title": title, "max": f"{MAX_LINE_CHARS:,}"}
            )
        yield line


def _csv_kind(header: list[str], title: str) -> str:
    kind = csv_kind(header)
    if kind is None:
        raise UploadRejected(
            _("无法识别“%(title)s”：表头应为填报模板的中文列名或%(files)s的英文字段名（见本页“字段说明”）。")
            % {"title": title, "files": "、".join(CSV_NAMES.values())}
        )
    return kind


def read_csv_zip(upload: CheckedUpload, budget: CellBudget | None = None) -> list[Table]:
    """The CSVs inside a ZIP already checked by check_upload (entry count, sizes, ratios): at most one of each
    table, judged from the directory before any is read, then each read as a stream within one cell budget."""
    budget = budget or CellBudget()
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    with zipfile.ZipFile(upload.open()) as archive:
        entries = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        for info in entries:
            if not info.filename.lower().endswith(".csv"):
                raise UploadRejected(
                    _("压缩包中只能包含CSV文件（%(files)s），不能包含“%(name)s”。")
                    % {"files": "、".join(CSV_NAMES.values()), "name": info.filename}
                )
            if info.file_size > limit:
                raise UploadRejected(_("压缩包中的“%(name)s”过大。") % {"name": info.filename})
        if len(entries) > len(CSV_NAMES):
            raise UploadRejected(
                _("压缩包中最多%(n)s个CSV文件（%(files)s），该压缩包有%(count)s个。")
                % {"n": len(CSV_NAMES), "files": "、".join(CSV_NAMES.values()), "count": len(entries)}
            )
        return [read_csv(partial(archive.open, info), info.filename.rsplit("/", 1)[-1], budget) for info in entries]
