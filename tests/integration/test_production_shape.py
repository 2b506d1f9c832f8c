"""The production shape, run for real: docker-compose's own commands, DEBUG off, PostgreSQL and Redis.

The commands are read from docker-compose.yml and started through scripts/docker-entrypoint.sh as the image would, only
on a free loopback port and with throw-away file directories. No Docker engine is needed.
"""

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = str(ROOT / "scripts" / "docker-entrypoint.sh")
START_TIMEOUT = 90


def compose_command(service):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = compose["services"][service]["command"]
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def replace_option(command, option, value):
    assert option in command, f"{option} is missing from {command}"
    index = command.index(option)
    return [*command[: index + 1], value, *command[index + 2 :]]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sibling_redis_url(url):
    """The same Redis server, another database: this test's worker must not take the CI worker's tasks."""
    parts = urlsplit(url)
    current = parts.path.strip("/") or "0"
    return urlunsplit(parts._replace(path="/13" if current == "14" else "/14"))


def production_env(tmp_path, **extra):
    # Test-process switches (the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE) must not leak into the production shape.
    leaked = {"PORTAL_TEST_USE_EXISTING_DB", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in leaked}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="gongqing.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "var" / "media"),
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run(command, env, timeout=180):
    result = subprocess.run(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )
    return result.returncode, result.stdout + result.stderr


def stop(process):
    """SIGTERM the whole process group (gunicorn and Celery fork children), then SIGKILL what is left."""
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)


@contextmanager
def started(command, env, log_path):
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop(process)


def log_text(path):
    return Path(path).read_text(encoding="utf-8", errors="replace")


def tail(path, lines=40):
    return "\n".join(log_text(path).splitlines()[-lines:])


def wait_for(condition, process, log_path, what, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what}: the process exited with {process.returncode}:\n{tail(log_path)}")
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"{what}: not within {timeout}s:\n{tail(log_path)}")


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")
    except OSError:
        return None, ""


@pytest.fixture(autouse=True)
def _sigterm_unwinds():
    """CI's time budget ends pytest with SIGTERM: unwind, so that the processes started here are stopped too."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    yield
    signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="module")
def services_env(tmp_path_factory):
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        pytest.fail(
            "the integration pass needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis): run it through .ci/run"
        )
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path, DATABASE_URL=database_url, REDIS_URL=sibling_redis_url(redis_url))
    # What the image build does: hashed, compressed static files for DEBUG off.
    code, output = run([sys.executable, "manage.py", "collectstatic", "--noinput"], env, timeout=300)
    assert code == 0, output
    return env, tmp_path


def test_web_serves_health_and_login_pages_with_debug_off(services_env):
    env, tmp_path = services_env
    port = free_port()
    command = replace_option(compose_command("web"), "-b", f"127.0.0.1:{port}")
    log_path = tmp_path / "web.log"
    base = f"http://127.0.0.1:{port}"

    with started([ENTRYPOINT, *command], {**env, "MIGRATE_ON_START": "1"}, log_path) as web:
        wait_for(lambda: http_get(f"{base}/healthz")[0] == 200, web, log_path, "gunicorn serving /healthz")

        status, body = http_get(f"{base}/accounts/login/")
        assert status == 200, f"{status}\n{body[:2000]}\n{tail(log_path)}"
        assert "登录" in body

        code, output = run([ENTRYPOINT, "healthcheck"], {**env, "HEALTHCHECK_URL": f"{base}/healthz"}, timeout=30)
        assert code == 0, output

    assert "Traceback" not in log_text(log_path), tail(log_path, 80)


def test_worker_started_by_the_compose_command_answers_a_ping(services_env):
    env, tmp_path = services_env
    log_path = tmp_path / "worker.log"
    node = f"celery@{socket.gethostname()}"
    ping = ["celery", "-A", "gongqing", "inspect", "ping", "-d", node, "--timeout", "3"]

    def answers():
        code, output = run(ping, env, timeout=60)
        return code == 0 and "pong" in output

    with started([ENTRYPOINT, *compose_command("worker")], env, log_path) as worker:
        wait_for(answers, worker, log_path, f"{node} answering a ping")

    log = log_text(log_path)
    assert "ready." in log, tail(log_path)
    assert "Traceback" not in log, tail(log_path, 80)


def test_beat_started_by_the_compose_command_stays_up(services_env):
    env, tmp_path = services_env
    log_path = tmp_path / "beat.log"
    command = replace_option(compose_command("beat"), "--schedule", str(tmp_path / "celerybeat-schedule"))

    with started([ENTRYPOINT, *command], env, log_path) as beat:
        wait_for(lambda: "beat: Starting" in log_text(log_path), beat, log_path, "celery beat starting")
        time.sleep(5)
        assert beat.poll() is None, f"beat exited with {beat.returncode}:\n{tail(log_path)}"

    log = log_text(log_path)
    assert not re.search(r"\b(ERROR|CRITICAL)\b|Traceback", log), tail(log_path, 80)


def test_deploy_checks_pass_with_production_settings(tmp_path):
    env = production_env(
        tmp_path, ALLOWED_HOSTS="jydd.example.gov.cn", CSRF_TRUSTED_ORIGINS="https://jydd.example.gov.cn"
    )
    for key in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(key, None)  # the production defaults

    code, output = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert code == 0, output
