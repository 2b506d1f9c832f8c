"""Reads of the survey: the raw answers in the pure scoring's shape, and the live tallies the bureau page shows.

Scoring is never done here: `indicators.domain.survey.score_survey` does it, with the year's standard.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.domain.standard import SurveyScoring
from indicators.domain.status import MET, NOT_MET
from indicators.domain.survey import GroupRate, SurveyAnswers, SurveyResponse, SurveyResult, score_survey
from indicators.domain.survey import PaperTally as PaperTallyInput
from indicators.loading import standard_for_year
from indicators.templatetags.indicator_tags import format_against

from .models import PaperTally, Question, Response, Survey

log = logging.getLogger(__name__)


def scoring_for_year(year: int) -> SurveyScoring:
    return standard_for_year(year).survey


def survey_groups(scoring: SurveyScoring) -> list[tuple[str, str]]:
    """(key, Chinese name) of every group of the scoring, in the standard's order."""
    return [(g, scoring.group_names_zh.get(g, g)) for g in scoring.groups]


def items_by_group(survey: Survey) -> dict[str, list[Question]]:
    out: dict[str, list[Question]] = {}
    for q in survey.questions.order_by("group", "position"):
        out.setdefault(q.group, []).append(q)
    return out


def _clean(answers, levels: frozenset[str]) -> tuple[str | None, ...]:
    return tuple(a if a in levels else None for a in answers)


def survey_answers(survey: Survey, scoring: SurveyScoring) -> SurveyAnswers:
    """Online (and imported) responses plus paper tallies; a level the scoring does not know counts as blank."""
    levels = frozenset(scoring.levels)
    responses = tuple(
        SurveyResponse(group, _clean(answers, levels))
        for group, answers in Response.objects.filter(survey=survey).values_list("group", "answers").iterator()
    )
    paper = tuple(
        PaperTallyInput(
            group,
            {item: {lv: int(n) for lv, n in by_level.items() if lv in levels} for item, by_level in counts.items()},
            forms,
        )
        for group, counts, forms in PaperTally.objects.filter(survey=survey).values_list("group", "counts", "forms")
    )
    return SurveyAnswers(responses=responses, paper=paper)


def survey_answers_for_year(year: int) -> SurveyAnswers | None:
    """The S1 provider (indicators.signals.SURVEY_PROVIDERS): the year's raw survey, or None without a survey."""
    survey = Survey.objects.filter(school_year__year=year).first()
    if survey is None:
        return None
    return survey_answers(survey, scoring_for_year(year))


def percent(rate: Decimal | None, threshold: Decimal | None = None) -> str:
    """0.8765 → "87.65%"; a rate just under the threshold never reads as the threshold itself."""
    if rate is None:
        return "—"
    limit = None if threshold is None else threshold * 100
    return format_against(rate * 100, limit, places=2) + "%"


STATUS_LABELS = {MET: "达标", NOT_MET: "未达标"}


@dataclass
class GroupTally:
    key: str
    name: str
    weight: Decimal
    rate: GroupRate
    short: bool
    rate_pct: str = "—"
    items: list[dict] = field(default_factory=list)


@dataclass
class Tally:
    survey: Survey
    scoring: SurveyScoring
    result: SurveyResult
    # The overall rate over the groups that have answers, ignoring the minimum sample: shown as a reference only.
    reference_rate: Decimal | None
    groups: list[GroupTally]
    levels: list[tuple[str, str]]
    online_total: int
    paper_total: int

    @property
    def rate_pct(self) -> str:
        return percent(self.result.rate, self.result.threshold)

    @property
    def threshold_pct(self) -> str:
        return percent(self.result.threshold)

    @property
    def reference_pct(self) -> str:
        return percent(self.reference_rate)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.result.status, "无数据")

    @property
    def short_names(self) -> list[str]:
        return [g.name for g in self.groups if g.key in self.result.short_groups]


def survey_tally(survey: Survey) -> Tally:
    scoring = scoring_for_year(survey.school_year.year)
    answers = survey_answers(survey, scoring)
    result = score_survey(answers, scoring)
    answered = {g for g, r in result.groups.items() if r.valid}
    reference = score_survey(
        answers,
        dataclasses.replace(
            scoring, min_valid_per_group=0, groups={g: w for g, w in scoring.groups.items() if g in answered}
        ),
    )
    counts = _item_level_counts(answers)
    items = items_by_group(survey)
    groups = []
    for key, name in survey_groups(scoring):
        rate = result.groups.get(key) or GroupRate(key, 0, None)
        rows = [
            {
                "position": q.position,
                "text": q.text,
                "levels": [counts.get((key, q.position - 1, lv), 0) for lv in scoring.levels],
            }
            for q in items.get(key, [])
        ]
        groups.append(
            GroupTally(
                key=key,
                name=name,
                weight=scoring.groups[key],
                rate=rate,
                short=scoring.groups[key] > 0 and rate.valid < scoring.min_valid_per_group,
                rate_pct=percent(rate.rate),
                items=rows,
            )
        )
    return Tally(
        survey=survey,
        scoring=scoring,
        result=result,
        reference_rate=reference.rate if result.rate is None else None,
        groups=groups,
        levels=[(lv, scoring.level_names_zh.get(lv, lv)) for lv in scoring.levels],
        online_total=len(answers.responses),
        paper_total=sum(t.forms or 0 for t in answers.paper),
    )


def _item_level_counts(answers: SurveyAnswers) -> dict[tuple[str, int, str], int]:
    """(group, item index from 0, level) → marks, online and paper together."""
    counts: dict[tuple[str, int, str], int] = {}
    for r in answers.responses:
        for i, level in enumerate(r.answers):
            if level is not None:
                counts[(r.group, i, level)] = counts.get((r.group, i, level), 0) + 1
    for t in answers.paper:
        for item, by_level in t.counts.items():
            if not str(item).isdigit():
                continue
            for level, n in by_level.items():
                key = (t.group, int(item) - 1, level)
                counts[key] = counts.get(key, 0) + n
    return counts


def paper_tallies(survey: Survey) -> list[PaperTally]:
    names = scoring_for_year(survey.school_year.year).group_names_zh
    tallies = list(survey.paper_tallies.select_related("entered_by"))
    for t in tallies:
        t.group_name = names.get(t.group, t.group)
    return tallies
