from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "schools.statistics"
    label = "statistics"
    verbose_name = "教育事业统计基表"
