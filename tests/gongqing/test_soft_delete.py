"""Soft deletion (issue 8, data safety): a deleted school, return or ledger item is hidden everywhere the portal reads
through its default managers — access helpers, selectors, the indicator loader — but stays in the database and its
history, is audited, and a bureau admin sees it in the recycle bin and restores it."""

import pytest
from django.http import Http404
from django.urls import reverse

from gongqing import softdelete
from gongqing.models import AuditEvent
from gongqing.roles import Role
from indicators.loading import evaluation_input, round_returns
from schools import access, services, signals
from schools.models import School, SchoolReturn
from supervision.models import RectificationItem
from tests.factories import RoundFactory, SchoolFactory, SchoolYearFactory, make_return


@pytest.fixture
def admin(personas):
    return personas[Role.BUREAU_ADMIN]


def test_a_deleted_school_is_hidden_from_every_reader_but_kept_with_its_history(admin, staff, ganlu_school):
    softdelete.soft_delete(obj=ganlu_school, by=admin, reason="撤并")
    assert not School.objects.filter(pk=ganlu_school.pk).exists()
    assert not access.schools_for(staff).filter(pk=ganlu_school.pk).exists()
    with pytest.raises(Http404):
        access.school_for_user(user=staff, pk=ganlu_school.pk)
    kept = School.all_objects.get(pk=ganlu_school.pk)
    assert kept.is_deleted and kept.deleted_by == admin
    assert kept.history.first().deleted_at == kept.deleted_at and kept.history.first().history_user == admin
    event = AuditEvent.objects.get(action="school.delete")
    assert event.user == admin and event.object_id == str(ganlu_school.pk) and event.detail == {"reason": "撤并"}


def test_a_deleted_return_is_hidden_and_a_new_one_may_be_started_but_not_both_restored(
    admin, staff, ganlu_school, official_round
):
    old = make_return(school=ganlu_school, round=official_round)
    softdelete.soft_delete(obj=old, by=admin)
    assert not access.returns_for(staff).exists()
    assert list(ganlu_school.returns.all()) == []  # related managers hide it too
    new = services.return_start(school=ganlu_school, round=official_round, by=staff)
    assert new.pk != old.pk
    with pytest.raises(softdelete.RestoreConflict, match="无法恢复"):
        softdelete.soft_restore(obj=old, by=admin)
    old.refresh_from_db()
    assert old.is_deleted
    softdelete.soft_delete(obj=new, by=admin)
    softdelete.soft_restore(obj=old, by=admin)
    assert list(access.returns_for(staff)) == [old]
    assert AuditEvent.objects.filter(action="schoolreturn.restore").count() == 1


def test_the_indicator_loader_ignores_deleted_schools_and_returns(admin, ganlu, official_round):
    kept, dropped = SchoolFactory(township=ganlu), SchoolFactory(township=ganlu)
    earlier = RoundFactory(school_year=official_round.school_year, kind="interim", name="春季", as_of="2024-03-01")
    fallback = make_return(school=kept, round=earlier, status="approved")
    latest = make_return(school=kept, round=official_round, status="approved")
    make_return(school=dropped, round=official_round, status="approved")
    assert {s: r.pk for s, r in round_returns(round=official_round).items()}[kept.pk] == latest.pk

    softdelete.soft_delete(obj=latest, by=admin)
    softdelete.soft_delete(obj=dropped, by=admin)
    returns = round_returns(round=official_round)
    assert returns[kept.pk].pk == fallback.pk  # the latest approved return still alive
    inp, meta = evaluation_input(round=official_round)
    assert dropped.code not in inp.expected_school_codes and dropped.code not in meta["schools_by_code"]
    assert kept.code in inp.expected_school_codes


def test_deleting_or_restoring_an_approved_return_asks_for_a_recompute(
    admin, ganlu_school, official_round, django_capture_on_commit_callbacks
):
    heard = []

    def listen(sender, school_year, **kwargs):
        heard.append(school_year)

    signals.return_reopened.connect(listen, dispatch_uid="test.soft_delete")
    try:
        approved = make_return(school=ganlu_school, round=official_round, status="approved")
        with_draft = make_return(school=SchoolFactory(), round=official_round)
        with django_capture_on_commit_callbacks(execute=True):
            softdelete.soft_delete(obj=with_draft, by=admin)  # a draft never reached the results
        assert heard == []
        for change in (softdelete.soft_delete, softdelete.soft_restore):
            with django_capture_on_commit_callbacks(execute=True):
                change(obj=approved, by=admin)
        with django_capture_on_commit_callbacks(execute=True):
            softdelete.soft_delete(obj=ganlu_school, by=admin)
    finally:
        signals.return_reopened.disconnect(dispatch_uid="test.soft_delete")
    assert heard == [2024, 2024, 2024]


def test_a_ledger_item_key_is_unique_among_live_items_only(admin):
    first = RectificationItem.objects.create(key="county:G1", kind="county", title="规划")
    softdelete.soft_delete(obj=first, by=admin)
    second = RectificationItem.objects.create(key="county:G1", kind="county", title="规划")
    assert list(RectificationItem.objects.filter(key="county:G1")) == [second]
    assert RectificationItem.all_objects.filter(key="county:G1").count() == 2
    with pytest.raises(softdelete.RestoreConflict):
        softdelete.soft_restore(obj=first, by=admin)


def test_the_admin_sees_the_recycle_bin_and_restores_a_row(login, admin, ganlu_school, official_round):
    ret = make_return(school=SchoolFactory(name="另一所小学"), round=official_round)
    item = RectificationItem.objects.create(key="manual:x", kind="manual", title="补齐功能室")
    for obj in (ganlu_school, ret, item):
        softdelete.soft_delete(obj=obj, by=admin)
    client = login(admin)
    page = client.get(reverse("recycle_bin")).content.decode()
    assert ganlu_school.name in page and "另一所小学" in page and "补齐功能室" in page
    response = client.post(reverse("recycle_restore", args=["school", ganlu_school.pk]))
    assert response.status_code == 302
    assert School.objects.filter(pk=ganlu_school.pk).exists()
    assert AuditEvent.objects.filter(action="school.restore", user=admin).count() == 1
    assert client.post(reverse("recycle_restore", args=["school", ganlu_school.pk])).status_code == 404  # not deleted
    assert client.post(reverse("recycle_restore", args=["nothing", ret.pk])).status_code == 404


@pytest.mark.parametrize("rows", [1, 12])
def test_the_recycle_bin_takes_a_fixed_number_of_queries(
    login, admin, official_round, rows, django_assert_max_num_queries
):
    for i in range(rows):
        school = SchoolFactory(name=f"撤并小学{i}")
        softdelete.soft_delete(obj=make_return(school=school, round=official_round, with_rows=False), by=admin)
        softdelete.soft_delete(obj=school, by=admin)
    client = login(admin)
    with django_assert_max_num_queries(12):  # session, user, messages, the shell... and one query per kind of row
        assert client.get(reverse("recycle_bin")).status_code == 200


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.AUDITOR, Role.LEADERSHIP])
def test_only_the_admin_restores(login, personas, admin, ganlu_school, role):
    softdelete.soft_delete(obj=ganlu_school, by=admin)
    response = login(personas[role]).post(reverse("recycle_restore", args=["school", ganlu_school.pk]))
    assert response.status_code == 403
    assert School.all_objects.get(pk=ganlu_school.pk).is_deleted


def test_another_years_return_stays_visible(admin, staff, ganlu_school, official_round):
    other_round = RoundFactory(school_year=SchoolYearFactory(year=2023))
    kept = make_return(school=ganlu_school, round=other_round)
    softdelete.soft_delete(obj=make_return(school=ganlu_school, round=official_round), by=admin)
    assert list(SchoolReturn.objects.all()) == [kept]


def test_a_deleted_scenario_is_kept_and_restored_from_the_bin(login, admin, staff, official_round):
    from indicators.models import Scenario
    from indicators.whatif.scenarios import scenario_delete

    scenario = Scenario.objects.create(round=official_round, name="运动场方案", changes=[], created_by=staff)
    scenario_delete(scenario=scenario, by=staff)
    assert not Scenario.objects.exists() and Scenario.all_objects.get().deleted_by == staff
    assert AuditEvent.objects.get(action="scenario.delete").detail == {"name": "运动场方案"}
    client = login(admin)
    assert "运动场方案" in client.get(reverse("recycle_bin")).content.decode()
    client.post(reverse("recycle_restore", args=["scenario", scenario.pk]))
    assert list(Scenario.objects.all()) == [scenario]


def test_the_round_board_counts_and_the_school_page_ignore_deleted_returns(
    login, admin, staff, ganlu, ganlu_school, official_round
):
    from schools.selectors import round_status_counts

    other = SchoolFactory(township=ganlu)
    make_return(school=other, round=official_round, status="submitted")
    softdelete.soft_delete(obj=make_return(school=ganlu_school, round=official_round), by=admin)
    (row,) = round_status_counts(round=official_round, schools=School.objects.filter(township=ganlu))
    # two schools: one submitted, one whose only return was deleted (so: not started)
    assert (row["total"], row["draft"], row["submitted"], row["not_started"]) == (2, 0, 1, 1)
    page = login(staff).get(reverse("schools:detail", args=[ganlu_school.pk]))
    assert list(page.context["open_rounds"]) == [official_round]  # a new return may be started
