"""The statistics return (教育事业统计基层报表, 基表): saved column mappings per export format, each school year's
imported figures, the resolutions of differences with the portal, and the returns pre-filled from it.

Figures are stored as JSON of decimal strings keyed by the portal's field names (schools.models.FIGURE_FIELDS),
already converted to the portal's units (万元 → 元); `steps` holds, per figure, the statistics unit's rounding in
portal units (0.01 万元 = 100 元), below which a difference is not one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.models import School, SchoolReturn, SchoolYear


class StatisticsFormat(models.Model):
    """A saved mapping of one export format's columns to the portal's figures, found again by `signature`."""

    signature = models.CharField(_("格式标识"), max_length=64, unique=True)
    name = models.CharField(_("格式名称"), max_length=100)
    sheets = models.JSONField(_("工作表与列"), default=list)
    mapping = models.JSONField(_("对应关系"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("基表格式")
        verbose_name_plural = _("基表格式")

    def __str__(self):
        return self.name


class StatisticsUpload(models.Model):
    """A checked and parsed export waiting for its mapping (the first time a format is seen)."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("文件"), max_length=300)
    signature = models.CharField(max_length=64)
    sheets = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("待对应的基表文件")
        verbose_name_plural = _("待对应的基表文件")

    def __str__(self):
        return self.source


class StatisticsYear(models.Model):
    """One school year's statistics return: where it came from, and whether the province has closed it."""

    school_year = models.OneToOneField(
        SchoolYear, on_delete=models.PROTECT, related_name="statistics", verbose_name=_("学年")
    )
    closed = models.BooleanField(_("省级已关账（统计系统不能再修改）"), default=False)
    format = models.ForeignKey(StatisticsFormat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("文件"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-school_year__year"]
        verbose_name = _("统计基表学年")
        verbose_name_plural = _("统计基表学年")

    def __str__(self):
        return str(self.school_year)


class StatisticsSchool(models.Model):
    """One school's figures in one year's statistics return."""

    stat_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField(default=dict)
    steps = models.JSONField(default=dict)
    bands = models.JSONField(default=dict)  # {section: [[label, low, high, classes], ...]}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stat_year", "school"], name="one_statistics_row_per_school")]

    def __str__(self):
        return f"{self.stat_year_id}/{self.school_id}"


class ResolutionKind(models.TextChoices):
    PORTAL = "portal", _("已在本系统更正")
    STATISTICS = "statistics", _("将在统计系统更正")
    EXPLAINED = "explained", _("已说明原因")


class Resolution(models.Model):
    """How one difference between the portal and the statistics return is resolved."""

    stat_year = models.ForeignKey(StatisticsYear, on_delete=models.CASCADE, related_name="resolutions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    figure = models.CharField(_("数据项"), max_length=60)
    kind = models.CharField(_("处理方式"), max_length=12, choices=ResolutionKind.choices)
    text = models.TextField(_("说明"), blank=True)
    portal_value = models.CharField(max_length=40, blank=True)
    statistics_value = models.CharField(max_length=40, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("差异处理")
        verbose_name_plural = _("差异处理")
        constraints = [
            models.UniqueConstraint(fields=["stat_year", "school", "figure"], name="one_resolution_per_difference")
        ]

    def __str__(self):
        return f"{self.figure}: {self.get_kind_display()}"


class PrefilledReturn(models.Model):
    """A return of the official round started from the statistics return: the values it was given."""

    school_return = models.OneToOneField(SchoolReturn, on_delete=models.CASCADE, related_name="statistics_prefill")
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.school_return_id}"
