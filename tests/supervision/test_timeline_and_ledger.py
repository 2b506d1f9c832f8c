"""The stage timeline, the ledger's filters and the assessment as each reader sees them; an item's page in a
fixed number of queries."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongqing.roles import Role
from supervision import services
from supervision.models import Measure, RectificationItem

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def test_a_body_with_work_due_and_none_accepted_scores_zero_not_a_dash(ledger, login, personas):
    """Everything falls due on 2024-09-30, before today (2024-10-15), and nothing is accepted: 市自然资源局 leads B and
    measure 2.2 and cooperates on 2.1, all overdue: (1 × 0 + 1 × 0 + 0.5 × 0) ÷ 2.5 = 0.0, ranked."""
    due = datetime.date(2024, 9, 30)
    RectificationItem.objects.update(due_date=due)
    Measure.objects.update(due_date=due)
    page = login(personas[Role.LEADERSHIP]).get(reverse("supervision:assessment"), {"year": 2024})
    row = next(r for r in page.context["rows"] if r.body.code == "natural_resources")
    assert str(row.score) == "0.0" and row.rank == 1
    html = page.content.decode()
    cells = html.split("市自然资源局", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">0.0</td>' in cells


def test_a_township_official_sees_no_other_township_in_the_stage_timeline(ledger, login, ganlu_official, staff):
    """Measures 1.3 and 5.2 are led by every township; 甘露镇's official sees their own row, not 江益镇's."""
    rows = {r.body.code for r in login(ganlu_official).get(reverse("supervision:home")).context["timeline"]}
    assert "ganlu" in rows and "jiangyi" not in rows
    page = login(ganlu_official).get(reverse("supervision:home")).content.decode()
    assert "江益镇" not in page
    rows = {r.body.code for r in login(staff).get(reverse("supervision:home")).context["timeline"]}
    assert {"ganlu", "jiangyi"} <= rows


def test_a_timeline_cell_opens_the_ledger_filtered_by_its_body_and_stage(ledger, login, staff, bodies, ganlu_official):
    """市自然资源局 leads both R5 items, in stage 3: its cell links to the ledger showing exactly those two."""
    b = ledger["B"]
    link = f"{reverse('supervision:ledger')}?body={bodies['natural_resources'].pk}&amp;stage={b.stage_id}"
    assert link in login(staff).get(reverse("supervision:home")).content.decode()
    page = login(staff).get(
        reverse("supervision:ledger"), {"body": bodies["natural_resources"].pk, "stage": b.stage_id}
    )
    assert {i.pk for i in page.context["items"]} == {ledger["B"].pk, ledger["C"].pk}
    assert link not in login(ganlu_official).get(reverse("supervision:home")).content.decode()


def test_the_bureau_filters_the_ledger_by_the_schools_township_and_sees_its_source_round(
    ledger, login, staff, ganlu, ganlu_official
):
    page = login(staff).get(reverse("supervision:ledger"), {"township": ganlu.pk})
    assert [i.school.name for i in page.context["items"]] == ["乙小学"]
    assert "指标状态依据" in page.content.decode()
    assert "township" not in login(ganlu_official).get(reverse("supervision:ledger")).context["filter"].fields


def test_an_items_page_takes_the_same_number_of_queries_for_more_updates_and_history(
    ledger, login, staff, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    b = ledger["B"]
    client = login(staff)
    url = reverse("supervision:item", kwargs={"pk": b.pk})
    services.progress_post(obj=b, by=staff, text="第1次", percent=10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(2, 8):
        services.progress_post(obj=b, by=staff, text=f"第{i}次", percent=10 * i)
        services.item_schedule(item=b, stage=b.stage, due_date=datetime.date(2025, 1, i), target=b.target, by=staff)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
