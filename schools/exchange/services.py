"""Writes of the exchange: an import is all-or-nothing, in one transaction, through the return services."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongqing import audit
from schools import services
from schools.models import CollectionRound, ReturnStatus
from schools.quality.findings import Context

from .importer import Entry, ExchangeProblem, ImportFailed, Plan, locate, plan_import
from .reader import Table


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    classes: int = 0
    rooms: int = 0
    schools: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Only what the files held is counted: lists kept because their table was absent are not "imported".
    classes_given: bool = False
    rooms_given: bool = False
    skipped_submitted: int = 0
    skipped_approved: int = 0

    @property
    def skipped(self) -> int:
        return self.skipped_submitted + self.skipped_approved


def returns_import(*, user, round: CollectionRound, tables: list[Table], source: str, request=None) -> ImportResult:
    """Check every row of every table; write nothing unless all is well. Audited as `import` either way."""
    try:
        plan = plan_import(user=user, round=round, tables=tables)
        with transaction.atomic():
            result = _apply(plan, user=user, request=request)
            audit.record(
                action="import",
                user=user,
                request=request,
                obj=round,
                source=source,
                created=result.created,
                updated=result.updated,
                classes=result.classes,
                rooms=result.rooms,
                skipped=result.skipped,
                warnings=len(result.warnings),
            )
    except ImportFailed as exc:
        import_refused(user=user, round=round, source=source, messages=[str(p) for p in exc.problems], request=request)
        raise
    return result


def import_refused(*, user, round: CollectionRound, source: str, messages: list[str], request=None) -> None:
    """Audit an import that wrote nothing (bad rows, or a file refused before it was read)."""
    audit.record(
        action="import",
        user=user,
        request=request,
        obj=round,
        result="failed",
        source=source,
        errors=len(messages),
        first_errors=messages[:5],
    )


def _apply(plan: Plan, *, user, request) -> ImportResult:
    result = ImportResult(classes_given=plan.classes_title is not None, rooms_given=plan.rooms_title is not None)
    for skipped in plan.skipped:
        if skipped.status == ReturnStatus.APPROVED:
            result.skipped_approved += 1
        else:
            result.skipped_submitted += 1
    quality = Context()  # the rules and the county distribution, loaded once for every school of the file
    for entry in plan.entries:
        try:
            warnings = _save_entry(plan, entry, user=user, request=request, result=result, quality=quality)
        except services.ReturnConflict:
            raise ImportFailed([_changed_meanwhile(plan, entry)]) from None
        except services.ReturnInvalid as exc:
            raise ImportFailed(locate(plan, entry, exc.problems)) from None
        except (services.WorkflowError, IntegrityError):
            raise ImportFailed([_changed_meanwhile(plan, entry)]) from None
        result.schools.append(entry.school.name)
        result.warnings += [f"{entry.school.name}：{w.message}" for w in warnings]
        if result.classes_given:
            result.classes += len(entry.classes)
        if result.rooms_given:
            result.rooms += len(entry.rooms)
    return result


def _save_entry(plan: Plan, entry: Entry, *, user, request, result: ImportResult, quality: Context):
    if entry.current is None:
        ret = services.return_start(school=entry.school, round=plan.round, by=user, request=request)
        result.created += 1
    else:
        ret = entry.current
        result.updated += 1
    # The version read when the file was checked: anyone saving since then makes the import fail, not vanish.
    return services.return_save(
        school_return=ret,
        figures=entry.figures,
        classes=[c for _n, c in entry.classes],
        rooms=[r for _n, r in entry.rooms],
        expected_version=ret.version,
        by=user,
        request=request,
        quality_context=quality,
    )


def _changed_meanwhile(plan: Plan, entry: Entry) -> ExchangeProblem:
    return ExchangeProblem(
        plan.returns_title,
        _("%(school)s的填报在导入期间被他人修改，未导入任何数据。请重新下载后再上传。") % {"school": entry.school.name},
        row=entry.row,
    )
