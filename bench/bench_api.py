"""API load benchmark: the school-results list with N schools, against gunicorn and PostgreSQL, on loopback only.

For each size it builds a county of N schools with 12 stored results each (R1–R7 primary, G-items), starts gunicorn
on 127.0.0.1, and has a bounded pool of client threads fetch pages of /api/v1/school-results/?round=…&page_size=100
with a bearer token for a fixed number of requests: each thread walks the list by following `next` (keyset cursor),
as a client syncing a round does; BENCH_MODE=page fetches random page numbers instead (the old, deprecated way).
It prints requests/s, p50/p95/p99 latency, the error count, and the 304 time of an ETag poll. Load generator and
server share the machine (cores are printed).

Run (recreates the scratch database; PostgreSQL must accept the URL's role):
    BENCH_PG=postgres://portal:portal@127.0.0.1:5432 .venv/bin/python bench/bench_api.py [30 1000 10000]
Options by environment: BENCH_DB (scratch database, default gongqing_bench_api), BENCH_WORKERS (gunicorn workers,
default 4), BENCH_THREADS (client threads, default 16), BENCH_REQUESTS (per size, default 2000), BENCH_MODE.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_PG", "postgres://portal:portal@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "gongqing_bench_api")
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
MODE = os.environ.get("BENCH_MODE", "cursor")
CODES = [("primary", f"R{i}") for i in range(1, 8)] + [("", c) for c in ("G3", "G4", "G5", "G6", "G7")]


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
    from django.utils import timezone

    from indicators.models import EvaluationState, SchoolResult
    from schools.models import CollectionRound, School, SchoolYear, Township

    township = Township.objects.create(code=f"B{n}", name=f"基准镇{n}")
    year = SchoolYear.objects.create(year=2100 + index)
    rnd = CollectionRound.objects.create(
        school_year=year, name="正式", as_of=datetime.date(2024, 9, 1), due_date=datetime.date(2024, 10, 1)
    )
    schools = School.objects.bulk_create(
        [
            School(
                code=f"9{index}{i:08d}", name=f"bench-{index}-{i}", township=township, kind="primary", location="rural"
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    rows = [
        SchoolResult(
            round=rnd,
            school=s,
            section=section,
            code=code,
            value=Decimal(rng.randint(1, 9_999_999)) / Decimal(1_000_000),
            threshold=Decimal("4.2"),
            status=rng.choice(["met", "not_met", "within_tolerance"]),
            detail={"ratio": "1.0123"},
        )
        for s in schools
        for section, code in CODES
    ]
    SchoolResult.objects.bulk_create(rows, batch_size=10000)
    EvaluationState.objects.create(round=rnd, computed_version=1, computed_at=timezone.now())
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would soon: without statistics the planner sorts every row
        cursor.execute("ANALYZE schools_school, indicators_schoolresult")
    return rnd, len(rows)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": f"{BASE}/{DB}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "API_READ_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "gongqing.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def fetch(url: str, token: str, headers: dict | None = None) -> tuple[int, float, dict, str | None]:
    """(status, seconds, headers, the `next` link of a list page)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", **(headers or {})})
    start = time.perf_counter()
    nxt = None
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            status, got = response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        exc.read()
        status, got, data = exc.code, dict(exc.headers), b""
    seconds = time.perf_counter() - start
    if status == 200 and data:
        nxt = json.loads(data).get("next")
    return status, seconds, got, nxt


def load(base_url: str, token: str, pages: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [REQUESTS]

    def worker(seed: int):
        nonlocal errors
        rng = random.Random(seed)
        url = [base_url]
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            if MODE == "page":
                status, seconds, _headers, _next = fetch(f"{base_url}&page={rng.randint(1, pages)}", token)
            else:  # walk the list as a client does, following `next` (keyset cursor); start over at the end
                status, seconds, _headers, nxt = fetch(url[0], token)
                url[0] = nxt or base_url
            with lock:
                latencies.append(seconds)
                errors += status != 200

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50": q[49], "p95": q[94], "p99": q[98], "errors": errors}


def main(sizes: list[int]) -> None:
    recreate_database()
    setup_django()
    from gongqing.api.auth import token_create
    from gongqing.models import User

    user = User.objects.create(username="bench_city", role="api_client")
    _token, raw = token_create(user=user, name="bench", scopes=["read"])
    rng = random.Random(7)
    port = free_port()
    print(
        f"cores={os.cpu_count()} gunicorn workers={WORKERS} client threads={THREADS} requests/size={REQUESTS} "
        f"mode={MODE}"
    )
    for index, n in enumerate(sizes):
        rnd, rows = make_county(n, rng, index)
        proc = start_gunicorn(port)
        try:
            url = f"http://127.0.0.1:{port}/api/v1/school-results/?round={rnd.pk}&page_size=100"
            status, _s, headers, _next = fetch(url, raw)
            assert status == 200, status
            polls = [fetch(url, raw, {"If-None-Match": headers["ETag"]}) for _ in range(50)]
            assert all(p[0] == 304 for p in polls)
            poll_p50 = statistics.median(p[1] for p in polls)
            fetch(url, raw)  # warm every worker a little
            result = load(url, raw, pages=max(1, rows // 100))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(
            f"schools={n:>6} result rows={rows:>7}  {result['rps']:7.1f} req/s  "
            f"p50={result['p50'] * 1000:6.1f} ms  p95={result['p95'] * 1000:6.1f} ms  "
            f"p99={result['p99'] * 1000:6.1f} ms  errors={result['errors']}  304 poll p50={poll_p50 * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [30, 1000, 10000])
