"""Reconciliation benchmark on PostgreSQL: synthetic counties of 1,000 and 10,000 schools with a statistics return
(one school in ten differs in one or two figures, some enough to flip its verdict).

Prints, per size, the time of the whole reconciliation (load the official round and the statistics rows, evaluate
twice, compare) with the bench process's CPU time (the PostgreSQL server's not counted: a figure that a shared
machine's load disturbs less than the wall-clock one) and its number of queries, the differences found and the
verdict flips. Target at 10,000: under 5 s.

Run (recreates the scratch database `gongqing_bench`, or BENCH_DB; PostgreSQL must accept the URL's role):
    BENCH_PG=postgres://portal:portal@127.0.0.1:5432 .venv/bin/python bench/bench_reconcile.py [1000 10000]
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_recompute as base  # noqa: E402


def statistics_for(rnd, returns, rng: random.Random) -> None:
    from schools.statistics.models import StatisticsSchool, StatisticsYear

    stat_year = StatisticsYear.objects.create(school_year=rnd.school_year)
    rows = []
    for r in returns:
        figures = {
            "primary_students": str(r.primary_students),
            "primary_classes": str(r.primary_classes),
            "primary_teachers": str(r.primary_teachers),
            "teaching_area_m2": str(r.teaching_area_m2),
            "sports_area_m2": str(r.sports_area_m2),
            "equipment_value_yuan": str(Decimal(round(r.equipment_value_yuan / 100) * 100)),
            "multimedia_rooms": str(r.multimedia_rooms),
        }
        if rng.random() < 0.1:
            figures["primary_students"] = str(r.primary_students + rng.randint(1, 12))
            if rng.random() < 0.5:
                figures["teaching_area_m2"] = str(round(r.teaching_area_m2 * Decimal("0.55")))
            else:  # a building and a ground the portal has not yet recorded
                figures["teaching_area_m2"] = str(round(r.teaching_area_m2 * Decimal("1.6")))
                figures["sports_area_m2"] = str(round(r.sports_area_m2 * Decimal("1.6")))
        rows.append(
            StatisticsSchool(
                stat_year=stat_year, school_id=r.school_id, figures=figures, steps={"equipment_value_yuan": "100"}
            )
        )
    StatisticsSchool.objects.bulk_create(rows, batch_size=2000)


def bench(n: int, index: int) -> None:
    from django.db import reset_queries

    from indicators import services
    from indicators.reconcile.selectors import reconciliation

    rng = random.Random(n)
    rnd, returns = base.make_county(n, rng, index)
    statistics_for(rnd, returns, rng)
    cpu = time.process_time()
    rec, elapsed, queries = base.timed(lambda: reconciliation(year=rnd.school_year.year))
    cpu = time.process_time() - cpu
    services.mark_stale_now(round=rnd)
    services.recompute_round(round_id=rnd.pk)
    reset_queries()  # the recompute's queries would otherwise fill the capped log the count reads
    fresh_cpu = time.process_time()
    rec2, fresh, fresh_queries = base.timed(lambda: reconciliation(year=rnd.school_year.year))
    fresh_cpu = time.process_time() - fresh_cpu
    flips = sum(1 for r in rec.rows if r.flips)
    assert [(r.school.pk, r.flips) for r in rec.rows] == [(r.school.pk, r.flips) for r in rec2.rows]
    print(
        f"{n:>6} schools | reconciliation {elapsed:6.2f} s (CPU {cpu:5.2f} s, {queries} queries) "
        "without stored results, "
        f"{fresh:6.2f} s (CPU {fresh_cpu:5.2f} s, {fresh_queries} queries) with fresh stored results | "
        f"{rec.differences} differences at {len(rec.rows)} schools, {flips} school verdicts flip"
    )


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    base.recreate_database()
    base.setup_django()
    print(f"PostgreSQL {base.BASE.split('@')[-1]}, {base.os.cpu_count()} cores")
    for i, size in enumerate(sizes):
        if i:  # the synthetic counties share school codes and a school year: each size on an empty database
            from django.core.management import call_command

            call_command("flush", "--noinput", verbosity=0)
        bench(size, i)
