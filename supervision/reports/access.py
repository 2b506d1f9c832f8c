"""Who sees and changes self-assessment reports. Reports are county documents: the bureau and the leadership group read
and download them (downloads are audited); only bureau staff edit the narrative and request renders. Township
officials, department officers and API clients have no report pages (403). The auditor reads the audit log and nothing
else (issue 8, the role's definition): a report names every school, and the log already shows who downloaded what."""

from __future__ import annotations

from gongqing.refusals import get_in_scope
from gongqing.roles import BUREAU, COUNTY_OVERSIGHT, OVERSEERS

from .models import Report


def can_read(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in OVERSEERS)


def can_edit(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in BUREAU)


def reports_for(user):
    """Every report for a reader, and for the API client (read only, through the API); none for anybody else (a
    county document has no township scope)."""
    if not (user.is_authenticated and user.is_active and user.role in COUNTY_OVERSIGHT):
        return Report.objects.none()
    return Report.objects.all()


def report_for_user(*, user, pk: int) -> Report:
    """The report, or 404 for a user who may not read reports."""
    return get_in_scope(reports_for(user).select_related("cycle", "stage", "school_year", "round"), pk)
