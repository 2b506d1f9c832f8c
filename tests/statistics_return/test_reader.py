"""Reading the export under its headers, and the mapping applied to it (no database)."""

import io

import openpyxl
import pytest

from schools.statistics.mapping import apply_mapping, band_bounds, default_mapping, grade_of
from schools.statistics.reader import read_sheet
from tests.statistics_return.files import export


def sheets_of(content: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [s for s in (read_sheet(ws, ws.title) for ws in wb.worksheets) if s is not None]


NINE = "2136000101"
PRIMARY = "2136000102"
KINDS = {NINE: "nine_year", PRIMARY: "primary"}


def nine_year_export():
    pupils = [
        [NINE, "一年级", 2, 80, 0, 2, 0],
        [NINE, "二年级", 2, 82, 0, 2, 0],
        [NINE, "三年级", 2, 78, 0, 2, 0],
        [NINE, "四年级", 2, 85, 0, 1, 1],
        [NINE, "五年级", 2, 76, 0, 2, 0],
        [NINE, "六年级", 2, 79, 0, 2, 0],
        [NINE, "七年级", 3, 140, 0, 2, 1],
        [NINE, "八年级", 3, 138, 0, 3, 0],
        [NINE, "初三", 3, 131, 0, 3, 0],
        [NINE, "合计", 24, 889, None, None, None],
    ]
    buildings = [[NINE, 5000, 800, 9000, 245.67]]
    teachers = [[NINE, "小学", 30, 1, 20, 8, 1, 1, 1], [NINE, "初中", 28, 2, 22, 4, 2, 1, 0]]
    return export(pupils, buildings, teachers)


def test_two_header_rows_with_merged_cells_name_each_column_top_down():
    sheets = sheets_of(nine_year_export())
    pupils, buildings, teachers = sheets
    assert [c.key for c in pupils.columns] == [
        "学校标识码",
        "年级",
        "班数",
        "在校生数",
        "班额情况/35人及以下",
        "班额情况/36-45人",
        "班额情况/46人及以上",
    ]
    assert pupils.level_index == 1 and pupils.code_index == 0
    assert [c.key for c in buildings.columns][1:3] == ["教学及辅助用房/教室", "教学及辅助用房/体育馆"]
    assert buildings.level_index is None
    assert teachers.column("学历/专科").letter == "F"
    # The title row (one text merged over the width) is not a header; data starts on row 4.
    assert pupils.rows[0][0] == 4


def test_grade_rows_are_summed_into_sections_for_a_nine_year_school():
    sheets = sheets_of(nine_year_export())
    applied = apply_mapping(sheets, default_mapping(sheets), KINDS)
    assert applied.problems == []
    f = applied.figures[NINE]
    # Primary: grades 1–6: 80 + 82 + 78 + 85 + 76 + 79 = 480 pupils, 6 × 2 = 12 classes.
    # Junior: grades 7–9 (七年级, 八年级, 初三): 140 + 138 + 131 = 409 pupils, 9 classes. The 合计 row is skipped.
    assert (f["primary_students"], f["primary_classes"]) == (480, 12)
    assert (f["junior_students"], f["junior_classes"]) == (409, 9)
    # Teachers by section row: above the required degree is 研究生 + 本科 + 专科 for primary (1 + 20 + 8 = 29),
    # 研究生 + 本科 for junior (2 + 22 = 24); PE and arts 体育 + 音乐 + 美术: 3 and 3.
    assert (f["primary_teachers"], f["primary_teachers_above_required"], f["primary_teachers_pe_arts"]) == (30, 29, 3)
    assert (f["junior_teachers"], f["junior_teachers_above_required"], f["junior_teachers_pe_arts"]) == (28, 24, 3)
    # Sums of columns: teaching area 教室 5000 + 体育馆 800 = 5800; sports ground 9000 + gymnasium 800 = 9800.
    assert f["teaching_area_m2"] == 5800 and f["sports_area_m2"] == 9800
    # 245.67 万元 = 2,456,700 yuan, with a rounding step of 0.01 万元 = 100 yuan.
    assert f["equipment_value_yuan"] == 2456700
    assert applied.steps[NINE]["equipment_value_yuan"] == 100 and applied.steps[NINE]["teaching_area_m2"] == 1


def test_class_size_bands_are_kept_as_bands_per_section():
    sheets = sheets_of(nine_year_export())
    bands = apply_mapping(sheets, default_mapping(sheets), KINDS).bands[NINE]
    # Primary 36–45: 2 + 2 + 2 + 1 + 2 + 2 = 11, 46+: 1; junior 36–45: 2 + 3 + 3 = 8, 46+: 1.
    assert bands["primary"] == [["35人及以下", None, 35, 0], ["36-45人", 36, 45, 11], ["46人及以上", 46, None, 1]]
    assert bands["junior"] == [["35人及以下", None, 35, 0], ["36-45人", 36, 45, 8], ["46人及以上", 46, None, 1]]


def test_a_bad_cell_is_named_by_sheet_row_and_column():
    content = export(
        pupils=[[PRIMARY, "一年级", 2, "八十", 0, 2, 0], [PRIMARY, "七年级", 2, 80, 0, 2, 0]],
        buildings=[[PRIMARY, 100, 0, 100, 1], ["21360001", 100, 0, 100, 1]],
    )
    sheets = sheets_of(content)
    problems = apply_mapping(sheets, default_mapping(sheets), KINDS).problems
    assert "工作表“学生及班级”第4行D列（在校生数）：“八十”不是有效的数字。" in problems
    assert "工作表“学生及班级”第5行B列（年级）：小学没有初中（七年级）。" in problems
    assert "工作表“校舍及设备”第5行A列（学校标识码）：“21360001”不是10位学校标识码。" in problems


@pytest.mark.parametrize(
    ("text", "grade"),
    [("一年级", 1), ("六年级", 6), ("七年级", 7), ("初一", 7), ("初三", 9), ("高一", 10), ("9", 9), ("初中", "junior")],
)
def test_grades_are_read_in_the_statistics_system_s_words(text, grade):
    assert grade_of(text) == grade


def test_band_labels_give_their_bounds():
    assert band_bounds("25人及以下") == (None, 25)
    assert band_bounds("26-30人") == (26, 30)
    assert band_bounds("66人及以上") == (66, None)
    assert band_bounds("在校生数") is None
