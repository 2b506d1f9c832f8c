"""Self-assessment reports (自评报告): the editable narrative of a stage's report and each rendered version.

A `Report` row is one rendering of one stage's report from one collection round's stored results with one revision
of the narrative. Its status moves queued → rendering → done | failed; a worker claims it with a conditional UPDATE
(`claim` names the process holding it, `lease_until` when that hold lapses) so a duplicated or redelivered task never
renders twice into one version. "Render again" makes a new version; old versions stay downloadable.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongqing.models import JobRow

NARRATIVE_FIELDS = ("issuer", "summary", "basic_facts", "measures", "problems", "next_steps", "findings_response")


class ReportDraft(models.Model):
    """The narrative of one stage's report, written by bureau staff; every number comes from stored results."""

    stage = models.OneToOneField("supervision.Stage", on_delete=models.CASCADE, related_name="report_draft")
    # Empty: the stage's default (stages 1–3 the leadership group's office, 4–5 the city government).
    issuer = models.CharField(
        _("发文单位"),
        max_length=100,
        blank=True,
        help_text=_("留空则第1—3阶段为领导小组办公室，第4—5阶段为市人民政府。"),
    )
    summary = models.TextField(_("摘要与结论"), blank=True)
    basic_facts = models.TextField(_("基本情况"), blank=True)
    measures = models.TextField(_("主要措施"), blank=True)
    problems = models.TextField(_("存在的问题和薄弱环节"), blank=True)
    next_steps = models.TextField(_("整改措施和下一步工作"), blank=True)
    findings_response = models.TextField(_("对评估反馈问题的总体回应"), blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("自评报告文稿")
        verbose_name_plural = _("自评报告文稿")

    def __str__(self):
        return f"{self.stage} r{self.revision}"

    def narrative(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in NARRATIVE_FIELDS}


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RENDERING = "rendering", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE = (ReportStatus.QUEUED, ReportStatus.RENDERING)


class Report(JobRow):
    cycle = models.ForeignKey("supervision.Cycle", on_delete=models.PROTECT, related_name="reports")
    stage = models.ForeignKey("supervision.Stage", on_delete=models.PROTECT, related_name="reports")
    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey("schools.CollectionRound", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("版本"))
    draft_revision = models.PositiveIntegerField(default=0)
    narrative = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    file = models.FileField(_("报告文件"), upload_to="reports/", blank=True)
    annex_file = models.FileField(_("附件文件"), upload_to="reports/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    annex_pages = models.PositiveIntegerField(null=True, blank=True)
    provisional = models.BooleanField(default=True)
    render_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "stage__number", "-version"]
        verbose_name = _("自评报告")
        verbose_name_plural = _("自评报告")
        constraints = [
            models.UniqueConstraint(fields=["stage", "round", "version"], name="one_report_version"),
            # While one render of a stage, round and narrative is queued or running, a second request returns it.
            models.UniqueConstraint(
                fields=["stage", "round", "draft_revision"],
                condition=models.Q(status__in=["queued", "rendering"]),
                name="one_active_render",
            ),
        ]

    def __str__(self):
        return f"{self.stage} v{self.version} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE
