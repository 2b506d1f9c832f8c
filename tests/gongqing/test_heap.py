"""A worker's pool process sets its start-up objects aside from the cyclic garbage collector (gongqing.heap)."""

import gc

from celery.signals import worker_process_init


def test_a_pool_process_freezes_its_start_up_objects_when_it_starts():
    before = gc.get_freeze_count()
    try:
        worker_process_init.send(sender=None)  # what Celery sends in each prefork child once it has started
        frozen = gc.get_freeze_count()
        # Django, the apps and their modules: tens of thousands of objects, no longer walked by any collection.
        assert frozen - before > 10_000
        assert len(gc.get_objects()) < frozen / 10
        made_after = [[1]]  # objects made afterwards are in the collector's generations, collected as usual
        assert any(o is made_after for o in gc.get_objects())
    finally:
        gc.unfreeze()  # the other tests of this process run with a collector as they found it


def test_a_web_worker_freezes_its_start_up_objects_with_the_views_loaded():
    """gunicorn's workers import gongqing.wsgi after the fork: in a fresh interpreter, importing it leaves the views
    and the API loaded and frozen, and the collector's generations nearly empty."""
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import gc, sys\n"
        "import gongqing.wsgi\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), 'indicators.api' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    frozen, live, views_loaded = int(out[0]), int(out[1]), out[2] == "True"
    assert views_loaded
    assert frozen > 50_000
    assert live < frozen / 10
