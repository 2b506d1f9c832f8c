"""Incremental recompute (issue 17): a change to one school's return re-evaluates that school's family; the county rows
come from the stored parts; only the changed rows are written. After any sequence of edits the stored rows equal a
from-scratch evaluation's, value for value at the stored precision."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import loading, parts, selectors, services, storing
from indicators.domain.evaluate import evaluate
from indicators.domain.serialize import assemble
from indicators.models import EvaluationPart, EvaluationState, ResultRun, SchoolResult, SectionCV, SectionVerdict
from schools.models import SchoolReturn
from tests.factories import RoundFactory, SchoolFactory, TownshipFactory, make_return, primary_figures

D = Decimal
KINDS = ("primary", "primary", "junior", "nine_year", "teaching_point", "teaching_point", "special")
FACTORS = (D("0.6"), D("0.9"), D(1), D("1.5"))


def figures(kind: str, students: int, factor: Decimal) -> dict:
    """A return for a school of `kind`: its sections' figures and the shared ones, scaled by `factor`."""
    out = primary_figures(students=students, classes=max(1, students // 40), teachers=max(2, students // 15))
    for name in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "public_funds_yuan"):
        out[name] = (D(students) * out[name] / 400 * factor).quantize(D("0.01"))
    out["primary_teachers_backbone"] = int(students * D("0.012") * factor)
    if kind in ("junior", "nine_year"):
        junior = {f"junior{k[7:]}": v for k, v in out.items() if k.startswith("primary_")}
        out = {k: v for k, v in out.items() if not k.startswith("primary_")} | junior
        if kind == "nine_year":
            out |= {k: v for k, v in primary_figures(students=200, classes=5, teachers=14).items() if "primary" in k}
    if kind == "special":
        out = {k: v for k, v in out.items() if not k.startswith("primary_")} | {"special_students": 30}
    return out


county_st = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from((30, 120, 400)), st.sampled_from(FACTORS), st.booleans()),
    min_size=2,
    max_size=6,
)
EDITS = ("figures", "figures_unmarked", "reopen", "approve", "rename", "county")
edits_st = st.lists(
    st.tuples(st.sampled_from(EDITS), st.integers(0, 5), st.sampled_from(FACTORS)), min_size=1, max_size=5
)


def stored(rnd) -> dict:
    state = EvaluationState.objects.get(round=rnd)
    return {
        "school_results": {
            (sid, section, code): {"value": v, "threshold": t, "status": st_, "gap": g, "detail": d}
            for sid, section, code, v, t, st_, g, d in SchoolResult.objects.filter(round=rnd).values_list(
                "school_id", "section", "code", "value", "threshold", "status", "gap", "detail"
            )
        },
        "verdicts": {
            (sid, section): {"students": n, "met_count": m, "status": s}
            for sid, section, n, m, s in SectionVerdict.objects.filter(round=rnd).values_list(
                "school_id", "section", "students", "met_count", "status"
            )
        },
        "cvs": {
            (section, code): {"mean": a, "sd": b, "cv": c, "limit": lim, "met": met, "schools": n}
            for section, code, a, b, c, lim, met, n in SectionCV.objects.filter(round=rnd).values_list(
                "section", "code", "mean", "sd", "cv", "limit", "met", "schools"
            )
        },
        "summary": state.summary,
        "summary_whole": selectors.summary_document(state),
        "result": selectors.result_document(state),
        "runs": set(ResultRun.objects.filter(round=rnd).values_list("digest", flat=True)),
    }


def from_scratch(rnd) -> dict:
    inp, meta = loading.evaluation_input(round=rnd)
    ev = evaluate(inp)
    # the summary whole, as the pages read it (its blocking sentences are stored in runs)
    return storing.rows(ev, meta) | {"summary_whole": json.loads(storing.json_text(storing.summary(ev, meta)))}


def assert_same(rnd) -> None:
    got, want = stored(rnd), from_scratch(rnd)
    for table in ("school_results", "verdicts", "cvs"):
        # Decimals compare by value: 5.000000 stored equals 5 computed, 5.000001 does not.
        assert got[table] == want[table], table
    assert got["summary"] == json.loads(want["summary"])  # the blocking sentences' runs named alike
    assert got["summary_whole"] == want["summary_whole"]
    assert got["result"] == assemble(json.loads(want["result"]), want["result_runs"])
    assert got["runs"] == set(want["result_runs"])  # no run left behind that the document no longer names


def recompute(rnd) -> dict:
    return services.recompute_round(round_id=rnd.pk)


def build(spec, rnd):
    township = TownshipFactory()
    schools, kinds = [], []
    for i, (kind, students, factor, approved) in enumerate(spec):
        parent = None
        if kind == "teaching_point":
            candidates = [s for s, k in zip(schools, kinds, strict=True) if k != "teaching_point"]
            parent = candidates[i % len(candidates)] if candidates and i % 3 else None
        school = SchoolFactory(code=f"36990{i:05d}", township=township, kind=kind, parent=parent)
        status = "approved" if approved or i == 0 else "submitted"
        make_return(school=school, round=rnd, status=status, figures=figures(kind, students, factor))
        schools.append(school)
        kinds.append(kind)
    return schools, kinds


def apply(edit, schools, kinds, rnd) -> None:
    action, index, factor = edit
    if factor == FACTORS[1]:
        parts.forget()  # a cold worker: the stored parts are read back from the database
    school = schools[index % len(schools)]
    ret = SchoolReturn.objects.get(school=school, round=rnd)
    if action in ("figures", "figures_unmarked"):
        ret.equipment_value_yuan = (D(ret.equipment_value_yuan or 1000) * factor).quantize(D("0.01"))
        ret.sports_area_m2 = None if factor == FACTORS[0] else D(ret.sports_area_m2 or 100) * factor
        ret.version += 1
        ret.save()
        services.mark_stale_now(round=rnd, school_ids=[school.pk] if action == "figures" else [])
    elif action in ("reopen", "approve"):
        SchoolReturn.objects.filter(pk=ret.pk).update(status="submitted" if action == "reopen" else "approved")
        services.mark_stale_now(round=rnd, school_ids=[school.pk])
    elif action == "rename":
        school.name = f"{school.name}改"
        school.save()
        services.mark_stale_now(round=rnd, school_ids=[])  # nothing marked: the fingerprint tells
    else:
        services.mark_stale_now(round=rnd, school_ids=[])  # county-level only: no school's rows change


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=county_st, edits=edits_st)
def test_after_any_sequence_of_edits_the_stored_rows_equal_a_from_scratch_recompute(spec, edits):
    with transaction.atomic():
        rnd = RoundFactory()
        schools, kinds = build(spec, rnd)
        services.mark_stale_now(round=rnd)
        assert recompute(rnd)["mode"] == "full"
        assert_same(rnd)
        for edit in edits:
            apply(edit, schools, kinds, rnd)
            assert recompute(rnd)["mode"] == "changed"
            assert_same(rnd)
        transaction.set_rollback(True)


def plain_county(n: int):
    """`n` primary schools of 400 pupils, all approved, the first one short of sports ground (R5 fails there)."""
    rnd = RoundFactory()
    township = TownshipFactory()
    schools = []
    for i in range(n):
        school = SchoolFactory(code=f"36980{i:05d}", township=township)
        extra = {"sports_area_m2": D("1000")} if i == 0 else {}
        make_return(school=school, round=rnd, status="approved", figures=primary_figures(**extra))
        schools.append(school)
    services.mark_stale_now(round=rnd)
    recompute(rnd)
    return rnd, schools


def change(rnd, school, **figures) -> dict:
    SchoolReturn.objects.filter(school=school, round=rnd).update(**figures)
    services.mark_stale_now(round=rnd, school_ids=[school.pk])
    return recompute(rnd)


@pytest.mark.django_db
def test_one_schools_change_writes_only_the_rows_whose_values_changed():
    rnd, schools = plain_county(4)
    # School 2's equipment doubles: its R6 (value, ratio) changes, and the primary section's R6 CV row; nothing else.
    stats = change(rnd, schools[2], equipment_value_yuan=D("1800000"))
    assert stats["mode"] == "changed"
    assert stats["school_results"] == {"created": 0, "updated": 1, "deleted": 0}
    assert stats["verdicts"] == {"created": 0, "updated": 0, "deleted": 0}
    assert stats["cvs"] == {"created": 0, "updated": 1, "deleted": 0}
    r6 = SchoolResult.objects.get(round=rnd, school=schools[2], code="R6")
    assert r6.value == D("4500")  # 1,800,000 yuan / 400 pupils
    assert_same(rnd)


@pytest.mark.django_db
def test_a_second_recompute_after_a_change_that_changes_nothing_writes_no_row():
    rnd, schools = plain_county(3)
    stats = change(rnd, schools[1], land_area_m2=D("12001"))  # not an indicator figure
    assert stats["mode"] == "changed"
    assert stats["school_results"] == stats["verdicts"] == stats["cvs"] == {"created": 0, "updated": 0, "deleted": 0}


@pytest.mark.django_db
def test_the_incremental_recompute_runs_as_many_queries_for_twelve_schools_as_for_three():
    counts = []
    for n in (3, 12):
        with transaction.atomic():
            rnd, schools = plain_county(n)
            with CaptureQueriesContext(connection) as ctx:
                change(rnd, schools[1], equipment_value_yuan=D("1000000"))
            counts.append(len(ctx.captured_queries))
            transaction.set_rollback(True)
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_a_part_whose_signature_fails_is_never_unpickled_and_the_round_is_recomputed_from_scratch():
    rnd, schools = plain_county(3)
    part = EvaluationPart.objects.filter(round=rnd).first()
    data = bytes(part.data)
    EvaluationPart.objects.filter(pk=part.pk).update(data=data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(parts.BadPart):
        parts.load(EvaluationPart.objects.get(pk=part.pk).data)
    parts.forget()  # a worker that has not read this round's parts yet
    stats = change(rnd, schools[0], equipment_value_yuan=D("1000000"))
    assert stats["mode"] == "full"
    assert_same(rnd)
