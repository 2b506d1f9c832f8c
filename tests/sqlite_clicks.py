"""Ten concurrent clicks on the embedded default (a SQLite file, WAL, eager tasks): run in a fresh interpreter by
tests/gongqing/test_sqlite_concurrency.py (and usable by hand: `python tests/sqlite_clicks.py DIR`).

Ten threads, each with its own client and database connection, send at once (a barrier) ten render requests of the
same stage report, then ten `POST /api/v1/returns/` with one Idempotency-Key. Prints one JSON line: the status codes
and what was written.
"""

import datetime
import json
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

folder = Path(sys.argv[1])
os.environ.update(
    DJANGO_SETTINGS_MODULE="gongqing.settings",
    DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
    VAR_DIR=str(folder),
    ENV_FILE=str(folder / "no.env"),
)
os.environ.pop("REDIS_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)

from gongqing import pdf  # noqa: E402
from gongqing.api.auth import token_create  # noqa: E402
from gongqing.roles import Role  # noqa: E402
from indicators import services as indicator_services  # noqa: E402
from schools.models import SchoolReturn  # noqa: E402
from supervision import rules  # noqa: E402
from supervision import services as supervision_services  # noqa: E402
from supervision.reports import rendering  # noqa: E402
from supervision.reports.models import Report  # noqa: E402
from tests.factories import (  # noqa: E402
    RoundFactory,
    SchoolFactory,
    SchoolYearFactory,
    TownshipFactory,
    UserFactory,
    make_return,
    primary_figures,
)

N = 10


def slow_stub(ctx, *, split_at=None, progress=None):
    time.sleep(0.5)  # long enough for every click to arrive while the first render runs
    return rendering.RenderedReport(pdf.RenderedPdf(b"%PDF-1.7 stub", 3))


rendering.pdf_from_context = slow_stub

journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
township = TownshipFactory(name="甘露镇")
staff = UserFactory(username="staff", role=Role.BUREAU_STAFF)
city = UserFactory(username="jiujiang", role=Role.API_CLIENT)
rnd = RoundFactory(school_year=SchoolYearFactory(year=2024))
for i in range(3):
    school = SchoolFactory(code=f"21361000{i:02d}", name=f"小学{i}", township=township)
    make_return(school=school, round=rnd, status="approved", figures=primary_figures(sports_area_m2=Decimal(3000)))
new_school = SchoolFactory(code="2136100099", name="新小学", township=township)
indicator_services.mark_stale_now(round=rnd)
indicator_services.recompute_round(round_id=rnd.pk)
stages = rules.shifted(supervision_services.published_stage_dates(), today=datetime.date(2024, 10, 15), stage_number=3)
cycle = supervision_services.cycle_create(name="并发测试周期", stages=stages)
stage = cycle.stages.get(number=4)
_token, raw = token_create(user=city, name="并发测试", scopes=["read", "returns:write"], days=1)

clients = []
for _ in range(N):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    clients.append(client)
connections.close_all()


def at_once(work) -> list[int]:
    barrier = threading.Barrier(N)
    codes = [0] * N

    def run(i):
        try:
            barrier.wait()
            codes[i] = work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


render_url = f"/reports/stage/{stage.pk}/render/"
started = time.monotonic()
render_codes = at_once(lambda i: clients[i].post(render_url, {"round": rnd.pk}).status_code)
render_seconds = time.monotonic() - started

api = Client(raise_request_exception=False)
body = json.dumps({"school": new_school.pk, "round": rnd.pk})


def api_post(i):
    return api.post(
        "/api/v1/returns/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY="start-new-school",
    ).status_code


started = time.monotonic()
api_codes = at_once(api_post)
api_seconds = time.monotonic() - started
retry = api_post(0)

print(
    json.dumps(
        {
            "journal_mode": journal,
            "render_codes": render_codes,
            "render_seconds": round(render_seconds, 2),
            "reports": list(Report.objects.filter(stage=stage).values_list("version", "status")),
            "api_codes": api_codes,
            "api_seconds": round(api_seconds, 2),
            "retry_code": retry,
            "returns_of_new_school": SchoolReturn.objects.filter(school=new_school).count(),
        }
    )
)
