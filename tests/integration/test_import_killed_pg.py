"""SECURITY.md row 10 on PostgreSQL with a real kill: a process importing a valid 5,000-row workbook is killed with
SIGKILL halfway through its transaction; nothing of it remains. The same workbook uploaded twice then gives each class
exactly once. Runs in this test's own database (the integration database's name + "_imp"), dropped afterwards."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_backup_pg import _admin, _connect, _postgres_url, _url

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WORKER = str(ROOT / "tests" / "integration" / "import_kill_worker.py")


@pytest.fixture
def import_db(tmp_path):
    parts = _postgres_url()
    name = f"{parts.path.strip('/')}_imp"
    with _admin(parts) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PORTAL_TEST_USE_EXISTING_DB")}
    env.update(DATABASE_URL=_url(parts, name), MEDIA_ROOT=str(tmp_path / "media"), VAR_DIR=str(tmp_path / "var"))
    yield parts, name, env
    with _admin(parts) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env, *args):
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _counts(parts, name):
    with _connect(parts, name) as db:
        returns = db.execute("SELECT COUNT(*) FROM schools_schoolreturn").fetchone()[0]
        classes = db.execute("SELECT COUNT(*) FROM schools_returnclass").fetchone()[0]
        duplicates = db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM schools_returnclass GROUP BY school_return_id, name "
            "HAVING COUNT(*) > 1) d"
        ).fetchone()[0]
        history = db.execute("SELECT COUNT(*) FROM schools_historicalreturnclass").fetchone()[0]
    return returns, classes, duplicates, history


def test_an_import_killed_with_sigkill_leaves_nothing_and_two_uploads_leave_no_duplicate(import_db, tmp_path):
    parts, name, env = import_db
    _run(env, "manage.py", "migrate", "--noinput")
    _run(env, WORKER, "setup", str(tmp_path))

    worker = subprocess.Popen(
        [sys.executable, WORKER, "import", str(tmp_path), "--die-after", "100"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = worker.stdout.readline()
        assert line.strip() == "HALFWAY"
        assert _counts(parts, name) == (0, 0, 0, 0)  # 100 schools written, none visible outside the transaction
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL
    assert _counts(parts, name) == (0, 0, 0, 0)

    for _ in range(2):
        assert "IMPORTED" in _run(env, WORKER, "import", str(tmp_path))
    returns, classes, duplicates, history = _counts(parts, name)
    assert (returns, classes, duplicates) == (200, 5000, 0)
    assert history == 5000  # one "+" record per class; the identical second upload changed no class
