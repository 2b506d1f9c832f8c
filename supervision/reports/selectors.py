"""Reads of the reports pages: the stages of a cycle with their draft and versions, the default round of a report."""

from __future__ import annotations

from dataclasses import dataclass, field

from indicators.models import EvaluationState
from schools.models import CollectionRound, SchoolYear
from supervision.models import Cycle, Stage

from .models import Report, ReportDraft


def default_round(*, year: int | None = None) -> CollectionRound | None:
    """The round a report's figures come from by default: of the given (else the latest) school year with stored
    results, its latest round whose collection is closed (approved figures), else its latest round with results."""
    states = EvaluationState.objects.filter(computed_version__gt=0).select_related("round", "round__school_year")
    if year is not None:
        states = states.filter(round__school_year__year=year)
    states = list(states.order_by("-round__school_year__year", "-round__as_of", "-round__pk"))
    if not states:
        return None
    latest_year = states[0].round.school_year_id
    of_year = [s.round for s in states if s.round.school_year_id == latest_year]
    closed = [r for r in of_year if not r.is_open]
    return (closed or of_year)[0]


def resolve_round(*, year: int | None, round_id: int | None) -> CollectionRound | None:
    if round_id is not None:
        qs = CollectionRound.objects.select_related("school_year").filter(pk=round_id)
        if year is not None:
            qs = qs.filter(school_year__year=year)
        return qs.first()
    return default_round(year=year)


def rounds_with_results():
    return (
        CollectionRound.objects.filter(evaluation__computed_version__gt=0)
        .select_related("school_year")
        .order_by("-school_year__year", "-as_of", "-pk")
    )


@dataclass
class StageRow:
    stage: Stage
    draft: ReportDraft | None
    reports: list[Report] = field(default_factory=list)

    @property
    def latest(self) -> Report | None:
        return self.reports[0] if self.reports else None


def stage_rows(*, cycle: Cycle) -> list[StageRow]:
    """Each stage of the cycle with its draft and its reports, newest first (three queries)."""
    stages = list(cycle.stages.all())
    drafts = {d.stage_id: d for d in ReportDraft.objects.filter(stage__cycle=cycle)}
    rows = {s.pk: StageRow(s, drafts.get(s.pk)) for s in stages}
    for report in (
        Report.objects.filter(cycle=cycle)
        .select_related("round", "round__school_year", "school_year", "requested_by")
        .order_by("-requested_at", "-pk")
    ):
        rows[report.stage_id].reports.append(report)
    return list(rows.values())


def stage_reports(*, stage: Stage):
    return (
        Report.objects.filter(stage=stage)
        .select_related("round", "round__school_year", "school_year", "requested_by")
        .order_by("-requested_at", "-pk")
    )


def latest_reports(*, limit: int = 3):
    return list(Report.objects.select_related("stage", "cycle").order_by("-requested_at", "-pk")[:limit])


def school_years():
    return SchoolYear.objects.all()
