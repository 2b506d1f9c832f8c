"""Reports against PostgreSQL, Redis and real Celery workers (the integration pass of .ci/run).

- Ten simultaneous render requests (threads, each with its own connection) give one report and one task.
- The worker is killed outright while it renders (3 runs at random points): after a restart every report completes
  with exactly one file and one done row (SECURITY.md rows 13 and 14; bench/bench_report_kill.py does 20 runs).
"""

import os
import random
import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from supervision.reports import services
from supervision.reports.models import Report, ReportStatus
from tests.reports.conftest import stage
from tests.reports.worker_kill import kill_while_rendering

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _real_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER or connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")


def test_ten_simultaneous_render_requests_give_one_job(county, cycle, official_round, staff, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue", queued.append)
    st = stage(cycle, 4)
    barrier = threading.Barrier(10)
    results, errors = [], []

    def click():
        try:
            barrier.wait(timeout=30)
            results.append(services.report_request(stage=st, round=official_round, by=staff))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len({r.pk for r, _created in results}) == 1
    assert sum(created for _r, created in results) == 1
    assert Report.objects.filter(stage=st).count() == 1
    assert len(queued) == 1


def test_a_report_whose_worker_is_killed_mid_render_completes_once(county, cycle, official_round, staff, settings):
    rng = random.Random(20261129)
    media = str(settings.MEDIA_ROOT)
    outcomes = []
    runs = int(os.environ.get("REPORTS_KILL_RUNS", "3"))  # bench/bench_report_kill.py runs 20
    for i in range(runs):
        report, _created = services.report_request_sync(stage=stage(cycle, 3 + i % 3), round=official_round, by=staff)
        early = i % 3 == 2  # every third run is killed at a random point from its start, maybe before the claim
        delay = rng.uniform(0.5, 4.0) if early else rng.uniform(0.0, 3.0)
        outcome = kill_while_rendering(report_id=report.pk, media_root=media, delay=delay, early=early)
        outcomes.append(outcome)
        assert outcome["final"] == ReportStatus.DONE, outcome
        assert len(outcome["files"]) == 1, outcome
        assert Report.objects.filter(pk=report.pk, status=ReportStatus.DONE).count() == 1
    # at least one kill landed while the report was rendering, so a second attempt finished it
    assert any(o["status_at_kill"] == ReportStatus.RENDERING and o["attempts"] >= 2 for o in outcomes), outcomes
    print("worker-kill outcomes:", outcomes)
