"""Each seeded rule (migration quality 0002) with a return that trips it and one that does not.

The default return (tests.factories.primary_figures) is a plausible rural primary school: 400 pupils in 10 classes,
24 teachers (6 per 100 pupils), 10 classrooms, 2,600 m² teaching area, 3,500 m² sports area, 900,000 yuan of
equipment, 300,000 yuan of public funds and 20,000 of training funds. It trips nothing.
"""

from decimal import Decimal

import pytest

from schools.quality.models import Rule
from schools.quality.seeds import SEEDED_RULES
from schools.validation import ClassRow
from tests.factories import class_rows, primary_figures
from tests.quality.helpers import codes, findings, junior_figures

pytestmark = pytest.mark.django_db


def test_every_seeded_rule_is_stored_active_and_the_plausible_returns_trip_none():
    assert set(Rule.objects.filter(active=True).values_list("code", flat=True)) == {r["code"] for r in SEEDED_RULES}
    assert len(SEEDED_RULES) == 20
    assert findings() == []
    assert findings(kind="junior", figures=junior_figures()) == []


# (rule, kind, location, figures, classes or None) that trip it, then the same return just inside the rule.
D = Decimal
CASES = [
    # 17 classes in 16 classrooms; 16 in 16 is fine.
    ("classes-le-classrooms", {"students": 680, "classes": 17, "classrooms": 16}, {"classrooms": 17}),
    # training funds 13 times the public funds; equal is fine.
    ("training-le-public-funds", {"training_funds_yuan": D("3900000")}, {"training_funds_yuan": D("300000")}),
    # 10 teachers for 400 pupils = 2.5 per 100 < 3; 12 = 3.0.
    ("primary-teachers-per-100-low", {"teachers": 10}, {"teachers": 12}),
    # 64 teachers for 400 pupils = 16 per 100 > 15; 60 = 15.
    ("primary-teachers-per-100-high", {"teachers": 64}, {"teachers": 60}),
    # 32,400 m² for 400 pupils = 81 m² > 80; 32,000 = 80.
    ("sports-area-per-pupil-ceiling", {"sports_area_m2": D("32400")}, {"sports_area_m2": D("32000")}),
    # 16,400 m² / 400 = 41 > 40; 16,000 = 40.
    ("teaching-area-per-pupil-ceiling", {"teaching_area_m2": D("16400")}, {"teaching_area_m2": D("16000")}),
    # 12,000,400 yuan / 400 = 30,001 > 30,000; 12,000,000 = 30,000.
    ("equipment-per-pupil-ceiling", {"equipment_value_yuan": D("12000400")}, {"equipment_value_yuan": D("12000000")}),
    # 119,600 yuan / 400 = 299 < 300 (a figure typed in 万元 would be far lower); 120,000 = 300.
    ("public-funds-per-pupil-floor", {"public_funds_yuan": D("119600")}, {"public_funds_yuan": D("120000")}),
]


@pytest.mark.parametrize(("code", "trips", "passes"), CASES, ids=[c[0] for c in CASES])
def test_a_seeded_primary_rule_trips_past_its_band_and_not_at_it(code, trips, passes):
    tripped = findings(figures=primary_figures(**trips))
    assert code in {f.rule_code for f in tripped}
    finding = next(f for f in tripped if f.rule_code == code)
    assert finding.importance == "warning" and finding.kind == "rule"
    assert finding.message.endswith("请核实。") and finding.rule_label in finding.message
    assert code not in codes(figures=primary_figures(**{**trips, **passes}))


def test_the_classes_rule_names_both_counts_beside_the_classrooms():
    (f,) = [f for f in findings(figures=primary_figures(680, 17, classrooms=16)) if f.rule_code.startswith("classes")]
    assert f.field == "classrooms"
    assert (f.left, f.right) == (17, 16)
    assert "count(classes) 17" in f.message and "普通教室数 16" in f.message


@pytest.mark.parametrize(
    ("code", "teachers", "tripped"),
    [
        ("junior-teachers-per-100-low", 11, True),  # 11 / 300 × 100 = 3.67 < 4
        ("junior-teachers-per-100-low", 12, False),  # 4.0
        ("junior-teachers-per-100-high", 61, True),  # 20.33 > 20
        ("junior-teachers-per-100-high", 60, False),  # 20.0
    ],
)
def test_the_junior_teacher_bands(code, teachers, tripped):
    assert (code in codes(kind="junior", figures=junior_figures(teachers=teachers))) is tripped


def test_the_primary_upper_teacher_band_leaves_teaching_points_out():
    # A teaching point of 22 pupils and 4 teachers has 18.2 per 100: normal for a point, not checked.
    figures = primary_figures(students=22, classes=3, teachers=4, classrooms=3, classrooms_connected=3)
    figures.update(primary_teachers_above_required=3, primary_teachers_backbone=0, primary_teachers_pe_arts=1)
    figures.update(public_funds_yuan=D("65000"), training_funds_yuan=D("4000"), equipment_value_yuan=D("60000"))
    figures.update(sports_area_m2=D("600"), teaching_area_m2=D("130"))
    assert "primary-teachers-per-100-high" not in codes(kind="teaching_point", figures=figures)
    assert "primary-teachers-per-100-high" in codes(kind="primary", figures=figures)


def test_a_class_without_pupils_is_an_error():
    rows = [*class_rows("primary", 400, 9), ClassRow("primary", 6, "6年级9班", 0)]
    (f,) = [f for f in findings(classes=rows) if f.rule_code == "class-has-pupils"]
    assert f.importance == "error" and f.is_error and f.field == ""
    assert "min(classes.students) 0" in f.message and f.message.endswith("请更正。")
    assert "class-has-pupils" not in codes(classes=class_rows("primary", 400, 10))


def test_a_small_class_is_a_warning_only_in_town_and_city_schools():
    rows = [*class_rows("primary", 391, 9), ClassRow("primary", 6, "6年级小班", 9)]
    assert "small-class-in-town" in codes(location="urban", classes=rows)
    assert "small-class-in-town" in codes(location="town", classes=rows)
    assert "small-class-in-town" not in codes(location="rural", classes=rows)
    ten = [*class_rows("primary", 390, 9), ClassRow("primary", 6, "6年级小班", 10)]
    assert "small-class-in-town" not in codes(location="urban", classes=ten)


def test_a_teaching_points_class_of_4_raises_nothing():
    # A 复式班 of 4 pupils (grades 1 and 2) beside a class of 18: a rural teaching point, even in a town.
    figures = primary_figures(students=22, classes=2, teachers=3, classrooms=2, classrooms_connected=2)
    figures.update(primary_teachers_above_required=3, primary_teachers_backbone=0, primary_teachers_pe_arts=1)
    figures.update(public_funds_yuan=D("65000"), training_funds_yuan=D("4000"), equipment_value_yuan=D("60000"))
    figures.update(sports_area_m2=D("600"), teaching_area_m2=D("130"), multimedia_rooms=2, land_area_m2=D("1500"))
    rows = [ClassRow("primary", 1, "复式班", 4), ClassRow("primary", 3, "三年级", 18)]
    assert findings(kind="teaching_point", location="rural", figures=figures, classes=rows) == []
    assert findings(kind="teaching_point", location="town", figures=figures, classes=rows) == []


def test_a_60_pupil_class_is_not_a_data_quality_finding():
    rows = [*class_rows("primary", 340, 9), ClassRow("primary", 6, "6年级大班", 60)]
    assert findings(classes=rows) == []


# The former WARN_CHANGES, now the seeded change rules: students ±30 %, areas −10 %, equipment −20 %.
@pytest.mark.parametrize(
    ("field", "old", "new", "code"),
    [
        ("primary_students", 400, 521, "primary-students-rise"),  # 521 / 400 = 1.3025 > 1.3
        ("primary_students", 400, 519, None),  # 1.2975
        ("primary_students", 400, 279, "primary-students-drop"),  # 0.6975 < 0.7
        ("primary_students", 400, 281, None),  # 0.7025
        ("teaching_area_m2", D("2600"), D("2339"), "teaching-area-drop"),  # 0.8996 < 0.9
        ("teaching_area_m2", D("2600"), D("2341"), None),  # 0.9004
        ("teaching_area_m2", D("2600"), D("5200"), None),  # a rise of an area is not checked
        ("sports_area_m2", D("3500"), D("3149"), "sports-area-drop"),  # 0.8997
        ("land_area_m2", D("12000"), D("10799"), "land-area-drop"),  # 0.89992
        ("equipment_value_yuan", D("900000"), D("719999"), "equipment-drop"),  # 0.79999 < 0.8
        ("equipment_value_yuan", D("900000"), D("720001"), None),  # 0.80000
        ("equipment_value_yuan", D("900000"), D("2000000"), None),
    ],
)
def test_changes_against_the_last_approved_figures_are_change_warnings(field, old, new, code):
    figures = primary_figures(**{field: new})
    rows = class_rows("primary", figures["primary_students"], 10)
    found = [f for f in findings(figures=figures, classes=rows, previous={field: old}) if f.kind == "change"]
    if code is None:
        assert found == []
    else:
        (f,) = found
        assert (f.rule_code, f.field, f.importance) == (code, field, "warning")
        assert "上次审核的" in f.message and str(old) in f.message and str(new) in f.message


def test_junior_change_rules_and_none_without_previous_figures_or_against_a_zero():
    figures = junior_figures(students=400, classes=8, teachers=30)
    assert "junior-students-rise" in codes(kind="junior", figures=figures, previous={"junior_students": 300})
    assert "junior-students-drop" in codes(kind="junior", figures=junior_figures(), previous={"junior_students": 500})
    assert [f for f in findings(previous=None) if f.kind == "change"] == []
    zero = findings(figures=primary_figures(equipment_value_yuan=D("5")), previous={"equipment_value_yuan": D("0")})
    assert [f for f in zero if f.kind == "change"] == []


def test_the_migration_seeded_exactly_the_rules_of_seeds_py():
    stored = {r.code: r for r in Rule.objects.all()}
    for spec in SEEDED_RULES:
        rule = stored[spec["code"]]
        for key, value in spec.items():
            assert getattr(rule, key) == value, (spec["code"], key)
