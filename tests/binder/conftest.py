"""The demo county (seeded as `seed_demo` does, on a fixed day) for the binder's tests."""

import datetime
import re
import subprocess
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine

from indicators import demo as indicators_demo
from schools import demo as schools_demo
from supervision import demo as supervision_demo
from supervision.models import Cycle

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 12, 5)


@pytest.fixture
def fast_hash(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db, fast_hash):
    """The demo county: schools, results, the plan, the ledger with its evidence files (第五小学's R6 item, measure
    1.2's gap costing report)."""
    with time_machine.travel(datetime.datetime.combine(DAY, datetime.time(10), tzinfo=TZ), tick=False):
        schools_demo.run(stdout=StringIO(), steps=[indicators_demo.DEMO_STEP, supervision_demo.DEMO_STEP])
    return Cycle.objects.get(is_current=True)


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text with every blank removed (a path wrapped over two lines reads as one)."""
    path = tmp_path / "index.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return re.sub(r"\s+", "", out)


# The small county of the reports' tests (three schools, hand-worked R5) for the fast tests of the job.
from tests.reports.conftest import county, cycle, schools  # noqa: E402, F401
