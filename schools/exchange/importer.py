"""Turn uploaded tables into a checked plan: which school gets which figures, classes and rooms.

Every problem is collected (none stops the others), each naming the table, the row and the column as the file
shows them. A plan exists only when there is no problem at all; schools.exchange.services then writes it.

Rules of the exchange (docs: templates/schools/exchange/upload.html repeats them for users):
- 学校填报 / returns.csv is required; 学校标识码 resolves a school the user may see AND enter data for.
- a column absent from the file keeps the school's current figure; an empty cell clears it ("not given");
- a 班级 / 功能室 sheet (classes.csv / rooms.csv) that is present is the complete list for every school of the
  upload (a school with no rows in it ends with none); a sheet that is absent leaves the lists as they are;
- rows for a return that is submitted or approved are skipped when they equal the stored return (so a template or
  export goes back in as it came out) and refused when they would change it, naming the sheet, row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from schools import access
from schools.models import FIGURE_FIELDS, CollectionRound, School, SchoolReturn
from schools.selectors import return_class_rows, return_figures, return_room_rows
from schools.validation import ClassRow, Problem, RoomRow, label, validate_return

from .formats import (
    CLASSES,
    COLUMNS,
    CSV_NAMES,
    RETURNS,
    ROOMS,
    SHEET_NAMES,
    CellError,
    Column,
    english_headers,
    header_lookup,
    header_of,
    normalise_header,
)
from .locked import Change, is_locked, locked_changes
from .reader import Table
from .selectors import baselines


@dataclass(frozen=True)
class ExchangeProblem:
    table: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where = _("%(table)s 第%(row)s行") % {"table": where, "row": self.row}
        if self.column:
            where = f"{where} ‘{self.column}’"
        return f"{where}：{self.message}" if where else self.message


class ImportFailed(Exception):
    def __init__(self, problems: list[ExchangeProblem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Record:
    """One parsed row: values by column key, and the header each key had in the file."""

    number: int
    values: dict[str, Any]
    bad: bool = False  # a cell could not be read (already reported)


@dataclass
class ParsedTable:
    table: Table
    headers: dict[str, str]  # column key → header as written in the file
    records: list[Record] = field(default_factory=list)
    usable: bool = True  # false when the header is wrong: its rows were not read
    english: bool = False  # a CSV with the English exchange names (else Chinese headers, as in the workbook)

    @property
    def title(self) -> str:
        return self.table.title


@dataclass
class Entry:
    school: School
    row: int
    current: SchoolReturn | None
    figures: dict
    classes: list[tuple[int | None, ClassRow]]
    rooms: list[tuple[int | None, RoomRow]]


@dataclass(frozen=True)
class Skipped:
    school: School
    status: str


@dataclass
class Plan:
    round: CollectionRound
    entries: list[Entry]
    returns_title: str
    classes_title: str | None
    rooms_title: str | None
    headers: dict[str, str]  # figure field → header in the returns table (or its canonical name)
    csv: bool = False
    skipped: list[Skipped] = field(default_factory=list)  # submitted or approved, unchanged in the file


# --- parsing: no database ---


def parse_table(table: Table) -> tuple[ParsedTable, list[ExchangeProblem]]:
    problems: list[ExchangeProblem] = []
    lookup = header_lookup(table.kind, csv=table.csv)
    mapping: list[tuple[int, Column]] = []
    headers: dict[str, str] = {}
    for index, raw in enumerate(table.headers):
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        column = lookup.get(normalise_header(text))
        if column is None:
            problems.append(ExchangeProblem(table.title, _("无法识别的列名。"), row=1, column=text))
        elif column.key in headers:
            problems.append(
                ExchangeProblem(
                    table.title,
                    _("与‘%(other)s’重复。") % {"other": headers[column.key]},
                    row=1,
                    column=text,
                )
            )
        else:
            headers[column.key] = text
            mapping.append((index, column))
    # A CSV with the template's Chinese headers is read and named like the template's sheet.
    english = table.csv and all(normalise_header(h) in english_headers(table.kind) for h in headers.values())
    for column in COLUMNS[table.kind]:
        if column.required and column.key not in headers:
            problems.append(
                ExchangeProblem(
                    table.title, _("缺少必需的列‘%(column)s’。") % {"column": header_of(column, csv=english)}
                )
            )
    if english and table.kind == RETURNS and "school_year" not in headers:
        # A CSV with the template's Chinese headers is the template saved as CSV: the round says the year.
        problems.append(ExchangeProblem(table.title, _("缺少必需的列‘school_year’。")))
    parsed = ParsedTable(table=table, headers=headers, usable=not problems, english=english)
    if problems:
        return parsed, problems
    for number, values in table.rows:
        record = Record(number=number, values={})
        for index, column in mapping:
            try:
                if column.scale is not None:
                    value = column.parse(values[index], column.scale)
                else:
                    value = column.parse(values[index])
            except CellError as exc:
                problems.append(ExchangeProblem(table.title, str(exc), row=number, column=headers[column.key]))
                record.bad = True
                continue
            record.values[column.key] = value
        if not record.values.get("school_code"):
            problems.append(
                ExchangeProblem(table.title, _("请填写学校标识码。"), row=number, column=headers["school_code"])
            )
            continue
        parsed.records.append(record)
    return parsed, problems


def parse_tables(tables: list[Table]) -> tuple[dict[str, ParsedTable], list[ExchangeProblem]]:
    problems: list[ExchangeProblem] = []
    parsed: dict[str, ParsedTable] = {}
    for table in tables:
        if table.kind in parsed:
            problems.append(
                ExchangeProblem(
                    table.title,
                    _("与“%(other)s”是同一种表，只能上传一个。") % {"other": parsed[table.kind].title},
                )
            )
            continue
        result, table_problems = parse_table(table)
        parsed[table.kind] = result
        problems += table_problems
    if RETURNS not in parsed and not problems:
        csv = any(t.csv for t in tables)
        name = CSV_NAMES[RETURNS] if csv else str(SHEET_NAMES[RETURNS])
        problems.append(ExchangeProblem("", _("文件中没有“%(name)s”，无法导入。") % {"name": name}))
    return parsed, problems


# --- planning: resolve schools, merge with current figures, validate ---


def plan_import(*, user, round: CollectionRound, tables: list[Table]) -> Plan:
    """Check everything; raise ImportFailed with every problem, or return what to write."""
    if not round.is_open:
        raise ImportFailed([ExchangeProblem("", _("该批次已停止填报，不能导入。"))])
    parsed, problems = parse_tables(tables)
    if RETURNS not in parsed or not all(t.usable for t in parsed.values()) or len(parsed) < len(tables):
        raise ImportFailed(problems)
    returns = parsed[RETURNS]
    csv = returns.english
    codes = {r.values.get("school_code") for t in parsed.values() for r in t.records}
    visible = {s.code: s for s in access.schools_for(user).filter(code__in=codes).select_related("township")}
    year = round.school_year.year
    open_ids = set(School.objects.open_in(year).filter(code__in=codes).values_list("pk", flat=True))
    bad_codes = {r.values["school_code"] for t in parsed.values() for r in t.records if r.bad}

    rows_by_code: dict[str, Record] = {}
    rejected_codes: set[str] = set()
    code_header = returns.headers["school_code"]
    for record in returns.records:
        code = record.values["school_code"]
        school = visible.get(code)
        if "school_year" in record.values and record.values["school_year"] != year:
            problems.append(
                ExchangeProblem(
                    returns.title,
                    _("学年应为%(year)s（本批次的学年）。") % {"year": year},
                    row=record.number,
                    column=returns.headers["school_year"],
                )
            )
        if code in rows_by_code:
            problems.append(
                ExchangeProblem(
                    returns.title,
                    _("学校标识码“%(code)s”重复（另见第%(row)s行）。")
                    % {"code": code, "row": rows_by_code[code].number},
                    row=record.number,
                    column=code_header,
                )
            )
            continue
        if school is None or not access.can_enter_data(user, school):
            problems.append(
                ExchangeProblem(
                    returns.title,
                    _("找不到学校标识码为“%(code)s”的学校，或您无权填报该学校。") % {"code": code},
                    row=record.number,
                    column=code_header,
                )
            )
            rejected_codes.add(code)
            continue
        if school.pk not in open_ids:
            problems.append(
                ExchangeProblem(
                    returns.title,
                    _("%(school)s在本学年未开办或已停办。") % {"school": school.name},
                    row=record.number,
                    column=code_header,
                )
            )
            rejected_codes.add(code)
            continue
        rows_by_code[code] = record

    class_rows = _group_rows(parsed.get(CLASSES), rows_by_code, rejected_codes, returns.title, problems)
    room_rows = _group_rows(parsed.get(ROOMS), rows_by_code, rejected_codes, returns.title, problems)

    base = {b.school.code: b for b in baselines(round=round, schools=[visible[c] for c in rows_by_code])}
    headers = {f: returns.headers.get(f) or _canonical_header(f, csv) for f in FIGURE_FIELDS}
    entries = []
    skipped: list[Skipped] = []
    for code, record in rows_by_code.items():
        baseline = base[code]
        current = baseline.current
        if is_locked(current):
            changes = locked_changes(
                ret=current,
                values=record.values,
                row=record.number,
                classes=class_rows[code] if CLASSES in parsed else None,
                rooms=room_rows[code] if ROOMS in parsed else None,
            )
            if changes:
                problems += [_placed(change, parsed, returns) for change in changes]
            elif code not in bad_codes:
                skipped.append(Skipped(school=baseline.school, status=current.status))
            continue
        source = baseline.source
        figures = return_figures(source) if source is not None else dict.fromkeys(FIGURE_FIELDS)
        figures.update({k: v for k, v in record.values.items() if k in FIGURE_FIELDS})
        classes = (
            class_rows[code]
            if CLASSES in parsed
            else [(None, c) for c in (return_class_rows(source) if source else [])]
        )
        rooms = (
            room_rows[code] if ROOMS in parsed else [(None, r) for r in (return_room_rows(source) if source else [])]
        )
        entry = Entry(
            school=baseline.school, row=record.number, current=current, figures=figures, classes=classes, rooms=rooms
        )
        entries.append(entry)

    plan = Plan(
        round=round,
        entries=entries,
        returns_title=returns.title,
        classes_title=parsed[CLASSES].title if CLASSES in parsed else None,
        rooms_title=parsed[ROOMS].title if ROOMS in parsed else None,
        headers=headers,
        csv=csv,
        skipped=skipped,
    )
    for entry in entries:
        if entry.school.code in bad_codes:
            continue  # its unreadable cells are reported; checking the rest would only add noise
        found = validate_return(
            kind=entry.school.kind,
            figures=entry.figures,
            classes=[c for _n, c in entry.classes],
            rooms=[r for _n, r in entry.rooms],
        )
        problems += locate(plan, entry, [p for p in found if p.is_error])
    if problems:
        raise ImportFailed(sorted(problems, key=_order(plan)))
    return plan


def _placed(change: Change, parsed: dict[str, ParsedTable], returns: ParsedTable) -> ExchangeProblem:
    """A change to a locked return, named by the table, row and column as the file shows them."""
    table = parsed.get(change.table, returns)
    column = table.headers.get(change.column_key) if change.column_key else None
    return ExchangeProblem(table.title, change.message, row=change.row, column=column)


def _canonical_header(field_name: str, csv: bool) -> str:
    return field_name if csv else label(field_name)


def _group_rows(parsed: ParsedTable | None, rows_by_code, rejected_codes, returns_title, problems) -> dict:
    grouped: dict[str, list] = {code: [] for code in rows_by_code}
    if parsed is None:
        return grouped
    for record in parsed.records:
        code = record.values["school_code"]
        if code in rejected_codes:
            continue  # the school's row in the returns table already carries the problem
        if code not in grouped:
            problems.append(
                ExchangeProblem(
                    parsed.title,
                    _("学校标识码“%(code)s”不在“%(table)s”中，或该行有误。") % {"code": code, "table": returns_title},
                    row=record.number,
                    column=parsed.headers["school_code"],
                )
            )
            continue
        v = record.values
        if parsed.table.kind == CLASSES:
            row = ClassRow(v.get("section") or "", v.get("grade"), v.get("name") or "", v.get("students"))
        else:
            row = RoomRow(v.get("room") or "", v.get("area_m2"))
        grouped[code].append((record.number, row))
    return grouped


_LIST_PREFIX = re.compile(r"^(班级名单|功能室)第\d+行：")
CLASS_HINTS = (("班级名称", "name"), ("学生数", "students"), ("学段", "section"), ("年级", "grade"))
ROOM_HINTS = (("类型", "room"), ("面积", "area_m2"))


def locate(plan: Plan, entry: Entry, found: list[Problem]) -> list[ExchangeProblem]:
    """Place validation problems on the file: sheet, row and column of the offending cell."""
    out = []
    for p in found:
        if p.field in FIGURE_FIELDS:
            message = p.message.removeprefix(label(p.field)) if p.message.startswith(label(p.field)) else p.message
            out.append(ExchangeProblem(plan.returns_title, message, row=entry.row, column=plan.headers[p.field]))
        elif p.field in ("classes", "rooms") and p.row is not None:
            rows = entry.classes if p.field == "classes" else entry.rooms
            title = plan.classes_title if p.field == "classes" else plan.rooms_title
            number = rows[p.row - 1][0] if p.row - 1 < len(rows) else None
            if number is None or title is None:
                prefix = _("%(school)s现有的") % {"school": entry.school.name}
                out.append(ExchangeProblem(plan.returns_title, prefix + p.message, row=entry.row))
                continue
            message = _LIST_PREFIX.sub("", p.message)
            hints = CLASS_HINTS if p.field == "classes" else ROOM_HINTS
            out.append(
                ExchangeProblem(title, message, row=number, column=_column_for(message, hints, p.field, plan.csv))
            )
        else:
            out.append(ExchangeProblem(plan.returns_title, p.message, row=entry.row))
    return out


def _column_for(message: str, hints, field_name: str, csv: bool) -> str | None:
    kind = CLASSES if field_name == "classes" else ROOMS
    for word, key in hints:
        if word in message:
            column = next(c for c in COLUMNS[kind] if c.key == key)
            return header_of(column, csv=csv)
    return None


def _order(plan: Plan):
    titles = [plan.returns_title, plan.classes_title, plan.rooms_title]

    def key(p: ExchangeProblem):
        rank = titles.index(p.table) if p.table in titles else -1
        return (rank, p.row or 0)

    return key
