"""The mapping of a statistics export's columns to the portal's figures, and its application (pure: no database).

A mapping is `{"figures": {field: [[sheet ident, column key], ...]}, "bands": [[sheet ident, column key], ...]}`:
a portal figure is the sum of its columns over the school's rows (a sports ground plus a gymnasium; several room
uses; the PE, music and art subject columns). Rows of a sheet with a grade or section column (年级 / 学段) go to
the section of their grade, by the school's kind: grades 1–6 primary, 7–9 junior, 10–12 senior (kinds with a
senior section only); every row of a special school is the special school's. A section figure takes only its
section's rows; a whole-school figure takes every row. 班额 columns (25人及以下 … 66人及以上) are kept as bands
per section. A column headed in 万元 is converted to yuan (× 10,000), and its rounding step is 0.01 万元 = 100 yuan;
every other column is in whole units (persons, classes, rooms, m²) with a step of 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools.models import KIND_SECTIONS, KINDS_WITH_SENIOR, SchoolKind

from .reader import CODE, Sheet, is_total

SECTION_SUFFIXES = ("students", "classes", "teachers", "teachers_above_required", "teachers_pe_arts")
SECTION_FIGURES = tuple(f"{s}_{x}" for s in ("primary", "junior") for x in SECTION_SUFFIXES)
OTHER_FIGURES = (
    "senior_students",
    "special_students",
    "special_teachers",
    "teaching_area_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_rooms",
    "land_area_m2",
    "classrooms",
    "classrooms_connected",
)
# The portal figures a statistics return holds (no backbone or certified teachers, no funds, no class list by name).
STAT_FIGURES = SECTION_FIGURES + OTHER_FIGURES
AMOUNTS = frozenset({"teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "land_area_m2"})
TEN_THOUSAND = Decimal(10000)
ONE = Decimal(1)
WAN_STEP = Decimal("100")  # 0.01 万元


def scope(figure: str) -> str | None:
    """The section a figure belongs to (primary, junior, senior, special), or None for a whole-school figure."""
    head = figure.split("_", 1)[0]
    return head if head in ("primary", "junior", "senior", "special") else None


# --- defaults from the header text -----------------------------------------------------------------------------------
BAND = re.compile(r"^(?:(\d+)人(?:及以|以)下|(\d+)[-~～—至](\d+)人|(\d+)人(?:及以|以)上)$")


def band_bounds(label: str) -> tuple[int | None, int | None] | None:
    m = BAND.match(label)
    if not m:
        return None
    if m.group(1):
        return None, int(m.group(1))
    if m.group(2):
        return int(m.group(2)), int(m.group(3))
    return int(m.group(4)), None


def _last(key: str) -> str:
    return key.rsplit("/", 1)[-1].split("(", 1)[0]


def _is_band(key: str) -> bool:
    return band_bounds(_last(key)) is not None or "班额" in key


def _starts(key: str, words: Iterable[str]) -> bool:
    return any(_last(key).startswith(w) for w in words)


def _rules() -> dict[str, callable]:
    students = lambda k: not _is_band(k) and ("在校生" in _last(k) or _last(k) in ("学生数", "学生"))  # noqa: E731
    classes = lambda k: not _is_band(k) and _last(k) in ("班数", "班级数", "班级")  # noqa: E731
    teachers = lambda k: "专任教师" in k and (_last(k) in ("合计", "计") or _last(k).startswith("专任教师"))  # noqa: E731
    above_primary = lambda k: "学历" in k and _starts(k, ("研究生", "本科", "专科"))  # noqa: E731
    above_junior = lambda k: "学历" in k and _starts(k, ("研究生", "本科"))  # noqa: E731
    pe_arts = lambda k: ("学科" in k or "任教" in k) and _starts(k, ("体育", "音乐", "美术"))  # noqa: E731
    rules = {}
    for s in ("primary", "junior"):
        rules[f"{s}_students"] = students
        rules[f"{s}_classes"] = classes
        rules[f"{s}_teachers"] = teachers
        rules[f"{s}_teachers_above_required"] = above_primary if s == "primary" else above_junior
        rules[f"{s}_teachers_pe_arts"] = pe_arts
    rules["senior_students"] = students
    rules["special_students"] = students
    rules["special_teachers"] = teachers
    rules["sports_area_m2"] = lambda k: "运动场" in _last(k) or _last(k).startswith("体育馆")
    rules["equipment_value_yuan"] = lambda k: "仪器设备" in k
    rules["multimedia_rooms"] = lambda k: "多媒体" in k
    rules["land_area_m2"] = lambda k: "占地面积" in k
    rules["classrooms_connected"] = lambda k: "班班通" in k
    return rules


def _teaching_area(columns: list[str]) -> list[str]:
    under = [k for k in columns if k.split("/", 1)[0].startswith("教学及辅助用房") and "/" in k]
    totals = [k for k in under if _last(k) in ("合计", "小计", "计")]
    return totals[:1] or under


def default_mapping(sheets: list[Sheet]) -> dict:
    """A mapping proposed from the header text: every column whose name says what it holds."""
    figures: dict[str, list[list[str]]] = {}
    rules = _rules()
    for figure in STAT_FIGURES:
        chosen: list[list[str]] = []
        for sheet in sheets:
            keys = [c.key for c in sheet.columns if c.index not in (sheet.code_index, sheet.level_index)]
            if figure == "teaching_area_m2":
                picked = _teaching_area(keys)
            elif figure in rules:
                picked = [k for k in keys if rules[figure](k)]
                if figure.endswith(("_students", "_classes", "_teachers")) and picked:
                    picked = picked[:1]
            else:
                picked = []
            chosen.extend([sheet.ident, k] for k in picked)
            if chosen and figure.endswith(("_students", "_classes", "_teachers")):
                break
        if chosen:
            figures[figure] = chosen
    bands = [[s.ident, c.key] for s in sheets if s.level_index is not None for c in s.columns if band_of(c.key)]
    return {"figures": figures, "bands": bands}


def band_of(key: str) -> tuple[int | None, int | None] | None:
    return band_bounds(_last(key))


def known_columns(sheets: list[Sheet]) -> set[tuple[str, str]]:
    return {(s.ident, c.key) for s in sheets for c in s.columns}


def mapping_fits(mapping: dict, sheets: list[Sheet]) -> bool:
    """Every column the mapping names is in the sheets (so a saved mapping can be used as it is)."""
    known = known_columns(sheets)
    pairs = [tuple(p) for cols in mapping.get("figures", {}).values() for p in cols] + [
        tuple(p) for p in mapping.get("bands", [])
    ]
    return bool(mapping.get("figures")) and all(p in known for p in pairs)


# --- grades and sections ---------------------------------------------------------------------------------------------
NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)} | {"十": 10}
SECTION_WORDS = {"小学": "primary", "初中": "junior", "高中": "senior"}


def grade_of(value: str) -> int | str | None:
    """A grade 1–12, a section name, or None when the cell says neither. "初一" = 7, "高一" = 10."""
    v = value.replace(" ", "")
    if v in SECTION_WORDS:
        return SECTION_WORDS[v]
    m = re.fullmatch(r"(小学|初中|高中|初|高)?([一二三四五六七八九十]|\d{1,2})(?:年级)?", v)
    if not m:
        return None
    prefix, n = m.groups()
    number = int(n) if n.isdigit() else NUMERALS[n]
    if prefix in ("初", "初中"):
        number += 6 if number <= 3 else 0
    elif prefix in ("高", "高中"):
        number += 9 if number <= 3 else 0
    return number if 1 <= number <= 12 else None


def section_of_grade(grade: int | str) -> str:
    if isinstance(grade, str):
        return grade
    return "primary" if grade <= 6 else "junior" if grade <= 9 else "senior"


def school_sections(kind: str) -> tuple[str, ...]:
    if kind == SchoolKind.SPECIAL:
        return ("special",)
    return KIND_SECTIONS[kind] + (("senior",) if kind in KINDS_WITH_SENIOR else ())


# --- application -----------------------------------------------------------------------------------------------------
@dataclass
class Applied:
    figures: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # by school code
    steps: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    bands: dict[str, dict[str, list]] = field(default_factory=dict)  # code → section → [[label, low, high, n]]
    problems: list[str] = field(default_factory=list)


KIND_NAMES = dict(SchoolKind.choices)
SECTION_NAMES = {"primary": gettext_lazy("小学"), "junior": gettext_lazy("初中"), "senior": gettext_lazy("高中")}


def _where(sheet: Sheet, row: int, index: int) -> str:
    col = next((c for c in sheet.columns if c.index == index), None)
    letter = col.letter if col else ""
    header = f"（{col.key}）" if col else ""
    return _("工作表“%(sheet)s”第%(row)s行%(col)s列%(header)s") % {
        "sheet": sheet.key,
        "row": row,
        "col": letter,
        "header": header,
    }


def _number(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def apply_mapping(sheets: list[Sheet], mapping: dict, kinds: dict[str, str]) -> Applied:
    """Each school's figures from the sheets under `mapping`; `kinds`: school code → kind of the schools open that
    year. Problems name the sheet, row and column; with any problem the caller stores nothing."""
    out = Applied()
    by_ident = {s.ident: s for s in sheets}
    wanted: dict[str, list[tuple[str, int]]] = {}  # sheet ident → [(figure, column index)]
    for figure, columns in mapping.get("figures", {}).items():
        for ident, key in columns:
            sheet = by_ident.get(ident)
            col = sheet.column(key) if sheet else None
            if col is None:
                out.problems.append(_("对应关系中的列“%(key)s”不在上传的文件中。") % {"key": key})
                continue
            wanted.setdefault(ident, []).append((figure, col.index))
    band_cols: dict[str, list[tuple[int, str, tuple]]] = {}
    for ident, key in mapping.get("bands", []):
        sheet = by_ident.get(ident)
        col = sheet.column(key) if sheet else None
        bounds = band_of(key)
        if col is not None and bounds is not None:
            band_cols.setdefault(ident, []).append((col.index, _last(key), bounds))
    seen_codes: dict[str, set[str]] = {}
    for sheet in sheets:
        columns = wanted.get(sheet.ident, [])
        bands = band_cols.get(sheet.ident, [])
        if not columns and not bands:
            continue
        for number, values in sheet.rows:
            _apply_row(out, sheet, number, values, columns, bands, kinds, seen_codes)
    return out


def _apply_row(out, sheet, number, values, columns, bands, kinds, seen_codes) -> None:
    code = values[sheet.code_index] if sheet.code_index < len(values) else None
    if not code:
        if not is_total(values):
            out.problems.append(_where(sheet, number, sheet.code_index) + _("：缺少学校标识码。"))
        return
    if not CODE.match(code):
        out.problems.append(_where(sheet, number, sheet.code_index) + _("：“%(v)s”不是10位学校标识码。") % {"v": code})
        return
    kind = kinds.get(code)
    if kind is None:
        out.problems.append(
            _where(sheet, number, sheet.code_index)
            + _("：学校标识码%(code)s不在本系统该学年开办的学校名单中。") % {"code": code}
        )
        return
    sections = school_sections(kind)
    if sheet.level_index is not None:
        level = values[sheet.level_index] if sheet.level_index < len(values) else None
        if level and any(w in level for w in ("合计", "总计", "小计")):
            return
        grade = grade_of(level or "")
        if grade is None:
            out.problems.append(
                _where(sheet, number, sheet.level_index) + _("：“%(v)s”不是年级或学段。") % {"v": level or ""}
            )
            return
        section = "special" if kind == SchoolKind.SPECIAL else section_of_grade(grade)
        if section not in sections:
            out.problems.append(
                _where(sheet, number, sheet.level_index)
                + _("：%(kind)s没有%(section)s（%(v)s）。")
                % {"kind": KIND_NAMES[kind], "section": SECTION_NAMES.get(section, section), "v": level}
            )
            return
    else:
        if (sheet.ident, code) in seen_codes.setdefault("rows", set()):
            out.problems.append(
                _where(sheet, number, sheet.code_index) + _("：学校标识码%(code)s重复。") % {"code": code}
            )
            return
        seen_codes["rows"].add((sheet.ident, code))
        section = sections[0] if len(sections) == 1 else None
    figures = out.figures.setdefault(code, {})
    steps = out.steps.setdefault(code, {})
    for figure, index in columns:
        target = scope(figure)
        if target is not None and section is None:
            out.problems.append(
                _where(sheet, number, index)
                + _("：该表没有年级或学段列，无法把%(kind)s的数据分到学段。") % {"kind": KIND_NAMES[kind]}
            )
            continue
        if target is not None and target != section:
            continue
        raw = values[index] if index < len(values) else None
        if raw is None or raw in ("-", "—"):
            continue
        value = _number(raw)
        if value is None or value < 0:
            out.problems.append(_where(sheet, number, index) + _("：“%(v)s”不是有效的数字。") % {"v": raw})
            continue
        key = next(c.key for c in sheet.columns if c.index == index)
        wan = "万元" in key
        value = value * TEN_THOUSAND if wan else value
        if figure not in AMOUNTS and value != value.to_integral_value():
            out.problems.append(_where(sheet, number, index) + _("：“%(v)s”应为整数。") % {"v": raw})
            continue
        figures[figure] = figures.get(figure, Decimal(0)) + value
        steps[figure] = max(steps.get(figure, ONE), WAN_STEP if wan else ONE)
    if bands and section in ("primary", "junior"):
        kept = out.bands.setdefault(code, {}).setdefault(section, [[label, lo, hi, 0] for _i, label, (lo, hi) in bands])
        for i, (index, _label, _b) in enumerate(bands):
            raw = values[index] if index < len(values) else None
            if raw is None:
                continue
            value = _number(raw)
            if value is None or value < 0 or value != value.to_integral_value():
                out.problems.append(_where(sheet, number, index) + _("：“%(v)s”应为班数（整数）。") % {"v": raw})
                continue
            kept[i][3] += int(value)
