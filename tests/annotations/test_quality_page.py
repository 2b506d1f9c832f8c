"""The bureau's data-quality page of a round: every warning with its explanation's status, every open follow-up, by
township and rule, with counts, filters and a formula-safe .xlsx; its query count does not grow
with schools or rules."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from schools.annotations import services
from schools.annotations.selectors import quality_sheet
from schools.models import School
from tests.annotations.conftest import warning
from tests.factories import SchoolFactory, make_return, primary_figures


@pytest.fixture
def round_with_warnings(ganlu, jiangyi, ganlu_school, jiangyi_school, official_round, pinned_findings, staff):
    """甘露镇's school: two warnings, one explained (with a formula-like text) and one not, and a follow-up;
    江益镇's school: one warning, unexplained."""
    ganlu_ret = make_return(school=ganlu_school, round=official_round)
    jiangyi_ret = make_return(school=jiangyi_school, round=official_round)
    pinned_findings(
        ganlu_ret,
        [
            warning(),
            warning(field="training_funds_yuan", rule_code="training_gt_public", message="培训经费高于公用经费"),
        ],
    )
    pinned_findings(jiangyi_ret, [warning()])
    services.explanations_save(
        school_return=ganlu_ret, texts={"students_change|primary_students": '=HYPERLINK("http://x")'}, by=staff
    )
    services.figure_follow_up(school_return=ganlu_ret, field="land_area_m2", comment="现场核查", on=True, by=staff)
    return official_round


def test_every_warning_explanation_and_follow_up_is_counted_by_township_and_rule(round_with_warnings):
    sheet = quality_sheet(round=round_with_warnings, schools=School.objects.all())
    assert sheet.total == 4  # 3 warnings + 1 follow-up
    by_township = {r["name"]: r for r in sheet.by_township}
    assert (by_township["甘露镇"]["total"], by_township["甘露镇"]["written"]) == (3, 1)
    assert (by_township["甘露镇"]["unexplained"], by_township["甘露镇"]["follow_up"]) == (1, 1)
    assert (by_township["江益镇"]["total"], by_township["江益镇"]["unexplained"]) == (1, 1)
    by_rule = {r["name"]: r["total"] for r in sheet.by_rule}
    assert by_rule == {"变化幅度": 3, "跟进": 1}


def test_the_filters_narrow_the_rows_and_the_counts(round_with_warnings, ganlu):
    schools = School.objects.all()
    assert len(quality_sheet(round=round_with_warnings, schools=schools, township=ganlu).rows) == 3
    assert len(quality_sheet(round=round_with_warnings, schools=schools, rule="students_change").rows) == 2
    rows = quality_sheet(round=round_with_warnings, schools=schools, status="unexplained").rows
    assert sorted(r.school_return.school.name for r in rows) == ["江益镇中心小学", "甘露镇中心小学"]
    assert [r.field for r in quality_sheet(round=round_with_warnings, schools=schools, status="follow_up").rows] == [
        "land_area_m2"
    ]


def test_the_page_shows_the_counts_and_filters_by_query(login, staff, round_with_warnings, jiangyi):
    client = login(staff)
    page = client.get(reverse("annotations:quality")).content.decode()
    assert "甘露镇中心小学" in page and "江益镇中心小学" in page and "培训经费高于公用经费" in page
    page = client.get(reverse("annotations:quality"), {"township": jiangyi.pk}).content.decode()
    assert "江益镇中心小学" in page and "培训经费高于公用经费" not in page


def test_the_export_is_a_workbook_whose_text_cannot_run_as_a_formula(login, staff, round_with_warnings):
    response = login(staff).get(reverse("annotations:quality_export"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 4
    explanations = [r[8] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in explanations
    counts = {r[0]: r[1] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert counts == {"甘露镇": 3, "江益镇": 1}


def test_township_officials_are_not_given_the_county_page(login, ganlu_official, round_with_warnings):
    assert login(ganlu_official).get(reverse("annotations:quality")).status_code == 403


@pytest.mark.parametrize("schools", [2, 12])
def test_the_page_reads_a_fixed_number_of_queries(
    login, staff, ganlu, official_round, pinned_findings, django_assert_max_num_queries, schools
):
    for i in range(schools):
        ret = make_return(school=SchoolFactory(township=ganlu), round=official_round)
        pinned_findings(ret, [warning(rule_code=f"rule{j}", message=f"提示{j}") for j in range(i % 5 + 1)])
        services.figure_follow_up(school_return=ret, field="land_area_m2", on=True, by=staff)
    client = login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("annotations:quality"))
    assert response.status_code == 200


@pytest.mark.parametrize("schools", [2, 12])
def test_with_the_real_checks_the_page_still_reads_a_fixed_number_of_queries(
    login, staff, ganlu, official_round, last_year_round, django_assert_max_num_queries, schools
):
    for _i in range(schools):
        school = SchoolFactory(township=ganlu)
        make_return(school=school, round=last_year_round, status="approved")
        make_return(school=school, round=official_round, figures=primary_figures(students=600))
    client = login(staff)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("annotations:quality"))
    assert response.content.decode().count("小学在校生数") >= schools
