"""Who may use the self-assessment reports (自评报告).

Reports are county documents: the bureau and the leadership group read and download them; only the bureau writes the
narrative, asks for renders and retries. Township officials, department officers, the auditor (audit log only) and the
API client get nothing (403) from these pages; the API client reads reports through /api/v1/reports/
(tests/access/table_api.py). A report has no township, so 江益镇's official is refused like every other non-reader.
"""

import datetime

from django.core.files.base import ContentFile

from supervision.models import Cycle, Stage
from supervision.reports.models import Report, ReportStatus
from tests.access.table_core import BUREAU, NOBODY

READERS = BUREAU | {"leadership"}


def _stage(objs) -> Stage:
    cycle, _ = Cycle.objects.get_or_create(name="报告权限测试周期")
    stage, _ = Stage.objects.get_or_create(
        cycle=cycle, number=4, defaults={"name": "自查评估", "ends": datetime.date(2022, 3, 31)}
    )
    return stage


def _report(objs, status=ReportStatus.DONE) -> Report:
    stage = _stage(objs)
    found = Report.objects.filter(stage=stage, status=status).first()
    if found:
        return found
    version = Report.objects.filter(stage=stage).count() + 1
    report = Report.objects.create(
        cycle=stage.cycle,
        stage=stage,
        school_year=objs["school_year"],
        round=objs["round"],
        version=version,
        draft_revision=version,
        status=status,
        title="测试报告",
    )
    if status == ReportStatus.DONE:
        report.file.save(f"r{report.pk}.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        report.annex_file.save(f"r{report.pk}-annex.pdf", ContentFile(b"%PDF-1.7 annex"), save=False)
        report.save(update_fields=["file", "annex_file"])
    return report


ROUTES = {
    "reports:list": {"GET": READERS, "POST": NOBODY},
    "reports:stage": {"kwargs": lambda objs: {"pk": _stage(objs).pk}, "GET": READERS, "POST": NOBODY},
    "reports:draft": {
        "kwargs": lambda objs: {"pk": _stage(objs).pk},
        "data": lambda objs: {"summary": "摘要"},
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "reports:render": {
        "kwargs": lambda objs: {"pk": _stage(objs).pk},
        "data": lambda objs: {"round": objs["round"].pk},
        "GET": NOBODY,
        "POST": BUREAU,
    },
    "reports:status": {"kwargs": lambda objs: {"pk": _report(objs).pk}, "GET": READERS, "POST": NOBODY},
    "reports:download": {"kwargs": lambda objs: {"pk": _report(objs).pk}, "GET": READERS, "POST": NOBODY},
    "reports:annex": {"kwargs": lambda objs: {"pk": _report(objs).pk}, "GET": READERS, "POST": NOBODY},
    "reports:tables": {"kwargs": lambda objs: {"pk": _report(objs).pk}, "GET": READERS, "POST": NOBODY},
    "reports:retry": {
        "kwargs": lambda objs: {"pk": _report(objs, ReportStatus.FAILED).pk},
        "GET": NOBODY,
        "POST": BUREAU,
    },
}
