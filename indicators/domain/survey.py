"""S1, social recognition: scoring the satisfaction survey with the standard's rules.

Default rules of the national version (all of them data in `SurveyScoring`):
- each item is answered on five levels plus 不了解; 不了解 (and a blank) is left out;
- a response's satisfaction is the share of its answered items in the top three levels; a response with no
  answered item is not valid;
- a group's rate is the mean over its valid responses; the overall rate is the weighted mean of the group
  rates (equal weights by default); every weighted group needs `min_valid_per_group` (30) valid responses,
  otherwise the result is `no_data`.

Paper questionnaires arrive as counts per item and level, which no longer say which marks came from which
form, so a per-form share cannot be formed. Choice made here: a tally counts as `forms` valid responses,
each with the tally's pooled share Σ top-three marks ÷ Σ answered marks (over all its items). This equals
the mean of per-form shares whenever every form answered the same number of items (the usual case: 不了解
is rare), and otherwise weights forms by how many items they answered. Online responses and tallies of the
same group are then averaged together by their number of valid responses.

Rates are computed as exact fractions and compared exactly with the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .decimals import exact, to_decimal
from .standard import SurveyScoring
from .status import MET, NO_DATA, NOT_MET


@dataclass(frozen=True, slots=True)
class SurveyResponse:
    """One questionnaire: the level chosen for each item (a key of the standard's survey levels, None = blank)."""

    group: str
    answers: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class PaperTally:
    """Paper questionnaires of one group entered as counts: `counts[item][level]`.

    `forms` is the number of valid forms the counts come from; when None it is taken as the largest number of
    answered (not 不了解) marks on any one item. See `score_survey` for how tallies are scored.
    """

    group: str
    counts: dict[str, dict[str, int]]
    forms: int | None = None


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    """The raw survey: online responses and paper tallies, scored by the standard's survey rules."""

    responses: tuple[SurveyResponse, ...] = ()
    paper: tuple[PaperTally, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupRate:
    """One group's valid responses (online + paper forms) and its rate (None with no valid response)."""

    group: str
    valid: int
    rate: Decimal | None
    online: int = 0
    paper_forms: int = 0


@dataclass(frozen=True)
class SurveyResult:
    """The S1 result: overall rate, its status against the threshold, and the groups behind it.

    `method` is "scored" when computed here from answers and "given" when a rate was entered as such
    (e.g. the national inspection's own survey figure).
    """

    rate: Decimal | None
    status: str
    threshold: Decimal
    groups: dict[str, GroupRate] = field(default_factory=dict)
    short_groups: tuple[str, ...] = ()
    unknown_groups: tuple[str, ...] = ()
    method: str = "scored"

    @property
    def passed(self) -> bool | None:
        return True if self.status == MET else False if self.status == NOT_MET else None


def _to_decimal(f: Fraction) -> Decimal:
    return Decimal(f.numerator) / Decimal(f.denominator)


def _check_level(level: str | None, scoring: SurveyScoring) -> None:
    if level is not None and level not in scoring.levels:
        raise ValueError(f"unknown survey level {level!r}; expected one of {scoring.levels}")


def response_satisfaction(answers: Sequence[str | None], scoring: SurveyScoring) -> Fraction | None:
    """Share of answered items in the counted levels; None when nothing was answered (not a valid response)."""
    answered = counted = 0
    for level in answers:
        _check_level(level, scoring)
        if level is None or level in scoring.excluded_levels:
            continue
        answered += 1
        if level in scoring.counted_levels:
            counted += 1
    return Fraction(counted, answered) if answered else None


def tally_share(tally: PaperTally, scoring: SurveyScoring) -> tuple[int, Fraction | None]:
    """(valid forms, pooled share) of a paper tally; see the module docstring for why pooled."""
    answered = counted = widest = 0
    for levels in tally.counts.values():
        item_answered = 0
        for level, n in levels.items():
            _check_level(level, scoring)
            if n < 0:
                raise ValueError(f"negative count for {tally.group}/{level}")
            if level in scoring.excluded_levels:
                continue
            item_answered += n
            if level in scoring.counted_levels:
                counted += n
        answered += item_answered
        widest = max(widest, item_answered)
    forms = tally.forms if tally.forms is not None else widest
    if not answered or not forms:
        return 0, None
    return forms, Fraction(counted, answered)


@exact
def score_survey(answers: SurveyAnswers, scoring: SurveyScoring) -> SurveyResult:
    """Score the raw survey: group rates, the weighted overall rate and its status."""
    sums: dict[str, Fraction] = {}
    online: dict[str, int] = {}
    paper: dict[str, int] = {}
    for r in answers.responses:
        share = response_satisfaction(r.answers, scoring)
        if share is not None:
            sums[r.group] = sums.get(r.group, Fraction(0)) + share
            online[r.group] = online.get(r.group, 0) + 1
    for t in answers.paper:
        forms, share = tally_share(t, scoring)
        if share is not None:
            sums[t.group] = sums.get(t.group, Fraction(0)) + forms * share
            paper[t.group] = paper.get(t.group, 0) + forms

    groups: dict[str, GroupRate] = {}
    rates: dict[str, Fraction] = {}
    for g in dict.fromkeys([*scoring.groups, *sums]):
        valid = online.get(g, 0) + paper.get(g, 0)
        rate = sums[g] / valid if valid else None
        if rate is not None:
            rates[g] = rate
        groups[g] = GroupRate(g, valid, None if rate is None else _to_decimal(rate), online.get(g, 0), paper.get(g, 0))

    weighted = {g: w for g, w in scoring.groups.items() if w > 0}
    short = tuple(g for g in weighted if groups[g].valid < scoring.min_valid_per_group)
    unknown = tuple(g for g in sums if g not in scoring.groups)
    if short or not weighted:
        return SurveyResult(None, NO_DATA, scoring.threshold, groups, short, unknown)
    total_weight = sum((Fraction(w) for w in weighted.values()), Fraction(0))
    overall = sum((Fraction(w) * rates[g] for g, w in weighted.items()), Fraction(0)) / total_weight
    status = MET if overall >= Fraction(scoring.threshold) else NOT_MET
    return SurveyResult(_to_decimal(overall), status, scoring.threshold, groups, (), unknown)


def given_survey_result(rate: Decimal | str | int | None, scoring: SurveyScoring) -> SurveyResult:
    """A rate entered as such (a fraction, 0.85 = 85 %), judged against the threshold; None → no data."""
    value = to_decimal(rate)
    if value is None:
        return SurveyResult(None, NO_DATA, scoring.threshold, method="given")
    return SurveyResult(value, MET if value >= scoring.threshold else NOT_MET, scoring.threshold, method="given")


def survey_response(group: str, *answers: str | None) -> SurveyResponse:
    """Shorthand for building a response in code and tests."""
    return SurveyResponse(group, tuple(answers))
