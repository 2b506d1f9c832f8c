"""Warnings in the import summary, an error rule refusing the whole file, and stat() fed by STAT_SOURCES."""

from decimal import Decimal

import pytest
from django.urls import reverse

from schools.models import SchoolReturn
from schools.quality import findings as quality
from schools.quality.models import Rule
from tests.factories import SchoolFactory, make_return
from tests.schools.exchange_files import RETURN_HEADERS, class_rows, primary_row, returns_workbook, room_rows

pytestmark = pytest.mark.django_db


def _upload(client, round, file):
    response = client.post(reverse("schools:exchange_upload", args=[round.pk]), {"files": file})
    assert response.status_code == 200
    return response.content.decode()


def test_the_import_summary_lists_the_warnings_by_school(login, staff, ganlu_school, jiangyi_school, official_round):
    odd = primary_row(ganlu_school)
    odd[RETURN_HEADERS.index("教师培训经费（元）")] = 3900000  # 13 times the public funds
    fine = primary_row(jiangyi_school)
    file = returns_workbook([odd, fine], class_rows(ganlu_school) + class_rows(jiangyi_school), room_rows(ganlu_school))
    html = _upload(login(staff), official_round, file)
    assert 'id="import-result"' in html and "请核实以下变化" in html
    assert f"{ganlu_school.name}：教师培训经费超过年度公用经费：教师培训经费（元） 3900000" in html
    assert f"{jiangyi_school.name}：" not in html.split("请核实以下变化")[1]
    assert SchoolReturn.objects.count() == 2  # warnings block nothing


def test_an_error_rule_refuses_the_whole_import(login, staff, ganlu_school, jiangyi_school, official_round):
    classes = class_rows(ganlu_school) + class_rows(jiangyi_school)
    classes[-1][-1] = 0  # 江益镇's third class has no pupils (and its students no longer add up: 80 of 120)
    classes[-2][-1] = 80
    file = returns_workbook([primary_row(ganlu_school), primary_row(jiangyi_school)], classes, [])
    html = _upload(login(staff), official_round, file)
    assert "班级学生数为0" in html
    assert SchoolReturn.objects.count() == 0  # all or nothing


def test_stat_reads_the_registered_statistics_source_and_without_one_the_rule_does_not_apply(
    ganlu_school, official_round
):
    Rule.objects.create(
        code="students-match-statistics",
        label="在校生数与统计报表不一致",
        left="primary_students",
        operator="==",
        right="stat(primary_students)",
    )
    ret = make_return(school=ganlu_school, round=official_round)  # 400 pupils
    other = make_return(school=SchoolFactory(), round=official_round)
    codes = {f.rule_code for f in quality.findings_for_return(ret)}
    assert "students-match-statistics" not in codes  # no source: stat() has no value

    calls = []

    def statistics(school_ids, year):
        calls.append((sorted(school_ids), year))
        return {ganlu_school.pk: {"primary_students": Decimal(412)}}

    quality.STAT_SOURCES.append(statistics)
    try:
        out = quality.findings_for_returns([ret, other])
    finally:
        quality.STAT_SOURCES.remove(statistics)
    (f,) = [f for f in out[ret.pk] if f.rule_code == "students-match-statistics"]
    assert (f.left, f.right) == (Decimal(400), Decimal(412))
    assert "统计报表的小学在校生数 412" in f.message
    assert not [f for f in out[other.pk] if f.rule_code == "students-match-statistics"]  # no value for it
    assert calls == [(sorted([ganlu_school.pk, other.school_id]), official_round.school_year.year)]  # one call
