# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker (Celery) and beat (Celery beat); see docker-compose.yml.

# --- front-end assets: npm packages copied into static/vendor (only once the project has a package.json) -------------
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY . .
RUN if [ -f package.json ]; then \
        if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi; \
    fi \
 && if [ -f scripts/vendor-static.sh ]; then bash scripts/vendor-static.sh; fi

# --- the application --------------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles

# Pango for WeasyPrint, the CJK fonts (or every Chinese character in a PDF is a box), gettext for compilemessages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first (pyproject.toml lists them; the code itself runs from /app), so code changes reuse this layer.
COPY pyproject.toml ./
RUN pip install .

COPY . .
COPY --from=assets /src/static ./static

# Build-time settings only: DEBUG off (hashed, compressed static files); the secret is never used at run time.
RUN export DEBUG=0 SECRET_KEY=build-time-placeholder-never-used-at-run-time ALLOWED_HOSTS=localhost \
 && if [ -d locale ]; then python manage.py compilemessages; fi \
 && python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media \
 && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "gongqing.wsgi:application", "-b", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
