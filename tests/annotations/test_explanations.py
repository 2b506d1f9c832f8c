"""Explanations of warnings: submitting needs one for each open warning; the reviewer accepts one, or sends the
return back on its figure; a figure can be marked for follow-up. Each step keeps its history and an audit row."""

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent, Notice
from schools import services as school_services
from schools.annotations import services
from schools.annotations.models import Explanation, ExplanationStatus, FigureFlag, FlagKind
from schools.models import ReturnStatus, SchoolReturn
from tests.annotations.conftest import warning
from tests.factories import make_return, primary_figures

KEY = "explain:students_change|primary_students"


def status_of(ret):
    return SchoolReturn.objects.get(pk=ret.pk).status


def test_submitting_with_an_unexplained_warning_is_refused_naming_the_figure(
    login, ganlu_official, this_year, pinned_findings
):
    pinned_findings(this_year, [warning()])
    client = login(ganlu_official)
    response = client.post(reverse("schools:return_submit", args=[this_year.pk]), follow=True)
    text = response.content.decode()
    assert "小学在校生数" in text and "提交前请在“数据核查”中填写说明" in text
    assert status_of(this_year) == ReturnStatus.DRAFT


def test_the_api_and_every_other_submit_path_is_held_to_the_same_check(ganlu_official, this_year, pinned_findings):
    pinned_findings(this_year, [warning()])
    with pytest.raises(school_services.ReturnInvalid) as exc:
        school_services.return_submit(school_return=this_year, by=ganlu_official)
    assert [p.field for p in exc.value.problems] == ["primary_students"]


def test_the_clerk_explains_the_warning_and_submits_in_one_step(login, ganlu_official, this_year, pinned_findings):
    pinned_findings(this_year, [warning()])
    client = login(ganlu_official)
    response = client.post(
        reverse("annotations:explanations", args=[this_year.pk]),
        {KEY: "今年合并了村小，学生转入200人。", "submit": "1"},
    )
    assert response.status_code == 302
    assert status_of(this_year) == ReturnStatus.SUBMITTED
    expl = Explanation.objects.get(school_return=this_year)
    assert (expl.rule_code, expl.field, expl.status) == ("students_change", "primary_students", "written")
    assert expl.text == "今年合并了村小，学生转入200人。" and expl.written_by == ganlu_official
    assert expl.history.count() == 1
    assert AuditEvent.objects.filter(action="explanation.save", object_id=str(this_year.pk)).exists()


def test_an_explanation_of_a_warning_the_return_does_not_have_is_ignored(ganlu_official, this_year, pinned_findings):
    pinned_findings(this_year, [warning()])
    services.explanations_save(
        school_return=this_year, texts={"other_rule|land_area_m2": "无关说明"}, by=ganlu_official
    )
    assert not Explanation.objects.exists()


def test_explanations_stay_when_submitting_fails_on_an_error(
    ganlu_official, ganlu_school, official_round, last_year, pinned_findings
):
    # 600 pupils but classes listing 0: an error (the class list's total differs), which no explanation lifts.
    ret = make_return(school=ganlu_school, round=official_round, figures=primary_figures(students=600), with_rows=False)
    pinned_findings(ret, [warning()])
    with pytest.raises(school_services.ReturnInvalid):
        services.explanations_save(
            school_return=ret, texts={KEY[len("explain:") :]: "合并村小"}, submit=True, by=ganlu_official
        )
    assert status_of(ret) == ReturnStatus.DRAFT
    assert Explanation.objects.filter(school_return=ret).count() == 1


def test_an_empty_text_removes_the_explanation(ganlu_official, this_year, pinned_findings):
    pinned_findings(this_year, [warning()])
    key = KEY[len("explain:") :]
    services.explanations_save(school_return=this_year, texts={key: "合并村小"}, by=ganlu_official)
    services.explanations_save(school_return=this_year, texts={key: "  "}, by=ganlu_official)
    assert not Explanation.objects.exists()
    assert services.unexplained_warnings(this_year)[0].field == "primary_students"


@pytest.fixture
def explained_and_submitted(ganlu_official, this_year, pinned_findings):
    pinned_findings(this_year, [warning()])
    services.explanations_save(
        school_return=this_year, texts={KEY[len("explain:") :]: "合并村小"}, submit=True, by=ganlu_official
    )
    this_year.refresh_from_db()
    return this_year


def test_the_reviewer_accepts_an_explanation(login, staff, explained_and_submitted):
    ret = explained_and_submitted
    client = login(staff)
    response = client.post(
        reverse("annotations:accept", args=[ret.pk]), {"rule_code": "students_change", "field": "primary_students"}
    )
    assert response.status_code == 302
    expl = Explanation.objects.get(school_return=ret)
    assert expl.status == ExplanationStatus.ACCEPTED and expl.reviewed_by == staff
    assert [h.status for h in expl.history.order_by("history_date")] == ["written", "accepted"]
    assert AuditEvent.objects.filter(action="explanation.accept").count() == 1


def test_a_township_official_cannot_accept_their_own_explanation(login, ganlu_official, explained_and_submitted):
    client = login(ganlu_official)
    response = client.post(
        reverse("annotations:accept", args=[explained_and_submitted.pk]),
        {"rule_code": "students_change", "field": "primary_students"},
    )
    assert response.status_code == 403
    assert Explanation.objects.get().status == ExplanationStatus.WRITTEN


def test_the_reviewer_sends_the_return_back_on_a_figure(login, staff, ganlu_official, explained_and_submitted):
    ret = explained_and_submitted
    client = login(staff)
    response = client.post(
        reverse("schools:return_send_back", args=[ret.pk]),
        {"field": "primary_students", "comment": "请附转学名单。"},
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED
    assert ret.review_comment == "小学在校生数：请附转学名单。"
    flag = FigureFlag.objects.get(school_return=ret)
    assert (flag.kind, flag.field, flag.comment, flag.created_by) == (
        FlagKind.SENT_BACK,
        "primary_students",
        "请附转学名单。",
        staff,
    )
    expl = Explanation.objects.get(school_return=ret)
    assert expl.status == ExplanationStatus.SENT_BACK and expl.review_comment == "请附转学名单。"
    assert Notice.objects.filter(user=ganlu_official, text__contains="请附转学名单").exists()
    assert {"return.send_back", "figure.send_back"} <= set(AuditEvent.objects.values_list("action", flat=True))
    # The sent-back explanation no longer stands: the clerk must rewrite it (or correct the figure) to submit again.
    assert [p.field for p in services.unexplained_warnings(ret)] == ["primary_students"]
    services.explanations_save(
        school_return=ret,
        texts={"students_change|primary_students": "转学名单已上传。"},
        submit=True,
        by=ganlu_official,
    )
    assert status_of(ret) == ReturnStatus.SUBMITTED
    assert [h.status for h in Explanation.objects.get().history.order_by("history_date")] == [
        "written",
        "sent_back",
        "written",
    ]


def test_sending_back_on_a_figure_that_does_not_exist_changes_nothing(login, staff, explained_and_submitted):
    ret = explained_and_submitted
    client = login(staff)
    response = client.post(
        reverse("schools:return_send_back", args=[ret.pk]),
        {"field": "no_such_figure", "comment": "请核对。"},
        follow=True,
    )
    assert "退回时所选的数据项不存在" in response.content.decode()
    assert status_of(ret) == ReturnStatus.SUBMITTED
    assert not FigureFlag.objects.exists()


def test_sending_back_without_a_figure_still_works_as_before(login, staff, explained_and_submitted):
    ret = explained_and_submitted
    login(staff).post(reverse("schools:return_send_back", args=[ret.pk]), {"comment": "请核对全部数据。"})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED and ret.review_comment == "请核对全部数据。"
    assert not FigureFlag.objects.exists()
    assert Explanation.objects.get().status == ExplanationStatus.WRITTEN


def test_the_reviewer_marks_a_figure_for_follow_up_and_clears_it(login, staff, this_year):
    client = login(staff)
    url = reverse("annotations:follow_up", args=[this_year.pk])
    client.post(url, {"field": "equipment_value_yuan", "comment": "现场核查购置发票"})
    client.post(url, {"field": "equipment_value_yuan"})  # marking twice keeps one open mark
    flag = FigureFlag.objects.get()
    assert flag.kind == FlagKind.FOLLOW_UP and flag.is_open and flag.comment == "现场核查购置发票"
    client.post(url, {"field": "equipment_value_yuan", "on": "0"})
    flag.refresh_from_db()
    assert not flag.is_open and flag.resolved_by == staff
    assert flag.history.count() == 2
    actions = list(AuditEvent.objects.filter(action__startswith="figure.").values_list("action", flat=True))
    assert sorted(actions) == ["figure.follow_up", "figure.follow_up_clear"]


def test_the_rules_engines_change_warning_needs_an_explanation_before_submitting(ganlu_official, this_year):
    # Nothing pinned: the real checks. 400 pupils approved last year, 600 now: +50 % > the 30 % allowed.
    problems = services.unexplained_warnings(this_year)
    assert [p.field for p in problems] == ["primary_students"]
    [finding] = [f for f in services.checks.findings_for_return(this_year) if f.field == "primary_students"]
    services.explanations_save(
        school_return=this_year, texts={services.warning_key(finding): "合并了村小"}, submit=True, by=ganlu_official
    )
    assert status_of(this_year) == ReturnStatus.SUBMITTED
