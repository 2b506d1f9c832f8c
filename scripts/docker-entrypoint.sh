#!/bin/sh
# Entry point of the portal's image (web, worker and beat all use it).
#   MIGRATE_ON_START=1  run `manage.py migrate` before the command (docker-compose sets it for `web` only, so that the
#                       worker and beat, which wait for web to be healthy, never race it).
#   healthcheck         GET /healthz (HEALTHCHECK_URL, default http://127.0.0.1:8000/healthz) the way a TLS proxy would ask:
#                       with a Host from ALLOWED_HOSTS and X-Forwarded-Proto: https, so SECURE_SSL_REDIRECT does not bounce it.
set -eu
cd "$(dirname "$0")/.."

if [ "${1:-}" = healthcheck ]; then
    exec python - <<'PY'
import os
import sys
import urllib.request

url = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz")
hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip() and h.strip() != "*"]
host = hosts[0].lstrip(".") if hosts else "localhost"
request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # any failure means unhealthy
    print(f"healthcheck: {url}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
fi

if [ "${MIGRATE_ON_START:-0}" = 1 ]; then
    python manage.py migrate --noinput
fi

exec "$@"
