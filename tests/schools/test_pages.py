"""The registry, the collection board and the county profile pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongqing.models import AuditEvent, Notice
from gongqing.roles import Role
from schools.models import CountyProfile, ReturnStatus
from tests.factories import RoundFactory, SchoolFactory, SchoolYearFactory, TownshipFactory, UserFactory, make_return


def names(response) -> list[str]:
    return [s.name for s in response.context["schools"]]


@pytest.fixture
def registry(ganlu, jiangyi, ganlu_school, jiangyi_school):
    """Four more schools of different kinds and locations in both townships."""
    return {
        "ganlu_junior": SchoolFactory(name="甘露镇初级中学", township=ganlu, kind="junior", location="town"),
        "ganlu_point": SchoolFactory(
            name="甘露镇杨柳教学点", township=ganlu, kind="teaching_point", parent=ganlu_school, location="rural"
        ),
        "jiangyi_nine": SchoolFactory(name="江益镇九年一贯制学校", township=jiangyi, kind="nine_year", location="town"),
        "city": SchoolFactory(name="共青城市第一小学", township=TownshipFactory(name="茶山街道"), location="urban"),
    }


def test_the_school_list_filters_by_township_kind_location_and_search(login, staff, ganlu, registry):
    client = login(staff)
    url = reverse("schools:list")
    assert len(names(client.get(url))) == 6
    assert sorted(names(client.get(url, {"township": ganlu.pk}))) == sorted(
        ["甘露镇中心小学", "甘露镇初级中学", "甘露镇杨柳教学点"]
    )
    assert names(client.get(url, {"kind": "nine_year"})) == ["江益镇九年一贯制学校"]
    assert sorted(names(client.get(url, {"location": "town"}))) == ["江益镇九年一贯制学校", "甘露镇初级中学"]
    assert names(client.get(url, {"q": "第一"})) == ["共青城市第一小学"]
    assert names(client.get(url, {"q": "2136000002"})) == ["江益镇中心小学"]
    assert names(client.get(url, {"township": ganlu.pk, "kind": "junior", "location": "town"})) == ["甘露镇初级中学"]


def test_an_official_sees_only_their_townships_schools(login, ganlu_official, jiangyi, registry):
    client = login(ganlu_official)
    response = client.get(reverse("schools:list"))
    assert sorted(names(response)) == sorted(["甘露镇中心小学", "甘露镇初级中学", "甘露镇杨柳教学点"])
    assert "江益镇" not in response.content.decode()
    # Asking for another township by its id yields nothing of it.
    response = client.get(reverse("schools:list"), {"township": jiangyi.pk})
    assert not any("江益镇" in n for n in names(response))
    assert list(response.context["filter"].form.fields["township"].queryset) == [
        ganlu_official.township_membership.township
    ]


def test_the_board_counts_each_status_per_township(login, staff, ganlu, jiangyi, official_round, ganlu_school):
    statuses = [ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, ReturnStatus.SUBMITTED, ReturnStatus.RETURNED]
    for status in statuses:
        make_return(school=SchoolFactory(township=ganlu), round=official_round, status=status)
    make_return(school=ganlu_school, round=official_round, status=ReturnStatus.APPROVED)
    SchoolFactory(township=ganlu)  # not started
    SchoolFactory(township=ganlu, closed=2023)  # closed before the round: not counted
    SchoolFactory(township=jiangyi)
    counts = {
        c["township__name"]: c
        for c in login(staff).get(reverse("schools:round_board", args=[official_round.pk])).context["counts"]
    }
    ganlu_row = {k: counts["甘露镇"][k] for k in ("total", "not_started", "draft", "submitted", "returned", "approved")}
    assert ganlu_row == {"total": 6, "not_started": 1, "draft": 1, "submitted": 2, "returned": 1, "approved": 1}
    assert counts["江益镇"]["total"] == 1 and counts["江益镇"]["not_started"] == 1


def test_the_board_of_an_official_shows_only_their_township(login, jiangyi_official, official_round, ganlu_school):
    make_return(school=ganlu_school, round=official_round)
    response = login(jiangyi_official).get(reverse("schools:round_board", args=[official_round.pk]))
    assert [c["township__name"] for c in response.context["counts"]] == []
    assert response.context["rows"] == []
    assert "甘露镇" not in response.content.decode()


def test_the_reminder_goes_to_the_townships_active_officials_only(
    login, staff, ganlu, ganlu_official, jiangyi_official, official_round, personas
):
    colleague = UserFactory(username="ganlu_b", role=Role.TOWNSHIP_OFFICIAL, township=ganlu)
    UserFactory(username="ganlu_gone", role=Role.TOWNSHIP_OFFICIAL, township=ganlu, is_active=False)
    response = login(staff).post(
        reverse("schools:round_remind", args=[official_round.pk, ganlu.pk]), REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    assert sorted(Notice.objects.values_list("user__username", flat=True)) == ["ganlu", "ganlu_b"]
    notice = Notice.objects.get(user=colleague)
    assert "2024-10-15" in notice.text and notice.link == reverse("schools:round_board", args=[official_round.pk])
    event = AuditEvent.objects.get(action="round.remind")
    assert event.detail == {"township": "甘露镇", "recipients": 2} and event.user == staff


def test_the_board_shows_a_remind_button_only_to_the_bureau(login, staff, ganlu_official, official_round, ganlu_school):
    url = reverse("schools:round_board", args=[official_round.pk])
    remind = reverse("schools:round_remind", args=[official_round.pk, ganlu_school.township_id])
    assert remind in login(staff).get(url).content.decode()
    assert remind not in login(ganlu_official).get(url).content.decode()


def test_only_the_bureau_admin_edits_the_county_profile(login, personas):
    url = reverse("schools:county_profile")
    data = {"name": "共青城市", "code": "360482", "government": "共青城市人民政府", "population": "150000"}
    for role in (Role.BUREAU_STAFF, Role.LEADERSHIP, "ganlu_official", Role.AUDITOR):
        assert login(personas[role]).post(url, data).status_code == 403
    assert CountyProfile.get().population is None
    response = login(personas[Role.BUREAU_ADMIN]).post(url, data)
    assert response.status_code == 302
    assert CountyProfile.get().population == 150000
    assert AuditEvent.objects.filter(action="county_profile.save", user=personas[Role.BUREAU_ADMIN]).exists()


def test_a_county_profile_with_a_bad_value_is_not_saved(login, personas):
    url = reverse("schools:county_profile")
    response = login(personas[Role.BUREAU_ADMIN]).post(
        url, {"name": "共青城市", "code": "360482", "government": "x", "population": "-5"}
    )
    assert response.status_code == 200
    assert CountyProfile.get().population is None


def _schools(n, townships, round):
    statuses = list(ReturnStatus)
    for i in range(n):
        school = SchoolFactory(township=townships[i % len(townships)], kind="nine_year" if i % 3 else "primary")
        if i % 2:
            make_return(school=school, round=round, status=statuses[i % len(statuses)], with_rows=False)
        if i % 5 == 0:
            SchoolFactory(township=school.township, kind="teaching_point", parent=school)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# The board's 11th query: when each township was last reminded (one query for all of them).
@pytest.mark.parametrize(("page", "bound"), [("schools:list", 8), ("schools:round_board", 11)])
def test_the_list_and_the_board_take_the_same_queries_for_5_and_40_schools(
    page, bound, login, staff, ganlu, jiangyi, official_round, django_assert_max_num_queries
):
    client = login(staff)
    url = reverse(page, args=[official_round.pk] if page == "schools:round_board" else [])
    townships = [ganlu, jiangyi, TownshipFactory(name="茶山街道")]
    _schools(5, townships, official_round)
    with django_assert_max_num_queries(bound):
        client.get(url)
    few = count_queries(client, url)
    _schools(35, townships, official_round)
    with django_assert_max_num_queries(bound):
        client.get(url)
    assert count_queries(client, url) == few


def test_the_school_page_takes_the_same_queries_for_one_and_five_returns(login, staff, ganlu_school):
    client = login(staff)
    url = reverse("schools:detail", args=[ganlu_school.pk])
    make_return(school=ganlu_school, round=RoundFactory(school_year=SchoolYearFactory(year=2019)))
    SchoolFactory(township=ganlu_school.township, kind="teaching_point", parent=ganlu_school)
    client.get(url)
    few = count_queries(client, url)
    for year in (2020, 2021, 2022, 2023):
        make_return(school=ganlu_school, round=RoundFactory(school_year=SchoolYearFactory(year=year)))
        SchoolFactory(township=ganlu_school.township, kind="teaching_point", parent=ganlu_school)
    RoundFactory(school_year=SchoolYearFactory(year=2024))
    assert count_queries(client, url) == few


def test_the_review_queue_takes_the_same_queries_for_5_and_40_returns(login, staff, ganlu, official_round):
    client = login(staff)
    url = reverse("schools:review_queue")
    for _i in range(5):
        make_return(school=SchoolFactory(township=ganlu), round=official_round, status="submitted", with_rows=False)
    client.get(url)
    few = count_queries(client, url)
    for _i in range(35):
        make_return(school=SchoolFactory(township=ganlu), round=official_round, status="submitted", with_rows=False)
    assert count_queries(client, url) == few


def test_the_round_form_shows_its_dates_so_saving_it_unchanged_keeps_them(login, staff, official_round):
    """<input type="date"> reads only ISO dates; a localised value ("2026/9/1") shows empty and the save clears it."""
    client = login(staff)
    html = client.get(reverse("schools:round_edit", args=[official_round.pk])).content.decode()
    shown = dict(re.findall(r'name="(as_of|due_date)" value="([^"]*)"', html))
    assert shown == {"as_of": official_round.as_of.isoformat(), "due_date": official_round.due_date.isoformat()}
    posted = {
        "school_year": official_round.school_year_id,
        "kind": official_round.kind,
        "name": official_round.name,
        "is_open": "on",
        **shown,
    }
    client.post(reverse("schools:round_edit", args=[official_round.pk]), posted)
    official_round.refresh_from_db()
    assert (official_round.as_of.isoformat(), official_round.due_date.isoformat()) == (
        shown["as_of"],
        shown["due_date"],
    )
