"""Services queue their follow-up tasks by name (gongqing.queue), so no service imports the tasks that call it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import NotRegistered

from gongqing import queue
from indicators import services as indicator_services
from indicators import tasks as indicator_tasks
from supervision.reports import services as report_services
from supervision.reports import tasks as report_tasks
from supervision.survey import services as survey_services
from supervision.survey import tasks as survey_tasks

QUEUED = [
    (indicator_services.RECOMPUTE_TASK, indicator_tasks.recompute_round),
    (report_services.RENDER_TASK, report_tasks.render_report),
    (survey_services.STALE_TASK, survey_tasks.mark_survey_stale),
]


@pytest.mark.parametrize(("name", "task"), QUEUED)
def test_each_name_a_service_queues_by_is_the_task_its_tasks_module_defines(name, task):
    assert queue.task(name).name == task.name == name


def test_an_unknown_name_fails_at_once():
    with pytest.raises(NotRegistered):
        queue.task("indicators.tasks.no_such_task")


def test_the_names_are_registered_in_a_process_that_never_imported_a_tasks_module():
    """A web process or a management command: only django.setup() (the apps' ready()) registers them."""
    code = "import django; django.setup(); from celery import current_app; print('\\n'.join(current_app.tasks))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongqing.settings"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    registered = set(out.stdout.split())
    assert {name for name, _task in QUEUED} <= registered
