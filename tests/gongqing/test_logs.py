"""Quiet, useful logs (issue 11, finding 9): one line per refusal without a traceback, no line written twice, and a task
whose object was deleted ends quietly with one line."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from gongqing.roles import Role
from indicators.models import EvaluationState
from schools.models import CollectionRound
from supervision.reports.models import Report

ROOT = Path(__file__).resolve().parents[2]


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_refused_page_is_one_line_naming_the_user_without_a_traceback(client, personas, caplog):
    client.force_login(personas[Role.AUDITOR])
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("reports:list")).status_code == 403
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    assert record.getMessage() == "Forbidden (Permission denied): /reports/ (user auditor)"
    assert "Traceback" not in caplog.text


def test_an_out_of_scope_object_is_one_line_too(client, jiangyi_official, ganlu_school, caplog):
    client.force_login(jiangyi_official)
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("schools:detail", args=[ganlu_school.pk])).status_code == 404
    [record] = _request_records(caplog)
    assert record.getMessage() == f"Not Found: /schools/{ganlu_school.pk}/ (user jiangyi)"
    assert record.exc_info is None


def test_a_server_error_keeps_its_traceback(caplog):
    """Only expected client errors are quietened: a 500 must still say where it broke."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.log import log_response

    request = RequestFactory().get("/x/")
    try:
        raise ValueError("boom")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR):
            log_response(
                "%s: %s",
                "Internal Server Error",
                "/x/",
                response=HttpResponse(status=500),
                request=request,
                exception=exc,
            )
    [record] = _request_records(caplog)
    assert record.exc_info is not None and "ValueError: boom" in caplog.text


SCRIPT = """
import django
django.setup()
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response
import logging
request = RequestFactory().get("/reports/")
try:
    raise PermissionDenied
except PermissionDenied as exc:
    log_response("Forbidden (Permission denied): %s", "/reports/", response=HttpResponse(status=403), request=request,
                 exception=exc)
log_response("Not Found: %s", "/schools/7/", response=HttpResponse(status=404), request=request)
logging.getLogger("django.server").info('"GET /healthz HTTP/1.1" 200 15')
logging.getLogger("indicators.services").info("recomputed round 1")
"""


@pytest.mark.parametrize("debug", ["1", "0"])
def test_with_the_settings_as_configured_each_line_is_written_once(debug, tmp_path):
    """The real LOGGING (not pytest's capture), as the development server (DEBUG=1) and production (DEBUG=0) run it:
    Django's default config gives the `django` logger a console handler of its own, which used to print every
    django.* line a second time through the root's handler in development."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongqing.settings",
        "DEBUG": debug,
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "testserver",
        "VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, cwd=ROOT, check=True)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 4, done.stderr
    assert lines[0].endswith("WARNING django.request: Forbidden (Permission denied): /reports/")
    assert lines[1].endswith("WARNING django.request: Not Found: /schools/7/")
    assert lines[2].endswith('INFO django.server: "GET /healthz HTTP/1.1" 200 15')
    assert lines[3].endswith("INFO indicators.services: recomputed round 1")
    assert "Traceback" not in done.stderr


def test_a_recompute_queued_for_a_deleted_round_ends_quietly_with_one_line(official_round, caplog):
    from indicators.tasks import recompute_round

    round_id = official_round.pk
    EvaluationState.objects.filter(round_id=round_id).delete()
    CollectionRound.objects.filter(pk=round_id).delete()
    with caplog.at_level(logging.INFO):
        result = recompute_round.apply(args=(round_id,))
    assert result.successful(), result.traceback
    assert result.result == {"round": round_id, "skipped": True, "gone": True}
    lines = [r for r in caplog.records if r.levelno >= logging.INFO and not r.name.startswith("celery")]
    assert [r.getMessage() for r in lines] == [f"recompute of round {round_id} skipped: the round no longer exists"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_render_queued_for_a_deleted_report_ends_quietly_with_one_line(db, caplog):
    from supervision.reports.tasks import render_report

    missing = (Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with caplog.at_level(logging.INFO):
        result = render_report.apply(args=(missing,))
    assert result.successful(), result.traceback
    assert result.result == "skipped"
    lines = [r for r in caplog.records if r.levelno >= logging.INFO and not r.name.startswith("celery")]
    assert [r.getMessage() for r in lines] == [f"report {missing} skipped: the report no longer exists"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
