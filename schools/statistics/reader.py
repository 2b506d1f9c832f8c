"""Read a statistics export (one .xlsx of several sheets, or several .xlsx files) into plain sheets.

The statistics system heads each table with one to three header rows, often with merged cells, sometimes under a
title row. For each sheet: merged cells are filled from their top-left cell; the first data row is the first row
holding a 10-digit school code (学校标识码); the rows above it with at least two different texts are the header
rows (a title spread over merged cells has one text and is skipped); each column is named by its header texts from
the top down (a vertically merged cell counted once), e.g. "教学及辅助用房/体育馆". A sheet without any school code
(notes, a cover) is left out. Rows without a code are totals (合计) and are skipped when they say so; any other is
refused by the import. Values are kept as text (numbers from their own digits), to be stored and parsed later.

Files have passed gongqing.uploads.check_upload (sizes, cells, rows, XML) before they get here.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from gongqing.uploads import CheckedUpload, UploadRejected

CODE = re.compile(r"^\d{10}$")
TOTAL_WORDS = ("合计", "总计", "小计")
LEVEL_WORDS = ("年级", "学段")
CODE_WORDS = ("标识码", "学校代码", "学校编码")
MAX_HEADER_SCAN = 15
MAX_COLUMNS = 200


@dataclass
class Column:
    key: str  # the header texts top-down, joined by "/"
    letter: str
    index: int


@dataclass
class Sheet:
    key: str  # the sheet's name (with the file's name when two files hold sheets of one name)
    ident: str  # the sheet's shape: a hash of its column names (a mapping names sheets by it, not by name)
    columns: list[Column]
    code_index: int
    level_index: int | None
    rows: list[tuple[int, list[str | None]]] = field(default_factory=list)  # (row number, values)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Sheet:
        return cls(
            key=data["key"],
            ident=data["ident"],
            columns=[Column(**c) for c in data["columns"]],
            code_index=data["code_index"],
            level_index=data["level_index"],
            rows=[(n, list(values)) for n, values in data["rows"]],
        )


def text(value) -> str | None:
    """A cell as text: numbers from their own digits (a float through its repr), None for empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        d = Decimal(repr(value))
        return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d)
    if isinstance(value, Decimal):
        return str(value)
    s = str(value).strip()
    return s or None


def normalise(label: str) -> str:
    return re.sub(r"\s+", "", label.replace("（", "(").replace("）", ")"))


def read_uploads(uploads: list[CheckedUpload]) -> list[Sheet]:
    """Every data sheet of the files, in order; refuses a set of files with no school codes at all."""
    sheets: list[Sheet] = []
    many = len(uploads) > 1
    for upload in uploads:
        try:
            wb = openpyxl.load_workbook(upload.open(), data_only=True, keep_links=False)
        except Exception:  # a file that passed the checks but openpyxl cannot parse is a bad file
            raise UploadRejected(
                _("无法读取“%(name)s”，文件可能已损坏。请用Excel或WPS重新保存为.xlsx后再上传。") % {"name": upload.name}
            ) from None
        try:
            for ws in wb.worksheets:
                key = ws.title if not many else f"{upload.name.rsplit('.', 1)[0]}·{ws.title}"
                sheet = read_sheet(ws, key)
                if sheet is not None:
                    sheets.append(sheet)
        finally:
            wb.close()
    idents: dict[str, int] = {}
    for s in sheets:  # two sheets of one shape (rare) are told apart by their order
        idents[s.ident] = idents.get(s.ident, 0) + 1
        if idents[s.ident] > 1:
            s.ident = f"{s.ident}#{idents[s.ident]}"
    if not sheets:
        raise UploadRejected(_("文件中没有找到学校标识码（10位数字）的数据行，请确认上传的是统计系统导出的基表。"))
    return sheets


def _grid(ws) -> list[list]:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    if width > MAX_COLUMNS:
        raise UploadRejected(_("工作表“%(sheet)s”的列数超过%(max)s列。") % {"sheet": ws.title, "max": MAX_COLUMNS})
    for r in rows:
        r.extend([None] * (width - len(r)))
    for merged in ws.merged_cells.ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else None
        for r in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
            for c in range(merged.min_col, min(merged.max_col, width) + 1):
                rows[r - 1][c - 1] = value
    return rows


def read_sheet(ws, key: str) -> Sheet | None:
    grid = _grid(ws)
    start = code_index = None
    for i, row in enumerate(grid[: MAX_HEADER_SCAN + 1]):
        for j, value in enumerate(row):
            if CODE.match(text(value) or ""):
                start, code_index = i, j
                break
        if start is not None:
            break
    if start is None:
        return None
    header_rows = []
    for row in grid[:start]:
        texts = {t for t in (text(v) for v in row) if t}
        if len(texts) >= 2:
            header_rows.append([text(v) for v in row])
    columns: list[Column] = []
    seen: dict[str, int] = {}
    level_index = None
    for j in range(len(grid[start])):
        parts: list[str] = []
        for hr in header_rows:
            part = hr[j] if j < len(hr) else None
            if part and (not parts or parts[-1] != normalise(part)):
                parts.append(normalise(part))
        if not parts:
            continue
        label = "/".join(parts)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label}#{seen[label]}"
        columns.append(Column(label, get_column_letter(j + 1), j))
        if j != code_index and level_index is None and any(w in parts[-1] for w in LEVEL_WORDS):
            level_index = j
    ident = hashlib.sha256(json.dumps([c.key for c in columns], ensure_ascii=False).encode()).hexdigest()[:12]
    sheet = Sheet(key=key, ident=ident, columns=columns, code_index=code_index, level_index=level_index)
    for i, row in enumerate(grid[start:], start=start + 1):
        values = [text(v) for v in row]
        if all(v is None for v in values):
            continue
        sheet.rows.append((i, values))
    return sheet


def signature(sheets: list[Sheet]) -> str:
    """The format's identity: the shapes of its sheets, whatever the files and sheets are called or their order."""
    return hashlib.sha256(json.dumps(sorted(s.ident for s in sheets)).encode()).hexdigest()


def is_total(values: list[str | None]) -> bool:
    return any(v and any(w in v for w in TOTAL_WORDS) for v in values)
