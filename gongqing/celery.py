"""Celery app. Without REDIS_URL the settings make every task run eagerly in-process."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")

app = Celery("gongqing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_start_up_objects(**_kwargs) -> None:
    """Each pool process, once started, sets Django's and the apps' objects aside from the collector (gongqing.heap)."""
    from gongqing.heap import freeze_start_up_objects

    freeze_start_up_objects()
