from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "supervision.survey"
    label = "survey"
    verbose_name = "社会认可度调查"

    def ready(self):
        from indicators.signals import SURVEY_PROVIDERS

        from .selectors import survey_answers_for_year

        if survey_answers_for_year not in SURVEY_PROVIDERS:
            SURVEY_PROVIDERS.append(survey_answers_for_year)
