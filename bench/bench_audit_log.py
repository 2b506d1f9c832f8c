#!/usr/bin/env python
"""The audit log at size: the page, a filtered page and the .xlsx export over N rows, and a refusal crawler.

    .venv/bin/python bench/bench_audit_log.py [--rows 100000] [--crawl 1000]

Runs against a fresh SQLite database in a temporary folder (never the project's database), through the real views,
and prints one line per case: time, peak Python memory (tracemalloc, a second traced run) and for the export the size
of the file (the export must finish within gunicorn's 30 s timeout: views/audit.py EXPORT_MAX_ROWS). The page's query
count is pinned by tests/gongqing/test_audit_log.py. The crawler opens --crawl of another township's schools by URL as
fast as the test client can, and prints how many audit rows that left (folding: one row per person, kind and minute
plus one summary).
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="bench_audit_"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(TMP / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
logging.disable(logging.WARNING)  # the crawler's 404 lines


def measure(label, fn):
    started = time.perf_counter()
    extra = fn()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<44} {seconds:7.2f} s  peak {peak / 2**20:7.1f} MiB  {extra or ''}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--crawl", type=int, default=1000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from gongqing.models import AuditEvent, User
    from gongqing.roles import Role
    from schools.models import School, Township

    ganlu = Township.objects.create(name="甘露镇", code="360482101")
    jiangyi = Township.objects.create(name="江益镇", code="360482102")
    schools = School.objects.bulk_create(
        [School(code=f"21360{i:05d}", name=f"甘露镇第{i}小学", township=ganlu) for i in range(200)]
    )
    staff = User.objects.create_user("staff", password="x", role=Role.BUREAU_STAFF, full_name="张敏")
    auditor = User.objects.create_user("auditor", password="x", role=Role.AUDITOR)
    official = User.objects.create_user("jiangyi", password="x", role=Role.TOWNSHIP_OFFICIAL)
    from schools.models import TownshipMembership

    TownshipMembership.objects.create(user=official, township=jiangyi)

    started = time.perf_counter()
    batch = []
    for i in range(args.rows):
        school = schools[i % len(schools)]
        batch.append(
            AuditEvent(
                user=staff,
                username="staff",
                ip="10.36.1.7",
                action=("school.save", "return.submit", "export", "login")[i % 4],
                object_type="schools.school",
                object_id=str(school.pk),
                result="ok" if i % 10 else "failed",
                detail={"changes": {"name": [school.name, school.name + "（新）"]}, "fields": ["name"]},
            )
        )
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    print(f"{args.rows:,} audit rows written in {time.perf_counter() - started:.1f} s ({TMP})")

    client = Client()
    client.force_login(auditor)
    url = reverse("audit_log")
    measure("page 1, no filter", lambda: client.get(url).status_code)
    measure(
        "page 50, action + result filter",
        lambda: client.get(url, {"action": "school.save", "result": "failed", "page": 50}).status_code,
    )

    def export():
        response = client.get(reverse("audit_log_export"))
        size = sum(len(part) for part in response.streaming_content)
        return f"{size / 2**20:.1f} MiB xlsx"

    measure(f"export .xlsx, all {args.rows:,} rows", export)

    crawler = Client()
    crawler.force_login(official)
    before = AuditEvent.objects.count()
    started = time.perf_counter()
    for i in range(args.crawl):
        crawler.get(reverse("schools:detail", args=[schools[i % len(schools)].pk]))
    seconds = time.perf_counter() - started
    from gongqing import refusals

    refusals.flush_closed(now=timezone.now() + datetime.timedelta(seconds=61))
    rows = list(AuditEvent.objects.filter(pk__gt=before).exclude(action="login").values_list("action", "detail"))
    counted = sum(1 if a == "access.refused" else d["count"] for a, d in rows)
    print(f"crawler: {args.crawl} refused URLs in {seconds:.1f} s → {len(rows)} audit rows accounting for {counted}")


if __name__ == "__main__":
    main()
