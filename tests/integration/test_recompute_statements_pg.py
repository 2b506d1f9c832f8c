"""On PostgreSQL a recompute and its ledger sync send as many statements for 400 schools as for 40 (issue 17): new rows
go by COPY, changed ones by UPDATE … FROM (VALUES …), removed ones by one DELETE per table — never a statement per
school. The incremental recompute after one school's change does not grow with the county either."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection, transaction

from indicators import services
from schools.models import School, SchoolReturn, SchoolYear
from supervision.models import RectificationItem
from tests.factories import BodyFactory, RoundFactory, TownshipFactory, primary_figures

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@contextmanager
def statements():
    """Every statement sent (COPY included), by its first words."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


def kinds(sent: list[str]) -> Counter:
    out: Counter = Counter()
    for sql in sent:
        words = sql.split()
        kind = " ".join(words[:2]) if words[0] in ("COPY", "DELETE", "INSERT", "UPDATE") else words[0]
        if words[0] == "UPDATE" and " FROM (VALUES " in sql:
            kind += " FROM VALUES"
        out[re.sub(r'"', "", kind)] += 1
    return out


def county(n: int):
    """`n` primary schools, every fourth short of sports ground (an R5 ledger item each), all approved."""
    year = SchoolYear.objects.create(year=2040 + n % 7)
    rnd = RoundFactory(school_year=year)
    township = TownshipFactory()
    schools = School.objects.bulk_create(
        [School(code=f"77{n:03d}{i:05d}", name=f"学校{i}", township=township, kind="primary") for i in range(n)]
    )
    SchoolReturn.objects.bulk_create(
        [
            SchoolReturn(
                school=s,
                round=rnd,
                status="approved",
                **primary_figures(**({"sports_area_m2": Decimal("1000")} if i % 4 == 0 else {})),
            )
            for i, s in enumerate(schools)
        ]
    )
    return rnd


def measure(n: int, capture) -> dict:
    """The statements of a full recompute with its ledger sync, then of one school's change, rolled back after."""
    with transaction.atomic():
        rnd = county(n)
        services.mark_stale_now(round=rnd)
        out = {}
        with capture() as hooks, statements() as sent:
            services.recompute_round(round_id=rnd.pk)
        with statements() as synced:
            for hook in hooks:
                hook()  # results_stored: the ledger sync
        out["full"], out["sync"] = sent, synced
        out["items"] = RectificationItem.objects.count()
        school = School.objects.filter(returns__round=rnd).order_by("code")[n // 2 + 1]
        SchoolReturn.objects.filter(round=rnd, school=school).update(sports_area_m2=Decimal("900"))
        services.mark_stale_now(round=rnd, school_ids=[school.pk])
        with capture() as hooks, statements() as sent:
            out["changed_mode"] = services.recompute_round(round_id=rnd.pk)["mode"]
        with statements() as synced:
            for hook in hooks:
                hook()
        out["changed"], out["changed_sync"] = sent, synced
        out["items_after"] = RectificationItem.objects.count()
        transaction.set_rollback(True)
    return out


@pytest.fixture
def tasks_inline():
    """The results_stored hook sends the ledger sync as a task; here it runs inline, in this test's transaction, so
    its statements are counted (the integration pass has a real broker and worker, which would take it instead).

    Only the Celery app's setting is changed, and read before it is: overriding Django's CELERY_TASK_ALWAYS_EAGER
    first would let the app load its configuration from the override and keep tasks eager for the whole session."""
    from gongqing.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def test_statements_grow_with_the_rows_only_through_the_batch_size(django_capture_on_commit_callbacks, tasks_inline):
    assert connection.vendor == "postgresql"
    BodyFactory(code="education", name="市教体局")  # where an item goes by default
    small, large = measure(40, django_capture_on_commit_callbacks), measure(400, django_capture_on_commit_callbacks)
    assert small["items"] >= 10 and large["items"] == 10 * small["items"]  # every fourth school's R5 among them
    assert small["items_after"] == small["items"] + 1  # the changed school fails R5 now
    assert large["items_after"] == large["items"] + 1
    for phase in ("full", "sync", "changed", "changed_sync"):
        assert kinds(small[phase]) == kinds(large[phase]), phase
    full = kinds(large["full"])
    # Results, verdicts and parts are copied in, never inserted row by row.
    assert full["COPY indicators_schoolresult"] == full["COPY indicators_sectionverdict"] == 1
    assert full["COPY indicators_evaluationpart"] == 1
    assert not any(k.startswith("INSERT INTO indicators_schoolresult") for k in full)
    sync = kinds(large["sync"])
    assert sync["COPY supervision_rectificationitem"] == 1
    assert sync["COPY supervision_historicalrectificationitem"] == 1
    assert sync["COPY supervision_itembody"] == 1
    assert large["changed_mode"] == "changed"
    # A few dozen statements either way (the hooks run the dashboards' warm-up and the ledger sync), the same kinds
    # for 400 schools as for 40 (above).
    assert len(large["changed"]) < 40 and len(large["changed_sync"]) < 40
