"""The side-by-side review page: each figure beside last year's approved one, with the change, the warnings, the
explanation, the attachments and the reviewer's marks; its query count does not grow with figures, rules or files."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from schools.annotations import services
from schools.annotations.models import ReturnAttachment
from schools.annotations.selectors import figure_change, review_sheet, school_figures
from schools.models import SchoolKind
from tests.annotations.conftest import warning


def test_the_change_of_a_figure_is_worked_out_against_last_years():
    # 600 against 400: +200, 200 / 400 = 50.0 %. 2,450.5 against 2,600: −149.5, −149.5 / 2,600 = −5.75 % → −5.8 %.
    assert figure_change(600, 400) == (Decimal(200), Decimal("50.0"))
    assert figure_change(Decimal("2450.5"), Decimal("2600")) == (Decimal("-149.5"), Decimal("-5.8"))
    # No earlier value: no change; an earlier 0: a difference but no percent.
    assert figure_change(600, None) == (None, None)
    assert figure_change(5, 0) == (Decimal(5), None)


def test_a_primary_school_is_shown_its_own_figures_only():
    figures = school_figures(SchoolKind.PRIMARY)
    assert "primary_students" in figures and "training_funds_yuan" in figures
    assert "junior_students" not in figures and "senior_students" not in figures and "special_students" not in figures


def attach(ret, field, name="购置依据.pdf"):
    a = ReturnAttachment(school_return=ret, field=field, name=name, content_type="application/pdf", size=9)
    a.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    a.save()
    return a


def test_the_reviewer_sees_this_year_last_year_the_warning_its_explanation_and_the_file_side_by_side(
    login, staff, ganlu_official, this_year, pinned_findings
):
    pinned_findings(this_year, [warning()])
    services.explanations_save(
        school_return=this_year,
        texts={"students_change|primary_students": "合并了村小"},
        submit=True,
        by=ganlu_official,
    )
    attach(this_year, "primary_students", "转学名单.pdf")
    page = login(staff).get(reverse("annotations:review", args=[this_year.pk])).content.decode()
    row = page.split('id="figure-primary_students"')[1].split("</tr>")[0]
    assert '<td class="num this-year">600</td>' in row
    assert '<td class="num last-year">400</td>' in row
    assert "200（50.0%）" in row
    assert "在校生数由400变为600" in row and "合并了村小" in row and "转学名单.pdf" in row
    assert "接受说明" in row  # the reviewer may accept it
    assert 'id="send-back-form"' in page


def test_figures_changed_since_the_return_was_sent_back_are_marked(staff, this_year):
    from schools import services as school_services
    from schools.models import ReturnStatus

    this_year.status = ReturnStatus.SUBMITTED
    this_year.save()
    school_services.return_send_back(school_return=this_year, comment="请核对", by=staff)
    this_year.primary_teachers = 30
    this_year.save()
    sheet = review_sheet(school_return=this_year)
    changed = [r.field for r in sheet.rows if r.changed_since_sent_back]
    assert changed == ["primary_teachers"]


@pytest.mark.parametrize("many", [False, True])
def test_the_review_page_reads_a_fixed_number_of_queries(
    login, staff, ganlu_official, this_year, pinned_findings, django_assert_max_num_queries, many
):
    fields = school_figures(SchoolKind.PRIMARY)
    findings = (
        [warning(field=f, rule_code=f"rule{i}", message=f"提示{i}") for i in range(5) for f in fields]
        if many
        else [warning()]
    )
    pinned_findings(this_year, findings)
    services.explanations_save(
        school_return=this_year,
        texts={services.warning_key(f): "说明" for f in findings},
        by=ganlu_official,
    )
    for f in fields if many else fields[:1]:
        attach(this_year, f)
        services.figure_follow_up(school_return=this_year, field=f, on=True, by=staff)
    client = login(staff)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("annotations:review", args=[this_year.pk]))
    assert response.status_code == 200


def test_an_unchanged_figure_shows_no_change(login, staff, this_year):
    page = login(staff).get(reverse("annotations:review", args=[this_year.pk])).content.decode()
    row = page.split('id="figure-primary_teachers"')[1].split("</tr>")[0]
    assert '<td class="num change"></td>' in row


def test_the_edit_form_shows_each_warning_beside_its_field_once_saved(login, ganlu_official, this_year):
    # Nothing pinned: the rules engine's change warning on 600 pupils against last year's 400.
    page = login(ganlu_official).get(reverse("schools:return_edit", args=[this_year.pk])).content.decode()
    row = page.split('name="primary_students"')[1].split("</tr>")[0]
    assert 'class="field-warning"' in row and "填写说明或上传依据" in row
    teachers = page.split('name="primary_teachers"')[1].split("</tr>")[0]
    assert "field-warning" not in teachers and "填写说明" not in teachers
