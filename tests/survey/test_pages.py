"""The bureau's survey pages: creating a survey, its items, the link and QR code, the live tallies."""

import datetime

from django.urls import reverse
from django.utils import timezone

from gongqing.models import AuditEvent
from supervision.survey.models import Question, Survey
from tests.survey.conftest import answer, submit


def test_the_bureau_creates_the_years_survey_with_default_items(client, staff, school_year):
    client.force_login(staff)
    today = timezone.localdate()
    response = client.post(
        reverse("survey:create"),
        {
            "school_year": school_year.pk,
            "title": "2024年社会认可度调查",
            "intro": "",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=20)).isoformat(),
            "public_base_url": "",
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("survey:detail", args=[survey.pk])
    groups = set(Question.objects.filter(survey=survey).values_list("group", flat=True))
    assert groups == {"students", "parents", "teachers", "principals", "npc_deputies", "cppcc_members", "residents"}
    assert len(survey.token) >= 24
    assert AuditEvent.objects.filter(action="survey.create", user=staff).count() == 1


def test_a_closing_date_before_the_opening_is_refused(client, staff, school_year):
    client.force_login(staff)
    response = client.post(
        reverse("survey:create"),
        {"school_year": school_year.pk, "title": "调查", "opens_on": "2024-11-02", "closes_on": "2024-11-01"},
    )
    assert response.status_code == 200
    assert Survey.objects.count() == 0


def _edit_data(survey, **items):
    data = {
        "title": survey.title,
        "intro": "",
        "opens_on": survey.opens_on.isoformat(),
        "closes_on": survey.closes_on.isoformat(),
        "public_base_url": "https://wj.example.gov.cn",
    }
    for q in Question.objects.filter(survey=survey):
        data.setdefault(f"items_{q.group}", "")
        data[f"items_{q.group}"] += q.text + "\n"
    data.update({f"items_{g}": text for g, text in items.items()})
    return data


def test_items_of_a_group_without_answers_can_be_changed(client, staff, survey):
    client.force_login(staff)
    response = client.post(reverse("survey:edit", args=[survey.pk]), _edit_data(survey, teachers="第一题\n第二题\n"))
    assert response.status_code == 302
    assert list(Question.objects.filter(survey=survey, group="teachers").values_list("text", flat=True)) == [
        "第一题",
        "第二题",
    ]
    survey.refresh_from_db()
    assert survey.public_base_url == "https://wj.example.gov.cn"


def test_items_of_a_group_with_answers_are_frozen(client, staff, survey):
    submit(survey, "teachers", ["satisfied"] * 6)
    client.force_login(staff)
    before = list(Question.objects.filter(survey=survey, group="teachers").values_list("text", flat=True))
    client.post(reverse("survey:edit", args=[survey.pk]), _edit_data(survey, teachers="第一题\n"))
    after = list(Question.objects.filter(survey=survey, group="teachers").values_list("text", flat=True))
    assert after == before and len(after) == 6


def test_the_detail_page_shows_the_link_the_qr_code_and_the_tallies(client, personas, survey):
    answer(survey, "students", ["satisfied"] * 6)
    client.force_login(personas["leadership"])
    page = client.get(reverse("survey:detail", args=[survey.pk])).content.decode()
    assert f"/survey/s/{survey.token}/" in page
    assert reverse("survey:qr", args=[survey.pk]) in page
    assert 'data-group="students"' in page and "85.00%" in page
    assert "导出签名文件" not in page  # leadership reads only


def test_the_link_uses_the_public_host_when_one_is_set(client, staff, survey):
    Survey.objects.filter(pk=survey.pk).update(public_base_url="https://wj.example.gov.cn/")
    client.force_login(staff)
    page = client.get(reverse("survey:detail", args=[survey.pk])).content.decode()
    assert f"https://wj.example.gov.cn/survey/s/{survey.token}/" in page


def test_the_qr_code_is_an_svg_drawn_on_the_server(client, staff, survey):
    client.force_login(staff)
    response = client.get(reverse("survey:qr", args=[survey.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") and b"<svg" in response.content
    assert b"<script" not in response.content


def test_the_list_shows_each_years_survey(client, staff, survey):
    client.force_login(staff)
    page = client.get(reverse("survey:list")).content.decode()
    assert survey.title in page and "进行中" in page


def test_closing_and_reopening_is_the_bureaus(client, staff, survey):
    client.force_login(staff)
    client.post(reverse("survey:close", args=[survey.pk]), {"closed": "1"})
    survey.refresh_from_db()
    assert survey.closed
    client.post(reverse("survey:close", args=[survey.pk]), {"closed": "0"})
    survey.refresh_from_db()
    assert not survey.closed
    events = AuditEvent.objects.filter(action__startswith="survey.").order_by("pk")
    assert list(events.values_list("action", flat=True)) == [
        "survey.create",
        "survey.close",
        "survey.reopen",
    ]


def test_the_public_pages_carry_no_inline_script(client, survey):
    for url in (
        reverse("survey:public", args=[survey.token]),
        reverse("survey:public_form", args=[survey.token, "students"]),
    ):
        body = client.get(url).content.decode()
        assert "<script" not in body
