"""The XLSX template of a township for a round: its open schools, pre-filled with their current figures."""

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent
from schools.models import ReturnStatus
from tests.factories import RoundFactory, SchoolFactory, SchoolYearFactory, make_return, primary_figures
from tests.schools.exchange_files import read_sheets


@pytest.fixture
def template(login, official_round):
    def _get(user, township):
        return login(user).get(reverse("schools:exchange_template", args=[official_round.pk, township.pk]))

    return _get


def test_the_template_has_the_townships_schools_and_not_anothers(template, staff, ganlu, ganlu_school, jiangyi_school):
    response = template(staff, ganlu)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    sheets = read_sheets(response.content)
    assert list(sheets) == ["学校填报", "班级", "功能室"]
    header, *rows = sheets["学校填报"]
    assert header[:4] == ("学校标识码", "学校名称", "小学在校生数", "小学班级数")
    assert "教学仪器设备值（元）" in header
    assert [r[:2] for r in rows] == [("2136000001", "甘露镇中心小学")]
    assert sheets["班级"][0] == ("学校标识码", "学校名称", "学段", "年级", "班级名称", "学生数")
    assert sheets["功能室"][0] == ("学校标识码", "学校名称", "功能室", "面积（平方米）")
    assert AuditEvent.objects.get(action="export").detail["what"] == "template"


def test_the_template_prefills_this_rounds_figures_else_the_last_approved_else_nothing(
    template, staff, ganlu, ganlu_school, official_round
):
    make_return(school=ganlu_school, round=official_round, figures=primary_figures(students=300, classes=6))
    approved_only = SchoolFactory(name="甘露镇第二小学", code="2136100002", township=ganlu)
    earlier = RoundFactory(school_year=SchoolYearFactory(year=2023))
    make_return(
        school=approved_only, round=earlier, status=ReturnStatus.APPROVED, figures=primary_figures(students=200)
    )
    draft_earlier = SchoolFactory(name="甘露镇第三小学", code="2136100003", township=ganlu)
    make_return(school=draft_earlier, round=earlier, figures=primary_figures(students=999))

    sheets = read_sheets(template(staff, ganlu).content)
    header, *rows = sheets["学校填报"]
    students = header.index("小学在校生数")
    by_code = {r[0]: r for r in rows}
    assert by_code["2136000001"][students] == 300
    assert by_code["2136100002"][students] == 200
    assert by_code["2136100003"][students] is None
    classes = [r for r in sheets["班级"][1:] if r[0] == "2136000001"]
    assert len(classes) == 6
    assert {r[2] for r in classes} == {"小学"}
    assert sorted(r[2] for r in sheets["功能室"][1:] if r[0] == "2136100002") == ["美术专用教室", "音乐专用教室"]


def test_schools_closed_that_year_are_left_out(template, staff, ganlu, ganlu_school, official_round):
    SchoolFactory(name="甘露镇已撤并小学", township=ganlu, closed=official_round.school_year.year)
    SchoolFactory(name="甘露镇未开办小学", township=ganlu, opened=official_round.school_year.year + 1)
    names = [r[1] for r in read_sheets(template(staff, ganlu).content)["学校填报"][1:]]
    assert names == ["甘露镇中心小学"]


def test_a_township_official_gets_their_own_township_only(template, ganlu_official, ganlu, jiangyi, jiangyi_school):
    assert template(ganlu_official, ganlu).status_code == 200
    assert template(ganlu_official, jiangyi).status_code == 404


def test_the_template_uploads_back_unchanged(template, login, staff, ganlu, ganlu_school, official_round):
    earlier = RoundFactory(school_year=SchoolYearFactory(year=2023))
    make_return(school=ganlu_school, round=earlier, status=ReturnStatus.APPROVED)
    content = template(staff, ganlu).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(staff).post(
        reverse("schools:exchange_upload", args=[official_round.pk]),
        {"files": SimpleUploadedFile("模板.xlsx", content)},
    )
    assert 'id="import-result"' in response.content.decode()
    ret = ganlu_school.returns.get(round=official_round)
    assert (ret.primary_students, ret.classes.count(), ret.rooms.count()) == (400, 10, 2)
