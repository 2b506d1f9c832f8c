"""Reads of the reports: the stages of a cycle with their draft and versions, the round each stage's report rests on,
and `report_data`, every row one report shows (a fixed number of queries whatever the number of schools)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from indicators import loading
from indicators.domain.status import MISSED
from indicators.models import CountyEntry, EvaluationState, Evidence, SchoolResult, SectionCV, SectionVerdict
from indicators.selectors import result_document, summary_document
from indicators.services import indicator_names
from schools.models import CollectionRound, CountyProfile, School, SchoolReturn, SchoolYear, Township
from supervision.models import (
    Cycle,
    EvidenceFile,
    Finding,
    Measure,
    ProgressUpdate,
    Project,
    RectificationItem,
    Stage,
)
from supervision.selectors import ASSIGNMENTS, MEASURE_ASSIGNMENTS

from .models import Report, ReportDraft

R_CODES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")


def _rounds_with_results():
    return CollectionRound.objects.filter(evaluation__computed_version__gt=0).select_related("school_year")


def default_round(*, year: int | None = None) -> CollectionRound | None:
    """The round of a school year's figures: of the given (else the latest) school year with stored results, its
    latest round whose collection is closed (approved figures), else its latest round with results."""
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


def stage_round(*, stage: Stage, today: datetime.date | None = None) -> CollectionRound | None:
    """The round a stage's report rests on by default (PLAN.md): the latest closed round (no longer open for entry)
    whose as-of date is on or before the stage's end date; for a stage not yet ended, the latest closed round; with
    no closed round, the latest round (its report is provisional). Only rounds with stored results count."""
    today = today or timezone.localdate()
    rounds = list(_rounds_with_results().order_by("-as_of", "-pk"))
    ended = stage.ends < today
    in_time = [r for r in rounds if not ended or r.as_of <= stage.ends]
    for candidates in ([r for r in in_time if not r.is_open], in_time, [r for r in rounds if not r.is_open], rounds):
        if candidates:
            return candidates[0]
    return None


def resolve_round(*, year: int | None, round_id: int | None, stage: Stage | None = None) -> CollectionRound | None:
    """The round named by id (of `year` when given), else the default of `year`, else the stage's round."""
    if round_id is not None:
        qs = CollectionRound.objects.select_related("school_year").filter(pk=round_id)
        if year is not None:
            qs = qs.filter(school_year__year=year)
        return qs.first()
    if year is None and stage is not None:
        return stage_round(stage=stage)
    return default_round(year=year)


def rounds_with_results():
    return _rounds_with_results().order_by("-school_year__year", "-as_of", "-pk")


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


def stage_draft(*, stage: Stage) -> ReportDraft | None:
    return ReportDraft.objects.filter(stage=stage).first()


def latest_reports(*, limit: int = 3):
    return list(Report.objects.select_related("stage", "cycle").order_by("-requested_at", "-pk")[:limit])


def school_years():
    return SchoolYear.objects.all()


# --- What one report shows ------------------------------------------------------------------------------------------


@dataclass
class SurveyRows:
    title: str
    online: int
    paper: int
    groups: list[tuple[str, int, bool]]  # (group name, valid answers, short of the minimum)


@dataclass
class ReportData:
    """Every row one stage's report is built from, read once; `context.build` turns it into the report's content
    without touching the database (related rows are selected or prefetched here)."""

    stage: Stage
    round: CollectionRound
    state: EvaluationState | None
    county: CountyProfile
    townships: list[str]
    names: dict[str, str]
    schools: list[School]
    returns: dict[int, SchoolReturn]
    verdicts: list[SectionVerdict]
    results: list[SchoolResult]
    gap_results: list[SchoolResult]
    cvs: list[SectionCV]
    measures: list[Measure]
    projects: list[Project]
    items: list[RectificationItem]
    findings: list[Finding]
    county_notes: dict[str, str]
    county_evidence: list[tuple[str, str, Any]]  # (code, file name, uploaded at)
    evidence_files: list[tuple[str, str, Any]]  # (what it is about, file name, uploaded at)
    survey: SurveyRows | None
    today: datetime.date


def _survey_rows(school_year: SchoolYear) -> SurveyRows | None:
    try:
        from supervision.survey.models import Survey
        from supervision.survey.selectors import survey_tally
    except ImportError:  # pragma: no cover - the survey sub-app is always installed with supervision
        return None
    survey = Survey.objects.filter(school_year=school_year).first()
    if survey is None:
        return None
    tally = survey_tally(survey)
    groups = [(g.name, g.rate.valid, g.short) for g in tally.groups]
    return SurveyRows(survey.title, tally.online_total, tally.paper_total, groups)


def _evidence_files() -> list[tuple[str, str, Any]]:
    rows = []
    for f in EvidenceFile.objects.select_related("update", "update__measure", "update__item").order_by("pk"):
        about = f.update.measure or f.update.item
        rows.append((str(about)[:60] if about else "", f.name, f.uploaded_at))
    return rows


def _with_whole_result(state: EvaluationState | None) -> EvaluationState | None:
    """The state with its whole result document and summary (the items' checks by school and the county's blocking
    findings and sentences are stored in runs of their own)."""
    if state is not None:
        state.result = result_document(state)
        state.summary = summary_document(state)
    return state


def report_data(*, stage: Stage, round: CollectionRound, today: datetime.date | None = None) -> ReportData:
    """The rows of one stage's report from one round's stored results and the supervision records."""
    rnd = round
    year = rnd.school_year
    recent = Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-created_at", "-pk"), to_attr="recent")
    return ReportData(
        stage=stage,
        round=rnd,
        state=_with_whole_result(EvaluationState.objects.filter(round=rnd).first()),
        county=CountyProfile.get(),
        townships=list(Township.objects.order_by("order", "code").values_list("name", flat=True)),
        names=indicator_names(school_year=year),
        schools=list(School.objects.open_in(year.year).select_related("township").order_by("township__order", "code")),
        returns=loading.round_returns(round=rnd),
        verdicts=list(
            SectionVerdict.objects.filter(round=rnd)
            .select_related("school", "school__township")
            .order_by("school__township__order", "school__code", "section")
        ),
        results=list(SchoolResult.objects.filter(round=rnd, code__in=R_CODES)),
        gap_results=list(
            SchoolResult.objects.filter(round=rnd, status__in=MISSED)
            .select_related("school")
            .order_by("school__township__order", "school__code", "section", "code")
        ),
        cvs=list(SectionCV.objects.filter(round=rnd)),
        measures=list(
            Measure.objects.filter(cycle=stage.cycle)
            .select_related("stage")
            .prefetch_related(MEASURE_ASSIGNMENTS, recent)
        ),
        projects=list(Project.objects.select_related("school").order_by("planned_completion", "pk")),
        items=list(
            RectificationItem.objects.select_related("school", "stage")
            .prefetch_related(ASSIGNMENTS)
            .order_by("due_date", "pk")
        ),
        findings=list(
            Finding.objects.select_related("review").prefetch_related("items").order_by("review__held_on", "pk")
        ),
        county_notes={
            e.code: e.note for e in CountyEntry.objects.filter(school_year=year).only("code", "note") if e.note
        },
        county_evidence=[
            (ev.entry.code, ev.name, ev.uploaded_at)
            for ev in Evidence.objects.filter(entry__school_year=year).select_related("entry")
        ],
        evidence_files=_evidence_files(),
        survey=_survey_rows(year),
        today=today or timezone.localdate(),
    )
