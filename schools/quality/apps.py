from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Data quality of school returns: rules as data, change checks and county outliers, read as Findings."""

    name = "schools.quality"
    label = "quality"
    verbose_name = "数据质量"
