"""Settings come from the environment: safe defaults for a checkout, a refusal to start unsafe in production."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

SHOW = """
import json
import django
django.setup()
from django.conf import settings
from gongqing.celery import app
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_eager": app.conf.task_always_eager,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def run_django(tmp_path, code="import django; django.setup()", **env):
    """Start Django in a fresh interpreter with only the given environment (plus PATH)."""
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "gongqing.settings",
        "VAR_DIR": str(tmp_path),
        "ENV_FILE": str(tmp_path / "no.env"),
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_django(tmp_path, DEBUG="0", ALLOWED_HOSTS="portal.example.cn")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY and ALLOWED_HOSTS must be set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off(tmp_path):
    result = run_django(tmp_path, DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "SECRET_KEY and ALLOWED_HOSTS must be set" in result.stderr


def test_it_refuses_to_start_with_empty_allowed_hosts_when_debug_is_off(tmp_path):
    result = run_django(tmp_path, DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must not be empty" in result.stderr


def test_it_starts_in_production_shape_when_both_are_set(tmp_path):
    result = run_django(
        tmp_path,
        SHOW,
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="portal.example.cn",
        DATABASE_URL="postgres://portal:secret@db:5432/portal",
        REDIS_URL="redis://redis:6379/0",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["debug"] is False
    assert shown["engine"] == "django.db.backends.postgresql"
    assert shown["eager"] is False and shown["celery_eager"] is False
    assert shown["broker"] == "redis://redis:6379/0"
    assert shown["cache"] == "gongqing.cache.ResilientRedisCache"  # Redis away: a miss, not an error page


def test_a_checkout_with_no_environment_uses_sqlite_and_eager_celery(tmp_path):
    result = run_django(tmp_path, SHOW)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["debug"] is True
    assert shown["engine"] == "gongqing.db.sqlite3"  # Django's SQLite with WAL, busy timeout and BEGIN IMMEDIATE
    assert shown["name"] == str(tmp_path / "db.sqlite3")
    assert shown["eager"] is True and shown["celery_eager"] is True
    assert shown["broker"] == "memory://"
    assert shown["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_a_logged_in_page_carries_the_security_headers(login, ganlu_official):
    response = login(ganlu_official).get(reverse("schools:list"))
    assert response.status_code == 200
    csp = _csp(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in csp.get("default-src", [])
    assert csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("object-src") == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_the_login_page_carries_the_security_headers_too(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _csp(response)["script-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script(login, ganlu_official, ganlu_school):
    client = login(ganlu_official)
    for url in (reverse("home"), reverse("schools:list"), reverse("schools:detail", args=[ganlu_school.pk])):
        page = client.get(url).content.decode()
        for tag in page.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline script on {url}"
        assert " onclick=" not in page and " onload=" not in page
