"""Signals and hooks through which higher apps (supervision) take part without indicators importing them."""

from django.dispatch import Signal

# Sent after a recompute has committed. kwargs: round_id, school_year (int), data_version (int).
results_stored = Signal()

# Callables `provider(year: int)` returning the year's survey for S1 — an `indicators.domain.survey.SurveyAnswers`,
# a scored `indicators.domain.survey.SurveyResult`, or None when there is none. The first non-None answer is used.
SURVEY_PROVIDERS: list = []


def survey_for_year(year: int):
    for provider in SURVEY_PROVIDERS:
        found = provider(year)
        if found is not None:
            return found
    return None
