from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "schools.statistics"
    label = "statistics"
    verbose_name = "教育事业统计基表"

    def ready(self):
        from schools.quality.findings import EXTRA_CHECKS, STAT_SOURCES

        from .checks import changed_from_statistics_check, stat_source

        if stat_source not in STAT_SOURCES:
            STAT_SOURCES.append(stat_source)
        if changed_from_statistics_check not in EXTRA_CHECKS:
            EXTRA_CHECKS.append(changed_from_statistics_check)
