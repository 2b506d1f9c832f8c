"""The binder against PostgreSQL, Redis and a real Celery worker (the integration pass of .ci/run).

- Ten simultaneous build requests (threads, each with its own connection) give one binder and one task.
- The worker is killed outright while it builds (3 runs at random points, as the reports' test does): after a
  restart each binder finishes once, with one archive, one index and one done row.
"""

import random
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections

from supervision.binder import services, tasks
from supervision.binder.models import Binder, BinderStatus
from supervision.models import EvidenceFile, ProgressUpdate, RectificationItem
from tests.reports.worker_kill import kill, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _real_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER or connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")


@pytest.fixture
def evidence(county, schools):
    """Forty files on one item, so a build lasts long enough to be killed in the middle."""
    item = RectificationItem.objects.create(
        key="manual:kill", kind="manual", school=schools["B"], code="R5", title="场地"
    )
    for i in range(40):
        update = ProgressUpdate.objects.create(item=item, text="进展", percent=10)
        f = EvidenceFile(update=update, name=f"验收{i}.pdf", content_type="application/pdf", size=3)
        f.file.save(f"k{i}.pdf", ContentFile(b"%PDF-1.4 " + b"x" * 20000), save=False)
        f.save()


def _wait(pk: int, statuses: set[str], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = Binder.objects.filter(pk=pk).values_list("status", flat=True).first() or ""
        if status in statuses:
            return status
        time.sleep(0.1)
    raise AssertionError(f"binder {pk} stayed {status!r}, wanted {sorted(statuses)} within {seconds} s")


def test_ten_simultaneous_build_requests_give_one_job(county, cycle, official_round, staff, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue", queued.append)
    barrier = threading.Barrier(10)
    results, errors = [], []

    def click():
        try:
            barrier.wait(timeout=30)
            results.append(services.binder_request(cycle=cycle, round=official_round, township_id=None, by=staff))
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
    assert len({b.pk for b, _created in results}) == 1
    assert sum(created for _b, created in results) == 1
    assert Binder.objects.count() == 1 and len(queued) == 1


def test_a_binder_whose_worker_is_killed_mid_build_finishes_once(county, cycle, official_round, staff, evidence):
    rng = random.Random(20261205)
    media = str(settings.MEDIA_ROOT)
    outcomes = []
    for i in range(3):
        binder, _ = services.binder_request(
            cycle=cycle, round=official_round, township_id=None, by=staff, enqueue_task=False
        )
        queue = f"binder-kill-{uuid.uuid4().hex[:8]}"
        tasks.build_binder.apply_async((binder.pk,), queue=queue)
        worker = start_worker(queue=queue, media_root=media)
        try:
            _wait(binder.pk, {"building", "done"}, 180)
            time.sleep(rng.uniform(0.0, 1.5))
            at_kill = Binder.objects.get(pk=binder.pk).status
        finally:
            kill(worker)
        worker = start_worker(queue=queue, media_root=media)
        try:
            final = _wait(binder.pk, {"done", "failed"}, 180)
        finally:
            kill(worker)
        binder.refresh_from_db()
        folder = Path(media) / Path(binder.file.name).parent
        mine = sorted(p.name for p in folder.iterdir() if f"-b{binder.pk}" in p.name)
        outcomes.append({"at_kill": at_kill, "final": final, "attempts": binder.attempts, "files": mine})
        assert final == BinderStatus.DONE, (outcomes, binder.error)
        assert mine == sorted([Path(binder.file.name).name, Path(binder.index_file.name).name]), outcomes
        assert not [p for p in folder.iterdir() if p.name.startswith(".")], outcomes  # no temporary file left
        assert binder.version == i + 1
    assert any(o["at_kill"] == BinderStatus.BUILDING and o["attempts"] >= 2 for o in outcomes), outcomes
    print("binder worker-kill outcomes:", outcomes)
