#!/usr/bin/env python
"""Throw the hostile corpus of issue 11 at every upload path of a running server, and the largest legitimate files
the caps allow, printing per file the answer, the time and the server process's peak memory growth.

    .venv/bin/python bench/bench_hostile_uploads.py [--only returns|evidence|survey|api] [--skip-legit]

Starts gunicorn (one sync worker, DEBUG off) on a free loopback port over a SQLite database in a temporary VAR_DIR
seeded with `manage.py seed_demo`, plus 1,000 made-up primary schools in 甘露镇 for the at-the-caps import. Every
file goes to a fresh worker (`--max-requests 3`): a warm-up request on the same page, then the measured request;
the peak is the worker's VmHWM from /proc after writing 5 to its clear_refs (which resets it to the current RSS),
so each figure is that one request's own growth, not memory an earlier one left in the allocator.

Targets (docs/security.md, hostile uploads): a file that breaks a cap is refused in ≤ 2 s with the peak growing
≤ 50 MB; a legitimate file at the caps is imported or refused on its content, its peak growth printed. Files within
the caps that are not refused by them (marked "within caps") are answered on their content; their figures are shown
against no target. Uploads: the returns import (as 甘露镇's official), the evidence of a rectification item, of a
measure and of a county entry (as bureau staff), the survey import (bureau staff), the API (the demo API client).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="bench_hostile_"))
ENV = {
    "VAR_DIR": str(TMP),
    "DATABASE_URL": f"sqlite:///{TMP / 'db.sqlite3'}",
    "MEDIA_ROOT": str(TMP / "media"),
    "STATIC_ROOT": str(TMP / "static"),
    "DEBUG": "0",
    "SECRET_KEY": "bench-hostile-uploads-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SURVEY_EXPORT_KEY": "bench-hostile-uploads-survey-key-0123456789",
    "API_WRITE_RATE": "100000/minute",
    "API_READ_RATE": "100000/minute",
    "LOG_LEVEL": "ERROR",
    "REDIS_URL": "",
}
os.environ.update(ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from tests import hostile_corpus as corpus  # noqa: E402
from tests.schools import exchange_files as files  # noqa: E402

MB = 1024 * 1024
TARGET_SECONDS = 2.0
TARGET_GROWTH_MB = 50.0
CSRF = secrets.token_hex(16)  # a 32-character secret: sent as cookie and header, as a browser's page would
BENCH_SCHOOLS, CLASSES_PER_SCHOOL, ROOMS_PER_SCHOOL = 1000, 40, 8


# --- the server ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with one sync worker that is replaced after three requests (warm-up, measured, clean-up)."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "gongqing.wsgi:application",
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--max-requests", "3"),
                *("--timeout", "900", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env={**os.environ, **ENV},
            stdout=subprocess.DEVNULL,
            stderr=(TMP / "server.log").open("w"),  # Django logs each 400 as a warning line
        )
        self.seen: set[int] = set()

    def fresh_worker(self) -> int:
        """The pid of a worker that has served nothing yet."""
        for _ in range(1200):
            fresh = [pid for pid in self._children() if pid not in self.seen]
            if fresh:
                self.seen.add(fresh[0])
                return fresh[0]
            time.sleep(0.05)
        raise RuntimeError("no gunicorn worker")

    def _children(self) -> list[int]:
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if f"\nPPid:\t{self.proc.pid}\n" in text:
                pids.append(int(status.parent.name))
        return pids

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


# --- HTTP ---


@dataclass
class Answer:
    status: int
    body: bytes
    location: str = ""
    content_type: str = ""
    cookies: str = ""  # name=value pairs the answer sets, for the next request


def request(port: int, method: str, path: str, *, body: bytes = b"", headers: dict | None = None) -> Answer:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body or None, method=method)
    for key, value in (headers or {}).items():
        req.add_header(key, value)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def answer(r, status):
        cookies = "; ".join(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or [])
        return Answer(status, r.read(), r.headers.get("Location", ""), r.headers.get("Content-Type", ""), cookies)

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=900) as r:
            return answer(r, r.status)
    except urllib.error.HTTPError as e:
        return answer(e, e.code)


def multipart(fields: dict, uploads: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, data in uploads:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


_SHOWN = [
    r'<div class="error-box"[^>]*>(.*?)</div>',
    r'<div class="notice-box"[^>]*>(.*?)</div>',
    r'<div class="field-error"[^>]*>(.*?)</div>',
    r'<ul class="errorlist"[^>]*>(.*?)</ul>',
    r'<li class="msg[^"]*"[^>]*>(.*?)</li>',
]


def words(answer: Answer, limit: int = 44) -> str:
    """The first words of what the answer says: the API's error message, or the page's notice."""
    text = answer.body.decode("utf-8", errors="replace")
    if answer.content_type.startswith("application/json"):
        try:
            data = json.loads(text)
            error = data.get("error") if isinstance(data, dict) else None
            text = error["message"] if error else "ok: " + text
        except ValueError:
            pass
    else:
        for pattern in _SHOWN:
            found = re.search(pattern, text, re.S)
            if found:
                text = found.group(1)
                break
        else:
            title = re.search(r"<title>(.*?)</title>", text, re.S)
            text = title.group(1) if title else text[:limit]
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()
    return text if len(text) <= limit else text[:limit] + "…"


# --- the cases ---


@dataclass
class Case:
    path: str  # returns / evidence:item / evidence:measure / evidence:county / survey / api
    label: str
    make: object  # () -> bytes
    filename: str = ""
    kind: str = "hostile"  # hostile (breaks a cap) / within (within the caps) / legit (at the caps)


@dataclass
class Setup:
    cookies: dict  # persona → Cookie header
    token: str
    urls: dict
    api_return: tuple[int, int] = (0, 0)  # id, version of a draft the API client may save


def prepare() -> Setup:
    from django.test import Client

    from gongqing.api.auth import token_create
    from gongqing.models import User
    from indicators.county_items import COUNTY_ITEM_PARTS
    from schools.access import user_township_id
    from schools.models import CollectionRound, School, Township
    from supervision.access import can_post_update
    from supervision.models import Measure, RectificationItem

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())
    township = Township.objects.get(pk=user_township_id(User.objects.get(username="ganlu")))
    School.objects.bulk_create(
        School(
            code=f"39{i:08d}",
            name=f"基准小学{i:04d}",
            township=township,
            kind="primary",
            location="rural",
            fictional=True,
        )
        for i in range(BENCH_SCHOOLS)
    )
    rnd = CollectionRound.objects.filter(is_open=True).order_by("-as_of").first()
    cookies = {}
    for username in ("ganlu", "staff"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookies[username] = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"
    _token, raw = token_create(
        user=User.objects.get(username="jiujiang_api"), name="bench", scopes=["read", "returns:write"], days=1
    )
    item = RectificationItem.objects.exclude(work_status="accepted").exclude(state="closed").order_by("pk").first()
    staff = User.objects.get(username="staff")
    measure = next(m for m in Measure.objects.order_by("pk") if can_post_update(staff, m))
    year = rnd.school_year.year
    code = next(iter(COUNTY_ITEM_PARTS))
    urls = {
        "returns": reverse("schools:exchange_upload", args=[rnd.pk]),
        "evidence:item": reverse("supervision:item_progress", kwargs={"pk": item.pk}),
        "evidence:item:page": reverse("supervision:item", kwargs={"pk": item.pk}),
        "evidence:measure": reverse("supervision:measure_progress", kwargs={"pk": measure.pk}),
        "evidence:measure:page": reverse("supervision:measure", kwargs={"pk": measure.pk}),
        "evidence:county": reverse("indicators:county_entry_edit", kwargs={"year": year, "code": code}),
        "survey": reverse("survey:import"),
        "api": "/api/v1/returns/",
        "round": rnd.pk,
        "county_code": code,
    }
    took = time.perf_counter() - started
    print(f"set-up: migrate, collectstatic, seed_demo and {BENCH_SCHOOLS:,} schools in {took:.0f} s")
    return Setup(cookies=cookies, token=raw, urls=urls)


def start_api_return(setup: Setup) -> None:
    """A draft of a demo school outside 甘露镇 (whose returns the imports write), for the API client to save."""
    from gongqing.models import User
    from schools import services
    from schools.access import user_township_id
    from schools.models import CollectionRound, School

    rnd = CollectionRound.objects.get(pk=setup.urls["round"])
    ganlu = user_township_id(User.objects.get(username="ganlu"))
    school = (
        School.objects.filter(kind="primary")
        .exclude(township_id=ganlu)
        .exclude(returns__round=rnd)
        .order_by("code")
        .first()
    )
    ret = services.return_start(school=school, round=rnd, by=User.objects.get(username="jiujiang_api"))
    setup.api_return = (ret.pk, ret.version)


def legit_tables() -> dict[str, list[list]]:
    """1,000 schools of 40 classes (1,800 pupils, 45 a class) and 8 rooms: 40,000 class rows, the rows cap."""
    from schools.exchange.formats import CLASSES, RETURNS, ROOMS, xlsx_columns
    from tests.factories import class_rows, primary_figures

    returns, classes, rooms = [], [], []
    for i in range(BENCH_SCHOOLS):
        code, name = f"39{i:08d}", f"基准小学{i:04d}"
        figures = primary_figures(students=45 * CLASSES_PER_SCHOOL, classes=CLASSES_PER_SCHOOL, teachers=100)
        figures |= {"teaching_area_m2": 9000, "sports_area_m2": 12000, "land_area_m2": 40000, "multimedia_rooms": 40}
        returns.append([code, name, *(str(figures.get(c.key, "")) for c in xlsx_columns(RETURNS)[2:])])
        for row in class_rows("primary", 45 * CLASSES_PER_SCHOOL, CLASSES_PER_SCHOOL):
            classes.append([code, name, "小学", row.grade, row.name, row.students])
        for r in range(ROOMS_PER_SCHOOL):
            rooms.append([code, name, "音乐" if r % 2 else "美术", 90 + r])
    headers = {t: [str(c.header) for c in xlsx_columns(t)] for t in (RETURNS, CLASSES, ROOMS)}
    return {
        "returns": [headers[RETURNS], *returns],
        "classes": [headers[CLASSES], *classes],
        "rooms": [headers[ROOMS], *rooms],
    }


def legit_workbook() -> bytes:
    from openpyxl import Workbook

    tables = legit_tables()
    wb = Workbook(write_only=True)
    for title, key in (("学校填报", "returns"), ("班级", "classes"), ("功能室", "rooms")):
        ws = wb.create_sheet(title)
        for row in tables[key]:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def legit_csv_zip() -> bytes:
    import csv

    from schools.exchange.formats import CLASSES, RETURNS, ROOMS, csv_columns, xlsx_columns

    tables = legit_tables()
    members = {}
    for key, table in (("returns", RETURNS), ("classes", CLASSES), ("rooms", ROOMS)):
        xlsx_keys = [c.key for c in xlsx_columns(table)]
        keys = [c.key for c in csv_columns(table)]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.csv for c in csv_columns(table)])
        for row in tables[key][1:]:
            values = dict(zip(xlsx_keys, row, strict=True)) | {"school_year": 2024}
            values["section"] = {"小学": "primary"}.get(values.get("section"), values.get("section"))
            values["room"] = {"音乐": "music", "美术": "art"}.get(values.get("room"), values.get("room"))
            writer.writerow([values.get(k, "") for k in keys])
        members[f"{key}.csv"] = out.getvalue().encode()
    return files.zip_bytes(members)


def legit_survey() -> bytes:
    """A signed survey file of the demo survey with as many made-up responses as the caps allow."""
    from gongqing import json_input
    from supervision.survey import exchange
    from supervision.survey.models import Survey

    survey = Survey.objects.select_related("school_year").order_by("-school_year__year").first()
    data = exchange.build_export(survey)
    items = data["payload"]["survey"]["items"]
    groups = list(items)
    levels = ["very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied", "unknown"]

    def response(n: int) -> dict:
        group = groups[n % len(groups)]
        return {
            "id": str(uuid.UUID(int=n + 1)),
            "group": group,
            "answers": [levels[(n + i) % len(levels)] for i in range(len(items[group]))],
            "submitted_on": "2024-11-20",
        }

    def signed(count: int) -> bytes:
        data["payload"]["responses"] = [response(n) for n in range(count)]
        data["signature"] = exchange._signature(data["payload"])
        return json.dumps(data, ensure_ascii=False, indent=1).encode()

    per = len(signed(1000)) / 1000
    count = int(exchange.MAX_FILE_BYTES / per)
    while True:
        raw = signed(count)
        try:
            json_input.check_json([raw], max_bytes=exchange.MAX_FILE_BYTES)
            return raw
        except json_input.JsonRefused:
            count = int(count * 0.97)


def docx_bomb() -> bytes:
    return files.zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b"<w:document/>",
            "word/media/pad.xml": b" " * (40 * MB),
        }
    )


def big_pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


def cases() -> list[Case]:
    rows200k = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>x</t></is></c></row>' for i in range(1, 200_001))

    def two_hundred_thousand_rows():
        plain = files.workbook_bytes({"学校填报": [["学校标识码"], ["3900000001"]]})

        def replace(data: bytes) -> bytes:
            start, end = data.index(b"<sheetData"), data.index(b"</worksheet>")
            return data[:start] + f"<sheetData>{rows200k}</sheetData>".encode() + data[end:]

        return files.rewrite_member(plain, "xl/worksheets/sheet1.xml", replace)

    def defined_names(n: int) -> bytes:
        plain = files.workbook_bytes({"学校填报": [["学校标识码"], ["3900000001"]]})
        names = "".join(f'<definedName name="n{i}">学校填报!$A${i % 9 + 1}</definedName>' for i in range(n))
        return files.rewrite_member(
            plain,
            "xl/workbook.xml",
            lambda d: d.replace(b"</sheets>", f"</sheets><definedNames>{names}</definedNames>".encode()),
        )

    out = [
        Case("returns", "finding 1: ZIP of 95 wide CSVs of ~1 MB", lambda: corpus.csv_zip_bomb(95), "returns.zip"),
        Case("returns", "ZIP of 47 wide CSVs of ~1 MB", lambda: corpus.csv_zip_bomb(47), "returns.zip"),
        Case("returns", "wide CSV, 12 MB, 200 columns", lambda: corpus.wide_csv(12 * MB), "returns.csv"),
        Case(
            "returns",
            "ZIP of 3 CSVs × 30,000 random rows (ratio ~3:1)",
            lambda: files.zip_bytes({f"classes{i}.csv": corpus.random_csv(1_300_000, seed=i) for i in range(3)}),
            "returns.zip",
        ),
        Case("returns", "ZIP of 4 CSVs", lambda: corpus.csv_zip_of_tables(4), "returns.zip"),
        Case("returns", "CSV with one 19 MB line", lambda: corpus.csv_long_line(19 * MB), "classes.csv"),
        Case("returns", "ZIP of 900 entries of 4 KB (~200:1 each)", corpus.small_entries_zip, "returns.zip"),
        Case("returns", "50 MB file", lambda: b"PK\x03\x04" + b"\x00" * (50 * MB), "学校填报.xlsx"),
        Case("returns", "XLSX zip bomb: 40 MB member ~1000:1", files.zip_bomb_workbook, "学校填报.xlsx"),
        Case("returns", "XLSX of 10,000 entries", files.many_entries_zip, "学校填报.xlsx"),
        Case("returns", "XLSX entity bomb", files.entity_bomb_workbook, "学校填报.xlsx"),
        Case("returns", "XLSX with macros", files.macro_workbook, "学校填报.xlsx"),
        Case("returns", "OLE2 .xls renamed .xlsx", lambda: files.OLE2 + b"\x00" * 4096, "学校填报.xlsx"),
        Case("returns", "XLSX of 200,000 rows", two_hundred_thousand_rows, "学校填报.xlsx"),
        Case("returns", "XLSX with 200,000 cell styles", lambda: corpus.workbook_with_styles(200_000), "学校填报.xlsx"),
        Case(
            "returns",
            "XLSX with 1,000,000 shared strings",
            lambda: corpus.workbook_with_shared_strings(1_000_000),
            "学校填报.xlsx",
        ),
        Case("returns", "XLSX with 100,000 defined names", lambda: defined_names(100_000), "学校填报.xlsx"),
        Case(
            "returns",
            "XLSX with 40,000 cell styles",
            lambda: corpus.workbook_with_styles(40_000),
            "学校填报.xlsx",
            kind="within",
        ),
    ]
    for path in ("evidence:item", "evidence:measure", "evidence:county"):
        out += [
            Case(path, "PNG + <script> named page.html", lambda: corpus.PNG_WITH_SCRIPT, "page.html"),
            Case(path, "DOCX zip bomb: 40 MB member ~1000:1", docx_bomb, "说明.docx"),
            Case(path, "50 MB PDF", lambda: big_pdf(50 * MB), "报告.pdf"),
            Case(path, "19 MB PDF", lambda: big_pdf(19 * MB), "报告.pdf", kind="legit"),
        ]
    out += [
        Case("survey", "JSON nested 20,000,000 deep (20 MB)", lambda: b"[" * (20 * MB - 1), "survey.json"),
        Case("survey", "20 MB of empty arrays", lambda: corpus.many_values_json(20 * MB // 3 - 1), "survey.json"),
        Case("survey", "21 MB file", lambda: b" " * (21 * MB), "survey.json"),
        Case("survey", "file nested 1,000 deep in the payload", None, "survey.json"),
        Case("api", "JSON nested 100,000 deep", lambda: corpus.nested_json(100_000)),
        Case("api", "2 MB body", lambda: json.dumps({"school": 1, "pad": "x" * (2 * MB)}).encode()),
        Case("api", "1 MB of empty arrays (349,000 values)", lambda: corpus.many_values_json(349_000), kind="within"),
    ]
    return out


def legit_cases() -> list[Case]:
    return [
        Case(
            "returns",
            f"at the caps: {BENCH_SCHOOLS:,} schools, 40,000 classes, 8,000 rooms (XLSX)",
            legit_workbook,
            "学校填报.xlsx",
            kind="legit",
        ),
        Case(
            "returns",
            f"at the caps: {BENCH_SCHOOLS:,} schools, 40,000 classes, 8,000 rooms (CSV ZIP)",
            legit_csv_zip,
            "returns.zip",
            kind="legit",
        ),
        Case("survey", "signed survey file at the caps", legit_survey, "survey-2024.json", kind="legit"),
        Case("api", "PATCH of a return with 40 classes", None, kind="legit"),
    ]


# --- running one case ---


def send(server: Server, setup: Setup, case: Case, data: bytes) -> tuple[Answer, Answer | None, float, float]:
    """Warm a fresh worker up, reset its peak, send the file; (answer, the page it redirects to, seconds, MB)."""
    pid = server.fresh_worker()
    port = server.port
    if case.path == "api":
        auth = {"Authorization": f"Bearer {setup.token}"}
        request(port, "GET", "/api/v1/returns/?page_size=1", headers=auth)
        method, path = "POST", setup.urls["api"]
        if case.label.startswith("PATCH"):
            method, path = "PATCH", f"{setup.urls['api']}{setup.api_return[0]}/"
        headers, body = {**auth, "Content-Type": "application/json"}, data
    else:
        persona = "ganlu" if case.path == "returns" else "staff"
        cookie = {"Cookie": setup.cookies[persona], "X-CSRFToken": CSRF}
        page = setup.urls.get(case.path + ":page", setup.urls[case.path])
        request(port, "GET", page, headers=cookie)
        method, path = "POST", setup.urls[case.path]
        field = {"returns": "files", "survey": "file", "evidence:county": "evidence"}.get(case.path, "files")
        fields = {"csrfmiddlewaretoken": CSRF}
        if case.path in ("evidence:item", "evidence:measure"):
            fields |= {"text": "见附件", "percent": "10"}
        if case.path == "evidence:county":
            fields |= {"met": "true", "note": "见附件"}
        body, kind = multipart(fields, [(field, case.filename, data)])
        headers = {**cookie, "Content-Type": kind}
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = status_kb(pid, "VmRSS")
    started = time.perf_counter()
    answer = request(port, method, path, body=body, headers=headers)
    seconds = time.perf_counter() - started
    growth = (status_kb(pid, "VmHWM") - before) / 1024
    followed = None
    if answer.status == 302 and answer.location.startswith("/") and case.path != "api":
        cookie = "; ".join(c for c in (setup.cookies["staff"], answer.cookies) if c)
        followed = request(port, "GET", answer.location, headers={"Cookie": cookie})
    else:
        request(port, "GET", "/healthz")  # the worker's third request: it is replaced after this one
    return answer, followed, seconds, growth


def data_of(case: Case, setup: Setup) -> bytes:
    if case.label.startswith("file nested"):
        from supervision.survey import exchange

        deep = corpus.nested_json(1000).decode()  # json.dumps itself cannot nest that deep
        return (
            f'{{"format": "{exchange.FORMAT}", "version": 1, "payload": {{"deep": {deep}}}, "signature": "x"}}'.encode()
        )
    if case.label.startswith("PATCH"):
        from tests.factories import class_rows, primary_figures

        figures = primary_figures(students=1800, classes=40, teachers=100)
        body = {k: str(v) for k, v in figures.items()} | {"version": setup.api_return[1]}
        body["classes"] = [
            {"section": r.section, "grade": r.grade, "name": r.name, "students": r.students}
            for r in class_rows("primary", 1800, 40)
        ]
        return json.dumps(body, ensure_ascii=False).encode()
    return case.make()


SUCCESS = ("进展已报送", "已保存", "已导入", "导入完成")


def verdict(case: Case, answer: Answer, shown: str, seconds: float, growth: float) -> str:
    if case.kind != "hostile":
        return "within caps" if case.kind == "within" else "at the caps"
    refused = answer.status >= 400 or not any(word in shown for word in SUCCESS)
    ok = refused and answer.status < 500 and seconds <= TARGET_SECONDS and growth <= TARGET_GROWTH_MB
    return "ok" if ok else "MISSED"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["returns", "evidence", "survey", "api"])
    parser.add_argument("--skip-legit", action="store_true")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; temporary VAR_DIR {TMP}")
    setup = prepare()
    start_api_return(setup)
    todo = cases() + ([] if args.skip_legit else legit_cases())
    if args.only:
        todo = [c for c in todo if c.path.split(":")[0] == args.only]
    server = Server()
    print(
        f"gunicorn 1 sync worker on 127.0.0.1:{server.port}; targets for a file that breaks a cap: "
        f"refused in ≤ {TARGET_SECONDS:.0f} s, peak growth ≤ {TARGET_GROWTH_MB:.0f} MB\n"
    )
    print(f"{'path':<17} {'file':<58} {'size':>9} {'status':>6} {'time':>8} {'peak +':>9}  {'verdict':<11} answer")
    missed = 0
    try:
        for case in todo:
            data = data_of(case, setup)
            answer, followed, seconds, growth = send(server, setup, case, data)
            shown = words(followed or answer)
            result = verdict(case, answer, shown, seconds, growth)
            missed += result == "MISSED"
            size = f"{len(data) / MB:.2f} MB" if len(data) >= 100_000 else f"{len(data) / 1024:.1f} KB"
            status = f"{answer.status}" + ("→" if followed else "")
            print(
                f"{case.path:<17} {case.label:<58} {size:>9} {status:>6} {seconds:>7.2f}s {growth:>7.1f}MB  "
                f"{result:<11} {shown}",
                flush=True,
            )
    finally:
        server.stop()
        shutil.rmtree(TMP, ignore_errors=True)
    hostile = sum(c.kind == "hostile" for c in todo)
    print(f"\n{hostile - missed} of {hostile} files that break a cap refused within the targets.")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
