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
default 4), BENCH_THREADS (client threads, default 16), BENCH_REQUESTS (per size, default 2000), BENCH_MODE,
BENCH_SPREAD: `1` (the default) starts each walker at its own share of the round (a cursor at the first school of
its sixteenth, say), so that together they read the whole round as clients syncing it do, deep pages included;
`0` starts every walker at the first page (the bench's earlier form: 16 walkers re-reading the round's first pages).
BENCH_CLIENT: `python` (the default, the threads above) or `wrk` (Debian's wrk, a C client that leaves the cores to
the server: BENCH_THREADS connections, one per wrk thread, each walking the list by `next` as above, for
BENCH_SECONDS, default 15). With python threads the client takes a large share of the two cores; wrk measures the
server. Compare versions with the same client. BENCH_GUNICORN_ARGS: more gunicorn options, e.g. `--worker-class
gthread --threads 4` (workers that keep connections alive; the default sync workers close each one).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

CLIENT = os.environ.get("BENCH_CLIENT", "python")
SPREAD = os.environ.get("BENCH_SPREAD", "1") == "1"
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WRK_SCRIPT = r"""
-- Each wrk thread has one connection and walks the list by following `next` (keyset cursor), as a client does.
local first, start, token, path
local threads, made = {}, 0
walked = 0
function setup(thread)
  made = made + 1
  thread:set("slot", made)
  table.insert(threads, thread)
end
function init(args)
  first = args[1]; token = args[2]
  start = args[2 + slot] or first
  path = start
end
function request() return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token}) end
function response(status, headers, body)
  local nxt = body and body:match('"next":%s*"https?://[^/"]+([^"]*)"')
  if nxt then walked = walked + 1 end
  path = nxt or first
end
function followed()
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("walked") end
  return n
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %.3f %.3f %.3f %d\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, followed()))
end
"""

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_PG", "postgres://portal:portal@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "gongqing_bench_api")
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
MODE = os.environ.get("BENCH_MODE", "cursor")
GUNICORN_ARGS = os.environ.get("BENCH_GUNICORN_ARGS", "").split()  # e.g. "--worker-class gthread --threads 4"
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
            *GUNICORN_ARGS,
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


def walk_starts(base_url: str, rnd) -> list[str]:
    """Where each walker starts: the first page (BENCH_SPREAD=0), or a cursor just before the first school of the
    walker's share of the round, as `next` links are written (base64 of the keyset's JSON values)."""
    if not SPREAD:
        return [base_url] * THREADS
    from indicators.models import SchoolResult

    ids = sorted(set(SchoolResult.objects.filter(round=rnd).values_list("school_id", flat=True)))
    starts = [base_url]
    for i in range(1, THREADS):
        values = [rnd.pk, ids[len(ids) * i // THREADS], "", ""]
        raw = json.dumps(values, separators=(",", ":")).encode()
        starts.append(f"{base_url}&cursor={base64.urlsafe_b64encode(raw).decode().rstrip('=')}")
    return starts


def load_wrk(base_url: str, token: str, starts: list[str]) -> dict:
    """The same walk by wrk: THREADS threads with one connection each, for SECONDS."""
    parts = urlsplit(base_url)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(THREADS),
                "-c",
                str(THREADS),
                "-d",
                f"{SECONDS}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                f"{parts.scheme}://{parts.netloc}/",
                "--",
                f"{parts.path}?{parts.query}",
                token,
                *(start.split(parts.netloc, 1)[1] for start in starts),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    requests, micros, errors, p50, p95, p99, followed = line.split()[1:]
    assert int(followed) > int(requests) * 0.9, f"the walkers did not follow `next`: {line}"
    return {
        "rps": int(requests) / (int(micros) / 1e6),
        "p50": float(p50) / 1000,
        "p95": float(p95) / 1000,
        "p99": float(p99) / 1000,
        "errors": int(errors),
    }


def load(base_url: str, token: str, pages: int, starts: list[str]) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [REQUESTS]

    def worker(seed: int):
        nonlocal errors
        rng = random.Random(seed)
        url = [starts[seed]]
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
        f"mode={MODE} client={CLIENT} spread={int(SPREAD)}"
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
            starts = walk_starts(url, rnd)
            if CLIENT == "wrk":
                result = load_wrk(url, raw, starts)
            else:
                result = load(url, raw, pages=max(1, rows // 100), starts=starts)
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
