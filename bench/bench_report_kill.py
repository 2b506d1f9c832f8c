"""SECURITY.md row 13 at full count: kill the Celery worker at random points while a report renders, 20 times.

Needs PostgreSQL and Redis like .ci/run's integration pass (a migrated database, e.g.):
    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/gq_reports REDIS_URL=redis://127.0.0.1:6379/11 \
        PORTAL_TEST_USE_EXISTING_DB=1 REPORTS_KILL_RUNS=20 .venv/bin/python -m pytest -m integration -s \
        tests/reports/test_worker_integration.py -k killed
Each run prints its outcome (status at the kill, attempts, files, recovery time); the test asserts one file and one
done row per report. This script only runs that test with 20 runs.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
env = {**os.environ, "REPORTS_KILL_RUNS": "20", "PORTAL_TEST_USE_EXISTING_DB": "1"}
sys.exit(
    subprocess.call(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-m",
            "integration",
            "-s",
            "tests/reports/test_worker_integration.py",
            "-k",
            "killed",
        ],
        cwd=ROOT,
        env=env,
    )
)
