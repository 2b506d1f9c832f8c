"""The evidence binder (档案): one build of every indicator's evidence for a cycle and a round, as a zip with an index.

A `Binder` row is one version of one scope's binder: the county's (bureau and leadership), or a township's (its own
schools' files only). Its status moves queued → building → done | failed; a worker claims it with a conditional UPDATE
(`claim` names the process, `lease_until` when the hold lapses, gongqing.jobs) so a duplicated or redelivered task
never builds twice into one version. A new request while one is queued or building joins it; a request after makes
the next version, and old versions stay downloadable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongqing.models import JobRow

COUNTY = "county"


class BinderStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    BUILDING = "building", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE = (BinderStatus.QUEUED, BinderStatus.BUILDING)


def scope_key(township_id: int | None) -> str:
    """`county`, or `township:<pk>`: one key per scope, so the unique constraints need no nullable column."""
    return COUNTY if township_id is None else f"township:{township_id}"


class Binder(JobRow):
    cycle = models.ForeignKey("supervision.Cycle", on_delete=models.PROTECT, related_name="binders")
    round = models.ForeignKey("schools.CollectionRound", on_delete=models.PROTECT, related_name="+")
    # None: the county's binder; a township: its own schools' files only (no stage reports, no county documents).
    township = models.ForeignKey(
        "schools.Township", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇")
    )
    scope = models.CharField(max_length=30, default=COUNTY)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=12, choices=BinderStatus.choices, default=BinderStatus.QUEUED)
    file = models.FileField(_("档案文件"), upload_to="binders/", blank=True)
    index_file = models.FileField(_("目录文件"), upload_to="binders/", blank=True)
    files_count = models.PositiveIntegerField(_("文件数"), null=True, blank=True)
    missing_count = models.PositiveIntegerField(_("缺失文件数"), null=True, blank=True)
    bare_count = models.PositiveIntegerField(_("缺佐证材料的指标数"), null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("档案")
        verbose_name_plural = _("档案")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "round", "scope", "version"], name="one_binder_version"),
            # While one build of a cycle, round and scope is queued or running, a second request joins it.
            models.UniqueConstraint(
                fields=["cycle", "round", "scope"],
                condition=models.Q(status__in=["queued", "building"]),
                name="one_active_binder",
            ),
        ]

    def __str__(self):
        return f"{self.cycle_id}/{self.round_id}/{self.scope} v{self.version} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE
