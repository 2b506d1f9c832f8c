"""The ledger follows the recompute: one item per failing school section and indicator, closed when the figures
pass, reopened — the same item — when they fail again. The sync runs on `results_stored` after every recompute."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from indicators import services as indicator_services
from schools.models import ReturnStatus, SchoolReturn
from supervision import services
from supervision.models import ItemState, RectificationItem
from supervision.rules import WorkflowError
from supervision.services import sync as sync_service
from tests.factories import RoundFactory, SchoolYearFactory, make_return
from tests.supervision.conftest import approve, body, figures, interim_round

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
pytestmark = pytest.mark.usefixtures("demo_cycle")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def item(school, code="R5", section="primary") -> RectificationItem:
    return RectificationItem.objects.get(key=f"school:{school.pk}:{section}:{code}")


def roles(it) -> tuple[str, list[str]]:
    rows = list(it.assignments.select_related("body"))
    lead = [a.body.code for a in rows if a.role == "lead"]
    assert len(lead) == 1
    return lead[0], sorted(a.body.code for a in rows if a.role == "cooperating")


def test_a_recompute_opens_one_item_per_failing_school_section_and_indicator(county, official_round, recompute):
    recompute(official_round)  # the sync runs on results_stored, eagerly in tests

    items = RectificationItem.objects.all()
    assert sorted(i.key for i in items) == sorted(
        [f"school:{county['B'].pk}:primary:R5", f"school:{county['C'].pk}:primary:R5"]
    )
    b = item(county["B"])
    assert b.state == ItemState.OPEN and b.indicator_status == "failing" and not b.within_tolerance
    assert b.gap == Decimal("500") and b.target == "建设体育运动场馆 500 平方米"
    assert b.source_round == official_round and b.value == Decimal("5")
    # R5 routes (PLAN.md, measure 2.2) to 市教体局 (lead) with 住建, 财政, 自然资源 and the school's own township.
    assert roles(b) == ("education", ["finance", "ganlu", "housing", "natural_resources"])
    assert b.stage.number == 3 and b.due_date == b.stage.ends
    c = item(county["C"])
    assert c.indicator_status == "within_tolerance" and c.within_tolerance
    assert roles(c)[1] == ["finance", "housing", "jiangyi", "natural_resources"]


def test_a_second_sync_writes_nothing(county, official_round, recompute):
    recompute(official_round)
    before = {i.pk: i.history.count() for i in RectificationItem.objects.all()}
    assert services.ledger_sync() == {"opened": 0, "reopened": 0, "closed": 0, "updated": 0}
    assert {i.pk: i.history.count() for i in RectificationItem.objects.all()} == before


def test_approving_a_return_runs_the_sync_after_the_recompute(
    bodies, schools, official_round, staff, django_capture_on_commit_callbacks, recompute
):
    rets = {
        k: make_return(school=s, round=official_round, status="submitted", figures=figures(k))
        for k, s in schools.items()
    }
    for ret in rets.values():
        approve(ret, staff, django_capture_on_commit_callbacks)
    assert RectificationItem.objects.filter(school=schools["B"], code="R5", state="open").exists()


def test_corrected_figures_in_an_interim_round_close_the_item_and_failing_the_year_after_reopens_it(
    county, official_round, staff, django_capture_on_commit_callbacks, recompute
):
    recompute(official_round)
    b = item(county["B"])
    # 乙小学 builds 600 m² and its 自查 return is approved: 1600 / 200 = 8.0 ≥ 7.5.
    interim = interim_round(official_round.school_year)
    ret = make_return(
        school=county["B"], round=interim, status=ReturnStatus.SUBMITTED, figures=figures("B", Decimal("1600"))
    )
    approve(ret, staff, django_capture_on_commit_callbacks)
    b.refresh_from_db()
    assert b.source_round == interim
    assert (b.indicator_status, b.state, b.closed_reason) == ("passing", "closed", "passed_without_rectification")

    # The next school year's official figures fail again (1000 m² again): the same item reopens.
    next_round = RoundFactory(school_year=SchoolYearFactory(year=2025))
    for key, school in county.items():
        make_return(school=school, round=next_round, status="approved", figures=figures(key))
    recompute(next_round)
    b.refresh_from_db()
    assert RectificationItem.objects.filter(school=county["B"], code="R5").count() == 1
    assert (b.state, b.indicator_status, b.reopened, b.work_status) == ("open", "failing", 1, "not_started")
    assert b.source_round == next_round
    assert [h.state for h in b.history.order_by("history_date")] == ["open", "closed", "open"]


def test_accepted_work_waits_for_the_data_then_closes_as_rectified(county, official_round, staff, recompute):
    recompute(official_round)
    b = item(county["B"])
    cooperating_officer = _officer_of(body("natural_resources"))
    services.progress_post(obj=b, by=cooperating_officer, text="运动场扩建用地已划拨", percent=50)
    with pytest.raises(WorkflowError):
        services.work_done(obj=b, by=cooperating_officer)  # 市自然资源局 cooperates on R5 (2.2): not the lead
    b.refresh_from_db()
    assert b.work_status == "in_progress"
    services.work_done(obj=b, by=staff)  # the bureau acts for 市教体局, R5's lead
    services.work_review(obj=b, by=staff, accept=True)
    b.refresh_from_db()
    assert (b.work_status, b.state) == ("accepted", "awaiting_data")

    interim = interim_round(official_round.school_year)
    make_return(school=county["B"], round=interim, status="approved", figures=figures("B", Decimal("1600")))
    recompute(interim)
    b.refresh_from_db()
    assert (b.state, b.closed_reason) == ("closed", "rectified")


def test_passing_figures_leave_an_item_with_open_work_open(county, official_round, staff, recompute):
    recompute(official_round)
    b = item(county["B"])
    services.progress_post(obj=b, by=staff, text="已立项", percent=10)
    interim = interim_round(official_round.school_year)
    make_return(school=county["B"], round=interim, status="approved", figures=figures("B", Decimal("1600")))
    recompute(interim)
    b.refresh_from_db()
    assert (b.indicator_status, b.state) == ("passing", "open")


def test_a_manual_item_is_never_touched_by_the_sync_and_closes_on_acceptance(county, official_round, staff, recompute):
    manual = services.item_create(
        title="落实评估反馈：完善控辍保学台账",
        target="建立台账",
        school=None,
        lead=body("education"),
        cooperating=[body("ganlu")],
        stage=None,
        due_date=datetime.date(2024, 12, 31),
        by=staff,
    )
    recompute(official_round)
    manual.refresh_from_db()
    assert (manual.state, manual.indicator_status) == ("open", "")
    services.work_done(obj=manual, by=staff)  # the bureau leads as 市教体局
    services.work_review(obj=manual, by=staff, accept=True)
    manual.refresh_from_db()
    assert (manual.state, manual.closed_reason) == ("closed", "rectified")


def _officer_of(b):
    from gongqing.roles import Role
    from tests.factories import UserFactory

    return UserFactory(username=f"officer_{b.code}", role=Role.DEPARTMENT_OFFICER, body=b)


def test_a_failing_county_item_opens_one_county_item_for_the_bureau(county, official_round, staff, recompute):
    from indicators.models import CountyEntry

    CountyEntry.objects.create(school_year=official_round.school_year, code="V3", value={"occurred": True})
    recompute(official_round)
    veto = RectificationItem.objects.get(key="county:V3")
    assert (veto.kind, veto.school, veto.indicator_status, veto.state) == ("county", None, "failing", "open")
    assert roles(veto) == ("education", [])
    CountyEntry.objects.filter(code="V3").update(value={"occurred": False})
    recompute(official_round)
    veto.refresh_from_db()
    assert (veto.state, veto.closed_reason) == ("closed", "passed_without_rectification")


def test_after_one_schools_change_the_sync_looks_at_that_schools_items_alone(
    county, official_round, recompute, django_capture_on_commit_callbacks, monkeypatch
):
    recompute(official_round)
    c_history = item(county["C"]).history.count()
    seen = []
    observe = sync_service._observations
    monkeypatch.setattr(
        sync_service,
        "_observations",
        lambda round_, ids=None, keep=None: seen.append(ids) or observe(round_, ids, keep),
    )
    # 乙小学's sports ground grows to 1,600 m² (1600 / 200 = 8.0 ≥ 7.5): its R5 passes; only its family is evaluated.
    SchoolReturn.objects.filter(school=county["B"], round=official_round).update(sports_area_m2=Decimal("1600"))
    with django_capture_on_commit_callbacks(execute=True):
        indicator_services.mark_stale_now(round=official_round, school_ids=[county["B"].pk])
        assert indicator_services.recompute_round(round_id=official_round.pk)["mode"] == "changed"
    assert seen == [[county["B"].pk]]
    b = item(county["B"])
    assert (b.indicator_status, b.state, b.closed_reason) == ("passing", "closed", "passed_without_rectification")
    assert [h.history_change_reason for h in b.history.order_by("history_date")] == [None, "ledger sync"]
    assert item(county["C"]).history.count() == c_history


@pytest.mark.django_db
def test_the_items_history_keeps_only_the_indexes_its_reads_use():
    """An item's history is read by the item, newest first: the other copied indexes only slowed the sync's history
    rows (29,000 in a first sync at 10,000 schools)."""
    from django.db import connection

    table = RectificationItem.history.model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"] or c["primary_key"]}
    assert indexed == {("history_id",), ("id",), ("history_date",), ("history_user_id",)}
