from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "supervision.survey"
    label = "survey"
    verbose_name = "社会认可度调查"
