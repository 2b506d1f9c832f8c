"""S1 in the indicator evaluation: the survey provider feeds the engine, and survey changes mark results stale."""

import pytest
from django.core.cache import cache

from indicators import services as indicator_services
from indicators.models import EvaluationState
from supervision.survey import services, tasks
from tests.survey.conftest import GROUPS, submit


def _recompute(round):
    indicator_services.mark_stale_now(round=round)
    indicator_services.recompute_round(round_id=round.pk)
    return EvaluationState.objects.get(round=round)


@pytest.fixture
def state(official_round):
    return EvaluationState.objects.create(round=official_round, data_version=3, computed_version=3)


def test_s1_is_missing_without_a_survey(official_round, ganlu_school):
    state = _recompute(official_round)
    assert "S1" in state.summary["completeness"]["missing_items"]
    assert state.result["items"]["S1"]["status"] == "no_data"


def test_s1_is_evaluated_from_the_survey_after_a_recompute(official_round, ganlu_school, survey):
    for group in GROUPS:
        submit(survey, group, ["satisfied"] * 5 + ["dissatisfied"], 30)
    state = _recompute(official_round)
    assert "S1" not in state.summary["completeness"]["missing_items"]
    s1 = state.result["items"]["S1"]
    assert s1["status"] == "not_met"  # every response 5/6 ≈ 83.33 % < 85 %
    assert s1["value"].startswith("0.8333")


def test_a_short_group_leaves_s1_evaluated_but_without_data(official_round, ganlu_school, survey):
    for group in GROUPS:
        submit(survey, group, ["satisfied"] * 6, 12 if group == "principals" else 30)
    state = _recompute(official_round)
    assert "S1" not in state.summary["completeness"]["missing_items"]
    assert state.result["items"]["S1"]["status"] == "no_data"


def test_a_paper_batch_marks_the_year_stale_after_commit(survey, state, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.paper_tally_add(
            survey=survey, group="parents", label="第1批", forms=2, counts={"1": {"satisfied": 2}}, by=staff
        )
    state.refresh_from_db()
    assert state.data_version == 4
    assert len(callbacks) == 1  # the recompute, scheduled after commit


def test_closing_the_survey_marks_the_year_stale(survey, state, staff):
    services.survey_set_closed(survey=survey, closed=True, by=staff)
    state.refresh_from_db()
    assert state.data_version == 4 and survey.closed


def test_online_answers_mark_the_year_stale_when_no_worker_runs(survey, state, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey, "students", ["satisfied"] * 6)
    state.refresh_from_db()
    assert state.data_version == 4 and state.computed_version == 4  # eager: recomputed at once


def test_online_answers_are_coalesced_into_one_stale_mark_per_window(
    survey, state, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete(services._stale_key(2024))
    scheduled = []
    monkeypatch.setattr(tasks.mark_survey_stale, "apply_async", lambda args, countdown: scheduled.append(countdown))
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey, "students", ["satisfied"] * 6, 5)
    assert scheduled == [services.STALE_WINDOW_SECONDS]
    state.refresh_from_db()
    assert state.data_version == 3  # the mark comes with the task, at the end of the window

    tasks.mark_survey_stale(2024)
    state.refresh_from_db()
    assert state.data_version == 4
    cache.delete(services._stale_key(2024))
