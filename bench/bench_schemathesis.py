"""Schemathesis over the whole API, one run per role, against the production shape (a private PostgreSQL cluster and
Redis from bench/drills/stack.py, gunicorn with DEBUG off): prints, per role, the cases run, check failures and
server errors (the closing line of each run).

    .venv/bin/python bench/bench_schemathesis.py [examples per operation, default 30]

The fast suite runs a small version of this (tests/api/test_schemathesis.py, SQLite, 5 examples, two roles).
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "drills"))

from stack import PY, Stack, say  # noqa: E402

TOKENS = """
import json, django
django.setup()
from gongqing.api.auth import token_create
from gongqing.roles import Role
from schools.models import Township
from tests.factories import UserFactory
township = Township.objects.first()
users = {
    "api_client": UserFactory(username="jiujiang", role=Role.API_CLIENT),
    "bureau_staff": UserFactory(username="staff", role=Role.BUREAU_STAFF),
    "township_official": UserFactory(username="ganlu", role=Role.TOWNSHIP_OFFICIAL, township=township),
    "leadership": UserFactory(username="leader", role=Role.LEADERSHIP),
    "auditor": UserFactory(username="auditor", role=Role.AUDITOR),
}
out = {}
for name, user in users.items():
    scopes = ["read"] if name in ("leadership", "auditor") else ["read", "returns:write"]
    out[name] = token_create(user=user, name="schemathesis", scopes=scopes, days=1)[1]
print(json.dumps(out))
"""


def run(stack: Stack, token: str, examples: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "schemathesis"),
            "run",
            f"{stack.base}/api/schema/?format=json",
            "--url",
            stack.base,
            "-H",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",  # a schema-valid id naming no school is refused with a field error, on purpose
            "--max-examples",
            str(examples),
            "--seed",
            "20241",
            "--generation-database",
            "none",
            "--no-color",
            "--phases",
            "fuzzing",
        ],
        capture_output=True,
        text=True,
        cwd=stack.dir,
    )


def main(examples: int = 30) -> int:
    stack = Stack("schemathesis")
    stack.env.update(API_READ_RATE="100000/minute", API_WRITE_RATE="100000/minute")
    stack.pg_init()
    stack.redis_start()
    stack.setup()
    tokens = json.loads(
        subprocess.run([PY, "-c", TOKENS], cwd=ROOT, env=stack.env, capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    stack.web_start()
    failed = 0
    for role, token in tokens.items():
        started = time.monotonic()
        result = run(stack, token, examples)
        tail = [line for line in result.stdout.splitlines() if line.strip()][-12:]
        summary = [line for line in tail if re.search(r"(passed|failed|error|cases|Test cases|Failures)", line, re.I)]
        say(f"{role}: exit {result.returncode} in {time.monotonic() - started:.0f} s")
        for line in summary or tail:
            say("   ", line.strip())
        failed += result.returncode != 0
        if result.returncode != 0:
            (stack.dir.parent / f"schemathesis-{role}.txt").write_text(result.stdout)
            say(f"    full output: {stack.dir.parent / f'schemathesis-{role}.txt'}")
    stack.stop_all()
    say("RESULT:", "0 roles with failures" if not failed else f"{failed} roles with failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
