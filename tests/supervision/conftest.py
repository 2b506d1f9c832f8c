"""A small county whose recompute opens ledger items, and the bodies of the plan.

Three primary schools, sports ground (R5, 7.5 m² per student):
  甲小学 (甘露镇) 400 students, 3000 m² → 7.5  met
  乙小学 (甘露镇) 200 students, 1000 m² → 5.0  not met (66.7% < 85%), gap 7.5 × 200 − 1000 = 500 m²
  丙小学 (江益镇) 400 students, 2800 m² → 7.0  within tolerance (93.3%), gap 200 m²
"""

import datetime
from decimal import Decimal

import pytest

from indicators import services as indicator_services
from schools import services as school_services
from supervision import rules, services
from supervision.models import Body, Cycle, RectificationItem
from tests.factories import BodyFactory, RoundFactory, SchoolFactory, make_return, primary_figures

DEPARTMENTS = (
    ("staffing", "市委编办"),
    ("education", "市教体局"),
    ("development", "市发改委"),
    ("hr", "市人社局"),
    ("housing", "市住建局"),
    ("natural_resources", "市自然资源局"),
)
SPORTS = {"A": Decimal("3000"), "B": Decimal("1000"), "C": Decimal("2800")}
STUDENTS = {"A": (400, 10, 24), "B": (200, 5, 12), "C": (400, 10, 24)}


@pytest.fixture
def bodies(finance, ganlu, jiangyi):
    made = {"finance": finance}
    for i, (code, name) in enumerate(DEPARTMENTS):
        made[code] = BodyFactory(code=code, name=name, order=i + 1)
    made["ganlu"] = BodyFactory(code="ganlu", name="甘露镇", kind="township", township=ganlu)
    made["jiangyi"] = BodyFactory(code="jiangyi", name="江益镇", kind="township", township=jiangyi)
    made["leading_group"] = BodyFactory(code="leading_group", name="领导小组", kind="group")
    return made


@pytest.fixture
def r5_routed_to_natural_resources(db):
    """The bureau edits R5's routing back to the first plan's (市自然资源局 leads): the tests of a department officer
    leading work use it; PLAN.md's corrected default (市教体局 leads R5) is tested in test_plan_routing.py."""
    from supervision.models import RoutingRule

    RoutingRule.objects.update_or_create(
        code="R5", defaults={"bodies": ["natural_resources", "housing", "finance", "education", "@township"]}
    )


@pytest.fixture
def schools(ganlu, jiangyi):
    return {
        "A": SchoolFactory(code="2136100001", name="甲小学", township=ganlu),
        "B": SchoolFactory(code="2136100002", name="乙小学", township=ganlu),
        "C": SchoolFactory(code="2136100003", name="丙小学", township=jiangyi),
    }


def figures(key, sports=None):
    students, classes, teachers = STUDENTS[key]
    return primary_figures(students=students, classes=classes, teachers=teachers, sports_area_m2=sports or SPORTS[key])


@pytest.fixture
def recompute(django_capture_on_commit_callbacks):
    """Recompute a round; the ledger sync then runs on `results_stored` (sent on commit, eager Celery)."""

    def run(round_) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            indicator_services.mark_stale_now(round=round_)
            indicator_services.recompute_round(round_id=round_.pk)

    return run


@pytest.fixture
def county(bodies, schools, official_round):
    for key, school in schools.items():
        make_return(school=school, round=official_round, status="approved", figures=figures(key))
    return schools


@pytest.fixture
def demo_cycle(db):
    """A current cycle of the plan's shape with 2024-10-15 in the middle of stage 3 (2024-07-15 … 2025-01-13)."""
    stages = rules.shifted(services.published_stage_dates(), today=datetime.date(2024, 10, 15), stage_number=3)
    cycle = services.cycle_create(name="演示周期", stages=stages)
    services.cycle_set_current(cycle=cycle)
    return Cycle.objects.get(pk=cycle.pk)


def interim_round(school_year, as_of=datetime.date(2025, 3, 1)):
    return RoundFactory(school_year=school_year, kind="interim", name="2025年3月自查", as_of=as_of, due_date=as_of)


def approve(ret, staff, capture):
    with capture(execute=True):
        school_services.return_approve(school_return=ret, by=staff)


def body(code) -> Body:
    return Body.objects.get(code=code)


@pytest.fixture
def ledger(county, official_round, demo_cycle, recompute, personas, r5_routed_to_natural_resources):
    """The official round computed and the plan seeded: the ledger's R5 items of schools B and C."""
    recompute(official_round)
    services.measures_seed(cycle=demo_cycle)
    return {
        "B": RectificationItem.objects.get(school=county["B"], code="R5"),
        "C": RectificationItem.objects.get(school=county["C"], code="R5"),
    }
