#!/usr/bin/env bash
# README command 1: set up, migrate, load the demo data of 共青城 and serve the portal at http://127.0.0.1:8000/
# (SQLite in var/, Celery tasks run in-process). Extra arguments go to runserver (e.g. --noreload).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PORT=${PORT:-8000}

scripts/bootstrap.sh
PY=.venv/bin/python

$PY manage.py migrate --noinput
$PY manage.py seed_demo

cat <<MSG

  The portal: http://127.0.0.1:${PORT}/
  Sign in with one of the demo users listed above (seed_demo printed their passwords).
  Stop with Ctrl-C.

MSG
exec $PY manage.py runserver "127.0.0.1:${PORT}" "$@"
