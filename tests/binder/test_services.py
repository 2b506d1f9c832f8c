"""Requests, joins, versions, claims, the sweep, failures and retries of the binder's build (the small county of the
reports' tests: three schools, results of 2024's official round)."""

import datetime
import io
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from gongqing.models import AuditEvent
from supervision.binder import build, services, sources
from supervision.binder.models import Binder, BinderStatus
from supervision.models import EvidenceFile, ProgressUpdate, RectificationItem
from tests.binder.conftest import pdf_text


def _files(binder) -> list[str]:
    return [n for n in zipfile.ZipFile(binder.file.path).namelist() if not n.endswith("/")]


def test_ten_requests_while_one_is_queued_give_one_build(
    county, cycle, official_round, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        results = [
            services.binder_request(cycle=cycle, round=official_round, township_id=None, by=staff) for _ in range(10)
        ]
    assert len({b.pk for b, _created in results}) == 1
    assert [created for _b, created in results].count(True) == 1
    assert len(callbacks) == 1
    callbacks[0]()
    binder = Binder.objects.get()
    assert binder.status == BinderStatus.DONE and binder.version == 1 and binder.progress == 100
    folder = os.path.dirname(binder.file.path)
    assert sorted(os.listdir(folder)) == sorted(
        [os.path.basename(binder.file.path), os.path.basename(binder.index_file.path)]
    )
    assert AuditEvent.objects.filter(action="binder.request").count() == 1
    assert AuditEvent.objects.filter(action="binder.built").count() == 1


def test_a_request_after_done_makes_the_next_version_and_keeps_the_old(
    county, cycle, official_round, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = services.binder_request(cycle=cycle, round=official_round, township_id=None, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        second, created = services.binder_request(cycle=cycle, round=official_round, township_id=None, by=staff)
    first.refresh_from_db()
    second.refresh_from_db()
    assert created and (first.version, second.version) == (1, 2)
    assert os.path.exists(first.file.path) and os.path.exists(second.file.path) and first.file.name != second.file.name
    assert services.binder_build(binder_id=first.pk) == "skipped"  # a duplicated task after done does nothing


def test_the_county_and_a_township_are_separate_binders(county, cycle, official_round, staff, ganlu):
    a, _ = services.binder_request(cycle=cycle, round=official_round, township_id=None, by=staff, enqueue_task=False)
    b, _ = services.binder_request(
        cycle=cycle, round=official_round, township_id=ganlu.pk, by=staff, enqueue_task=False
    )
    assert a.pk != b.pk and (a.scope, b.scope) == ("county", f"township:{ganlu.pk}")


def _building(binder, claim, lease_until):
    Binder.objects.filter(pk=binder.pk).update(status=BinderStatus.BUILDING, claim=claim, lease_until=lease_until)


def test_a_killed_holder_is_taken_over_and_a_live_one_makes_the_duplicate_wait(county, cycle, official_round, staff):
    binder, _ = services.binder_request(
        cycle=cycle, round=official_round, township_id=None, by=staff, enqueue_task=False
    )
    later = timezone.now() + datetime.timedelta(minutes=2)
    _building(binder, services.jobs.new_token(), later)  # this very process: alive
    with pytest.raises(services.BinderBusy):
        services.binder_build(binder_id=binder.pk)
    host = services.jobs.new_token().split(":")[0]
    _building(binder, f"{host}:999999:123:dead", later)  # a pid that does not run
    assert services.binder_build(binder_id=binder.pk) == "done"
    binder.refresh_from_db()
    assert binder.status == BinderStatus.DONE and binder.attempts == 1


def test_the_sweep_queues_a_lapsed_build_again(county, cycle, official_round, staff, settings):
    binder, _ = services.binder_request(
        cycle=cycle, round=official_round, township_id=None, by=staff, enqueue_task=False
    )
    _building(binder, "elsewhere:1:1:x", timezone.now() - datetime.timedelta(seconds=1))
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert services.binders_sweep(timezone.now()) == 1
    binder.refresh_from_db()
    assert binder.status == BinderStatus.DONE and binder.resumed_at is not None  # eager: sent and built at once


def test_a_failing_source_is_named_in_the_index_and_the_build_goes_on(
    county, cycle, official_round, staff, monkeypatch, tmp_path
):
    def broken(scope):
        raise RuntimeError("boom")

    monkeypatch.setitem(sources.BINDER_SOURCES, "broken", broken)
    binder = services.build_now(cycle=cycle, round=official_round, by=staff)
    assert binder.status == BinderStatus.DONE
    assert len(_files(binder)) == 1 + 38 + 1  # the index, one result table per indicator, the plan's measures
    text = pdf_text(binder.index_file.open("rb").read(), tmp_path)
    assert "以下来源读取失败，其文件未列入：broken" in text


def test_a_build_that_fails_is_marked_failed_and_a_retry_builds_the_same_version(
    county, cycle, official_round, staff, monkeypatch, django_capture_on_commit_callbacks
):
    real = build.render_index
    monkeypatch.setattr(build, "render_index", lambda ctx: (_ for _ in ()).throw(ValueError("layout failed")))
    binder = services.build_now(cycle=cycle, round=official_round, by=staff)
    assert binder.status == BinderStatus.FAILED and "layout failed" in binder.error
    folder = default_storage.path(os.path.dirname(services.file_name(binder, ".zip")))
    assert os.listdir(folder) == []  # no temporary file left behind
    monkeypatch.setattr(build, "render_index", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.binder_retry(binder=binder, by=staff)
    binder.refresh_from_db()
    assert binder.status == BinderStatus.DONE and binder.version == 1 and binder.attempts == 2


def test_the_builds_queries_do_not_grow_with_the_number_of_files(
    county, cycle, official_round, staff, schools, django_assert_max_num_queries, tmp_path
):
    """3 item files and 30 item files: the same number of queries to collect them (prefetched, not per file)."""
    item = RectificationItem.objects.create(
        key="manual:x", kind="manual", school=schools["A"], code="R5", title="运动场"
    )
    scope = sources.Scope(cycle=cycle, round=official_round)

    def add(n):
        for i in range(n):
            update = ProgressUpdate.objects.create(item=item, text="进展", percent=10)
            f = EvidenceFile(update=update, name=f"验收{i}.pdf", content_type="application/pdf", size=3)
            f.file.save(f"e{i}.pdf", ContentFile(b"%PDF"), save=False)
            f.save()

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            files, failed = build.collect(scope, names={})
        assert not failed
        return len(ctx.captured_queries), sum(1 for f in files if f.kind == sources.EVIDENCE)

    add(3)
    few, n_few = count()
    add(27)
    many, n_many = count()
    assert (n_few, n_many) == (3, 30)
    assert few == many


def test_a_file_with_no_readable_bytes_is_reported_missing_not_fatal(county, cycle, official_round, staff, schools):
    item = RectificationItem.objects.create(key="manual:y", kind="manual", school=schools["B"], code="R5", title="场地")
    update = ProgressUpdate.objects.create(item=item, text="进展", percent=10)
    EvidenceFile.objects.create(update=update, file="", name="空记录.pdf", content_type="application/pdf", size=0)
    binder = services.build_now(cycle=cycle, round=official_round, by=staff)
    assert binder.status == BinderStatus.DONE and binder.missing_count == 1
    assert not any("空记录" in n for n in _files(binder))
    index = zipfile.ZipFile(binder.file.path).read(build.INDEX_NAME)
    assert index.startswith(b"%PDF") and io.BytesIO(index).getbuffer().nbytes == binder.index_file.size


def test_the_latest_finished_stage_report_goes_to_its_folder_in_the_county_binder_only(
    county, cycle, official_round, staff, ganlu
):
    from supervision.reports.models import Report, ReportStatus

    st = cycle.stages.get(number=4)
    for version, title in ((1, "旧版"), (2, "新版")):
        rep = Report.objects.create(
            cycle=cycle, stage=st, school_year=official_round.school_year, round=official_round,
            version=version, draft_revision=version, status=ReportStatus.DONE, title=title,
        )  # fmt: skip
        rep.file.save(f"r{version}.pdf", ContentFile(b"%PDF-1.7 " + title.encode()), save=True)
    county_binder = services.build_now(cycle=cycle, round=official_round, by=staff)
    names = _files(county_binder)
    # the latest version only; no finish time recorded on these rows, so no date in the name
    assert [n for n in names if n.startswith("阶段报告/")] == ["阶段报告/01_第4阶段_新版_v2.pdf"]
    township = services.build_now(cycle=cycle, round=official_round, township_id=ganlu.pk, by=staff)
    assert not any("阶段报告" in n or "新版" in n or "实施方案" in n for n in _files(township))


def test_the_list_page_reads_a_fixed_number_of_queries(
    county, cycle, official_round, personas, client, django_assert_max_num_queries
):
    from gongqing.roles import Role

    client.force_login(personas[Role.BUREAU_STAFF])

    def make(n):
        start = Binder.objects.count()
        for i in range(n):
            Binder.objects.create(cycle=cycle, round=official_round, version=start + i + 1, status=BinderStatus.FAILED)

    make(2)
    with django_assert_max_num_queries(12) as few:
        client.get("/binder/")
    make(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/binder/").status_code == 200


def test_a_build_removes_what_a_killed_attempt_left_half_written(county, cycle, official_round, staff):
    binder, _ = services.binder_request(
        cycle=cycle, round=official_round, township_id=None, by=staff, enqueue_task=False
    )
    zip_path = default_storage.path(services.file_name(binder, ".zip"))
    index_path = default_storage.path(services.file_name(binder, "-index.pdf"))
    os.makedirs(os.path.dirname(zip_path), exist_ok=True)
    leftovers = [  # a worker killed while writing the archive's body, the archive and the index
        f"{os.path.dirname(zip_path)}/.{os.path.basename(zip_path)}.dead1.tmp.body",
        f"{os.path.dirname(zip_path)}/.{os.path.basename(zip_path)}.dead1.tmp",
        f"{os.path.dirname(index_path)}/.{os.path.basename(index_path)}.dead1.tmp",
    ]
    for path in leftovers:
        open(path, "wb").write(b"half")  # noqa: SIM115
    assert services.binder_build(binder_id=binder.pk) == "done"
    binder.refresh_from_db()
    assert sorted(os.listdir(os.path.dirname(zip_path))) == sorted(
        [os.path.basename(binder.file.path), os.path.basename(binder.index_file.path)]
    )
