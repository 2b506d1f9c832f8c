"""The reports resource of the API: bureau staff request a render with a `reports:write` token, anyone who reads
reports polls it and downloads the PDF (audited); nobody else asks for renders; bad input changes nothing.

The county, its recomputed round and the cycle are the reports tests' own (tests/reports/conftest.py); the PDF
renderer is stubbed, as there.
"""

import pytest

from gongqing.models import AuditEvent
from gongqing.roles import Role
from supervision.reports import rendering
from supervision.reports.models import Report, ReportStatus
from tests.api.conftest import body
from tests.reports.conftest import county, cycle, schools, stage  # noqa: F401 (fixtures)

REPORTS = "/api/v1/reports/"


@pytest.fixture
def stub_render(monkeypatch):
    from gongqing import pdf

    monkeypatch.setattr(
        rendering,
        "pdf_from_context",
        lambda ctx, **kw: rendering.RenderedReport(pdf.RenderedPdf(b"%PDF-1.7 stub", 2)),
    )


@pytest.fixture
def staff_writer(bearer, personas):
    return bearer(personas[Role.BUREAU_STAFF], "read", "reports:write")


def _queued(st, rnd, version=1) -> Report:
    return Report.objects.create(
        cycle=st.cycle, stage=st, school_year=rnd.school_year, round=rnd, version=version, draft_revision=version
    )


def test_staff_request_a_render_poll_it_and_download_the_pdf(
    county,  # noqa: F811
    cycle,  # noqa: F811
    official_round,
    staff_writer,
    bearer,
    personas,
    stub_render,
    django_capture_on_commit_callbacks,
):
    st = stage(cycle, 4)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_writer.post(REPORTS, {"stage": st.pk, "round": official_round.pk}, format="json")
    assert response.status_code == 202, response.content
    asked = body(response)
    assert asked["status"] == "queued" and asked["version"] == 1 and asked["download"] is None
    assert response["Location"] == f"{REPORTS}{asked['id']}/"
    assert AuditEvent.objects.filter(action="report.request", user=personas[Role.BUREAU_STAFF]).count() == 1

    city = bearer(personas[Role.API_CLIENT], "read")
    polled = body(city.get(response["Location"]))
    assert polled["status"] == "done" and polled["progress"] == 100 and polled["stage_number"] == 4
    assert polled["download"].endswith(f"{REPORTS}{asked['id']}/download/")
    pdf = city.get(polled["download"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == b"%PDF-1.7 stub"
    event = AuditEvent.objects.get(action="report.download")
    assert event.user == personas[Role.API_CLIENT] and event.object_id == str(asked["id"])
    assert event.detail["part"] == "file"


def test_a_second_request_while_the_first_is_queued_returns_it(
    county,  # noqa: F811
    cycle,  # noqa: F811
    official_round,
    staff_writer,
):
    st = stage(cycle, 4)
    first = staff_writer.post(REPORTS, {"stage": st.pk, "round": official_round.pk}, format="json")
    again = staff_writer.post(REPORTS, {"stage": st.pk, "round": official_round.pk}, format="json")
    assert (first.status_code, again.status_code) == (202, 200)
    assert body(first)["id"] == body(again)["id"] and Report.objects.count() == 1


def test_an_idempotency_key_replays_the_first_answer(
    county,  # noqa: F811
    cycle,  # noqa: F811
    official_round,
    staff_writer,
):
    st = stage(cycle, 4)
    data = {"stage": st.pk, "round": official_round.pk}
    first = staff_writer.post(REPORTS, data, format="json", HTTP_IDEMPOTENCY_KEY="render-4-1")
    Report.objects.update(status=ReportStatus.FAILED)  # a fresh request would now make version 2
    again = staff_writer.post(REPORTS, data, format="json", HTTP_IDEMPOTENCY_KEY="render-4-1")
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert body(again)["id"] == body(first)["id"] and Report.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "scopes"),
    [
        (Role.API_CLIENT, ("read", "reports:write")),  # the city reads reports but never asks for renders
        (Role.LEADERSHIP, ("read", "reports:write")),
        (Role.BUREAU_STAFF, ("read",)),  # the scope is missing
        ("ganlu_official", ("read", "reports:write")),
        (Role.AUDITOR, ("read", "reports:write")),
    ],
)
def test_only_bureau_tokens_with_the_scope_request_renders(
    persona,
    scopes,
    county,  # noqa: F811
    cycle,  # noqa: F811
    official_round,
    bearer,
    personas,
):
    client = bearer(personas[persona], *scopes)
    response = client.post(REPORTS, {"stage": stage(cycle, 4).pk, "round": official_round.pk}, format="json")
    assert response.status_code == 403
    assert body(response)["error"]["code"] == "permission_denied" and not Report.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (Role.BUREAU_ADMIN, 200),
        (Role.LEADERSHIP, 200),
        (Role.API_CLIENT, 200),
        ("ganlu_official", 403),
        (Role.DEPARTMENT_OFFICER, 403),
        (Role.AUDITOR, 403),
    ],
)
def test_who_reads_reports(
    persona,
    status,
    cycle,  # noqa: F811
    official_round,
    bearer,
    personas,
):
    report = _queued(stage(cycle, 4), official_round)
    client = bearer(personas[persona], "read")
    assert client.get(REPORTS).status_code == status
    assert client.get(f"{REPORTS}{report.pk}/").status_code == status
    assert client.get(f"{REPORTS}{report.pk}/download/").status_code == (409 if status == 200 else status)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"stage": 999999, "round": None}, "stage"),
        ({"stage": None, "round": 999999}, "round"),
        ({"stage": None, "round": "other"}, "round"),  # a round without stored results
        ({"stage": "abc", "round": None}, "stage"),
    ],
)
def test_a_bad_request_names_its_field_and_changes_nothing(
    data,
    field,
    county,  # noqa: F811
    cycle,  # noqa: F811
    official_round,
    staff_writer,
    school_year,
):
    from tests.factories import RoundFactory

    other = RoundFactory(school_year=school_year, kind="interim", name="3月自查")
    payload = {
        "stage": data["stage"] if data["stage"] is not None else stage(cycle, 4).pk,
        "round": {None: official_round.pk, "other": other.pk}.get(data["round"], data["round"]),
    }
    response = staff_writer.post(REPORTS, payload, format="json")
    assert response.status_code == 400
    errors = body(response)["error"]["fields"]
    assert list(errors) == [field] and len(errors[field]) == 1 and not errors[field][0]["message"].isascii()
    assert not Report.objects.exists()


def test_a_report_not_rendered_yet_cannot_be_downloaded(
    cycle,  # noqa: F811
    official_round,
    bearer,
    personas,
):
    report = _queued(stage(cycle, 4), official_round)
    client = bearer(personas[Role.LEADERSHIP], "read")
    for accept in ("application/json", "application/pdf"):
        response = client.get(f"{REPORTS}{report.pk}/download/", HTTP_ACCEPT=accept)
        assert response.status_code == 409 and response["Content-Type"].startswith("application/json")
        assert body(response)["error"]["code"] == "not_ready" and body(response)["error"]["status"] == "queued"
    assert not AuditEvent.objects.filter(action="report.download").exists()


def test_the_list_filters_and_makes_as_many_queries_for_many_reports_as_for_few(
    cycle,  # noqa: F811
    official_round,
    bearer,
    personas,
    django_assert_max_num_queries,
):
    client = bearer(personas[Role.API_CLIENT], "read")
    _queued(stage(cycle, 4), official_round)
    client.get(REPORTS)
    with django_assert_max_num_queries(10) as few:
        assert body(client.get(REPORTS))["count"] == 1
    for version in range(2, 20):
        _queued(stage(cycle, 3 if version % 2 else 4), official_round, version=version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert body(client.get(REPORTS))["count"] == 19
    assert body(client.get(REPORTS, {"stage": stage(cycle, 3).pk}))["count"] == 9
