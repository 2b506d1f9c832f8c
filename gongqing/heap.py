"""The process's start-up objects set aside from the cyclic garbage collector.

A full collection walks every object the process holds: in a worker, some 100,000 made by Django, the apps and their
modules at start-up (about 55 ms per collection here), none of which ever becomes garbage. The recompute ends each
full run with a full collection (indicators.services), and CPython starts others as objects pile up; frozen, the
start-up objects are skipped by all of them. Each Celery pool process (gongqing.celery) and each gunicorn worker
(gongqing.wsgi) freezes its own copy after the fork (the pages it shares with the parent are then not touched by
collections either). Objects freed by reference counting are freed as before; only a reference cycle among the
frozen objects would never be collected, and start-up makes none that matters.
"""

from __future__ import annotations

import gc


def freeze_start_up_objects() -> int:
    """Collect once, then move every object there is to the collector's permanent generation; returns their count."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
