"""Uploading a workbook of returns: all or nothing, every problem named by sheet, row and column."""

from decimal import Decimal

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent
from schools.models import ReturnClass, ReturnRoom, ReturnStatus, SchoolReturn
from tests.factories import RoundFactory, SchoolFactory, SchoolYearFactory, make_return, primary_figures
from tests.schools.exchange_files import (
    CLASS_HEADERS,
    RETURN_HEADERS,
    class_rows,
    primary_row,
    returns_workbook,
    room_rows,
    xlsx_upload,
)


@pytest.fixture
def upload(login, official_round):
    def _upload(user, file, round=None):
        client = login(user)
        return client.post(reverse("schools:exchange_upload", args=[(round or official_round).pk]), {"files": file})

    return _upload


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_valid_upload_saves_returns_classes_and_rooms(upload, ganlu_official, ganlu_school, official_round):
    file = returns_workbook([primary_row(ganlu_school)], class_rows(ganlu_school), room_rows(ganlu_school))
    html = page(upload(ganlu_official, file))
    assert 'id="import-result"' in html
    ret = SchoolReturn.objects.get(school=ganlu_school, round=official_round)
    assert ret.status == ReturnStatus.DRAFT
    assert ret.primary_students == 120
    assert ret.equipment_value_yuan == Decimal("500000")
    assert sorted(ret.classes.values_list("name", "students")) == [("1年级1班", 40), ("2年级1班", 40), ("3年级1班", 40)]
    assert sorted(ret.rooms.values_list("room", "area_m2")) == [("art", Decimal("85.50")), ("music", Decimal("90.00"))]
    event = AuditEvent.objects.get(action="import")
    assert event.result == "ok"
    assert event.detail["created"] == 1
    assert event.detail["classes"] == 3
    assert event.detail["rooms"] == 2


def test_an_upload_overwrites_a_draft_as_a_recorded_new_version(upload, staff, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    file = returns_workbook([primary_row(ganlu_school)], class_rows(ganlu_school), room_rows(ganlu_school))
    assert 'id="import-result"' in page(upload(staff, file))
    ret.refresh_from_db()
    assert ret.primary_students == 120
    assert ret.version == 2
    assert ret.history.first().history_user == staff
    assert ret.classes.count() == 3


def test_one_bad_cell_saves_nothing_and_names_sheet_row_and_column(upload, staff, ganlu_school, jiangyi_school):
    good = primary_row(jiangyi_school)
    bad = primary_row(ganlu_school, students=-5)
    file = returns_workbook([good, bad], class_rows(jiangyi_school), room_rows(jiangyi_school))
    html = page(upload(staff, file))
    assert "学校填报 第3行 ‘小学在校生数’：不能为负数" in html
    assert SchoolReturn.objects.count() == 0
    assert ReturnClass.objects.count() == 0
    assert ReturnRoom.objects.count() == 0
    event = AuditEvent.objects.get(action="import")
    assert event.result == "failed"


def test_every_problem_of_the_file_is_listed_not_only_the_first(upload, staff, ganlu_school, jiangyi_school):
    first = primary_row(ganlu_school, teachers="很多")
    second = primary_row(jiangyi_school)
    second[RETURN_HEADERS.index("小学县级及以上骨干教师数")] = 99
    classes = [*class_rows(jiangyi_school), [jiangyi_school.code, "", "小学", 8, "八年级1班", 30]]
    html = page(upload(staff, returns_workbook([first, second], classes, [])))
    assert "学校填报 第2行 ‘小学专任教师数’：应为整数" in html
    assert "学校填报 第3行 ‘小学县级及以上骨干教师数’" in html
    assert "班级 第5行 ‘年级’" in html
    assert SchoolReturn.objects.count() == 0


def test_a_school_of_another_township_is_refused_and_nothing_is_saved(
    upload, ganlu_official, ganlu_school, jiangyi_school
):
    rows = [primary_row(ganlu_school), primary_row(jiangyi_school)]
    classes = class_rows(ganlu_school) + class_rows(jiangyi_school)
    html = page(upload(ganlu_official, returns_workbook(rows, classes)))
    assert f"学校填报 第3行 ‘学校标识码’：找不到学校标识码为“{jiangyi_school.code}”的学校" in html
    assert "江益镇中心小学" not in html
    assert SchoolReturn.objects.count() == 0
    assert ReturnClass.objects.count() == 0


def test_the_equipment_column_in_wan_yuan_is_converted_to_yuan(upload, staff, ganlu_school, official_round):
    headers = list(RETURN_HEADERS)
    headers[headers.index("教学仪器设备值（元）")] = "教学仪器设备值(万元)"
    file = returns_workbook([primary_row(ganlu_school, equipment=90.5)], class_rows(ganlu_school), [], headers=headers)
    assert 'id="import-result"' in page(upload(staff, file))
    assert SchoolReturn.objects.get(school=ganlu_school).equipment_value_yuan == Decimal("905000.00")


def test_a_change_to_a_submitted_or_approved_return_is_refused_by_cell_and_name(
    upload, staff, ganlu_school, jiangyi_school, official_round
):
    make_return(school=ganlu_school, round=official_round, status=ReturnStatus.SUBMITTED)
    make_return(school=jiangyi_school, round=official_round, status=ReturnStatus.APPROVED)
    file = returns_workbook([primary_row(ganlu_school), primary_row(jiangyi_school)])
    html = page(upload(staff, file))
    # Stored: 400 pupils; the file: 120.
    assert "学校填报 第2行 ‘小学在校生数’：文件中为“120”，系统中为“400”。甘露镇中心小学在本批次的填报已提交" in html
    assert "学校填报 第3行 ‘小学在校生数’：文件中为“120”，系统中为“400”。江益镇中心小学在本批次的填报已审核" in html
    assert SchoolReturn.objects.get(school=ganlu_school).primary_students == 400


def test_a_closed_round_takes_no_upload(upload, staff, ganlu_school, official_round):
    official_round.is_open = False
    official_round.save(update_fields=["is_open"])
    html = page(upload(staff, returns_workbook([primary_row(ganlu_school)], class_rows(ganlu_school))))
    assert "该批次已停止填报" in html
    assert SchoolReturn.objects.count() == 0


def test_a_column_left_out_keeps_the_current_figure_and_an_absent_class_sheet_keeps_the_list(
    upload, staff, ganlu_school, official_round
):
    ret = make_return(school=ganlu_school, round=official_round)
    file = xlsx_upload({"学校填报": [["学校标识码", "小学县级及以上骨干教师数"], [ganlu_school.code, 7]]})
    assert 'id="import-result"' in page(upload(staff, file))
    ret.refresh_from_db()
    assert ret.primary_teachers_backbone == 7
    assert ret.primary_students == 400
    assert ret.classes.count() == 10


def test_a_new_return_starts_from_the_last_approved_figures(upload, staff, ganlu_school, official_round):
    earlier = RoundFactory(school_year=SchoolYearFactory(year=2023))
    make_return(school=ganlu_school, round=earlier, status=ReturnStatus.APPROVED)
    file = xlsx_upload({"学校填报": [["学校标识码", "小学县级及以上骨干教师数"], [ganlu_school.code, 6]]})
    assert 'id="import-result"' in page(upload(staff, file))
    ret = SchoolReturn.objects.get(school=ganlu_school, round=official_round)
    assert (ret.primary_students, ret.primary_teachers_backbone) == (400, 6)
    assert ret.classes.count() == 10


def test_unknown_and_missing_headers_are_refused(upload, staff, ganlu_school):
    file = xlsx_upload({"学校填报": [["学校名称", "学生总数"], [ganlu_school.name, 5]]})
    html = page(upload(staff, file))
    assert "学校填报 第1行 ‘学生总数’：无法识别的列名" in html
    assert "缺少必需的列‘学校标识码’" in html
    assert SchoolReturn.objects.count() == 0


def test_a_class_list_that_disagrees_with_the_declared_classes_is_refused(upload, staff, ganlu_school):
    file = returns_workbook([primary_row(ganlu_school, classes=4)], class_rows(ganlu_school, classes=3))
    html = page(upload(staff, file))
    assert "学校填报 第2行 ‘小学班级数’" in html
    assert SchoolReturn.objects.count() == 0


def test_a_workbook_without_the_returns_sheet_is_refused(upload, staff, ganlu_school):
    html = page(upload(staff, xlsx_upload({"班级": [CLASS_HEADERS, *class_rows(ganlu_school)]})))
    assert "文件中没有“学校填报”" in html
    assert ReturnClass.objects.count() == 0


def test_a_school_closed_that_year_is_refused(upload, staff, ganlu, official_round):
    closed = SchoolFactory(township=ganlu, closed=official_round.school_year.year)
    html = page(upload(staff, returns_workbook([primary_row(closed)], class_rows(closed))))
    assert "在本学年未开办或已停办" in html
    assert SchoolReturn.objects.count() == 0


def test_a_concurrent_save_between_check_and_write_fails_the_whole_import(
    upload, staff, ganlu_school, jiangyi_school, official_round, monkeypatch
):
    from schools.exchange import services as exchange_services

    ganlu_ret = make_return(school=ganlu_school, round=official_round)
    real_plan = exchange_services.plan_import

    def plan_then_someone_saves(**kwargs):
        plan = real_plan(**kwargs)
        SchoolReturn.objects.filter(pk=ganlu_ret.pk).update(version=5)
        return plan

    monkeypatch.setattr(exchange_services, "plan_import", plan_then_someone_saves)
    rows = [primary_row(jiangyi_school), primary_row(ganlu_school)]
    file = returns_workbook(rows, class_rows(jiangyi_school) + class_rows(ganlu_school))
    html = page(upload(staff, file))
    assert "在导入期间被他人修改" in html
    assert not SchoolReturn.objects.filter(school=jiangyi_school).exists()
    ganlu_ret.refresh_from_db()
    assert ganlu_ret.primary_students == primary_figures()["primary_students"]


def test_read_only_roles_cannot_upload(login, personas, official_round, ganlu_school):
    client = login(personas["leadership"])
    file = returns_workbook([primary_row(ganlu_school)], class_rows(ganlu_school))
    response = client.post(reverse("schools:exchange_upload", args=[official_round.pk]), {"files": file})
    assert response.status_code == 403
    assert SchoolReturn.objects.count() == 0


def test_an_import_that_dies_midway_leaves_nothing_and_a_second_upload_no_duplicates(
    login, staff, ganlu, official_round, monkeypatch
):
    from schools import services as return_services

    schools = [SchoolFactory(township=ganlu) for _ in range(3)]
    rows = [primary_row(s) for s in schools]
    classes = [row for s in schools for row in class_rows(s)]
    client = login(staff)
    client.raise_request_exception = False
    real_save = return_services.return_save
    calls = []

    def dies_on_the_third_school(**kwargs):
        calls.append(kwargs["school_return"].school_id)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_save(**kwargs)

    monkeypatch.setattr(return_services, "return_save", dies_on_the_third_school)
    url = reverse("schools:exchange_upload", args=[official_round.pk])
    assert client.post(url, {"files": returns_workbook(rows, classes)}).status_code == 500
    assert len(calls) == 3
    assert (SchoolReturn.objects.count(), ReturnClass.objects.count()) == (0, 0)

    monkeypatch.setattr(return_services, "return_save", real_save)
    for _ in range(2):
        assert 'id="import-result"' in page(client.post(url, {"files": returns_workbook(rows, classes)}))
    assert (SchoolReturn.objects.count(), ReturnClass.objects.count()) == (3, 9)
