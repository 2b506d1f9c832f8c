"""The field guide of the exchange (字段说明): every column of each sheet or CSV, with its unit and meaning.

Built from the formats (formats.COLUMNS), so a figure field added to the return appears here with its label; the
meanings below add what the label does not say.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .formats import ALTERNATIVE_COLUMNS, COLUMNS, CSV_NAMES, SHEET_NAMES, TABLES, Column

SUFFIX_MEANINGS = {
    "students": _("统计时点的在校学生人数"),
    "classes": _("教学班个数，须与“班级”表中该学段的行数一致"),
    "teachers": _("专任教师人数"),
    "teachers_above_required": _("学历高于规定的专任教师：小学为专科及以上，初中为本科及以上"),
    "teachers_backbone": _("县级及以上教育部门认定的骨干教师"),
    "teachers_pe_arts": _("体育、音乐、美术专任教师"),
    "teachers_certified": _("持有相应教师资格证的专任教师"),
}
MEANINGS = {
    "school_year": _("学年的起始年份，如2024表示2024—2025学年；CSV文件必填，Excel工作簿不填（以批次为准）"),
    "school_code": _("10位学校标识码，必填，用来找到学校"),
    "school_name": _("仅供核对，导入时不使用"),
    "senior_students": _("高中在校生人数（完全中学、十二年一贯制学校），只计人数"),
    "special_students": _("特殊教育在校生人数，只计人数"),
    "teaching_area_m2": _("教学及辅助用房的建筑面积"),
    "sports_area_m2": _("体育运动场（馆）面积"),
    "equipment_value_yuan": _("教学仪器设备资产值；列名写作“教学仪器设备值(万元)”时按万元填写，导入时换算为元"),
    "multimedia_rooms": _("接入网络的多媒体教室间数"),
    "public_funds_yuan": _("学年起始所在自然年度的公用经费"),
    "training_funds_yuan": _("学年起始所在自然年度的教师培训经费"),
    "land_area_m2": _("学校占地面积"),
    "classrooms": _("普通教室间数"),
    "classrooms_connected": _("普通教室中实现“班班通”的间数"),
    "section": _("小学或初中（CSV也可写primary、junior）"),
    "grade": _("年级，小学1—6，初中7—9"),
    "name": _("班级名称，如“一年级（1）班”"),
    "room": _("音乐或美术专用教室（CSV也可写music、art）"),
    "area_m2": _("该教室的使用面积"),
}
CLASS_STUDENTS = _("该班学生人数")


@dataclass(frozen=True)
class GuideRow:
    header: str
    csv: str
    unit: str
    meaning: str
    required: bool


@dataclass(frozen=True)
class GuideTable:
    sheet: str
    csv_name: str
    rows: list[GuideRow]


def _unit(key: str) -> str:
    if key.endswith("_m2"):
        return str(_("平方米"))
    if key.endswith("_yuan"):
        return str(_("元"))
    if key.endswith(("students", "teachers")) or "_teachers_" in key:
        return str(_("人"))
    if key.endswith(("classes", "grade")):
        return str(_("个"))
    if key.endswith(("rooms", "classrooms", "classrooms_connected")):
        return str(_("间"))
    return "—"


def _meaning(table: str, column: Column) -> str:
    if table == "classes" and column.key == "students":
        return str(CLASS_STUDENTS)
    if column.key in MEANINGS:
        return str(MEANINGS[column.key])
    prefix, _sep, suffix = column.key.partition("_")
    if prefix in ("primary", "junior") and suffix in SUFFIX_MEANINGS:
        return str(SUFFIX_MEANINGS[suffix])
    return str(column.header)


def field_guide() -> list[GuideTable]:
    tables = []
    for table in TABLES:
        rows = [
            GuideRow(
                header=str(c.header),
                csv=c.csv or "—",
                unit=_unit(c.key) if c.key != "grade" else "—",
                meaning=_meaning(table, c),
                required=c.required or c.key == "school_year",
            )
            for c in COLUMNS[table]
        ]
        rows += [
            GuideRow(str(c.header), "—", str(_("万元")), _meaning(table, c), False) for c in ALTERNATIVE_COLUMNS[table]
        ]
        tables.append(GuideTable(sheet=str(SHEET_NAMES[table]), csv_name=CSV_NAMES[table], rows=rows))
    return tables
