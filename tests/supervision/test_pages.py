"""The supervision pages per persona: scoping, progress with evidence, the workflow over HTTP, constant query counts,
the timeline, the one-school plan and the assessment."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongqing.models import AuditEvent
from gongqing.roles import Role
from supervision import selectors, services
from supervision.models import EvidenceFile, Project, RectificationItem
from tests.factories import SchoolFactory, UserFactory, make_return
from tests.supervision.conftest import figures

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def lead_officer(bodies):
    return UserFactory(username="ziranziyuan", role=Role.DEPARTMENT_OFFICER, body=bodies["natural_resources"])


def visible(user) -> set[str]:
    return {i.school.name for i in selectors.ledger(user=user)}


def test_each_persona_sees_only_its_share_of_the_ledger(ledger, personas, ganlu_official, jiangyi_official):
    assert visible(personas[Role.BUREAU_STAFF]) == {"乙小学", "丙小学"}
    assert visible(personas[Role.LEADERSHIP]) == {"乙小学", "丙小学"}
    assert visible(ganlu_official) == {"乙小学"}
    assert visible(jiangyi_official) == {"丙小学"}
    assert visible(personas[Role.DEPARTMENT_OFFICER]) == {"乙小学", "丙小学"}  # 市财政局 cooperates on R5
    assert visible(personas[Role.AUDITOR]) == set()
    services.routing_save(code="R5", bodies=["natural_resources", "@township"], by=personas[Role.BUREAU_STAFF])
    RectificationItem.objects.all().delete()
    services.ledger_sync()
    assert visible(personas[Role.DEPARTMENT_OFFICER]) == set()  # routed away from 市财政局: nothing left to see


def test_jiangyis_official_cannot_open_or_update_ganlus_item(ledger, login, jiangyi_official):
    client = login(jiangyi_official)
    b = ledger["B"]
    assert client.get(reverse("supervision:item", kwargs={"pk": b.pk})).status_code == 404
    response = client.post(reverse("supervision:item_progress", kwargs={"pk": b.pk}), {"text": "x", "percent": 5})
    assert response.status_code == 404
    page = client.get(reverse("supervision:ledger")).content.decode()
    assert "丙小学" in page and "乙小学" not in page and "甘露镇" not in page


def test_a_cooperating_township_posts_progress_with_evidence_that_only_item_readers_download(
    ledger, login, ganlu_official, jiangyi_official, personas
):
    b = ledger["B"]
    client = login(ganlu_official)
    upload = SimpleUploadedFile("开工报告.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("supervision:item_progress", kwargs={"pk": b.pk}),
        {"text": "运动场扩建已开工", "percent": 30, "files": [upload]},
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.work_status, b.percent) == ("in_progress", 30)
    evidence = EvidenceFile.objects.get()
    assert evidence.update.body.code == "ganlu" and evidence.name == "开工报告.pdf"
    assert "media" in str(evidence.file.path) and "static" not in str(evidence.file.path)
    download = reverse("supervision:evidence", kwargs={"pk": evidence.pk})
    got = client.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="supervision.evidence_download", object_id=str(evidence.pk)).exists()
    assert login(jiangyi_official).get(download).status_code == 404
    assert login(personas[Role.AUDITOR]).get(download).status_code == 403
    # Only the lead marks it done: 甘露镇 cooperates.
    action = reverse("supervision:item_action", kwargs={"pk": b.pk})
    assert login(ganlu_official).post(action, {"action": "done"}).status_code == 403


def test_a_hostile_upload_is_refused_and_nothing_is_stored(ledger, login, ganlu_official):
    b = ledger["B"]
    client = login(ganlu_official)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    response = client.post(
        reverse("supervision:item_progress", kwargs={"pk": b.pk}), {"text": "见附件", "percent": 10, "files": [fake]}
    )
    assert response.status_code == 302
    assert not b.updates.exists() and not EvidenceFile.objects.exists()
    assert AuditEvent.objects.filter(action="supervision.evidence_upload", result="refused").exists()


def test_the_lead_marks_done_and_the_bureau_sends_back_with_a_comment_then_accepts(ledger, login, lead_officer, staff):
    b = ledger["B"]
    action = reverse("supervision:item_action", kwargs={"pk": b.pk})
    assert login(lead_officer).post(action, {"action": "done"}).status_code == 302
    b.refresh_from_db()
    assert b.work_status == "awaiting_acceptance"
    bureau = login(staff)
    bureau.post(action, {"action": "send_back"})  # a send-back needs a comment
    b.refresh_from_db()
    assert b.work_status == "awaiting_acceptance"
    bureau.post(action, {"action": "send_back", "comment": "请补充竣工验收材料"})
    b.refresh_from_db()
    assert (b.work_status, b.review_comment) == ("sent_back", "请补充竣工验收材料")
    login(lead_officer).post(action, {"action": "done"})
    login(staff).post(action, {"action": "accept"})
    b.refresh_from_db()
    assert (b.work_status, b.state) == ("accepted", "awaiting_data")
    statuses = [h.work_status for h in b.history.order_by("history_date")]
    assert statuses == ["not_started", "awaiting_acceptance", "sent_back", "awaiting_acceptance", "accepted"]


def test_leadership_reads_but_cannot_write(ledger, login, personas):
    client = login(personas[Role.LEADERSHIP])
    b = ledger["B"]
    assert client.get(reverse("supervision:item", kwargs={"pk": b.pk})).status_code == 200
    assert (
        client.post(reverse("supervision:item_progress", kwargs={"pk": b.pk}), {"text": "x", "percent": 1}).status_code
        == 403
    )
    assert client.post(reverse("supervision:item_action", kwargs={"pk": b.pk}), {"action": "accept"}).status_code == 403
    assert client.post(reverse("supervision:ledger_sync")).status_code == 403
    assert not b.updates.exists()


def test_the_timeline_shows_each_lead_bodys_items_in_stage_three(ledger, login, staff):
    page = login(staff).get(reverse("supervision:home"))
    rows = {row.body.code: row for row in page.context["timeline"]}
    assert page.context["view"].current.number == 3
    cell = rows["natural_resources"].cells[2]
    assert (cell.items, cell.open, cell.overdue) == (2, 2, 0)


def test_the_school_page_shows_the_one_school_plan_with_owners_deadlines_and_projects(ledger, login, staff):
    b = ledger["B"]
    project = Project.objects.create(name="乙小学运动场扩建", school=b.school, kind="sports_ground", percent=20)
    project.items.add(b)
    page = login(staff).get(reverse("schools:detail", kwargs={"pk": b.school.pk})).content.decode()
    assert 'id="school-plan-panel"' in page
    assert "建设体育运动场馆 500 平方米" in page and "市自然资源局" in page and "乙小学运动场扩建" in page
    assert b.due_date.isoformat() in page


@pytest.mark.parametrize(
    "name", ["supervision:ledger", "supervision:home", "supervision:measures", "supervision:projects"]
)
def test_list_pages_take_the_same_number_of_queries_for_more_schools(
    name, ledger, login, staff, official_round, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = login(staff)
    url = reverse(name)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(6):
        school = SchoolFactory(code=f"21362000{i:02d}", name=f"新小学{i}", township=ledger["B"].school.township)
        make_return(school=school, round=official_round, status="approved", figures=figures("B"))
    from indicators import services as indicator_services

    with django_capture_on_commit_callbacks(execute=True):
        indicator_services.mark_stale_now(round=official_round)
        indicator_services.recompute_round(round_id=official_round.pk)
    assert RectificationItem.objects.count() == 8
    with django_assert_max_num_queries(len(small)):
        client.get(url)


def test_the_assessment_ranks_bodies_by_the_stated_rule(ledger, login, lead_officer, staff, personas):
    b, c = ledger["B"], ledger["C"]
    services.progress_post(obj=b, by=lead_officer, text="完成", percent=100)
    services.work_done(obj=b, by=lead_officer)
    services.work_review(obj=b, by=staff, accept=True)
    page = login(personas[Role.LEADERSHIP]).get(reverse("supervision:assessment"), {"year": b.due_date.year})
    rows = {r.body.code: r for r in page.context["rows"]}
    # As of today (2024-10-15, before every 2025 due date), 市自然资源局 leads B (accepted on time: 1 × 100%) and
    # measure 2.2 (not yet due: 1 × 50%) and cooperates on 2.1 (not yet due: 0.5 × 50%); C is within tolerance and
    # left out: (100 + 50 + 25) ÷ 2.5 = 70.0.
    assert c.within_tolerance
    nr = rows["natural_resources"]
    assert (len(nr.scored), nr.score) == (3, Decimal("70.0"))
    assert nr.rank == 1
    assert rows["development"].rank is None and rows["development"].no_work
    html = page.content.decode()
    assert "考核方法" in html and "无考核事项" in html
