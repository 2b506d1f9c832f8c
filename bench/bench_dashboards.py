"""Server time and queries of each dashboard page on PostgreSQL: the demo county, then 10,000 synthetic schools.

Each page is fetched through Django's test client as the leadership user (middleware, template rendering and all):
once with an empty cache (as after a recompute: the page is built) and three times more (the matrix and the warnings
then come from the cache keyed by the round's data and computed versions); times and queries of both are printed.
The synthetic county reuses bench/bench_recompute.py's generator (primary schools with plausible figures and class
lists), spread over 10 townships, with its results stored by the real recompute before any page is timed.

Run (recreates the scratch database `gongqing_bench`, or BENCH_DB; PostgreSQL must accept the URL's role):
    BENCH_PG=postgres://portal:portal@127.0.0.1:5432 .venv/bin/python bench/bench_dashboards.py [10000]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_recompute  # noqa: E402

PAGES = [
    ("overview", "/dashboards/"),
    ("matrix", "/dashboards/matrix/"),
    ("matrix by misses", "/dashboards/matrix/?sort=misses"),
    ("trends", "/dashboards/trends/"),
    ("warnings", "/dashboards/warnings/"),
    ("board", "/dashboards/board/"),
    ("home (with the overview panel)", "/"),
    ("matrix .xlsx", "/dashboards/matrix/export.xlsx?key=matrix"),
]


def time_pages(label: str, round_id: int | None = None) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongqing.models import User
    from gongqing.roles import Role

    user = User.objects.filter(role=Role.LEADERSHIP).first() or User.objects.create(
        username="bench_leader", role=Role.LEADERSHIP
    )
    client = Client()
    client.force_login(user)
    print(f"\n{label}")
    for name, url in PAGES:
        if round_id and "?" not in url and url != "/":
            url = f"{url}?round={round_id}"
        elif round_id and url != "/":
            url = f"{url}&round={round_id}"
        times, queries, size = [], [], 0
        cache.clear()  # the first fetch builds the page (as after a recompute); the next ones may read the cache
        for _ in range(4):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                body = b"".join(response.streaming_content) if response.streaming else response.content  # all sent
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(ctx.captured_queries))
            size = len(body)
        print(
            f"  {name:<32} cold {times[0] * 1000:7.0f} ms {queries[0]:3d} queries   "
            f"warm median {statistics.median(times[1:]) * 1000:7.0f} ms {queries[-1]:3d} queries  "
            f"{size / 1024:6.0f} KiB"
        )


def synthetic(n: int, index: int) -> int:
    from indicators import services
    from schools.models import School, Township

    rnd, _returns = bench_recompute.make_county(n, random.Random(n), index)
    townships = [Township.objects.create(code=f"B{n}{i}", name=f"基准乡镇{n}-{i}", order=i) for i in range(10)]
    ids = list(School.objects.filter(code__startswith=f"{index:02d}").values_list("pk", flat=True))
    for i, township in enumerate(townships):
        School.objects.filter(pk__in=ids[i::10]).update(township=township)
    services.mark_stale_now(round=rnd)
    start = time.perf_counter()
    services.recompute_round(round_id=rnd.pk)
    print(f"\n{n} synthetic schools: results stored in {time.perf_counter() - start:.1f} s (not part of any page)")
    return rnd.pk


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10000]
    bench_recompute.recreate_database()
    bench_recompute.setup_django()
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    print(f"PostgreSQL {bench_recompute.BASE.split('@')[-1]}, {os.cpu_count()} cores")
    time_pages("demo county (seed_demo: 29 schools, three rounds)")
    for index, size in enumerate(sizes, start=1):  # each size a township, year and code prefix of its own
        time_pages(f"{size} synthetic schools", round_id=synthetic(size, index))
