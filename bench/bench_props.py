"""The property-based checks of SECURITY.md rows 15 and 16 with many more examples than the fast pass.

Runs, under HYPOTHESIS_PROFILE=bench (tests/conftest.py: 2000 examples per pure property, 20 times the fast pass's
count for the database-driven ones), the concurrent-edit properties, the workflow state machine and the engine's
formula properties, and prints per file the examples run, the wall time and the outcome.

Run:
    .venv/bin/python bench/bench_props.py                 # all three files
    .venv/bin/python bench/bench_props.py formulas        # one of: concurrency, workflow, formulas
Options by environment: BENCH_PROFILE (default bench), BENCH_WORKERS (pytest-xdist workers, default 2).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "concurrency": "tests/schools/test_concurrency_props.py",
    "workflow": "tests/schools/test_workflow_machine.py",
    "formulas": "tests/indicators/domain/test_properties.py",
}
PROFILE = os.environ.get("BENCH_PROFILE", "bench")
WORKERS = os.environ.get("BENCH_WORKERS", "2")


def run(name: str, path: str) -> bool:
    env = {**os.environ, "HYPOTHESIS_PROFILE": PROFILE}
    for var in ("DATABASE_URL", "REDIS_URL", "PORTAL_TEST_USE_EXISTING_DB"):
        env.pop(var, None)  # SQLite and eager Celery, as the fast pass
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics", path]
    if WORKERS != "0":
        cmd += ["-n", WORKERS]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    out = proc.stdout + proc.stderr
    passing = sum(int(n) for n in re.findall(r"(\d+) passing", out))
    failing = sum(int(n) for n in re.findall(r"(\d+) failing", out))
    summary = (re.findall(r"^=*\s*(\d+ (?:passed|failed).*?)\s*=*$", out, re.M) or ["?"])[-1]
    print(f"{name:12} {elapsed:8.1f} s   examples passing {passing:6d}   failing {failing:3d}   {summary}")
    if proc.returncode:
        print(out[-6000:])
    return proc.returncode == 0


def main(argv: list[str]) -> int:
    names = argv or list(FILES)
    print(f"profile {PROFILE}, {WORKERS} workers, {os.cpu_count()} cores")
    print("(the state machine's examples are runs of up to 25 steps; pytest does not count them in 'examples')")
    ok = all([run(n, FILES[n]) for n in names])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
