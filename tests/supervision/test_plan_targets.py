"""The plan's own targets (GLOSSARY: T1 school land per pupil, T2 班班通 coverage), thresholds as data, opening
ledger items routed per PLAN.md's table: T1 to 市自然资源局 with 市教体局 and the school's township; T2 to 市教体局
with 市财政局.

Figures (every school has 12,000 m² of land and 10 classrooms unless said):
  甲小学 (甘露镇) 400 pupils, 12,000 m² → 30 m² per pupil; 10 of 10 connected → 100%
  乙小学 (甘露镇) 200 pupils, 4,000 m² → 20 m² per pupil; 5 classrooms, 3 connected → 60%, gap 5 − 3 = 2 classrooms
  丙小学 (江益镇) 400 pupils, 12,000 m² → 30 m² per pupil; 10 of 10 connected
Against the bureau's 23 m² per pupil: 乙小学 is short by 23 × 200 − 4,000 = 600 m².
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent
from supervision import rules, targets
from supervision.models import PlanTarget, RectificationItem
from tests.factories import make_return
from tests.supervision.conftest import figures


def test_land_per_pupil_and_connected_share_by_hand():
    assert targets.land_per_pupil(land_m2=Decimal(18000), pupils=900, threshold=None) is None  # no target yet
    land = targets.land_per_pupil(land_m2=Decimal(18000), pupils=900, threshold=Decimal(23))
    assert (land.status, land.value, land.gap) == (rules.FAILING, Decimal(20), Decimal(2700))
    assert targets.land_per_pupil(land_m2=Decimal(20700), pupils=900, threshold=Decimal(23)).status == rules.PASSING
    share = targets.connected_share(classrooms=24, connected=18, threshold=Decimal(1))
    assert (share.status, share.value, share.gap) == (rules.FAILING, Decimal("0.75"), Decimal(6))
    assert targets.connected_share(classrooms=24, connected=24, threshold=Decimal(1)).status == rules.PASSING
    assert targets.connected_share(classrooms=0, connected=0, threshold=Decimal(1)).status == rules.NO_DATA


@pytest.fixture
def county_with_targets(bodies, schools, official_round):
    b = figures("B") | {"land_area_m2": Decimal("4000"), "classrooms": 5, "classrooms_connected": 3}
    for key, school in schools.items():
        make_return(school=school, round=official_round, status="approved", figures=b if key == "B" else figures(key))
    return schools


def roles(item) -> tuple[str, set[str]]:
    rows = list(item.assignments.select_related("body"))
    return next(a.body.code for a in rows if a.role == "lead"), {a.body.code for a in rows if a.role == "cooperating"}


def test_banbantong_below_100_percent_opens_an_item_led_by_the_bureau_with_finance(
    county_with_targets, official_round, recompute
):
    recompute(official_round)
    [item] = RectificationItem.objects.filter(code="T2")
    assert item.school == county_with_targets["B"] and item.key == f"school:{item.school_id}::T2"
    assert (item.value, item.threshold, item.gap) == (Decimal("0.6"), Decimal(1), Decimal(2))
    assert item.target == "建设“班班通”教室 2 间" and item.title == "乙小学 T2 “班班通”覆盖率"
    assert roles(item) == ("education", {"finance"})
    assert not RectificationItem.objects.filter(code="T1").exists()  # no land figure entered: no target


def test_the_bureau_enters_the_land_standard_and_the_next_sync_routes_t1(
    county_with_targets, official_round, recompute, login, staff
):
    recompute(official_round)
    response = login(staff).post(reverse("supervision:target_edit", kwargs={"code": "T1"}), {"threshold": "23"})
    assert response.status_code == 302
    assert PlanTarget.objects.get(code="T1").threshold == Decimal(23)
    assert AuditEvent.objects.filter(action="supervision.target_save").exists()
    login(staff).post(reverse("supervision:ledger_sync"))
    [item] = RectificationItem.objects.filter(code="T1")
    assert item.school == county_with_targets["B"]
    assert (item.value, item.gap) == (Decimal(20), Decimal(600))
    assert item.target == "增加教育用地 600 平方米"
    assert roles(item) == ("natural_resources", {"education", "ganlu"})
    page = login(staff).get(reverse("supervision:plan")).content.decode()
    assert "T1 生均教育用地：23" in page


def test_a_second_sync_writes_nothing_for_the_targets(county_with_targets, official_round, recompute):
    from supervision import services

    PlanTarget.objects.filter(code="T1").update(threshold=Decimal("23"))
    recompute(official_round)
    counts = services.ledger_sync()
    assert counts == {"opened": 0, "reopened": 0, "closed": 0, "updated": 0}
