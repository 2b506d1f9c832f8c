"""The summary's blocking sentences are stored in runs of their own (storing.summary_parts), not whole in the state's
summary: every page, export, report and API answer that lists them reads them joined back
(selectors.summary_document), the same sentences a from-scratch evaluation gives, in the same order."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongqing.roles import Role
from indicators import loading, selectors, services, storing
from indicators.models import EvaluationState
from indicators.whatif import scenarios
from supervision import rules
from supervision import services as supervision_services
from supervision.reports import context as report_context
from tests.factories import SchoolFactory, make_return, primary_figures


@pytest.fixture
def failing(official_round, ganlu):
    """Three schools whose areas and equipment are a quarter of what they should be: each fails the 6-of-7 rule."""
    for i in range(3):
        figures = primary_figures(students=300 + 40 * i)
        for name in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan"):
            figures[name] = (figures[name] / 4).quantize(Decimal("0.01"))
        school = SchoolFactory(code=f"213600090{i}", name=f"测试未达标小学{i}", township=ganlu)
        make_return(school=school, round=official_round, status="approved", figures=figures)
    services.mark_stale_now(round=official_round)
    services.recompute_round(round_id=official_round.pk)
    return EvaluationState.objects.get(round=official_round)


def _sentences(rnd) -> list[str]:
    """The blocking sentences of a from-scratch evaluation of the round."""
    inp, meta = loading.evaluation_input(round=rnd)
    return storing.summary(loading.evaluate(inp), meta)["county"]["blocking"]


@pytest.mark.django_db
def test_the_stored_summary_names_runs_and_the_document_joins_the_sentences_back(failing, official_round):
    assert failing.summary["county"]["blocking"] is None and failing.summary["runs"]["blocking"]
    joined = selectors.summary_document(failing)
    expected = _sentences(official_round)
    assert len(expected) >= 3 and all("测试未达标小学" in s for s in expected[:3])
    assert joined["county"]["blocking"] == expected
    assert "runs" not in joined
    whole = json.loads(storing.json_text(storing.summary(*_evaluation(official_round))))
    assert joined == whole and list(joined["county"]) == list(whole["county"])  # the keys in their order, too
    # the other keys are as stored: the verdict, completeness, areas and counts read state.summary directly
    assert {k: v for k, v in joined.items() if k != "county"} == {
        k: v for k, v in failing.summary.items() if k not in ("county", "runs")
    }


def _evaluation(rnd):
    inp, meta = loading.evaluation_input(round=rnd)
    return loading.evaluate(inp), meta


@pytest.mark.django_db
def test_the_round_results_page_and_the_overview_list_the_joined_sentences(
    failing, official_round, staff, personas, client
):
    first = _sentences(official_round)[0]
    client.force_login(staff)
    page = client.get(reverse("indicators:round_results", args=[official_round.pk])).content.decode()
    assert first in page
    client.force_login(personas[Role.LEADERSHIP])
    overview = client.get(reverse("dashboards:overview"), {"round": official_round.pk}).content.decode()
    assert first in overview


@pytest.mark.django_db
def test_the_export_lists_every_sentence_in_order(failing, official_round, staff, client):
    client.force_login(staff)
    response = client.get(reverse("indicators:round_export", args=[official_round.pk]))
    ws = load_workbook(io.BytesIO(response.content))["县域结论"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[1] == "影响认定的问题")
    listed = [r[1] for r in rows[start + 1 :] if isinstance(r[0], int)][: len(_sentences(official_round))]
    assert listed == _sentences(official_round)


@pytest.mark.django_db
def test_the_report_and_the_whatif_baseline_read_the_joined_sentences(failing, official_round):
    stages = rules.shifted(
        supervision_services.published_stage_dates(), today=datetime.date(2024, 10, 15), stage_number=3
    )
    cycle = supervision_services.cycle_create(name="摘要分段测试", stages=stages)
    supervision_services.cycle_set_current(cycle=cycle)
    ctx = report_context.build_context(stage=cycle.stages.get(number=4), round=official_round)
    assert ctx.verdict["blocking"] == _sentences(official_round)
    baseline = scenarios.load(round=official_round).baseline
    assert baseline["summary"]["county"]["blocking"] == _sentences(official_round)
