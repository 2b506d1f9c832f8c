"""A small county for the reports, with numbers worked by hand.

Three primary schools of 2024's official round; sports ground (R5, threshold 7.5 m² per student):
  甲小学 (甘露镇) 400 students, 4000 m² → 10.0
  乙小学 (甘露镇) 200 students, 1000 m² →  5.0
  丙小学 (江益镇) 400 students, 2000 m² →  5.0
County R5: X̄ = 7000 / 1000 = 7.0; weights 0.4, 0.2, 0.4;
terms 0.4·(10−7)² = 3.6, 0.2·(5−7)² = 0.8, 0.4·(5−7)² = 1.6; Σ = 6.0; S = √6 = 2.449490; CV = 2.449490 / 7 = 0.349927.
No county item is entered, so the evaluation is provisional ("3所学校中3所", every county item missing).
"""

import datetime
from decimal import Decimal

import pytest

from indicators import services as indicator_services
from supervision import rules
from supervision import services as supervision_services
from supervision.models import Cycle
from tests.factories import SchoolFactory, make_return, primary_figures

SPORTS = {"A": Decimal("4000"), "B": Decimal("1000"), "C": Decimal("2000")}
STUDENTS = {"A": (400, 10, 24), "B": (200, 5, 12), "C": (400, 10, 24)}
NAMES = {"A": "甲小学", "B": "乙小学", "C": "丙小学"}


@pytest.fixture
def schools(ganlu, jiangyi):
    return {
        "A": SchoolFactory(code="2136100001", name=NAMES["A"], township=ganlu),
        "B": SchoolFactory(code="2136100002", name=NAMES["B"], township=ganlu),
        "C": SchoolFactory(code="2136100003", name=NAMES["C"], township=jiangyi),
    }


@pytest.fixture
def county(schools, official_round, django_capture_on_commit_callbacks):
    for key, school in schools.items():
        students, classes, teachers = STUDENTS[key]
        figures = primary_figures(students=students, classes=classes, teachers=teachers, sports_area_m2=SPORTS[key])
        make_return(school=school, round=official_round, status="approved", figures=figures)
    official_round.is_open = False
    official_round.save(update_fields=["is_open"])
    indicator_services.mark_stale_now(round=official_round)
    indicator_services.recompute_round(round_id=official_round.pk)
    return schools


@pytest.fixture
def cycle(db):
    stages = rules.shifted(
        supervision_services.published_stage_dates(), today=datetime.date(2024, 10, 15), stage_number=3
    )
    made = supervision_services.cycle_create(name="报告测试周期", stages=stages)
    supervision_services.cycle_set_current(cycle=made)
    return Cycle.objects.prefetch_related("stages").get(pk=made.pk)


def stage(cycle, number):
    return cycle.stages.get(number=number)
