#!/usr/bin/env bash
# Load test (SECURITY.md row 19): gunicorn + PostgreSQL + Redis with production settings, 100 users with 1–3 s of
# think time (bench/load/locustfile.py), the load generator on the same machine. Users log in through the login page
# (LOAD_RATE a second: a login is ~0.5 s of PBKDF2 by design), then 60 s are measured from the moment the last one
# is in. Prints the logins' figures and p50/p95/errors per group against the targets (lists p95 < 300 ms,
# dashboards p95 < 500 ms, 0 errors).
#
#   bench/load/run.sh                      # demo data (seed_demo)
#   LOAD_EXTRA_SCHOOLS=2000 bench/load/run.sh   # plus that many synthetic schools with stored results
# Environment: LOAD_DB (default gq_perf_load), LOAD_PG (postgres://portal:portal@127.0.0.1:5432), LOAD_REDIS
# (redis://127.0.0.1:6379/14), LOAD_WORKERS (gunicorn workers, default 4), LOAD_USERS (100), LOAD_RATE (users
# starting a second, 2), LOAD_MEASURE_SECONDS (60),
# LOAD_PORT (default: a free port). Locust lives in its own venv under var/ (never in the app's dependencies).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
DB=${LOAD_DB:-gq_perf_load}
PG=${LOAD_PG:-postgres://portal:portal@127.0.0.1:5432}
# A free port of our own (another server on the machine must never receive this load).
PORT=${LOAD_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "load: port $PORT is already in use: choose another with LOAD_PORT" >&2
    exit 1
fi
WORKERS=${LOAD_WORKERS:-4}
USERS=${LOAD_USERS:-100}
MEASURE=${LOAD_MEASURE_SECONDS:-60}
RATE=${LOAD_RATE:-2}
OUT=$ROOT/var/load
VENV=$ROOT/var/loadtest-venv
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/locust" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "locust==2.47.0"
fi

echo "load: fresh database $DB"
psql "$PG/postgres" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

export DATABASE_URL="$PG/$DB" REDIS_URL=${LOAD_REDIS:-redis://127.0.0.1:6379/14} DEBUG=false \
    SECRET_KEY="load-test-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" ALLOWED_HOSTS=127.0.0.1 \
    SECURE_SSL_REDIRECT=false LOG_LEVEL=WARNING API_READ_RATE=100000/minute API_WRITE_RATE=100000/minute \
    VAR_DIR="$OUT/var"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
.venv/bin/python manage.py migrate -v 0
.venv/bin/python manage.py collectstatic --noinput -v 0
.venv/bin/python manage.py seed_demo -v 0 >"$OUT/seed.log" 2>&1
if [ "${LOAD_EXTRA_SCHOOLS:-0}" -gt 0 ]; then
    .venv/bin/python bench/load/extra_schools.py "$LOAD_EXTRA_SCHOOLS"
fi

echo "load: gunicorn with $WORKERS sync workers on $(nproc) cores (locust shares them)"
.venv/bin/gunicorn gongqing.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --log-level warning --error-logfile "$OUT/gunicorn.log" >>"$OUT/gunicorn.log" 2>&1 &
gunicorn_pid=$!
trap 'kill "$gunicorn_pid" 2>/dev/null || true; wait "$gunicorn_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { echo "load: gunicorn did not start: see $OUT/gunicorn.log" >&2; exit 1; }
    sleep 0.2
done

echo "load: $USERS users logging in at $RATE a second, then ${MEASURE}s measured with 1–3 s think time"
LOAD_HOST="http://127.0.0.1:$PORT" LOAD_MEASURE_SECONDS=$MEASURE LOAD_LOGIN_SUMMARY="$OUT/logins.txt" \
    "$VENV/bin/locust" -f bench/load/locustfile.py --headless -u "$USERS" -r "$RATE" -t "$((MEASURE + 600))s" \
    --csv "$OUT/stats" --only-summary >"$OUT/locust.log" 2>&1 || true
cat "$OUT/logins.txt" 2>/dev/null || echo "load: not every user logged in (see $OUT/locust.log)"

"$VENV/bin/python" - "$OUT/stats_stats.csv" <<'PY'
import csv, sys
targets = {"lists": 300, "dashboards": 500}
rows = {r["Name"]: r for r in csv.DictReader(open(sys.argv[1]))}
ok = True
print(f"{'group':<22}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}  target")
for name in ("login", "dashboards", "lists", "detail", "writes", "writes: stale (409)", "Aggregated"):
    r = rows.get(name)
    if r is None or int(r["Request Count"]) == 0:
        continue
    p95, errors = float(r["95%"]), int(r["Failure Count"])
    target = targets.get(name)
    verdict = "" if target is None else ("ok" if p95 < target else "MISSED") + f" (p95 < {target})"
    ok &= errors == 0 and (target is None or p95 < target)
    print(f"{name:<22}{r['Request Count']:>9}{errors:>8}{float(r['50%']):>8.0f}{p95:>8.0f}"
          f"{float(r['Max Response Time']):>8.0f}  {verdict}")
print("targets met" if ok else "targets MISSED (see var/load/locust.log and stats_failures.csv)")
PY
