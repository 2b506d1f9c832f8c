"""Recompute through a real Celery worker on PostgreSQL and Redis (the integration pass of .ci/run).

Coalescing: a burst of approvals gives one run. Idempotency: duplicated tasks leave identical results.
"""

import time
from decimal import Decimal

import pytest
from django.conf import settings

from indicators import services, tasks
from indicators.models import EvaluationState, SchoolResult, SectionCV
from schools import services as school_services
from tests.factories import SchoolFactory, make_return, primary_figures

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_until_fresh(round, *, seconds=90):
    """Poll the round's state until the worker has caught up with the data version (bounded wait, no timing asserts)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = EvaluationState.objects.filter(round=round).first()
        if state is not None and state.computed_version >= state.data_version and state.computed_version > 0:
            return state
        time.sleep(0.5)
    raise AssertionError(f"the worker did not recompute round {round.pk} within {seconds} s")


def wait_until_worker_idle(*, seconds=60):
    """Poll the worker until it has no task running or reserved, twice in a row half a second apart (bounded wait).

    A recompute's commit queues the ledger sync, which the worker runs after the test has seen the fresh state; the
    test database's flush at teardown (one TRUNCATE of every table, in no fixed order) must not run beside it, or the
    two can deadlock on their table locks."""
    from gongqing.celery import app

    deadline = time.monotonic() + seconds
    idle_since = None
    while time.monotonic() < deadline:
        inspect = app.control.inspect(timeout=1)
        busy = any((inspect.active() or {}).values()) or any((inspect.reserved() or {}).values())
        if busy:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= 0.5:
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker was still busy after {seconds} s")


@pytest.fixture
def burst(ganlu, official_round, staff):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "the integration pass needs REDIS_URL and a real worker"
    returns = []
    for i in range(5):
        school = SchoolFactory(code=f"21362000{i:02d}", name=f"集成测试小学{i}", township=ganlu)
        figures = primary_figures(students=400, classes=10, sports_area_m2=Decimal(2000 + 500 * i))
        returns.append(make_return(school=school, round=official_round, status="submitted", figures=figures))
    yield returns
    wait_until_worker_idle()


def test_a_burst_of_approvals_is_recomputed_once_by_the_worker(burst, staff, official_round):
    for ret in burst:
        school_services.return_approve(school_return=ret, by=staff)  # each commits and asks for a recompute
    state = wait_until_fresh(official_round)
    assert state.data_version == 1 + len(burst)  # every approval bumped the version
    assert state.runs == 1  # ... and the queued run saw them all
    assert SchoolResult.objects.filter(round=official_round, code="R5").count() == len(burst)
    # R5 values 5.0, 6.25, 7.5, 8.75, 10.0 with equal enrolment: mean 7.5, sd = sqrt(3.125) = 1.767767, CV 0.235702
    cv = SectionCV.objects.get(round=official_round, section="primary", code="R5")
    assert cv.cv == Decimal("0.235702")


def test_duplicated_tasks_leave_identical_results(burst, staff, official_round):
    for ret in burst:
        school_services.return_approve(school_return=ret, by=staff)
    wait_until_fresh(official_round)
    before = sorted(SchoolResult.objects.filter(round=official_round).values_list("school_id", "code", "value"))
    services.mark_stale_now(round=official_round)
    for _ in range(4):
        tasks.recompute_round.delay(official_round.pk)
    state = wait_until_fresh(official_round)
    time.sleep(3)  # let the three duplicates that queue behind the lock finish, so `runs` is final
    state.refresh_from_db()
    after = sorted(SchoolResult.objects.filter(round=official_round).values_list("school_id", "code", "value"))
    assert after == before
    assert state.runs == 2  # the first burst's run plus exactly one of the four duplicates; the rest found it fresh
