"""The statements of one school's change, in order: where each is sent from, the Python time before it and its own time.

Builds a synthetic county of N schools (bench_recompute's generator) on PostgreSQL, recomputes it in full, then
changes one school's return a few times and prints the timeline of the last change: for each statement the
milliseconds spent in Python since the previous one, the milliseconds of the statement itself, the line of the
project that sent it, and the start of its SQL. What a change reads and writes in proportion to the county shows up
as a long statement (or a long gap before one).

Run (recreates the scratch database `gongqing_timeline`, or BENCH_DB):
    BENCH_PG=postgres://portal:portal@127.0.0.1:5432 .venv/bin/python bench/bench_change_timeline.py [1000]
"""

from __future__ import annotations

import os
import random
import sys
import time
import traceback
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_DB", "gongqing_timeline")

import bench_recompute  # noqa: E402

CHANGES = 3


def _caller() -> str:
    """The innermost frame of the project's own code (not a library's) that led to the statement."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        path = Path(frame.filename)
        if ROOT in path.parents and ".venv" not in path.parts and path.parent.name != "bench":
            return f"{path.relative_to(ROOT)}:{frame.lineno}"
    return "?"


def main(n: int) -> None:
    bench_recompute.DB = os.environ["BENCH_DB"]
    bench_recompute.recreate_database()
    bench_recompute.setup_django()
    import logging

    from django.db import connection

    from indicators import services
    from schools.models import SchoolReturn

    logging.getLogger("indicators").setLevel(logging.WARNING)
    rnd, returns = bench_recompute.make_county(n, random.Random(n), 0)
    services.mark_stale_now(round=rnd)
    services.recompute_round(round_id=rnd.pk)
    timeline: list[tuple[float, float, str, str]] = []
    last = 0.0

    def record(execute, sql, params, many, context):
        nonlocal last
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            end = time.perf_counter()
            timeline.append((start - last, end - start, _caller(), " ".join(sql.split())[:100]))
            last = end

    for k in range(CHANGES):  # the last one is printed: the first may still pay for the full recompute's leftovers
        ret = returns[n // 2 + k]
        SchoolReturn.objects.filter(pk=ret.pk).update(equipment_value_yuan=Decimal(10**7 + k))
        services.mark_stale_now(round=rnd, school_ids=[ret.school_id])
        timeline.clear()
        with connection.execute_wrapper(record):
            begin = last = time.perf_counter()
            services.recompute_round(round_id=rnd.pk)
            total = time.perf_counter() - begin
    sql = sum(t[1] for t in timeline)
    print(f"{n} schools, one change: {total * 1000:.1f} ms, {len(timeline)} statements ({sql * 1000:.1f} ms of SQL)")
    print(f"{'python ms':>9} {'sql ms':>7}  {'sent from':<40} statement")
    for gap, took, where, text in timeline:
        print(f"{gap * 1000:9.1f} {took * 1000:7.1f}  {where:<40} {text}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
