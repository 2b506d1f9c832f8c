"""Writes of the statistics return: the upload, the mapping, the import, the year's closing, the resolutions of
differences and the official round pre-filled from it. Each one transaction with its audit row."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import audit
from schools.models import CollectionRound, RoundKind, School, SchoolReturn, SchoolYear
from schools.services import return_start

from .mapping import AMOUNTS, Applied, apply_mapping, mapping_fits, scope
from .models import (
    PrefilledReturn,
    Resolution,
    ResolutionKind,
    StatisticsFormat,
    StatisticsSchool,
    StatisticsUpload,
    StatisticsYear,
)
from .reader import Sheet, signature


class ImportFailed(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


class ResolutionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _kinds(year: int) -> dict[str, str]:
    return dict(School.objects.open_in(year).values_list("code", "kind"))


def saved_format(sheets: list[Sheet]) -> StatisticsFormat | None:
    """The saved format of these sheets, if its mapping still fits them."""
    fmt = StatisticsFormat.objects.filter(signature=signature(sheets)).first()
    return fmt if fmt is not None and mapping_fits(fmt.mapping, sheets) else None


def statistics_upload(*, school_year: SchoolYear, sheets: list[Sheet], source: str, by, request=None):
    """Import at once with the saved mapping of this format, or keep the sheets for the mapping page.

    Returns ("imported", StatisticsYear) or ("pending", StatisticsUpload); raises ImportFailed (nothing stored).
    """
    fmt = saved_format(sheets)
    if fmt is not None:
        return "imported", statistics_import(
            school_year=school_year, sheets=sheets, mapping=fmt.mapping, fmt=fmt, source=source, by=by, request=request
        )
    with transaction.atomic():
        StatisticsUpload.objects.filter(created_by=by).delete()
        pending = StatisticsUpload.objects.create(
            school_year=school_year,
            source=source[:300],
            signature=signature(sheets),
            sheets=[s.to_json() for s in sheets],
            created_by=by,
        )
        audit.record(action="statistics.upload", user=by, request=request, obj=pending, source=source[:300])
    return "pending", pending


def statistics_import(
    *,
    school_year: SchoolYear,
    sheets: list[Sheet],
    mapping: dict,
    fmt: StatisticsFormat | None,
    source: str,
    by,
    request=None,
) -> StatisticsYear:
    """Replace the year's statistics figures with the file's, all or nothing."""
    applied = apply_mapping(sheets, mapping, _kinds(school_year.year))
    if applied.problems:
        audit.record(
            action="statistics.import",
            user=by,
            request=request,
            result="refused",
            source=source[:300],
            problems=applied.problems[:20],
        )
        raise ImportFailed(applied.problems)
    with transaction.atomic():
        stat_year, _created = StatisticsYear.objects.select_for_update().get_or_create(school_year=school_year)
        stat_year.format = fmt
        stat_year.source = source[:300]
        stat_year.imported_at = timezone.now()
        stat_year.imported_by = by
        stat_year.save(update_fields=["format", "source", "imported_at", "imported_by"])
        ids = dict(School.objects.filter(code__in=list(applied.figures)).values_list("code", "pk"))
        StatisticsSchool.objects.filter(stat_year=stat_year).delete()
        StatisticsSchool.objects.bulk_create(_rows(stat_year, applied, ids), batch_size=2000)
        audit.record(
            action="statistics.import",
            user=by,
            request=request,
            obj=stat_year,
            source=source[:300],
            schools=len(applied.figures),
            format=fmt.pk if fmt else None,
        )
    return stat_year


def _rows(stat_year: StatisticsYear, applied: Applied, ids: dict[str, int]) -> list[StatisticsSchool]:
    return [
        StatisticsSchool(
            stat_year=stat_year,
            school_id=ids[code],
            figures={k: str(v) for k, v in figures.items()},
            steps={k: str(v) for k, v in applied.steps.get(code, {}).items()},
            bands=applied.bands.get(code, {}),
        )
        for code, figures in applied.figures.items()
    ]


def statistics_map_and_import(*, pending: StatisticsUpload, mapping: dict, name: str, by, request=None):
    """Save the mapping of the pending upload's format (reused for the next file of that format), then import."""
    sheets = [Sheet.from_json(s) for s in pending.sheets]
    applied = apply_mapping(sheets, mapping, _kinds(pending.school_year.year))
    if applied.problems:
        raise ImportFailed(applied.problems)
    with transaction.atomic():
        fmt, _created = StatisticsFormat.objects.update_or_create(
            signature=pending.signature,
            defaults={
                "name": name[:100] or pending.source[:100],
                "sheets": [{"ident": s.ident, "key": s.key, "columns": [c.key for c in s.columns]} for s in sheets],
                "mapping": mapping,
                "updated_by": by,
            },
        )
        audit.record(action="statistics.mapping", user=by, request=request, obj=fmt, figures=sorted(mapping["figures"]))
        stat_year = statistics_import(
            school_year=pending.school_year,
            sheets=sheets,
            mapping=mapping,
            fmt=fmt,
            source=pending.source,
            by=by,
            request=request,
        )
        pending.delete()
    return stat_year


def statistics_year_close(*, stat_year: StatisticsYear, closed: bool, by, request=None) -> None:
    with transaction.atomic():
        stat_year.closed = closed
        stat_year.save(update_fields=["closed"])
        audit.record(action="statistics.close", user=by, request=request, obj=stat_year, closed=closed)


def resolution_save(
    *,
    stat_year: StatisticsYear,
    school: School,
    figure: str,
    kind: str,
    text: str,
    portal_value: str = "",
    statistics_value: str = "",
    by,
    request=None,
) -> Resolution:
    """Resolve one difference. "To correct in the statistics system" only while the province has not closed the
    year; "explained" needs the explanation."""
    if kind not in ResolutionKind.values:
        raise ResolutionRefused(_("请选择处理方式。"))
    if kind == ResolutionKind.STATISTICS and stat_year.closed:
        raise ResolutionRefused(_("该学年的统计数据已由省级关账，不能再在统计系统中更正；请在本系统更正或说明原因。"))
    text = text.strip()
    if kind == ResolutionKind.EXPLAINED and not text:
        raise ResolutionRefused(_("选择“说明原因”时请填写说明。"))
    with transaction.atomic():
        row, _created = Resolution.objects.update_or_create(
            stat_year=stat_year,
            school=school,
            figure=figure,
            defaults={
                "kind": kind,
                "text": text[:2000],
                "portal_value": portal_value[:40],
                "statistics_value": statistics_value[:40],
                "by": by,
            },
        )
        audit.record(
            action="statistics.resolve",
            user=by,
            request=request,
            obj=row,
            school=school.code,
            figure=figure,
            kind=kind,
            text=text[:200],
        )
    return row


def _portal_value(figure: str, value: Decimal):
    return value.quantize(Decimal("0.01")) if figure in AMOUNTS else int(value)


def official_round_prefill(*, round: CollectionRound, by, request=None) -> dict:
    """Start every school's return of the official round that has none from the statistics figures: the return
    is pre-filled as usual (last approved figures, class list and rooms), then every figure the statistics return
    holds is set from it and recorded as coming from there. Returns already started are left alone."""
    if round.kind != RoundKind.OFFICIAL:
        raise ResolutionRefused(_("只有正式批次可以从统计基表预填。"))
    stat_year = StatisticsYear.objects.filter(school_year=round.school_year_id).first()
    if stat_year is None:
        raise ResolutionRefused(_("该学年还没有导入统计基表。"))
    rows = list(StatisticsSchool.objects.filter(stat_year=stat_year).select_related("school", "school__township"))
    started = set(SchoolReturn.objects.filter(round=round).values_list("school_id", flat=True))
    created = 0
    with transaction.atomic():
        for row in rows:
            if row.school_id in started:
                continue
            ret = return_start(school=row.school, round=round, by=by, request=request)
            taken = {}
            for figure, raw in row.figures.items():
                target = scope(figure)
                if target in ("primary", "junior") and target not in row.school.sections:
                    continue
                value = _portal_value(figure, Decimal(raw))
                setattr(ret, figure, value)
                taken[figure] = str(value)
            ret._history_user = by
            ret.save(update_fields=[*taken, "updated_at"])
            PrefilledReturn.objects.create(school_return=ret, figures=taken)
            created += 1
        audit.record(
            action="statistics.prefill",
            user=by,
            request=request,
            obj=round,
            returns=created,
            skipped=len(rows) - created,
        )
    return {"created": created, "skipped": len(rows) - created}
