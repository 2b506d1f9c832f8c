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
