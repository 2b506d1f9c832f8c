"""What people attach to a return's figures: files (附件), explanations of warnings (说明) and the reviewer's marks on a
figure (跟进, 退回意见). Each keeps its history; every write is audited (services.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from schools.models import SchoolReturn


class ReturnAttachment(models.Model):
    """A file the township attaches to a return (e.g. 购置依据), optionally about one figure (its exchange name)."""

    school_return = models.ForeignKey(SchoolReturn, on_delete=models.CASCADE, related_name="attachments")
    field = models.CharField(_("相关数据项"), max_length=40, blank=True)
    title = models.CharField(_("说明"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to="attachments/returns/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("填报附件")
        verbose_name_plural = _("填报附件")

    def __str__(self):
        return self.name


class ExplanationStatus(models.TextChoices):
    WRITTEN = "written", _("待审核")
    ACCEPTED = "accepted", _("已接受")
    SENT_BACK = "sent_back", _("已退回")


class Explanation(models.Model):
    """The township's written explanation of one warning (a rule on a figure) of a return."""

    school_return = models.ForeignKey(SchoolReturn, on_delete=models.CASCADE, related_name="explanations")
    rule_code = models.CharField(_("规则"), max_length=60)
    field = models.CharField(_("数据项"), max_length=40, blank=True)
    text = models.TextField(_("说明"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExplanationStatus.choices, default=ExplanationStatus.WRITTEN
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(_("填写时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["field", "rule_code"]
        verbose_name = _("数据说明")
        verbose_name_plural = _("数据说明")
        constraints = [
            models.UniqueConstraint(fields=["school_return", "rule_code", "field"], name="one_explanation_per_warning")
        ]

    def __str__(self):
        return f"{self.rule_code} {self.field}"


class FlagKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("跟进")
    SENT_BACK = "sent_back", _("退回意见")


class FigureFlag(models.Model):
    """A reviewer's mark on one figure of a return: to follow up (跟进), or the comment it was sent back with.
    Open until resolved (a follow-up cleared, a sent-back figure's return submitted again)."""

    school_return = models.ForeignKey(SchoolReturn, on_delete=models.CASCADE, related_name="figure_flags")
    field = models.CharField(_("数据项"), max_length=40)
    kind = models.CharField(_("类型"), max_length=10, choices=FlagKind.choices)
    comment = models.TextField(_("意见"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("标记时间"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("数据标记")
        verbose_name_plural = _("数据标记")

    def __str__(self):
        return f"{self.get_kind_display()} {self.field}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
