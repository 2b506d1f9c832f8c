"""A small county for the reconciliation tests: two primary schools with approved returns in the official round and
the statistics return of the year.

Hand-worked (thresholds of the national 2017 standard, primary): both returns are tests.factories.primary_figures:
400 pupils, teaching area 2,600 m² (R4 6.5 ≥ 4.5), every indicator met, so both schools pass.
- School A's statistics return gives a teaching area of 1,500 m²: R4 = 1500 / 400 = 3.75, which is 83.3 % of 4.5,
  below the 85 % floor: A fails the 6-of-7 rule with its statistics figures (its verdict flips).
- School B's statistics return counts 405 pupils (−5 in the portal, −5 / 405 = −1.23 %): every value stays met
  (R3 4 / 405 × 100 = 0.988 ≥ 0.9, the closest), no flip. Its equipment is 900,040 yuan in the portal and 90.00 万元
  in the statistics return: 40 yuan is below the 0.01 万元 step, no difference.
"""

from decimal import Decimal

from schools.models import ReturnStatus
from schools.statistics.models import StatisticsSchool, StatisticsYear
from tests.factories import SchoolFactory, make_return, primary_figures


def make_county(*, ganlu, jiangyi, official_round, extra_schools=0):
    a = SchoolFactory(code="2136000201", name="甘露镇甲小学", township=ganlu)
    b = SchoolFactory(code="2136000202", name="江益镇乙小学", township=jiangyi)
    make_return(school=a, round=official_round, status=ReturnStatus.APPROVED, figures=primary_figures())
    make_return(
        school=b,
        round=official_round,
        status=ReturnStatus.APPROVED,
        figures=primary_figures(equipment_value_yuan=Decimal("900040")),
    )
    stat_year = StatisticsYear.objects.create(school_year=official_round.school_year)
    StatisticsSchool.objects.create(
        stat_year=stat_year, school=a, figures={"primary_students": "400", "teaching_area_m2": "1500"}
    )
    StatisticsSchool.objects.create(
        stat_year=stat_year,
        school=b,
        figures={"primary_students": "405", "equipment_value_yuan": "900000"},
        steps={"equipment_value_yuan": "100"},
    )
    for i in range(extra_schools):
        s = SchoolFactory(code=f"21360003{i:02d}", township=ganlu if i % 2 else jiangyi)
        make_return(school=s, round=official_round, status=ReturnStatus.APPROVED, figures=primary_figures())
        StatisticsSchool.objects.create(
            stat_year=stat_year, school=s, figures={"primary_students": "401", "sports_area_m2": "3500"}
        )
    return {"a": a, "b": b, "stat_year": stat_year}
