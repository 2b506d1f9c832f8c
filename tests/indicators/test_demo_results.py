"""On the demo data, the stored results and the pages agree with a hand calculation.

The hand calculation is `tests/schools/test_seed_demo.py::primary_sports_rows` + `weighted_cv`: the primary
sections of the official round under policy `merge` (nine-year school's area apportioned A / (A + 1.1B),
teaching points folded into their parent), X̄ = ΣP_iX_i/P, S = sqrt(Σ(P_i/P)(X_i − X̄)²), CV = S/X̄.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import EvaluationState, SchoolResult, SectionCV
from schools.models import CollectionRound, School
from tests.schools.test_seed_demo import primary_sports_rows, weighted_cv


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def official(year):
    return CollectionRound.objects.get(school_year__year=year, kind="official")


def test_the_stored_primary_sports_cvs_equal_the_hand_calculation_and_the_page_shows_them(demo, client):
    for year in (2023, 2024):
        expected = weighted_cv(primary_sports_rows(year))
        stored = SectionCV.objects.get(round=official(year), section="primary", code="R5")
        assert stored.cv == expected.quantize(Decimal("0.000001"))
        assert stored.met is (expected <= Decimal("0.50"))
    client.force_login(_staff())
    text = client.get(reverse("indicators:round_results", args=[official(2023).pk])).content.decode()
    cv_table = text.split('id="cv-table"')[1].split("</section>")[0]
    r5_row = cv_table.split('data-code="R5"')[2].split("</tr>")[0]  # the second table is the primary one
    expected = weighted_cv(primary_sports_rows(2023))
    assert f"{expected:.3f}" in r5_row and "✗" in r5_row
    assert "共青城市第一小学" in text


def test_every_failing_demo_school_section_has_a_gap_on_the_gaps_page(demo, client):
    client.force_login(_staff())
    rnd = official(2023)
    response = client.get(reverse("indicators:round_gaps", args=[rnd.pk]))
    text = response.content.decode()
    failing = SchoolResult.objects.filter(round=rnd, status="not_met").select_related("school")
    assert failing.exists()
    for result in failing:
        assert result.school.name in text
    assert "差异系数超限的改进方案" in text and "R5" in text


def test_2023_has_every_county_entry_and_2024_is_provisional_for_what_is_missing(demo):
    complete = EvaluationState.objects.get(round=official(2023)).summary["completeness"]
    current = EvaluationState.objects.get(round=official(2024)).summary["completeness"]
    assert "Q9" not in complete["missing_items"]
    assert "Q9" in current["missing_items"]
    assert EvaluationState.objects.get(round=official(2024)).provisional


def test_the_results_page_makes_the_same_number_of_queries_for_all_schools_or_one_township(
    demo, client, django_assert_max_num_queries
):
    client.force_login(_staff())
    url = reverse("indicators:round_results", args=[official(2024).pk])
    with django_assert_max_num_queries(20):
        client.get(url)
    with django_assert_max_num_queries(20):
        client.get(url, {"township": School.objects.first().township_id})


def _staff():
    from gongqing.models import User

    return User.objects.get(username="staff")


def test_the_demo_estimates_next_years_intake_of_the_three_largest_urban_primary_schools(demo):
    from django.db.models import Sum

    from indicators.models import IntakeEstimate
    from schools.models import ReturnClass

    estimates = {e.school_id: e for e in IntakeEstimate.objects.all()}
    assert len(estimates) == 3 and {e.year for e in estimates.values()} == {2025}
    for school_id, estimate in estimates.items():
        grade_one = ReturnClass.objects.filter(
            school_return__round=official(2024), school_return__school_id=school_id, section="primary", grade=1
        ).aggregate(n=Sum("students"))["n"]
        assert estimate.students == round(grade_one * 112 / 100)  # this year's grade 1 plus 12%
