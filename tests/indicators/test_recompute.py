"""The recompute: approving returns updates stored results through the (eager) Celery task.

Hand-worked county used below — three primary schools, sports ground (R5, threshold 7.5 m² per student):
  A 400 students, 3000 m² → 7.5 (exactly at the threshold: met)
  B 200 students, 1000 m² → 5.0 (not met; 5.0/7.5 = 66.7% < 85%)
  C 400 students, 4000 m² → 10.0
  X̄ = 8000 / 1000 = 8.0
  Σ (P_i/P)(X_i − X̄)² = 0.4·0.25 + 0.2·9 + 0.4·4 = 3.5;  S = √3.5 = 1.870829;  CV = 0.233854 (≤ 0.50: met)
"""

from decimal import Decimal

import pytest

from indicators import services
from indicators.models import EvaluationState, SchoolResult, SectionCV, SectionVerdict
from indicators.selectors import summary_document
from schools import services as school_services
from tests.factories import SchoolFactory, make_return, primary_figures


@pytest.fixture
def county(ganlu, jiangyi, official_round):
    schools = {
        "A": SchoolFactory(code="2136100001", name="甲小学", township=ganlu),
        "B": SchoolFactory(code="2136100002", name="乙小学", township=ganlu),
        "C": SchoolFactory(code="2136100003", name="丙小学", township=jiangyi),
    }
    figures = {
        "A": primary_figures(students=400, classes=10, sports_area_m2=Decimal("3000")),
        "B": primary_figures(students=200, classes=5, teachers=12, sports_area_m2=Decimal("1000")),
        "C": primary_figures(students=400, classes=10, sports_area_m2=Decimal("4000")),
    }
    returns = {
        k: make_return(school=s, round=official_round, status="submitted", figures=figures[k])
        for k, s in schools.items()
    }
    return schools, returns


def approve_all(returns, staff, capture):
    with capture(execute=True):
        for ret in returns.values():
            school_services.return_approve(school_return=ret, by=staff)


def test_approving_returns_stores_results_matching_the_hand_calculation(
    county, staff, official_round, django_capture_on_commit_callbacks
):
    schools, returns = county
    approve_all(returns, staff, django_capture_on_commit_callbacks)

    r5 = {
        r.school.code: r for r in SchoolResult.objects.filter(round=official_round, code="R5").select_related("school")
    }
    assert r5["2136100001"].value == Decimal("7.5") and r5["2136100001"].status == "met"
    assert r5["2136100002"].value == Decimal("5") and r5["2136100002"].status == "not_met"
    assert r5["2136100002"].gap == Decimal("500")  # 7.5 × 200 − 1000
    cv = SectionCV.objects.get(round=official_round, section="primary", code="R5")
    assert cv.mean == Decimal("8")
    assert cv.sd == Decimal("1.870829")
    assert cv.cv == Decimal("0.233854")
    assert cv.met is True
    verdict = SectionVerdict.objects.get(round=official_round, school=schools["B"])
    assert (verdict.met_count, verdict.status) == (6, "failed")
    state = EvaluationState.objects.get(round=official_round)
    assert not state.is_stale
    assert state.provisional  # no county entries yet
    assert state.passed is False  # school B fails the 6-of-7 rule whatever the missing entries say


def test_a_second_recompute_writes_nothing(county, staff, official_round, django_capture_on_commit_callbacks):
    _schools, returns = county
    approve_all(returns, staff, django_capture_on_commit_callbacks)
    services.mark_stale_now(round=official_round)
    stats = services.recompute_round(round_id=official_round.pk)
    assert stats["school_results"] == {"created": 0, "updated": 0, "deleted": 0}
    assert stats["cvs"] == {"created": 0, "updated": 0, "deleted": 0}


def test_reopening_a_return_marks_results_stale_then_recomputes_without_the_school(
    county, staff, official_round, django_capture_on_commit_callbacks
):
    schools, returns = county
    approve_all(returns, staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        school_services.return_reopen(school_return=returns["B"], reason="面积有误", by=staff)
    assert not SchoolResult.objects.filter(round=official_round, school=schools["B"]).exists()
    state = EvaluationState.objects.get(round=official_round)
    assert state.summary["completeness"]["schools_with_data"] == 2
    assert state.summary["completeness"]["missing_schools"] == ["乙小学"]
    # Without B: X̄ = 7000/800 = 8.75, Σ = 0.5·1.5625 + 0.5·1.5625 = 1.5625, S = 1.25, CV = 0.142857
    assert SectionCV.objects.get(round=official_round, section="primary", code="R5").cv == Decimal("0.142857")


def test_after_one_schools_change_only_its_rows_are_written(
    county, staff, official_round, django_capture_on_commit_callbacks
):
    schools, returns = county
    approve_all(returns, staff, django_capture_on_commit_callbacks)
    SchoolResult_before = {r.pk: r.value for r in SchoolResult.objects.filter(round=official_round)}
    # B's figures change only in equipment (R6), which moves B's R6 and the R6 CV, nothing else.
    type(returns["B"]).objects.filter(pk=returns["B"].pk).update(equipment_value_yuan=Decimal("1000000"))
    services.mark_stale_now(round=official_round)
    stats = services.recompute_round(round_id=official_round.pk)
    assert stats["school_results"] == {"created": 0, "updated": 1, "deleted": 0}
    assert stats["cvs"]["updated"] == 1
    after = {r.pk: r.value for r in SchoolResult.objects.filter(round=official_round)}
    changed = [pk for pk in after if after[pk] != SchoolResult_before[pk]]
    assert len(changed) == 1
    assert SchoolResult.objects.get(pk=changed[0]).code == "R6"


def test_county_entry_changes_mark_the_year_stale_and_recompute(
    county, staff, official_round, django_capture_on_commit_callbacks
):
    _schools, returns = county
    approve_all(returns, staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.county_entry_save(
            school_year=official_round.school_year, code="V3", value={"occurred": True}, note="", by=staff
        )
    state = EvaluationState.objects.get(round=official_round)
    assert "V3" not in state.summary["completeness"]["missing_items"]
    assert any("V3" in line for line in summary_document(state)["county"]["blocking"])


def test_results_carry_no_database_constraint_but_go_with_their_school_or_at_the_next_recompute(
    county, staff, official_round, django_capture_on_commit_callbacks
):
    """SchoolResult's references are not checked by the database (see its docstring): the ORM's cascade deletes a
    school's results with it, and a row naming a school that no longer exists goes at the round's next recompute."""
    schools, returns = county
    approve_all(returns, staff, django_capture_on_commit_callbacks)
    c_rows = SchoolResult.objects.filter(school=schools["C"]).count()
    assert c_rows > 0
    SchoolResult.objects.create(round=official_round, school_id=987654, section="primary", code="R5", status="met")
    services.mark_stale_now(round=official_round)
    stats = services.recompute_round(round_id=official_round.pk)
    assert stats["school_results"] == {"created": 0, "updated": 0, "deleted": 1}
    assert not SchoolResult.objects.filter(school_id=987654).exists()
    c_pk = schools["C"].pk
    returns["C"].delete()  # a school's returns protect it
    schools["C"].delete()  # a hard delete (the portal's own deletions are soft): Django's CASCADE
    assert not SchoolResult.objects.filter(school_id=c_pk).exists()
