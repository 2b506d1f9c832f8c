"""Honest completeness (issue 15 item 3): each school of a round says which approved data it rests on, the summaries
count them apart, and the verdict is provisional while the round is open or a school rests on no approved data.

The county here: six primary schools of 2024. The official round (2024-09-01, closed) approved all six; the interim
round 2025年3月自查 (2025-03-01) approved three of them again. The interim round therefore rests on 3 returns of its own
and carries 3 forward from 正式批次 (GLOSSARY: an interim round starts from the last approved figures); none rests on
nothing. No county item is entered, so the county verdict stays provisional for that reason alone once closed.
"""

import datetime
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongqing.api.auth import token_create
from gongqing.roles import Role
from indicators import loading, storing, verdicts
from indicators import services as indicator_services
from indicators.models import EvaluationState
from schools import services as school_services
from schools.forms import RoundForm
from tests.api.conftest import body
from tests.factories import RoundFactory, SchoolFactory, make_return
from tests.indicators.domain.test_evaluate import run

COUNTS = "本批次审核通过 3 所，沿用此前审核数据 3 所（正式批次）"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def interim(school_year, official_round, ganlu, django_capture_on_commit_callbacks):
    schools = [SchoolFactory(code=f"21362000{i:02d}", name=f"沿用测试小学{i}", township=ganlu) for i in range(6)]
    for school in schools:
        make_return(school=school, round=official_round, status="approved")
    official_round.is_open = False
    official_round.save(update_fields=["is_open"])
    rnd = RoundFactory(
        school_year=school_year,
        kind="interim",
        name="2025年3月自查",
        as_of=datetime.date(2025, 3, 1),
        due_date=datetime.date(2025, 3, 31),
        is_open=False,
    )
    for school in schools[:3]:
        make_return(school=school, round=rnd, status="approved")
    make_return(school=schools[3], round=rnd, status="submitted")  # not approved: carried forward still
    indicator_services.mark_stale_now(round=rnd)
    indicator_services.recompute_round(round_id=rnd.pk)
    return rnd, schools


def test_the_basis_is_counted_and_named_in_the_stored_summary(interim):
    rnd, schools = interim
    summary = EvaluationState.objects.get(round=rnd).summary
    assert verdicts.basis_counts(summary) == {"this_round": 3, "carried": 3, "none": 0}
    assert verdicts.basis_text(summary) == COUNTS
    assert [verdicts.school_basis(summary, s.code).label for s in schools] == [
        "本批次审核通过",
        "本批次审核通过",
        "本批次审核通过",
        "沿用正式批次审核数据",
        "沿用正式批次审核数据",
        "沿用正式批次审核数据",
    ]
    # carried-forward figures are data: the only thing missing is the county items, never a school
    v = verdicts.county_verdict(summary)
    assert v.provisional and not any("所学校中" in m or "审核通过" in m for m in v.missing)
    assert summary["completeness"]["schools_with_data"] == 6


def test_results_page_overview_and_api_show_the_counts(interim, staff, login, personas):
    rnd, schools = interim
    client = login(staff)
    results = client.get(reverse("indicators:round_results", args=[rnd.pk]))
    overview = client.get(reverse("dashboards:overview"), {"round": rnd.pk})
    assert f"数据依据：{COUNTS}" in _text(results)
    assert f"数据依据：{COUNTS}" in _text(overview)
    page = results.content.decode()
    assert page.count('data-basis="this_round"') == 3 and page.count('data-basis="carried"') == 3
    assert "沿用正式批次审核数据" in page

    _token, raw = token_create(user=personas[Role.API_CLIENT], name="沿用测试", scopes=["read"], days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    data = body(api.get(f"/api/v1/county-verdicts/{rnd.pk}/"))
    basis = data["data_basis"]
    assert (basis["this_round"], basis["carried"], basis["none"], basis["round_open"]) == (3, 3, 0, False)
    official = rnd.school_year.rounds.get(kind="official")
    assert basis["carried_from"] == [{"round": official.pk, "name": "正式批次", "schools": 3}]
    assert basis["carried_schools"] == {s.code: official.pk for s in schools[3:]}
    assert basis["no_data_schools"] == []

    # the report's cover and summary, and its provisional note (the county items are missing), count them too
    from supervision.reports import context

    state = EvaluationState.objects.get(round=rnd)
    assert context._round_info(rnd, state)["basis"] == COUNTS
    provisional, note, _missing = context._provisional(state, rnd)
    assert provisional and note.startswith(f"暂定：6所学校中6所有审核通过的数据（{COUNTS}）")


def test_an_open_round_is_provisional_and_closing_it_recomputes(interim, staff, django_capture_on_commit_callbacks):
    rnd, _schools = interim

    def save(is_open):
        data = {
            "school_year": rnd.school_year_id,
            "kind": rnd.kind,
            "name": rnd.name,
            "as_of": rnd.as_of,
            "due_date": rnd.due_date,
            "is_open": is_open,
        }
        form = RoundForm(data, instance=rnd)
        assert form.is_valid(), form.errors
        with django_capture_on_commit_callbacks(execute=True):
            school_services.round_save(form=form, by=staff)
        return EvaluationState.objects.get(round=rnd)

    state = save(True)
    assert not state.is_stale and state.provisional
    assert state.summary["basis"]["round_open"] is True
    v = verdicts.county_verdict(state.summary)
    assert v.code == "provisional" and v.missing[0] == "本批次仍在填报中"

    state = save(False)
    assert state.summary["basis"]["round_open"] is False
    assert "本批次仍在填报中" not in verdicts.county_verdict(state.summary).missing


def _summary(basis_counts, *, round_open, carried=None, none=()):
    """storing.summary of a county that meets everything (tests/indicators/domain/test_evaluate.py: 5 schools, every
    county item met, the survey met), with the given basis."""
    ev = run()
    meta = {
        "schools_by_code": {},
        "policy_label": "",
        "basis": {
            "round_open": round_open,
            "counts": basis_counts,
            "carried_from": [{"round": 1, "name": "正式批次", "schools": basis_counts["carried"]}],
            "carried": carried or {},
            "none": list(none),
        },
    }
    return storing.json_safe(storing.summary(ev, meta))


def test_a_closed_round_on_approved_data_is_not_provisional_even_when_carried_forward():
    closed = _summary({"this_round": 3, "carried": 2, "none": 0}, round_open=False, carried={"3604820004": 1})
    assert closed["provisional"] is False
    assert verdicts.county_verdict(closed).code == "passed"
    assert verdicts.school_basis(closed, "3604820004").label == "沿用正式批次审核数据"

    still_open = _summary({"this_round": 3, "carried": 2, "none": 0}, round_open=True)
    v = verdicts.county_verdict(still_open)
    assert still_open["provisional"] is True
    assert (v.code, v.missing) == ("provisional", ("本批次仍在填报中",))


def test_a_school_on_no_approved_data_is_counted_and_named():
    rnd_basis = {"this_round": 4, "carried": 0, "none": 1}
    s = _summary(rnd_basis, round_open=False, none=["3604820005"])
    assert verdicts.basis_text(s) == "本批次审核通过 4 所，无审核数据 1 所"
    assert verdicts.school_basis(s, "3604820005").code == "none"


def test_a_summary_stored_before_the_basis_still_reads():
    summary = {"provisional": True, "completeness": {"schools_expected": 12, "schools_with_data": 10}, "county": {}}
    assert verdicts.basis_text(summary) == ""
    assert verdicts.school_basis(summary, "x") is None
    assert verdicts.county_verdict(summary).missing == ("12所学校中10所有审核通过的数据",)


def test_loading_names_the_basis_without_a_query(interim, django_assert_num_queries):
    rnd, schools = interim
    returns = loading.round_returns(round=rnd)
    with django_assert_num_queries(0):
        basis = loading.data_basis(rnd, schools, returns)
    assert basis["counts"] == {"this_round": 3, "carried": 3, "none": 0}


def test_pages_and_api_render_a_summary_stored_before_the_basis(interim, staff, login, personas):
    rnd, _schools = interim
    state = EvaluationState.objects.get(round=rnd)
    old = {k: v for k, v in state.summary.items() if k != "basis"}
    EvaluationState.objects.filter(pk=state.pk).update(summary=old)
    client = login(staff)
    results = client.get(reverse("indicators:round_results", args=[rnd.pk]))
    overview = client.get(reverse("dashboards:overview"), {"round": rnd.pk})
    assert results.status_code == overview.status_code == 200
    assert "数据依据：" not in _text(results) and "数据依据：" not in _text(overview)
    assert 'data-basis=""' in results.content.decode()  # the column is there, empty until the next recompute
    _token, raw = token_create(user=personas[Role.API_CLIENT], name="旧结果", scopes=["read"], days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert body(api.get(f"/api/v1/county-verdicts/{rnd.pk}/"))["data_basis"] is None

    indicator_services.mark_stale_now(round=rnd)
    indicator_services.recompute_round(round_id=rnd.pk)  # a recompute refreshes it
    assert verdicts.basis_text(EvaluationState.objects.get(round=rnd).summary) == COUNTS


def test_the_school_page_says_what_its_results_rest_on(interim, staff, login):
    rnd, schools = interim
    client = login(staff)
    own = client.get(reverse("schools:detail", args=[schools[0].pk])).content.decode()
    carried = client.get(reverse("schools:detail", args=[schools[5].pk])).content.decode()
    assert 'data-basis="this_round"' in own and "数据依据：本批次审核通过" in own
    assert 'data-basis="carried"' in carried and "数据依据：沿用正式批次审核数据" in carried
