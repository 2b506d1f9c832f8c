"""`seed_demo` leaves a working supervision: two cycles, the plan's measures, a synced ledger, progress with
evidence, two projects and a review finding."""

from io import StringIO

import pytest
from django.core.management import call_command

from supervision import selectors
from supervision.models import Cycle, EvidenceFile, Finding, Measure, Project, RectificationItem


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


def test_the_demo_has_the_published_cycle_read_only_and_a_current_one_in_stage_three(seeded):
    published = Cycle.objects.get(read_only=True)
    current = selectors.current_cycle()
    assert current != published and selectors.cycle_view(current).current.number == 3
    assert selectors.cycle_view(published).finished
    assert Measure.objects.filter(cycle=current).count() == Measure.objects.filter(cycle=published).count() == 13


def test_the_demo_ledger_follows_the_latest_round_with_lead_bodies_and_targets(seeded):
    items = RectificationItem.objects.prefetch_related("assignments__body")
    assert items.count() > 5
    sports = items.get(school__name="共青城市第一小学", code="R5")
    lead = [a.body.name for a in sports.assignments.all() if a.role == "lead"]
    assert lead == ["市教体局"] and sports.target.startswith("建设体育运动场馆")
    assert sports.source_round.kind == "interim"
    assert all(i.stage_id and i.due_date for i in items)
    equipment = items.get(school__name="共青城市第五小学", code="R6")
    assert (equipment.work_status, equipment.state) == ("accepted", "awaiting_data")
    assert EvidenceFile.objects.filter(update__item=equipment).exists()


def test_the_demo_has_two_projects_and_a_finding_linked_to_items(seeded):
    assert Project.objects.count() == 2 and all(p.items.exists() for p in Project.objects.all())
    assert Finding.objects.get().items.count() >= 2


def test_the_demo_leaves_the_overdue_notices_of_the_daily_job_for_the_lead_bodies(seeded):
    """金湖乡堤湾村小学's G6 item is led by 市财政局 and due at the end of stage 2, already past: its officer has a
    notice after login; running the job again adds nothing."""
    from gongqing.models import Notice
    from supervision import services

    notices = Notice.objects.filter(user__username="finance")
    assert any("金湖乡堤湾村小学" in n.text and "逾期" in n.text for n in notices)
    before = Notice.objects.count()
    assert services.overdue_notices_send()["notices"] == 0
    assert Notice.objects.count() == before


def test_the_demo_shows_the_plan_targets_the_parties_the_assessment_and_the_plan_page(seeded, client):
    """T2: two rural classrooms per village school are not on 班班通 → 市教体局 leads, 市财政局 cooperates.
    T1: the demo's 18 m² per pupil leaves 第一小学 short → 市自然资源局 leads with 市教体局 and 茶山街道.
    The office, the schools and the news media are bodies; this year's assessment ranks no group, and a
    department without work is 无考核事项."""
    from gongqing.models import User
    from supervision.models import Body

    t2 = RectificationItem.objects.filter(code="T2").prefetch_related("assignments__body")
    assert t2.count() >= 5
    assert {(a.role, a.body.name) for a in t2[0].assignments.all()} == {
        ("lead", "市教体局"),
        ("cooperating", "市财政局"),
    }
    t1 = RectificationItem.objects.get(code="T1", school__name="共青城市第一小学")
    assert {(a.role, a.body.name) for a in t1.assignments.all()} == {
        ("lead", "市自然资源局"),
        ("cooperating", "市教体局"),
        ("cooperating", "茶山街道"),
    }
    assert set(Body.objects.filter(kind__in=["office", "schools", "media"]).values_list("name", flat=True)) == {
        "领导小组办公室",
        "各义务教育学校",
        "新闻媒体",
    }
    rows = selectors.assessment(year=selectors.today().year)
    names = {r.body.name for r in rows}
    assert len(rows) == 13 and not names & {"领导小组", "领导小组办公室", "市委办", "市政府办"}
    assert any(r.score is not None for r in rows) and any(r.no_work for r in rows)
    client.force_login(User.objects.get(username="leader"))
    page = client.get("/supervision/plan/").content.decode()
    assert (
        "赣教督委字〔2018〕6号" in page
        and "九府办发〔2020〕30号" in page
        and "党政主导，部门联动，上下发力，统筹推进" in page
    )
    assert "办好每一所学校，促进每一位学生健康成长" in page and "到2022年" in page and "重点攻坚" in page
