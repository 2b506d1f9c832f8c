"""PLAN.md's routing table, row by row: a failing school opens a ledger item led by the row's lead with the row's
cooperating bodies (the school's township among them where the row says "the township"); a county item has the bodies
of its row without a township, except S1 (all six townships and news media). Also the bureau's reassignment of one
item (audited, with history) and the data migration that re-leads old items but keeps a hand-reassigned lead."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from gongqing.models import AuditEvent
from supervision import routing, rules, selectors, services
from supervision.models import Body, ItemBody, RectificationItem, RoutingRule
from supervision.services import sync as sync_service
from tests.factories import BodyFactory, SchoolFactory, TownshipFactory
from tests.supervision.plan_bodies import DEPARTMENTS, TOWNSHIPS

T = "TOWNSHIP"  # the failing school's township
# (codes, lead, cooperating) exactly as PLAN.md's table reads, bodies by their Chinese names.
TABLE = (
    ("R3", "市委编办", {"市人社局", "市教体局"}),
    ("G10", "市教体局", {"市委编办", "市人社局"}),
    ("R1 R2 G12", "市教体局", {"市委编办", "市人社局"}),
    ("G9 G11", "市教体局", {"市财政局", "市人社局"}),
    ("Q4", "市财政局", {"市教体局"}),
    ("G8", "市财政局", {"市教体局", "市人社局"}),
    ("G1 G2 G4 G5", "市教体局", {"市自然资源局", "市财政局", "市住建局", T}),
    ("R4 R5 G3", "市教体局", {"市住建局", "市财政局", "市自然资源局", T}),
    ("T1", "市自然资源局", {"市教体局", T}),
    ("R6 R7 T2", "市教体局", {"市财政局"}),
    ("G6 G7", "市财政局", {"市教体局"}),
    ("G13 G14 G15 Q1 Q2 Q3 Q5 Q6 Q7 Q8 Q9", "市教体局", {T}),
    ("V1 V2 V3 V4 V5 V6 V7", "市教体局", set()),
)
MEASURES = {"R3": "3.1", "G10": "3.1", "R1": "3.1, 3.2", "Q4": "3.2", "T1": "2.1, 2.2", "T2": "2.2", "S1": "5.2"}


@pytest.fixture
def plan_bodies(finance):
    for i, (code, name) in enumerate(DEPARTMENTS):
        BodyFactory(code=code, name=name, order=i)
    for i, name in enumerate(TOWNSHIPS):
        BodyFactory(code=f"t{i}", name=name, kind="township", township=TownshipFactory(name=name), order=i)
    BodyFactory(code="media", name="新闻媒体", kind="media")
    BodyFactory(code="office", name="领导小组办公室", kind="office")
    BodyFactory(code="leading_group", name="领导小组", kind="group")


def facts(code: str, school=None) -> dict:
    return {
        "kind": "school" if school else "county",
        "school_id": school.pk if school else None,
        "township_id": school.township_id if school else None,
        "section": "",
        "code": code,
        "status": "failing",
        "value": None,
        "threshold": None,
        "gap": None,
        "unit": "",
        "target": "达到指标要求",
        "title": code,
    }


@pytest.fixture
def sync(monkeypatch, official_round):
    """Run the real ledger sync on observations given by the test (one failing fact per key)."""

    def run(observed: dict) -> None:
        monkeypatch.setattr(selectors, "source_round", lambda: official_round)
        monkeypatch.setattr(sync_service, "_observations", lambda round_, school_ids=None, keep=None: observed)
        services.ledger_sync()

    return run


def bodies_of(item) -> tuple[str, set[str]]:
    rows = list(item.assignments.select_related("body"))
    lead = [a.body.name for a in rows if a.role == "lead"]
    assert len(lead) == 1, rows
    return lead[0], {a.body.name for a in rows if a.role == "cooperating"}


def test_each_row_of_the_plans_routing_table_routes_school_and_county_items(plan_bodies, sync):
    school = SchoolFactory(
        name="金湖乡中心小学", township=django_apps.get_model("schools", "Township").objects.get(name="金湖乡")
    )
    codes = [code for row in TABLE for code in row[0].split()] + ["S1"]
    observed = {f"school:{school.pk}::{c}": facts(c, school) for c in codes if c != "S1"}
    observed |= {f"county:{c}": facts(c) for c in codes}
    sync(observed)
    for row_codes, lead, cooperating in TABLE:
        for code in row_codes.split():
            school_item = RectificationItem.objects.get(key=f"school:{school.pk}::{code}")
            expected = {"金湖乡" if b == T else b for b in cooperating}
            assert bodies_of(school_item) == (lead, expected), code
            county_item = RectificationItem.objects.get(key=f"county:{code}")
            assert bodies_of(county_item) == (lead, cooperating - {T}), code
    s1 = RectificationItem.objects.get(key="county:S1")
    assert bodies_of(s1) == ("市教体局", set(TOWNSHIPS) | {"新闻媒体"})
    for code, measure in MEASURES.items():
        assert RoutingRule.objects.get(code=code).measure == measure


def test_the_routing_page_names_each_rules_measure(plan_bodies, login, staff):
    page = login(staff).get(reverse("supervision:routing")).content.decode()
    assert "2.1, 2.2" in page and "新闻媒体" in page and "各乡镇（街道）" in page


# --- The bureau reassigns one item ----------------------------------------------------------------------------------


def test_the_bureau_reassigns_an_items_bodies_with_a_reason_audit_and_history(plan_bodies, sync, login, staff):
    school = SchoolFactory(township=django_apps.get_model("schools", "Township").objects.get(name="甘露镇"))
    sync({f"school:{school.pk}::R5": facts("R5", school)})
    item = RectificationItem.objects.get(code="R5")
    response = login(staff).post(
        reverse("supervision:item_reassign", kwargs={"pk": item.pk}),
        {
            "lead": Body.objects.get(code="housing").pk,
            "cooperating": [Body.objects.get(code="education").pk],
            "reason": "运动场由住建局代建",
        },
    )
    assert response.status_code == 302
    assert bodies_of(item) == ("市住建局", {"市教体局"})
    item.refresh_from_db()
    assert item.assignment_note == "牵头：市住建局；配合：市教体局。理由：运动场由住建局代建"
    event = AuditEvent.objects.get(action="supervision.item_reassign")
    assert "运动场由住建局代建" in str(event.detail)
    rows = selectors.history_rows(item)
    assert any("运动场由住建局代建" in change for change in rows[0].changes)
    # A later sync keeps the bureau's choice: items are routed once, when opened.
    sync({f"school:{school.pk}::R5": facts("R5", school)})
    assert bodies_of(item) == ("市住建局", {"市教体局"})


def test_a_reassignment_needs_a_reason(plan_bodies, sync, staff):
    school = SchoolFactory()
    sync({f"school:{school.pk}::R6": facts("R6", school)})
    item = RectificationItem.objects.get(code="R6")
    with pytest.raises(rules.WorkflowError):
        routing.item_reassign(item=item, lead=Body.objects.get(code="finance"), cooperating=[], reason=" ", by=staff)


# --- The data migration ---------------------------------------------------------------------------------------------

MIGRATION = import_module("supervision.migrations.0007_reroute_per_corrected_plan")


def _item_led_by(key: str, code: str, school, lead: str, cooperating: list[str]) -> RectificationItem:
    item = RectificationItem.objects.create(key=key, kind="school", school=school, code=code, title=code)
    ItemBody.objects.create(item=item, body=Body.objects.get(code=lead), role="lead")
    for c in cooperating:
        ItemBody.objects.create(item=item, body=Body.objects.get(code=c), role="cooperating")
    return item


def test_the_migration_releads_default_items_and_keeps_a_hand_reassigned_lead(plan_bodies):
    """Before the correction R5 went to 市自然资源局 (lead) with 住建, 财政, 教体 and the township, and R1 to 市委编办
    with 人社, 教体, 财政. The migration puts the first routing back in place, then runs again as on a live database."""
    for code, bodies in MIGRATION.OLD.items():
        RoutingRule.objects.update_or_create(code=code, defaults={"bodies": bodies, "measure": ""})
    RoutingRule.objects.filter(code="G1").delete()
    RoutingRule.objects.update_or_create(code="R7", defaults={"bodies": ["housing", "education"]})  # bureau's edit
    township = django_apps.get_model("schools", "Township").objects.get(name="江益镇")
    school = SchoolFactory(township=township)
    default = _item_led_by("a", "R5", school, "natural_resources", ["housing", "finance", "education", "t2"])
    by_hand = _item_led_by("b", "R5", school, "finance", ["education"])
    teachers = _item_led_by("c", "R1", school, "staffing", ["hr", "education", "finance"])
    network = _item_led_by("d", "G1", school, "education", [])

    MIGRATION.reroute(django_apps, None)

    assert bodies_of(default) == ("市教体局", {"市住建局", "市财政局", "市自然资源局", "江益镇"})
    default.refresh_from_db()
    assert default.assignment_note.startswith("按实施方案责任分工表（2026-12-04更正）重新确定责任单位")
    assert "原牵头市自然资源局，现牵头市教体局" in default.assignment_note
    assert default.history.first().history_change_reason == "责任分工更正：重新确定牵头单位"
    assert bodies_of(by_hand) == ("市财政局", {"市教体局"})  # reassigned by hand: kept
    by_hand.refresh_from_db()
    assert "已由教体局调整" in by_hand.assignment_note
    assert bodies_of(teachers) == ("市教体局", {"市委编办", "市人社局"})
    assert bodies_of(network) == ("市教体局", {"市自然资源局", "市财政局", "市住建局", "江益镇"})
    assert RoutingRule.objects.get(code="R7").bodies == ["housing", "education"]  # the bureau's edit stays
    assert RoutingRule.objects.get(code="R5").bodies[0] == "education"


# --- Parties: the schools act through their township's officials ----------------------------------------------------


def test_a_township_official_reports_for_the_schools_on_measures_4_1_and_4_2_but_does_not_mark_them_done(
    plan_bodies, ganlu_official, demo_cycle
):
    from supervision import access

    BodyFactory(code="schools", name="各义务教育学校", kind="schools")
    services.measures_seed(cycle=demo_cycle)
    measure = access.measures_for(ganlu_official).get(ref="4.2")
    assert {(a.role, a.body.name) for a in measure.assignments.all()} == {
        ("lead", "市教体局"),
        ("cooperating", "各义务教育学校"),
    }
    assert access.can_post_update(ganlu_official, measure) and not access.can_mark_done(ganlu_official, measure)
    services.progress_post(obj=measure, by=ganlu_official, text="辖区学校已建立留守儿童关爱档案", percent=30)
    assert measure.updates.get().author == ganlu_official
