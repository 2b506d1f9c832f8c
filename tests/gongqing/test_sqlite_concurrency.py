"""The embedded default under concurrent clicks: ten at once on a SQLite file give no 500 and one result each.

Runs tests/sqlite_clicks.py in a fresh interpreter (a file database in WAL mode: the tests' in-memory database
cannot show SQLite's file locking) and reads its one JSON line.
"""

import json
import subprocess
import sys

from django.conf import settings


def test_ten_concurrent_render_clicks_and_idempotent_api_writes_give_no_500_and_one_result(tmp_path):
    result = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "tests" / "sqlite_clicks.py"), str(tmp_path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["journal_mode"] == "wal"
    # Render: every click is answered with the stage page (a redirect), and the ten give one report.
    assert shown["render_codes"] == [302] * 10
    assert shown["reports"] == [[1, "done"]]
    # API: one 201 that wrote the return; the others 409 (in progress) or the replayed 201; never a 500.
    assert all(code in (201, 409) for code in shown["api_codes"]), shown["api_codes"]
    assert 201 in shown["api_codes"]
    assert shown["retry_code"] == 201  # the retry after the burst replays the answer
    assert shown["returns_of_new_school"] == 1
