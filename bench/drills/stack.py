"""A private production-shape stack for the fault drills: its own PostgreSQL cluster and Redis, gunicorn, a Celery
worker and beat — never the machine's shared servers.

PostgreSQL: `initdb` in a temporary folder as the unprivileged `postgres` system user, on a free port, trust
authentication on 127.0.0.1 only, fsync off (a drill, not a store). Redis: `redis-server` on a free port, no
persistence (as the machine's). Everything started here is stopped at exit, by its own process id.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
PG_BIN = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
PG_USER = "postgres"  # an unprivileged system user (initdb refuses root)
STATIC = ROOT / "var" / "drill-static"  # collected once, shared by the drills


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def say(*parts) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, flush=True)


class Stack:
    def __init__(self, name: str):
        self.name = name
        self.dir = Path(tempfile.mkdtemp(prefix=f"gq-drill-{name}-"))
        os.chmod(self.dir, 0o755)
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("PORTAL_TEST_USE_EXISTING_DB",)},
            "DJANGO_SETTINGS_MODULE": "gongqing.settings",
            "ENV_FILE": str(self.dir / "no.env"),
            "DATABASE_URL": f"postgres://portal@127.0.0.1:{self.pg_port}/drill",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "VAR_DIR": str(self.dir / "var"),
            "STATIC_ROOT": str(STATIC),
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "60",
        }
        self.base = f"http://127.0.0.1:{self.web_port}"
        atexit.register(self.stop_all)

    # --- services -------------------------------------------------------------------------------------------------
    def _as_pg(self, *cmd, check=True, **kw):
        return subprocess.run(
            ["runuser", "-u", PG_USER, "--", *map(str, cmd)], check=check, capture_output=True, text=True, **kw
        )

    def pg_init(self):
        data = self.dir / "pg"
        shutil.chown(self.dir, user=PG_USER)
        self._as_pg(PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "portal", "--no-sync", "-E", "UTF8")
        (data / "postgresql.auto.conf").write_text(
            f"port = {self.pg_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
        self.pg_start()
        self._as_pg(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "portal", "drill")

    def pg_start(self):
        self._as_pg(PG_BIN / "pg_ctl", "-D", self.dir / "pg", "-l", self.dir / "pg.log", "-w", "start")

    def pg_stop(self, mode="fast"):
        self._as_pg(PG_BIN / "pg_ctl", "-D", self.dir / "pg", "-m", mode, "-w", "stop", check=False)

    def redis_start(self):
        self.procs["redis"] = subprocess.Popen(
            [
                "runuser",
                "-u",
                PG_USER,
                "--",
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.redis_port), 0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def redis_stop(self):
        self.stop("redis")

    # --- the portal ---------------------------------------------------------------------------------------------
    def manage(self, *args, **kw):
        return subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True, **kw
        )

    def setup(self) -> dict:
        """Migrate, collect static files (once), and write the drill's data; returns ids, sessions and tokens."""
        t = time.monotonic()
        self.manage("migrate", "-v0")
        if not (STATIC / "staticfiles.json").exists():
            self.manage("collectstatic", "--noinput", "-v0")
        out = subprocess.run(
            [PY, str(ROOT / "bench" / "drills" / "seed.py")],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        say(
            f"set up: migrated and seeded in {time.monotonic() - t:.1f} s "
            f"({len(data['returns'])} returns to save, stage {data['stage_id']}, round {data['round_id']})"
        )
        return data

    def start(self, name: str, cmd: list[str]):
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)

    def web_start(self):
        self.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "gongqing.wsgi:application",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "-w",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{self.base}/healthz", timeout=2).status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def worker_start(self):
        self.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "gongqing",
                "worker",
                "-c",
                "1",
                "-n",
                f"drill-{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
        )

    def beat_start(self):
        self.start(
            "beat",
            [str(BIN / "celery"), "-A", "gongqing", "beat", "-s", str(self.dir / "beat-schedule"), "-l", "WARNING"],
        )

    def kill(self, name: str, sig=signal.SIGKILL):
        """Signal the whole process group (a worker and its pool children)."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(20)

    def stop(self, name: str):
        self.kill(name, signal.SIGTERM)
        self.kill(name, signal.SIGKILL)
        self.procs.pop(name, None)

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name)
        if (self.dir / "pg" / "postmaster.pid").exists():
            self.pg_stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- reading the database from the drill ----------------------------------------------------------------------
    def sql(self, query: str) -> list[list[str]]:
        out = subprocess.run(
            [
                PG_BIN / "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg_port),
                "-U",
                "portal",
                "-d",
                "drill",
                "-tAF",
                "\t",
                "-c",
                query,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return [line.split("\t") for line in out.stdout.strip().splitlines() if line]


class Http:
    """Requests of one user (a session cookie or a bearer token), outcomes counted."""

    def __init__(self, base: str, *, session: str | None = None, token: str | None = None):
        self.base = base
        self.headers = {"User-Agent": "gongqing-drill"}
        if session:
            csrf = secrets.token_hex(16)
            self.headers["Cookie"] = f"sessionid={session}; csrftoken={csrf}"
            self.headers["X-CSRFToken"] = csrf
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, data=None, *, form=False, timeout=30) -> tuple[int, str, float]:
        headers = dict(self.headers)
        body = None
        if data is not None:
            if form:
                from urllib.parse import urlencode

                body = urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = json.dumps(data).encode()
                headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        started = time.monotonic()
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace"), time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace"), time.monotonic() - started
        except OSError as exc:
            return 0, f"{type(exc).__name__}: {exc}", time.monotonic() - started


CLEAR_503 = "数据库暂时无法连接"


class Tally:
    """Outcomes per phase: status codes, unclear errors (a 5xx without a clear message, a dropped connection)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "before"
        self.codes: dict[str, Counter] = {}
        self.unclear: list[tuple[str, str, int, str]] = []
        self.events: list[tuple[float, str, int, float]] = []  # (time, phase, status, seconds)

    def add(self, what: str, status: int, text: str, seconds: float):
        with self.lock:
            self.codes.setdefault(self.phase, Counter())[status] += 1
            self.events.append((time.monotonic(), self.phase, status, seconds))
            clear = status < 500 and status != 0 or (status == 503 and CLEAR_503 in text)
            if not clear:
                self.unclear.append((self.phase, what, status, text[:160]))

    def report(self):
        for phase, counter in self.codes.items():
            say(f"  {phase:>8}: {sum(counter.values())} requests, by status {dict(sorted(counter.items()))}")
        say(f"  unclear errors (5xx without a clear message, dropped connections): {len(self.unclear)}")
        for item in self.unclear[:5]:
            say("    ", item)


class Users:
    """Users at work while a drill runs: each thread saves its own return through the API (read the version, PATCH
    the figures) and opens pages as bureau staff, until `stop` is set. Acknowledged versions are kept per return."""

    def __init__(self, stack: Stack, data: dict, tally: Tally):
        self.stack, self.data, self.tally = stack, data, tally
        self.staff = Http(stack.base, session=data["staff_session"])
        self.api = Http(stack.base, token=data["token"])
        self.stop = threading.Event()
        self.acknowledged: dict[int, int] = {}
        self.threads: list[threading.Thread] = []
        self.pages = ["/", f"/reports/stage/{data['stage_id']}/", "/schools/", "/dashboards/"]

    def _work(self, return_id: int):
        i = 0
        while not self.stop.is_set():
            i += 1
            status, text, seconds = self.api.call("GET", f"/api/v1/returns/{return_id}/")
            self.tally.add("api get", status, text, seconds)
            if status == 200:
                version = json.loads(text)["version"]
                payload = {**self.data["payload"], "version": version, "sports_area_m2": str(2000 + i % 7)}
                status, text, seconds = self.api.call("PATCH", f"/api/v1/returns/{return_id}/", payload)
                self.tally.add("api save", status, text, seconds)
                if status == 200:
                    self.acknowledged[return_id] = json.loads(text)["version"]
            page = self.pages[i % len(self.pages)]
            status, text, seconds = self.staff.call("GET", page)
            self.tally.add(f"page {page}", status, text, seconds)
            time.sleep(0.1)

    def start(self):
        for return_id in self.data["returns"]:
            thread = threading.Thread(target=self._work, args=(return_id,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def check_returns(self) -> tuple[int, int, list]:
        """(returns whose stored version is the last acknowledged one, returns checked, mismatches)."""
        ids = ",".join(map(str, self.acknowledged))
        if not ids:
            return 0, 0, []
        stored = dict(
            map(
                lambda r: (int(r[0]), int(r[1])),
                self.stack.sql(f"SELECT id, version FROM schools_schoolreturn WHERE id IN ({ids})"),
            )
        )
        wrong = [(rid, v, stored.get(rid)) for rid, v in self.acknowledged.items() if stored.get(rid) != v]
        return len(self.acknowledged) - len(wrong), len(self.acknowledged), wrong
