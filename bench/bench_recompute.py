"""Recompute benchmark on PostgreSQL: synthetic counties of 30, 1,000 and 10,000 schools.

For each size it prints the time to load the round's rows, the pure evaluation time, the full recompute (load,
evaluate, store, ledger sync), the number of statements of each, and the time, statements and rows written after one
school's return changes (the incremental recompute and its ledger sync). All sizes run in one process, each county
in a school year of its own; the process sets its start-up objects aside from the garbage collector first, as each of
the worker's pool processes does (gongqing.heap).

Run (recreates the scratch database `gongqing_bench`, or BENCH_DB; PostgreSQL must accept the URL's role):
    BENCH_PG=postgres://portal:portal@127.0.0.1:5432 .venv/bin/python bench/bench_recompute.py [30 1000 10000]
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_PG", "postgres://portal:portal@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "gongqing_bench")


def recreate_database() -> None:
    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_county(n: int, rng: random.Random, index: int):
    from schools.models import CollectionRound, ReturnClass, School, SchoolReturn, SchoolYear, Township

    township = Township.objects.create(code=f"T{index}", name=f"基准镇{index}")
    year = SchoolYear.objects.create(year=2000 + index)
    rnd = CollectionRound.objects.create(
        school_year=year,
        kind="official",
        name="正式",
        as_of=datetime.date(2024, 9, 1),
        due_date=datetime.date(2024, 10, 1),
    )
    schools = School.objects.bulk_create(
        [
            School(code=f"{index:02d}{i:08d}", name=f"基准小学{i}", township=township, kind="primary", location="rural")
            for i in range(n)
        ]
    )
    returns = []
    for s in schools:
        students = rng.randint(150, 1500)
        classes = max(1, round(students / 42))
        teachers = round(students / 15)
        returns.append(
            SchoolReturn(
                school=s,
                round=rnd,
                status="approved",
                primary_students=students,
                primary_classes=classes,
                primary_teachers=teachers,
                primary_teachers_above_required=round(teachers * rng.uniform(0.6, 0.95)),
                primary_teachers_backbone=round(students * rng.uniform(0.006, 0.02)),
                primary_teachers_pe_arts=round(students * rng.uniform(0.007, 0.015)),
                primary_teachers_certified=teachers,
                teaching_area_m2=Decimal(round(students * rng.uniform(3.5, 7))),
                sports_area_m2=Decimal(round(students * rng.uniform(3, 14))),
                equipment_value_yuan=Decimal(round(students * rng.uniform(1500, 3500))),
                multimedia_rooms=max(1, round(students * rng.uniform(0.018, 0.032))),
                public_funds_yuan=Decimal(students * 700),
                training_funds_yuan=Decimal(students * 40),
            )
        )
    returns = SchoolReturn.objects.bulk_create(returns, batch_size=2000)
    rows = []
    for r in returns:
        base, extra = divmod(r.primary_students, r.primary_classes)
        for c in range(r.primary_classes):
            rows.append(
                ReturnClass(
                    school_return=r, section="primary", grade=1 + c % 6, name=f"{c}", students=base + (c < extra)
                )
            )
    ReturnClass.objects.bulk_create(rows, batch_size=5000)
    return rnd, returns


def timed(fn):
    """(result, seconds, statements): every statement sent counts, with no cap on how many."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return result, elapsed, count


def load_and_evaluate(rnd) -> tuple[float, int, float]:
    """The load's and the pure evaluation's times: the bench's own input and evaluation are freed when it returns,
    not left alive for the timed recompute's garbage collection to walk."""
    from indicators import loading

    (inp, _meta), t_load, q_load = timed(lambda: loading.evaluation_input(round=rnd))
    _ev, t_eval, _ = timed(lambda: loading.evaluate(inp))
    return t_load, q_load, t_eval


def bench(n: int, index: int) -> None:
    from indicators import parts, services
    from schools.models import SchoolReturn

    rng = random.Random(n)
    rnd, returns = make_county(n, rng, index)
    t_load, q_load, t_eval = load_and_evaluate(rnd)
    services.mark_stale_now(round=rnd)
    stats, t_full, q_full = timed(lambda: services.recompute_round(round_id=rnd.pk))

    def change(ret, amount):
        SchoolReturn.objects.filter(pk=ret.pk).update(equipment_value_yuan=Decimal(amount))
        services.mark_stale_now(round=rnd, school_ids=[ret.school_id])
        return timed(lambda: services.recompute_round(round_id=rnd.pk))

    stats2, t_one, q_one = change(returns[n // 2], 10**7)
    parts.forget()  # a worker that has not seen this round: every stored part is read and unpickled
    _stats3, t_cold, q_cold = change(returns[n // 3], 10**7)
    print(
        f"{n:>6} schools | load {t_load:6.2f} s ({q_load} queries) | pure evaluation {t_eval:6.2f} s | "
        f"full recompute {t_full:6.2f} s ({q_full} queries, {stats['school_results']['created']} result rows) | "
        f"after one school's change {t_one:6.3f} s ({q_one} queries, {stats2['mode']}; cold worker {t_cold:.3f} s, "
        f"{q_cold} queries): results {stats2['school_results']}, cvs {stats2['cvs']}",
        flush=True,
    )


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [30, 1000, 10000]
    recreate_database()
    setup_django()
    import logging

    logging.getLogger("indicators").setLevel(logging.WARNING)
    from gongqing.heap import freeze_start_up_objects

    freeze_start_up_objects()  # as each of the worker's pool processes does when it starts (gongqing.celery)
    print(f"PostgreSQL {BASE.split('@')[-1]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for index, size in enumerate(sizes):
        bench(size, index)
