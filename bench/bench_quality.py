"""Time the data-quality checks (all active rules + county outliers) over 1,000 and 10,000 schools' returns.

Run: .venv/bin/python bench/bench_quality.py [sizes...]        (default: 1000 10000)
Builds a throw-away SQLite database in a temporary directory, removed at the end (migrated, so the 20 seeded rules
are active), with for each size: N schools of mixed kinds, each with an approved return of the year before (the
county distribution and `prev()`) and a draft return of this year with its class list and rooms. Prints separately
- load: reading the N returns with their classes, rooms and previous figures, the rules and the county distribution
  (a constant number of queries, counted),
- check: evaluating every rule and every outlier ratio for every return (pure Python; target < 2 s at 10,000),
- extra: the checks other apps registered in EXTRA_CHECKS (e.g. the statistics return's), their own loads included.
Wall and CPU times are both printed: on a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="bench_quality_")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from schools.models import (  # noqa: E402
    CollectionRound,
    ReturnClass,
    ReturnRoom,
    School,
    SchoolReturn,
    SchoolYear,
    Township,
)
from schools.quality.checks import active_rules, county_spreads, outlier_checks, rule_checks  # noqa: E402
from schools.quality.findings import EXTRA_CHECKS, Context, load_returns  # noqa: E402
from schools.quality.models import Rule  # noqa: E402

D = Decimal
KINDS = [("primary", 55), ("junior", 20), ("nine_year", 10), ("teaching_point", 8), ("complete_secondary", 5)]
SECTIONS = {"primary": ("primary",), "junior": ("junior",), "nine_year": ("primary", "junior"),
            "teaching_point": ("primary",), "complete_secondary": ("junior",)}  # fmt: skip


def figures(rng: random.Random, kind: str, scale: float = 1.0) -> tuple[dict, list[tuple[str, int, int]]]:
    out, classes, pupils = {}, [], 0
    for section in SECTIONS[kind]:
        students = int((rng.randint(15, 60) if kind == "teaching_point" else rng.randint(200, 1800)) * scale)
        cap = 45 if section == "primary" else 50
        n = max(1, -(-students // rng.randint(cap - 15, cap)))
        base, extra = divmod(students, n)
        first = 1 if section == "primary" else 7
        classes += [(section, first + i % 6 if section == "primary" else first + i % 3, base + (i < extra))
                    for i in range(n)]  # fmt: skip
        teachers = max(1, round(students / rng.uniform(12, 19)))
        out |= {
            f"{section}_students": students,
            f"{section}_classes": n,
            f"{section}_teachers": teachers,
            f"{section}_teachers_above_required": round(teachers * 0.9),
            f"{section}_teachers_backbone": max(0, round(students * rng.uniform(0.008, 0.02))),
            f"{section}_teachers_pe_arts": max(0, round(students * rng.uniform(0.008, 0.015))),
            f"{section}_teachers_certified": teachers,
        }
        pupils += students
    out |= {
        "teaching_area_m2": D(round(pupils * rng.uniform(4, 7))),
        "sports_area_m2": D(round(pupils * rng.uniform(5, 14))),
        "equipment_value_yuan": D(round(pupils * rng.uniform(1800, 3200))),
        "multimedia_rooms": len(classes) + rng.randint(0, 3),
        "public_funds_yuan": D(round(pupils * rng.uniform(650, 900))),
        "training_funds_yuan": D(round(pupils * rng.uniform(35, 70))),
        "land_area_m2": D(round(pupils * rng.uniform(15, 30))),
        "classrooms": len(classes) + rng.randint(0, 2),
        "classrooms_connected": len(classes),
    }
    if rng.random() < 0.03:  # a few implausible figures, so findings are produced too
        out["training_funds_yuan"] = out["public_funds_yuan"] * 13
    return out, classes


def clear() -> None:
    """Remove the previous size's schools (raw deletes: no history rows to write for bench data)."""
    for model in (ReturnClass, ReturnRoom, SchoolReturn.all_objects, School.all_objects, CollectionRound):
        qs = model.all() if hasattr(model, "all") else model.objects.all()
        qs._raw_delete(qs.db)


def build(n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    clear()
    with transaction.atomic():
        township = Township.objects.create(code=f"B{seed}", name=f"基准乡镇{seed}")
        last = CollectionRound.objects.create(
            school_year=SchoolYear.objects.get_or_create(year=2023)[0], name=f"上年{seed}",
            as_of=datetime.date(2023, 9, 1), due_date=datetime.date(2023, 10, 1),
        )  # fmt: skip
        this = CollectionRound.objects.create(
            school_year=SchoolYear.objects.get_or_create(year=2024)[0], name=f"本年{seed}",
            as_of=datetime.date(2024, 9, 1), due_date=datetime.date(2024, 10, 1),
        )  # fmt: skip
        kinds = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS], k=n)
        schools = School.objects.bulk_create(
            School(code=f"9{seed}{i:07d}"[:10], name=f"基准学校{seed}-{i}", township=township, kind=kinds[i],
                   location=rng.choice(["urban", "town", "rural"]))
            for i in range(n)
        )  # fmt: skip
        old, new, rows = [], [], []
        for school in schools:
            # The same school a year on: the same draws, its pupils moved by up to ±8 %.
            own = rng.randrange(1 << 30)
            before, _classes = figures(random.Random(own), school.kind)
            old.append(SchoolReturn(school=school, round=last, status="approved", **before))
            now, classes = figures(random.Random(own), school.kind, scale=rng.uniform(0.92, 1.08))
            new.append(SchoolReturn(school=school, round=this, **now))
            rows.append(classes)
        SchoolReturn.objects.bulk_create(old, batch_size=2000)
        created = SchoolReturn.objects.bulk_create(new, batch_size=2000)
        ReturnClass.objects.bulk_create(
            (ReturnClass(school_return=r, section=s, grade=g, name=f"{g}-{i}", students=p)
             for r, classes in zip(created, rows, strict=True) for i, (s, g, p) in enumerate(classes)),
            batch_size=5000,
        )  # fmt: skip
        ReturnRoom.objects.bulk_create(
            (ReturnRoom(school_return=r, room=room, area_m2=D(rng.randint(80, 120)))
             for r in created for room in ("music", "art")),
            batch_size=5000,
        )  # fmt: skip
    return [r.pk for r in created]


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main(sizes: list[int]) -> None:
    call_command("migrate", verbosity=0)
    print(f"rules active: {Rule.objects.filter(active=True).count()}  (database: {TMP})")
    print(f"{'returns':>8} {'build s':>8} {'load wall':>10} {'load cpu':>9} {'queries':>8} "
          f"{'check wall':>11} {'check cpu':>10} {'extra wall':>11} {'findings':>9} {'skipped':>8}")  # fmt: skip
    for seed, n in enumerate(sizes, start=1):
        ids, build_wall, _cpu = timed(lambda n=n, seed=seed: build(n, seed))
        context = Context()

        def load(ids=ids, context=context):
            returns = SchoolReturn.objects.filter(pk__in=ids)
            data = load_returns(returns)
            active_rules(context)
            county_spreads(context)
            return data

        with CaptureQueriesContext(connection) as queries:
            data, load_wall, load_cpu = timed(load)

        def run(checks, data=data, context=context):
            out: dict = {}
            for fn in checks:
                for key, found in fn(data, context).items():
                    out.setdefault(key, []).extend(found)
            return out

        out, check_wall, check_cpu = timed(lambda: run((rule_checks, outlier_checks)))
        extra, extra_wall, _cpu = timed(lambda: run(EXTRA_CHECKS))
        found = sum(len(v) for v in out.values()) + sum(len(v) for v in extra.values())
        skipped = sum(len(v) for v in context.skipped.values())
        print(f"{n:>8} {build_wall:>8.1f} {load_wall:>10.2f} {load_cpu:>9.2f} {len(queries):>8} "
              f"{check_wall:>11.2f} {check_cpu:>10.2f} {extra_wall:>11.2f} {found:>9} {skipped:>8}")  # fmt: skip


if __name__ == "__main__":
    try:
        main([int(a) for a in sys.argv[1:]] or [1000, 10000])
    finally:
        connection.close()
        shutil.rmtree(TMP, ignore_errors=True)
