"""The rules of schools.validation, each with a hand-written case. Pure: no database."""

import re
from decimal import Decimal

import pytest

from schools.validation import ClassRow, RoomRow, label, validate_return
from tests.factories import class_rows, primary_figures

CJK = re.compile(r"[\u4e00-\u9fff]")
# How a message may name a field whose label carries a prefix that reads badly inside a sentence.
SHORT_NAMES = {"classrooms_connected": "“班班通”教室数"}


def junior_figures(students=300, classes=6, teachers=30) -> dict:
    return {
        "junior_students": students,
        "junior_classes": classes,
        "junior_teachers": teachers,
        "junior_teachers_above_required": teachers - 5,
        "junior_teachers_backbone": 4,
        "junior_teachers_pe_arts": 3,
        "junior_teachers_certified": teachers,
    }


def check(kind="primary", figures=None, classes=None, rooms=(), for_submit=False):
    figures = primary_figures() if figures is None else figures
    if classes is None:
        classes = class_rows("primary", figures.get("primary_students") or 0, figures.get("primary_classes") or 1)
    return validate_return(
        kind=kind,
        figures=figures,
        classes=list(classes),
        rooms=list(rooms),
        for_submit=for_submit,
    )


def errors(problems) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        if p.is_error:
            out.setdefault(p.field, []).append(p.message)
    return out


def warnings(problems) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        if not p.is_error:
            out.setdefault(p.field, []).append(p.message)
    return out


def assert_names_field(message: str, field: str):
    assert CJK.search(message), message
    assert SHORT_NAMES.get(field, label(field)) in message, (field, message)


def test_a_complete_primary_return_has_no_problems():
    assert check(for_submit=True) == []


def test_a_complete_nine_year_return_has_no_problems():
    figures = {**primary_figures(), **junior_figures()}
    classes = class_rows("primary", 400, 10) + class_rows("junior", 300, 6, first_grade=7)
    assert check("nine_year", figures, classes, for_submit=True) == []


def test_it_refuses_negative_numbers():
    found = errors(check(figures=primary_figures(teaching_area_m2=Decimal("-1"))))
    assert list(found) == ["teaching_area_m2"]
    assert_names_field(found["teaching_area_m2"][0], "teaching_area_m2")
    assert "负数" in found["teaching_area_m2"][0]


def test_it_refuses_junior_figures_for_a_primary_school():
    found = errors(check(figures=primary_figures(junior_students=30)))
    assert list(found) == ["junior_students"]
    assert_names_field(found["junior_students"][0], "junior_students")
    assert "小学没有初中学段" in found["junior_students"][0]


def test_it_accepts_a_zero_in_a_section_the_school_does_not_have():
    assert errors(check(figures=primary_figures(junior_students=0))) == {}


def test_a_teaching_point_reports_primary_only():
    figures = primary_figures(junior_teachers=2)
    found = errors(check("teaching_point", figures))
    assert list(found) == ["junior_teachers"]
    assert "教学点没有初中学段" in found["junior_teachers"][0]


def test_a_nine_year_school_must_report_both_sections_at_submit_but_may_save_one():
    figures = primary_figures()
    classes = class_rows("primary", 400, 10)
    assert errors(check("nine_year", figures, classes)) == {}
    found = errors(check("nine_year", figures, classes, for_submit=True))
    assert set(found) == {f"junior_{s}" for s in ("students", "classes", "teachers")} | {
        f"junior_teachers_{s}" for s in ("above_required", "backbone", "pe_arts", "certified")
    }
    for field, messages in found.items():
        assert messages == [f"请填写{label(field)}。"]


def test_a_special_school_reports_special_students():
    figures = {
        "special_students": 60,
        "special_teachers": 18,
        "special_teachers_certified": 17,
        "public_funds_yuan": Decimal("200000"),
    }
    assert check("special", figures, classes=[], for_submit=True) == []
    found = errors(check("special", {"public_funds_yuan": Decimal("200000")}, classes=[], for_submit=True))
    assert list(found) == ["special_students", "special_teachers", "special_teachers_certified"]
    for field in found:
        assert_names_field(found[field][0], field)


def test_a_special_schools_certified_teachers_cannot_exceed_its_teachers():
    figures = {"special_students": 60, "special_teachers": 18, "special_teachers_certified": 19}
    found = errors(check("special", figures, classes=[]))
    assert list(found) == ["special_teachers_certified"]
    assert "19" in found["special_teachers_certified"][0] and "18" in found["special_teachers_certified"][0]


def test_it_refuses_special_school_teachers_for_an_ordinary_school():
    found = errors(check(figures=primary_figures(special_teachers=3, special_teachers_certified=3)))
    assert sorted(found) == ["special_teachers", "special_teachers_certified"]


def test_it_refuses_special_students_for_an_ordinary_school():
    found = errors(check(figures=primary_figures(special_students=3)))
    assert list(found) == ["special_students"]
    assert_names_field(found["special_students"][0], "special_students")


def test_it_refuses_primary_figures_for_a_special_school():
    found = errors(check("special", {"special_students": 60, "primary_students": 10}, classes=[]))
    assert list(found) == ["primary_students"]


def test_only_a_school_with_a_senior_section_reports_senior_students():
    found = errors(check(figures=primary_figures(senior_students=100)))
    assert list(found) == ["senior_students"]
    assert_names_field(found["senior_students"][0], "senior_students")
    figures = {**junior_figures(), **{k: v for k, v in primary_figures().items() if not k.startswith("primary_")}}
    juniors = class_rows("junior", 300, 6, first_grade=7)
    assert errors(check("complete_secondary", {**figures, "senior_students": 500}, juniors, for_submit=True)) == {}
    missing = errors(check("complete_secondary", figures, juniors, for_submit=True))
    assert list(missing) == ["senior_students"]


def test_a_complete_secondary_school_has_no_primary_section():
    figures = {**junior_figures(), "primary_students": 12}
    found = errors(check("complete_secondary", figures, class_rows("junior", 300, 6, first_grade=7)))
    assert list(found) == ["primary_students"]


@pytest.mark.parametrize("suffix", ["above_required", "backbone", "pe_arts", "certified"])
def test_it_refuses_a_teacher_subcount_above_the_teachers(suffix):
    field = f"primary_teachers_{suffix}"
    found = errors(check(figures=primary_figures(teachers=24, **{field: 25})))
    assert list(found) == [field]
    assert_names_field(found[field][0], field)
    assert label("primary_teachers") in found[field][0]
    assert errors(check(figures=primary_figures(teachers=24, **{field: 24}))) == {}


def test_it_refuses_a_class_count_that_differs_from_the_class_list():
    found = errors(check(figures=primary_figures(classes=11), classes=class_rows("primary", 400, 10)))
    assert list(found) == ["primary_classes"]
    assert_names_field(found["primary_classes"][0], "primary_classes")
    assert "11" in found["primary_classes"][0] and "10" in found["primary_classes"][0]


def test_it_refuses_a_class_list_whose_students_do_not_add_up():
    found = errors(check(figures=primary_figures(students=401), classes=class_rows("primary", 400, 10)))
    assert list(found) == ["primary_students"]
    assert_names_field(found["primary_students"][0], "primary_students")
    assert "400" in found["primary_students"][0] and "401" in found["primary_students"][0]


def test_an_empty_class_list_is_checked_only_at_submit():
    assert errors(check(classes=[])) == {}
    found = errors(check(classes=[], for_submit=True))
    assert set(found) == {"primary_classes", "primary_students"}


def test_it_refuses_a_grade_outside_the_section():
    rows = class_rows("primary", 400, 10)
    rows[2] = ClassRow("primary", 7, rows[2].name, rows[2].students)
    found = errors(check(classes=rows))
    assert list(found) == ["classes"]
    assert "班级名单第3行" in found["classes"][0] and "1至6年级" in found["classes"][0]


def test_it_refuses_a_class_of_a_section_the_school_does_not_have():
    rows = [*class_rows("primary", 400, 10), ClassRow("junior", 7, "7年级1班", 40)]
    found = errors(check(classes=rows))
    assert list(found) == ["classes"]
    assert "班级名单第11行" in found["classes"][0] and "没有该学段" in found["classes"][0]


def test_it_refuses_a_duplicate_class_name():
    rows = class_rows("primary", 400, 10)
    rows[1] = ClassRow("primary", rows[1].grade, rows[0].name, rows[1].students)
    found = errors(check(classes=rows))
    assert list(found) == ["classes"]
    assert len(found["classes"]) == 2
    assert all("重复" in m and rows[0].name in m for m in found["classes"])


def test_it_refuses_a_class_without_name_or_students():
    rows = class_rows("primary", 400, 10)
    rows[0] = ClassRow("primary", 1, " ", rows[0].students)
    rows[1] = ClassRow("primary", rows[1].grade, rows[1].name, None)
    found = errors(
        check(figures=primary_figures(students=400 - class_rows("primary", 400, 10)[1].students), classes=rows)
    )
    assert sorted(found["classes"]) == sorted(
        ["班级名单第1行：请填写班级名称。", "班级名单第2行：学生数须为不小于0的整数。"]
    )


def test_it_refuses_an_unknown_room_and_a_negative_area():
    rooms = [RoomRow("music", Decimal("90")), RoomRow("dance", Decimal("80")), RoomRow("art", Decimal("-5"))]
    found = errors(check(rooms=rooms))
    assert found == {"rooms": ["功能室第2行：类型应为音乐或美术。", "功能室第3行：面积不能为负数。"]}


def test_it_refuses_more_connected_classrooms_than_classrooms():
    found = errors(check(figures=primary_figures(classrooms=10, classrooms_connected=11)))
    assert list(found) == ["classrooms_connected"]
    assert_names_field(found["classrooms_connected"][0], "classrooms_connected")


def test_every_message_is_chinese_and_names_its_field_or_row():
    figures = primary_figures(
        primary_students=-1,
        junior_students=5,
        senior_students=3,
        special_students=2,
        primary_teachers_backbone=99,
        classrooms_connected=99,
    )
    rows = [ClassRow("primary", 8, "一班", 1), ClassRow("primary", 1, "一班", 1), ClassRow("junior", 7, "七1", 40)]
    problems = check(figures=figures, classes=rows, rooms=[RoomRow("x", Decimal("-1"))], for_submit=True)
    assert len(problems) >= 10
    for p in problems:
        assert CJK.search(p.message), p
        if p.field == "classes":
            assert p.row is not None and f"班级名单第{p.row}行" in p.message
        elif p.field == "rooms":
            assert p.row is not None and f"功能室第{p.row}行" in p.message
        else:
            assert SHORT_NAMES.get(p.field, label(p.field)) in p.message, p
