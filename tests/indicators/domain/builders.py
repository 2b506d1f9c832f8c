"""Small builders for hand-written engine inputs: schools that comfortably meet every threshold unless told not to."""

from __future__ import annotations

import math
from decimal import Decimal

from indicators.domain.inputs import (
    ClassFigures,
    CountyEntry,
    RoomFigures,
    SchoolFigures,
    SectionFigures,
)
from indicators.domain.standard import Standard, national_2017
from indicators.domain.survey import SurveyResult, given_survey_result

D = Decimal

# Per-student figures a little above the national thresholds (primary / junior).
PER_STUDENT = {
    "primary": {"above": D("0.05"), "backbone": D("0.012"), "pe": D("0.011"), "area": 5, "sports": 8, "equip": 2200},
    "junior": {"above": D("0.06"), "backbone": D("0.012"), "pe": D("0.011"), "area": 6, "sports": 11, "equip": 2700},
}


def section(students: int, section_name: str = "primary", classes: int | None = None, **overrides) -> SectionFigures:
    """Figures of a section meeting R1–R3 and G12 for `students` students."""
    per = PER_STUDENT[section_name]
    cap = 45 if section_name == "primary" else 50
    classes = classes if classes is not None else max(1, math.ceil(students / cap))
    teachers = max(1, math.ceil(students / 15))
    values = {
        "students": students,
        "classes": classes,
        "teachers": teachers,
        "teachers_above_required": math.ceil(per["above"] * students),
        "teachers_backbone": math.ceil(per["backbone"] * students),
        "teachers_pe_arts": math.ceil(per["pe"] * students),
        "teachers_certified": teachers,
    }
    values.update(overrides)
    return SectionFigures(**values)


def class_list(section_name: str, students: int, classes: int) -> tuple[ClassFigures, ...]:
    """`classes` classes sharing `students` as evenly as possible."""
    base, extra = divmod(students, classes)
    return tuple(
        ClassFigures(section_name, None, f"{section_name}-{i + 1}", base + (1 if i < extra else 0))
        for i in range(classes)
    )


def rooms(n_music: int = 1, n_art: int = 1, music_area: str = "100", art_area: str = "95") -> tuple[RoomFigures, ...]:
    return tuple([RoomFigures("music", D(music_area))] * n_music + [RoomFigures("art", D(art_area))] * n_art)


def school(
    code: str,
    kind: str = "primary",
    primary: int | None = None,
    junior: int | None = None,
    senior: int | None = None,
    location: str = "urban",
    parent_code: str | None = None,
    **overrides,
) -> SchoolFigures:
    """A school whose figures meet every school-level threshold; pass keyword overrides to break one."""
    sections = {}
    class_rows: list[ClassFigures] = []
    area = sports = equip = D(0)
    mm = 0
    for name, students in (("primary", primary), ("junior", junior)):
        if students is None:
            continue
        fig = section(students, name)
        sections[name] = fig
        class_rows.extend(class_list(name, students, fig.classes))
        per = PER_STUDENT[name]
        area += per["area"] * students * D("1.2")
        sports += per["sports"] * students * D("1.2")
        equip += per["equip"] * students * D("1.2")
        mm += math.ceil(students * D("0.03"))
    if senior:
        area += 8 * senior
        sports += 12 * senior
        equip += 3000 * senior
        mm += math.ceil(senior * D("0.04"))
    n_classes = len(class_rows)
    n_rooms = max(1, math.ceil(n_classes / 12))
    total = (primary or 0) + (junior or 0)
    funds = max(D(65000), D(650) * (primary or 0) + D(850) * (junior or 0)) * D("1.1")
    values = {
        "code": code,
        "name": f"学校{code}",
        "township": "甘露镇",
        "kind": kind,
        "location": location,
        "parent_code": parent_code,
        "primary": sections.get("primary"),
        "junior": sections.get("junior"),
        "senior_students": senior,
        "teaching_area_m2": area,
        "sports_area_m2": sports,
        "equipment_value_yuan": equip,
        "multimedia_rooms": mm,
        "public_funds_yuan": funds,
        "training_funds_yuan": funds * D("0.06"),
        "classes": tuple(class_rows),
        "rooms": rooms(n_rooms, n_rooms) if total else (),
    }
    values.update(overrides)
    return SchoolFigures(**values)


def all_entries_met(standard: Standard | None = None) -> dict[str, CountyEntry]:
    """An entry for every entered item, each met (vetoes: nothing happened)."""
    standard = standard or national_2017()
    entries = {}
    for code in standard.entered_codes:
        d = standard.indicators[code]
        values = {}
        for key, op in d.parts.items():
            if op == "yes":
                values[key] = True
            elif op == "no":
                values[key] = False
            elif op.startswith(">=:"):
                values[key] = D("120000")
                values[op.split(":")[1]] = D("110000")
            elif op == "record":
                values[key] = D("60")
            elif op in (">=", ">"):
                values[key] = d.thresholds[key] + 1
            else:
                values[key] = d.thresholds[key] - D("0.01")
        entries[code] = CountyEntry(code, values=values)
    return entries


def survey_met(standard: Standard | None = None) -> SurveyResult:
    standard = standard or national_2017()
    return given_survey_result(D("0.92"), standard.survey)
