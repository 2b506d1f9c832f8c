"""Load test (SECURITY.md row 19): users log in through the real login page, then browse dashboards, lists and detail
pages and save return drafts, with 1–3 s of think time between requests.

Requests are named by group (login, dashboards, lists, detail, writes) so that locust's statistics give p50/p95 and
failures per group; bench/load/run.sh prints them against the targets. Only correct passwords are used (the login
guard's per-address delay starts after 20 failures). The portal runs with production settings behind no TLS proxy
here, so each request says `X-Forwarded-Proto: https` as the proxy would, and the Secure cookies are sent back over
plain HTTP on loopback.
"""

from __future__ import annotations

import os
import random
import re

import gevent
from locust import FastHttpUser, between, events, task

PASSWORDS = {  # seed_demo's fixed demo passwords (never used in production)
    "leader": "Demo#2024leader",
    "admin": "Demo#2024admin",
    "staff": "Demo#2024staff",
    "finance": "Demo#2024finance",
    "ganlu": "Demo#2024ganlu",
    "jiangyi": "Demo#2024jiangyi",
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HOST = os.environ["LOAD_HOST"]  # set by run.sh: the gunicorn it started
HTTPS = HOST.replace("http://", "https://")
MEASURE_SECONDS = int(os.environ.get("LOAD_MEASURE_SECONDS", "60"))
SUMMARY = os.environ.get("LOAD_LOGIN_SUMMARY", "")
logged_in = 0


def all_logged_in(environment) -> None:
    """Every user has logged in: write down the logins' figures, then measure the steady state for MEASURE_SECONDS
    from a clean slate. (A login costs ~0.5 s of CPU in PBKDF2 by design; 100 of them in the first seconds would
    measure the password hasher, not the pages.)"""
    stats = environment.runner.stats
    post = stats.get("login", "POST")
    if SUMMARY:
        with open(SUMMARY, "w") as out:
            out.write(
                f"logins {post.num_requests}, failed {post.num_failures}, "
                f"p50 {post.get_response_time_percentile(0.5):.0f} ms, "
                f"p95 {post.get_response_time_percentile(0.95):.0f} ms (users ramped in at LOAD_RATE a second)\n"
            )
    stats.reset_all()
    gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


@events.init.add_listener
def _reset_counter(environment, **kwargs):
    global logged_in
    logged_in = 0


class PortalUser(FastHttpUser):  # geventhttpclient: a fraction of requests' CPU on the shared cores
    abstract = True
    host = HOST
    wait_time = between(1, 3)
    username = ""
    default_headers = {"X-Forwarded-Proto": "https", "Referer": f"{HTTPS}/"}  # as the TLS proxy would forward them

    def on_start(self):
        page = self.get("/accounts/login/", "login")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORDS[self.username], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{HTTPS}/accounts/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code}")
        self._plain_cookies()
        global logged_in
        logged_in += 1
        if logged_in == self.environment.parsed_options.num_users:
            all_logged_in(self.environment)
        self.rounds = [r["id"] for r in self.api("/api/v1/rounds/", "lists").get("results", [])]
        self.schools = [s["id"] for s in self.api("/api/v1/schools/?page_size=500", "lists").get("results", [])]

    def _plain_cookies(self):
        for cookie in self.client.cookiejar:
            cookie.secure = False  # the proxy would have carried them over TLS

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == name), "")

    def get(self, path: str, group: str, **kwargs):
        with self.client.get(path, name=group, catch_response=True, allow_redirects=False, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {response.status_code}")
        self._plain_cookies()
        return response

    def api(self, path: str, group: str) -> dict:
        response = self.get(path, group)
        return response.json() if response.status_code == 200 else {}

    def school(self):
        return random.choice(self.schools) if self.schools else None


class Leadership(PortalUser):
    """The leadership group and a department officer: dashboards first, some lists and a school."""

    weight = 4
    usernames = ("leader", "finance")

    def on_start(self):
        self.username = random.choice(self.usernames)
        super().on_start()

    @task(6)
    def dashboard(self):
        path = random.choice(["/dashboards/", "/dashboards/matrix/", "/dashboards/warnings/", "/dashboards/trends/"])
        self.get(path, "dashboards")

    @task(1)
    def home(self):
        self.get("/", "dashboards")

    @task(2)
    def results(self):
        if self.rounds:
            self.get(f"/api/v1/school-results/?round={random.choice(self.rounds)}&page_size=100", "lists")

    @task(1)
    def school_page(self):
        if self.schools:
            self.get(f"/schools/{self.school()}/", "detail")


class Bureau(PortalUser):
    """Bureau staff: lists (schools, review queue, API lists), school and return pages, the board."""

    weight = 3
    usernames = ("staff", "admin")

    def on_start(self):
        self.username = random.choice(self.usernames)
        super().on_start()

    @task(4)
    def lists(self):
        path = random.choice(
            [
                "/schools/",
                "/schools/returns/review/",
                "/schools/rounds/",
                "/api/v1/schools/",
                "/api/v1/returns/?page_size=50",
                "/api/v1/section-verdicts/",
            ]
        )
        self.get(path, "lists")

    @task(3)
    def detail(self):
        if self.schools:
            self.get(f"/schools/{self.school()}/", "detail")

    @task(1)
    def board(self):
        self.get(random.choice(["/dashboards/board/", "/dashboards/"]), "dashboards")


class TownshipOfficial(PortalUser):
    """A township official: their schools, their returns, and saving a draft (the page's rules through the API)."""

    weight = 3
    usernames = ("ganlu", "jiangyi")

    def on_start(self):
        self.username = random.choice(self.usernames)
        super().on_start()

    @task(3)
    def lists(self):
        self.get(random.choice(["/schools/", "/api/v1/returns/", "/api/v1/schools/"]), "lists")

    @task(2)
    def detail(self):
        if self.schools:
            self.get(f"/schools/{self.school()}/", "detail")

    @task(2)
    def save_draft(self):
        drafts = self.api("/api/v1/returns/?status=draft&page_size=100", "lists").get("results", [])
        if not drafts:
            return
        draft = random.choice(drafts)
        with self.client.patch(
            f"/api/v1/returns/{draft['id']}/",
            json={"version": draft["version"]},
            headers={"X-CSRFToken": self.cookie("csrftoken"), "Content-Type": "application/json"},
            name="writes",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()  # another simulated user saved it first: the version check did its job
                self.environment.events.request.fire(
                    request_type="PATCH", name="writes: stale (409)", response_time=0, response_length=0
                )
            elif response.status_code != 200:
                response.failure(f"save draft {draft['id']}: {response.status_code} {response.text[:200]}")
        self._plain_cookies()
