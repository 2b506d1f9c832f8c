#!/usr/bin/env python
"""Time and peak Python memory (tracemalloc) of the returns import and of refusing hostile uploads.

    .venv/bin/python bench/bench_import.py [--schools 200] [--classes-per-school 25] [--skip-hostile]

Runs against a fresh SQLite database in a temporary folder (never the project's database), through the real view
(check_upload → read → plan → one transaction of return_start/return_save), and prints one line per case.
Also checks SECURITY.md #10: an import killed midway leaves 0 rows; the same file uploaded twice leaves 0 duplicates.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="bench_import_"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(TMP / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from gongqing.uploads import UploadRejected, check_upload  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

RETURN_HEADERS = ["学校标识码", "学校名称", "小学在校生数", "小学班级数", "小学专任教师数", "普通教室数"]
CLASS_HEADERS = ["学校标识码", "学校名称", "学段", "年级", "班级名称", "学生数"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run(fn):
    try:
        return fn()
    except UploadRejected as exc:
        return f"refused: {exc.message[:50]}"


def measure(label, fn, *, reset=None):
    """Time one run untraced (tracemalloc slows Python several-fold), then take the peak from a second, traced run."""
    started = time.perf_counter()
    outcome = _run(fn)
    seconds = time.perf_counter() - started
    if reset is not None:
        reset()
    tracemalloc.start()
    _run(fn)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<52} {seconds:8.3f} s  peak {peak / 2**20:7.1f} MiB  {outcome}")
    return outcome


def workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook(write_only=True)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def valid_workbook(schools, per_school) -> bytes:
    returns, classes = [RETURN_HEADERS], [CLASS_HEADERS]
    for s in schools:
        returns.append([s.code, s.name, per_school * 40, per_school, per_school * 2, per_school])
        for i in range(per_school):
            grade = i % 6 + 1
            classes.append([s.code, s.name, "小学", grade, f"{grade}年级{i // 6 + 1}班", 40])
    return workbook({"学校填报": returns, "班级": classes})


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def hostile_files() -> dict[str, bytes]:
    from tests.schools.exchange_files import entity_bomb_workbook, macro_workbook, zip_bomb_workbook

    big_rows = workbook(
        {"班级": [CLASS_HEADERS, *([f"{2136000000 + i}", "", "小学", 1, f"{i}班", 1] for i in range(200_000))]}
    )
    return {
        "50 MB file": b"PK\x03\x04" + b"\x00" * (50 * 1024 * 1024),
        "zip bomb (1 GB of spaces, ratio ~1000:1)": zip_bomb_workbook(size=1024 * 1024 * 1024),
        "10,000-entry zip": zip_of({f"xl/s{i}.xml": b"<x/>" for i in range(10_000)}),
        "XML entity bomb": entity_bomb_workbook(),
        "macro workbook named .xlsx": macro_workbook(),
        "OLE2 .xls renamed .xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096,
        "200,000-row sheet": big_rows,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--classes-per-school", type=int, default=25)
    parser.add_argument("--skip-hostile", action="store_true", help="only the valid-import figures")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from gongqing.roles import Role
    from schools import services as return_services
    from schools.models import ReturnClass, SchoolReturn
    from tests.factories import RoundFactory, SchoolFactory, TownshipFactory, UserFactory

    township = TownshipFactory(name="甘露镇", code="360482101")
    schools = [SchoolFactory(township=township, code=f"21361{i:05d}") for i in range(args.schools)]
    rnd = RoundFactory()
    staff = UserFactory(username="bench", role=Role.BUREAU_STAFF)
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    url = reverse("schools:exchange_upload", args=[rnd.pk])
    rows = args.schools * args.classes_per_school
    print(f"SQLite at {TMP}; {args.schools} schools, {rows} class rows; Python {sys.version.split()[0]}")

    built = {}

    def build():
        built["xlsx"] = valid_workbook(schools, args.classes_per_school)
        return "built"

    measure("build the valid workbook (openpyxl write-only)", build)
    content = built["xlsx"]
    print(f"{'':<48} workbook size {len(content) / 1024:.0f} KiB")

    def upload(data=content):
        response = client.post(url, {"files": SimpleUploadedFile("bench.xlsx", data, XLSX)})
        html = response.content.decode(errors="replace")
        ok = 'id="import-result"' in html
        return f"HTTP {response.status_code}, {'imported' if ok else 'NOT imported'}, " + (
            f"{SchoolReturn.objects.count()} returns, {ReturnClass.objects.count()} classes"
        )

    real_save = return_services.return_save
    calls = []

    def killed_midway(**kwargs):
        calls.append(1)
        if len(calls) == args.schools // 2:
            raise RuntimeError("worker killed")
        return real_save(**kwargs)

    def killed_upload():
        calls.clear()
        return upload()

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the killed request's traceback is expected
    return_services.return_save = killed_midway
    measure(f"import {rows} class rows, killed at school {args.schools // 2}", killed_upload)
    return_services.return_save = real_save
    assert SchoolReturn.objects.count() == 0 and ReturnClass.objects.count() == 0, "partial rows left"

    def forget_returns():
        ReturnClass.objects.all().delete()
        SchoolReturn.objects.all().delete()

    measure(f"import {rows} class rows (new returns)", upload, reset=forget_returns)
    measure(f"import {rows} class rows again (overwrite)", upload)
    assert ReturnClass.objects.count() == rows, "duplicates or missing rows"
    print(
        f"{'':<48} killed midway: 0 partial rows; uploaded twice: {ReturnClass.objects.count()} classes, no duplicates"
    )

    if args.skip_hostile:
        return
    print(
        "hostile files: check_upload alone, then the whole upload request (the test client builds the body in memory)"
    )
    for label, data in hostile_files().items():
        measure(f"check: {label}", lambda d=data: _check(d))
        measure(f"upload: {label}", lambda d=data: upload(d))


def _check(data: bytes) -> str:
    checked = check_upload(SimpleUploadedFile("bench.xlsx", data, XLSX), allowed={"xlsx", "csv", "zip"})
    return f"passed the checker as {checked.kind}"


if __name__ == "__main__":
    main()
