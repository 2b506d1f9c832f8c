"""Rules a school return must satisfy, as a pure function shared by the form, the import and the API.

Errors block saving (or submitting, for completeness). Plausibility (warnings, and the bureau's own error rules) is
the data-quality rules' business: `schools.quality`, read through its findings contract.
Every message is Chinese and names the field (or the class-list row) it is about.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import (
    FIGURE_FIELDS,
    KIND_SECTIONS,
    KINDS_WITH_SENIOR,
    SECTION_FIELD_SUFFIXES,
    SECTION_GRADES,
    SECTION_LABELS,
    SPECIAL_SCHOOL_FIELDS,
    WHOLE_SCHOOL_FIELDS,
    SchoolKind,
    SchoolReturn,
)

SUBCOUNT_SUFFIXES = ("teachers_above_required", "teachers_backbone", "teachers_pe_arts", "teachers_certified")
# Every whole-school figure up to the training funds must be filled in; land and classrooms may stay empty.
REQUIRED_WHOLE_SCHOOL = WHOLE_SCHOOL_FIELDS[: WHOLE_SCHOOL_FIELDS.index("training_funds_yuan") + 1]


@dataclass(frozen=True)
class ClassRow:
    section: str
    grade: int | None
    name: str
    students: int | None


@dataclass(frozen=True)
class RoomRow:
    room: str
    area_m2: Decimal | None


@dataclass(frozen=True)
class Problem:
    field: str  # a figure field, "classes", "rooms", or "" for the whole return
    message: str
    level: str = "error"
    row: int | None = None  # 1-based row of the class list or room list

    @property
    def is_error(self) -> bool:
        return self.level == "error"


def label(field: str) -> str:
    return str(SchoolReturn._meta.get_field(field).verbose_name)


_SECTION_FIELDS = tuple(
    (section, tuple(f"{section}_{suffix}" for suffix, _label in SECTION_FIELD_SUFFIXES))
    for section in ("primary", "junior")
)


def validate_return(
    *,
    kind: str,
    figures: dict,
    classes: list[ClassRow],
    rooms: list[RoomRow],
    for_submit: bool = False,
) -> list[Problem]:
    """Check one return. `figures` maps FIGURE_FIELDS to int/Decimal/None."""
    problems: list[Problem] = []
    sections = KIND_SECTIONS[kind]

    for field in FIGURE_FIELDS:
        value = figures.get(field)
        if value is not None and value < 0:
            problems.append(Problem(field, _("%(field)s不能为负数。") % {"field": label(field)}))

    for section, section_fields in _SECTION_FIELDS:
        present = section in sections
        for field in section_fields:
            value = figures.get(field)
            if not present and value not in (None, 0):
                problems.append(
                    Problem(
                        field,
                        _("%(kind)s没有%(section)s学段，%(field)s应留空。")
                        % {
                            "kind": SchoolKind(kind).label,
                            "section": SECTION_LABELS[section],
                            "field": label(field),
                        },
                    )
                )
            elif present and value is None and for_submit:
                problems.append(Problem(field, _("请填写%(field)s。") % {"field": label(field)}))
        if present:
            problems += _check_subcounts(section, figures)

    if kind not in KINDS_WITH_SENIOR and figures.get("senior_students") not in (None, 0):
        problems.append(Problem("senior_students", _("只有完全中学和十二年一贯制学校填写高中在校生数。")))
    if kind in KINDS_WITH_SENIOR and figures.get("senior_students") is None and for_submit:
        problems.append(Problem("senior_students", _("请填写%(field)s。") % {"field": label("senior_students")}))
    problems += _check_special(kind, figures, for_submit)

    if for_submit:
        problems += _missing(("public_funds_yuan",) if kind == SchoolKind.SPECIAL else REQUIRED_WHOLE_SCHOOL, figures)
    problems += _over(
        "classrooms_connected",
        "classrooms",
        figures,
        gettext_noop("“班班通”教室数（%(a)s）不能超过普通教室数（%(b)s）。"),
    )

    problems += _check_classes(sections, figures, classes, for_submit)
    problems += _check_rooms(rooms)
    return problems


def _check_special(kind: str, figures: dict, for_submit: bool) -> list[Problem]:
    """A special school returns its students and full-time teachers, and how many of them are certified (G12)."""
    problems: list[Problem] = []
    if kind != SchoolKind.SPECIAL:
        for field in SPECIAL_SCHOOL_FIELDS:
            if figures.get(field) not in (None, 0):
                problems.append(Problem(field, _("只有特殊教育学校填写%(field)s。") % {"field": label(field)}))
        return problems
    if for_submit:
        problems += _missing(SPECIAL_SCHOOL_FIELDS, figures)
    problems += _over(
        "special_teachers_certified",
        "special_teachers",
        figures,
        gettext_noop("持有教师资格证的教师数（%(a)s）不能超过专任教师数（%(b)s）。"),
    )
    return problems


def _missing(fields, figures: dict) -> list[Problem]:
    """“Please fill in” for each of `fields` left empty (a submission's required figures)."""
    return [Problem(f, _("请填写%(field)s。") % {"field": label(f)}) for f in fields if figures.get(f) is None]


def _over(part: str, whole: str, figures: dict, message: str) -> list[Problem]:
    """`message` (with %(a)s the part, %(b)s the whole; translated only when it is used) when both figures are given
    and the part exceeds the whole."""
    a, b = figures.get(part), figures.get(whole)
    return [Problem(part, _(message) % {"a": a, "b": b})] if a is not None and b is not None and a > b else []


def _check_subcounts(section: str, figures: dict) -> list[Problem]:
    teachers = figures.get(f"{section}_teachers")
    if teachers is None:
        return []
    out = []
    for suffix in SUBCOUNT_SUFFIXES:
        field = f"{section}_{suffix}"
        value = figures.get(field)
        if value is not None and value > teachers:
            out.append(
                Problem(
                    field,
                    _("%(field)s（%(value)s）不能超过%(total)s（%(teachers)s）。")
                    % {
                        "field": label(field),
                        "value": value,
                        "total": label(f"{section}_teachers"),
                        "teachers": teachers,
                    },
                )
            )
    return out


def _check_classes(sections, figures, classes: list[ClassRow], for_submit: bool) -> list[Problem]:
    if not classes and not for_submit:
        return []  # no list given: nothing to compare (every check below needs rows, or a submission)
    out = []
    names = Counter(c.name.strip() for c in classes)
    for i, row in enumerate(classes, start=1):
        where = _("班级名单第%(row)s行") % {"row": i}
        if row.section not in sections:
            out.append(Problem("classes", _("%(where)s：本校没有该学段。") % {"where": where}, row=i))
            continue
        if row.grade is None or row.grade not in SECTION_GRADES[row.section]:
            grades = SECTION_GRADES[row.section]
            out.append(
                Problem(
                    "classes",
                    _("%(where)s：%(section)s的年级应为%(lo)s至%(hi)s年级。")
                    % {
                        "where": where,
                        "section": SECTION_LABELS[row.section],
                        "lo": grades[0],
                        "hi": grades[-1],
                    },
                    row=i,
                )
            )
        if not row.name.strip():
            out.append(Problem("classes", _("%(where)s：请填写班级名称。") % {"where": where}, row=i))
        elif names[row.name.strip()] > 1:
            out.append(
                Problem(
                    "classes",
                    _("%(where)s：班级名称“%(name)s”重复。") % {"where": where, "name": row.name},
                    row=i,
                )
            )
        if row.students is None or row.students < 0:
            out.append(Problem("classes", _("%(where)s：学生数须为不小于0的整数。") % {"where": where}, row=i))

    for section in sections:
        rows = [c for c in classes if c.section == section]
        declared = figures.get(f"{section}_classes")
        if declared is not None and (rows or for_submit) and declared != len(rows):
            out.append(
                Problem(
                    f"{section}_classes",
                    _("%(field)s为%(declared)s，但班级名单中有%(rows)s个%(section)s班级。")
                    % {
                        "field": label(f"{section}_classes"),
                        "declared": declared,
                        "rows": len(rows),
                        "section": SECTION_LABELS[section],
                    },
                )
            )
        students = figures.get(f"{section}_students")
        listed = sum(c.students or 0 for c in rows)
        if students is not None and (rows or for_submit) and listed != students:
            out.append(
                Problem(
                    f"{section}_students",
                    _("班级名单中%(section)s学生合计%(listed)s人，与%(field)s（%(students)s）不一致。")
                    % {
                        "section": SECTION_LABELS[section],
                        "listed": listed,
                        "field": label(f"{section}_students"),
                        "students": students,
                    },
                )
            )
    return out


def _check_rooms(rooms: list[RoomRow]) -> list[Problem]:
    out = []
    for i, room in enumerate(rooms, start=1):
        if room.room not in ("music", "art"):
            out.append(Problem("rooms", _("功能室第%(row)s行：类型应为音乐或美术。") % {"row": i}, row=i))
        if room.area_m2 is not None and room.area_m2 < 0:
            out.append(Problem("rooms", _("功能室第%(row)s行：面积不能为负数。") % {"row": i}, row=i))
    return out
