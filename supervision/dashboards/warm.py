"""Build a round's county-wide matrix and early warnings into the cache as soon as its results are stored.

At 10,000 schools the cold build takes 1.3–1.7 s (bench/bench_dashboards.py); warming them in the worker right after
a recompute means the first leader to open them reads the cache (about 0.1–0.2 s). Only the county-wide scope in the
portal's language and the default sort are warmed: township officials' pages are small, other sorts are rarer.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from gongqing import jobs
from gongqing.models import User
from gongqing.roles import Role
from schools import access


def county_reader_request() -> HttpRequest:
    """A GET request of an unsaved leadership user: the same cache keys as any county-wide reader's page."""
    request = HttpRequest()
    request.method = "GET"
    request.user = User(username="dashboard-warmer", role=Role.LEADERSHIP, is_active=True)
    return request


@shared_task(ignore_result=True)
def warm_dashboards(round_id: int) -> bool:
    """Fill the cache for the round's matrix and warnings; False when the results are stale (a newer run follows)."""
    from indicators.models import EvaluationState

    from . import views

    state = EvaluationState.objects.select_related("round__school_year").filter(round_id=round_id).first()
    if state is None or state.computed_version < state.data_version:
        return False
    request = county_reader_request()
    with translation.override(settings.LANGUAGE_CODE):
        rows, _content = views._matrix_rows(request, state, "township", None)
        rows[0 : views.MATRIX_PAGE_SIZE]  # the first page, with its cells
        views._warnings(request, state, access.schools_for(request.user))
    return True


def on_results_stored(sender, round_id, **kwargs) -> None:
    # With eager tasks (development, the fast tests) there is no separate worker: warming would only move the wait
    # into the request that approved a return, so the first page view builds the cache instead.
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        jobs.send(warm_dashboards.name, (round_id,))  # never raises: a cold cache is built by the first page view
