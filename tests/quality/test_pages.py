"""The rules page (bureau) and the warnings on the return form and in the import summary."""

from decimal import Decimal

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent
from schools.models import ReturnStatus, SchoolReturn
from schools.quality.models import Rule
from schools.validation import ClassRow
from tests.factories import SchoolFactory, class_rows, make_return, primary_figures
from tests.schools.postdata import current_form_data, edit_form_data

pytestmark = pytest.mark.django_db

RULE = {
    "code": "multimedia-le-classrooms",
    "label": "网络多媒体教室多于普通教室",
    "left": "multimedia_rooms",
    "operator": "<=",
    "right": "classrooms + count(rooms)",
    "importance": "warning",
    "section": "",
    "field": "",
    "note": "",
    "active": "on",
}


def test_the_bureau_lists_the_seeded_rules(staff, login):
    page = login(staff).get(reverse("schools:quality_rules")).content.decode()
    assert "教师培训经费超过年度公用经费" in page and "training_funds_yuan ≤ public_funds_yuan" in page


def test_the_bureau_adds_a_rule_that_then_applies_with_history_and_audit(staff, login, ganlu_school, official_round):
    client = login(staff)
    response = client.post(reverse("schools:quality_rule_create"), RULE)
    assert response.status_code == 302
    rule = Rule.objects.get(code="multimedia-le-classrooms")
    assert rule.history.count() == 1 and rule.history.first().history_user == staff
    assert AuditEvent.objects.filter(action="quality.rule_save").exists()
    # 11 multimedia rooms, 8 classrooms and 2 music/art rooms: 11 > 10.
    ret = make_return(school=ganlu_school, round=official_round, figures=primary_figures(classes=8))
    ret.multimedia_rooms = 11
    ret.save()
    page = client.get(reverse("schools:return_edit", args=[ret.pk])).content.decode()
    assert 'data-rule="multimedia-le-classrooms"' in page
    assert "网络多媒体教室数 11，普通教室数 8，count(rooms) 2，计算得11，应≤10。请核实。" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("left", "multimedia_rooms + pupils", "左侧表达式：第20个字符处的“pupils”不是填报指标名称"),
        ("right", "classrooms * (2", "右侧表达式：第14个字符处的左括号没有对应的右括号。"),
        ("right", "open(classrooms)", "右侧表达式：不支持的函数“open”"),
        ("field", "pupils", "“pupils”不是填报指标名称。"),
    ],
)
def test_a_rule_with_a_refused_expression_is_not_saved_and_says_why(staff, login, field, value, message):
    response = login(staff).post(reverse("schools:quality_rule_create"), {**RULE, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Rule.objects.filter(code=RULE["code"]).exists()


def test_a_change_rule_cannot_be_an_error(staff, login):
    data = {**RULE, "left": "primary_students ÷ prev(primary_students)", "right": "1.3", "importance": "error"}
    response = login(staff).post(reverse("schools:quality_rule_create"), data)
    assert "只能是“提示”" in response.content.decode()
    assert not Rule.objects.filter(code=RULE["code"]).exists()


def test_switching_a_rule_off_stops_it_and_is_kept_in_its_history(staff, login, ganlu_school, official_round):
    rule = Rule.objects.get(code="training-le-public-funds")
    ret = make_return(
        school=ganlu_school, round=official_round, figures=primary_figures(training_funds_yuan=Decimal("3900000"))
    )
    client = login(staff)
    edit = reverse("schools:return_edit", args=[ret.pk])
    assert 'data-rule="training-le-public-funds"' in client.get(edit).content.decode()
    client.post(reverse("schools:quality_rule_switch", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert rule.active is False
    assert [h.active for h in rule.history.order_by("history_date")][-1] is False
    assert 'data-rule="training-le-public-funds"' not in client.get(edit).content.decode()
    page = client.get(reverse("schools:quality_rule_edit", args=[rule.pk])).content.decode()
    assert "修改记录" in page and "已停用" in page


def test_a_warning_is_shown_beside_its_field_after_saving_and_blocks_nothing(
    ganlu_official, login, ganlu_school, official_round
):
    ret = make_return(school=ganlu_school, round=official_round)
    client = login(ganlu_official)
    data = current_form_data(ret, training_funds_yuan=Decimal("3900000"))
    response = client.post(reverse("schools:return_edit", args=[ret.pk]), data, follow=True)
    page = response.content.decode()
    ret.refresh_from_db()
    assert ret.training_funds_yuan == Decimal("3900000")  # saved
    # Beside the training funds field (same table row), not only in the flash messages.
    row = page.split('name="training_funds_yuan"')[1].split("</tr>")[0]
    assert 'class="field-warning" data-rule="training-le-public-funds"' in row
    assert "教师培训经费（元） 3900000，年度公用经费（元） 300000" in row
    assert "<script>" not in row


def test_a_class_without_pupils_blocks_saving_and_submitting(ganlu_official, login, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    rows = [*class_rows("primary", 400, 9), ClassRow("primary", 6, "6年级空班", 0)]
    data = edit_form_data(kind="primary", figures=primary_figures(), classes=rows, rooms=[], version=ret.version)
    response = login(ganlu_official).post(reverse("schools:return_edit", args=[ret.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "班级学生数为0" in page and "填报有误，未保存" in page
    assert SchoolReturn.objects.get(pk=ret.pk).version == ret.version


def test_a_60_pupil_primary_class_saves_and_submits_with_no_warning_and_shows_as_g5(
    ganlu_official, login, ganlu_school, official_round
):
    ret = make_return(school=ganlu_school, round=official_round)
    rows = [*class_rows("primary", 340, 9), ClassRow("primary", 6, "6年级大班", 60)]
    client = login(ganlu_official)
    data = edit_form_data(kind="primary", figures=primary_figures(), classes=rows, rooms=[], version=ret.version)
    response = client.post(reverse("schools:return_edit", args=[ret.pk]), data, follow=True)
    page = response.content.decode()
    assert "已保存草稿" in page
    assert "field-warning" not in page
    assert "60人，超过班额标准（45人），计入G5未达标" in page
    row = page.split('value="6年级大班"')[1].split("</tr>")[0]
    assert "g5-note" in row
    response = client.post(reverse("schools:return_submit", args=[ret.pk]), follow=True)
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    assert "请核实" not in response.content.decode()


def test_a_teaching_points_class_of_4_raises_nothing_on_the_form(ganlu_official, login, ganlu, official_round):
    point = SchoolFactory(kind="teaching_point", location="rural", township=ganlu, code="2136009001")
    figures = primary_figures(students=22, classes=2, teachers=3, classrooms=2, classrooms_connected=2)
    figures.update(primary_teachers_above_required=3, primary_teachers_backbone=0, primary_teachers_pe_arts=1)
    figures.update(public_funds_yuan=Decimal("65000"), training_funds_yuan=Decimal("4000"))
    figures.update(equipment_value_yuan=Decimal("60000"), sports_area_m2=Decimal("600"), multimedia_rooms=2)
    figures.update(teaching_area_m2=Decimal("130"), land_area_m2=Decimal("1500"))
    ret = make_return(school=point, round=official_round, figures=figures, with_rows=False)
    rows = [ClassRow("primary", 1, "复式班", 4), ClassRow("primary", 3, "三年级", 18)]
    data = edit_form_data(kind="teaching_point", figures=figures, classes=rows, rooms=[], version=ret.version)
    client = login(ganlu_official)
    page = client.post(reverse("schools:return_edit", args=[ret.pk]), data, follow=True).content.decode()
    assert "已保存草稿" in page
    assert "field-warning" not in page and "g5-note" not in page and "请核实" not in page
