#!/usr/bin/env bash
# README command 2: set up (with Debian's chromium for the browser tests), then run the whole suite on SQLite with
# Celery eager. Tests marked `integration` (PostgreSQL, Redis, real workers) run in .ci/run's second pass.
# Extra arguments go to pytest and win over the defaults, e.g.:
#   scripts/test.sh tests/schools -x        scripts/test.sh -n 0 -k login        scripts/test.sh -m browser
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/bootstrap.sh --with-chromium
PY=.venv/bin/python

# The first pass is the development shape whatever this shell has set: SQLite, locmem cache, eager Celery.
unset DATABASE_URL REDIS_URL PORTAL_TEST_USE_EXISTING_DB

parallel=()
if $PY -c 'import xdist' >/dev/null 2>&1; then
    parallel=(-n auto)
else
    echo "test.sh: pytest-xdist is not importable; running serially" >&2
fi

set +e
$PY -m pytest -m "not integration" "${parallel[@]}" "$@"
rc=$?
set -e

case $rc in
    0) ;;
    5) echo "test.sh: FAILED: pytest collected no tests (exit 5)" >&2 ;;
    *) echo "test.sh: FAILED: pytest exited with $rc" >&2 ;;
esac
exit $rc
