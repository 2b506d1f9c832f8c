"""Satisfaction survey (社会认可度, S1): one survey per school year, its items per respondent group, the answers.

Nothing here identifies a respondent: a response holds its group, its answers and the day it came in. The one
response per device rule is kept by `DeviceReceipt`, a hash of the device's cookie token with no link to the
response (UUID keys on both, so neither insertion order nor a foreign key ties them together).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongqing.softdelete import AliveManager, AllObjectsManager, SoftDeletable


def new_public_token() -> str:
    return secrets.token_urlsafe(18)


class Survey(models.Model):
    school_year = models.OneToOneField(
        "schools.SchoolYear", on_delete=models.PROTECT, related_name="survey", verbose_name=_("学年")
    )
    title = models.CharField(_("问卷标题"), max_length=120)
    intro = models.TextField(_("问卷说明"), blank=True)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    closed = models.BooleanField(_("已提前结束"), default=False)
    token = models.CharField(max_length=40, unique=True, default=new_public_token, editable=False)
    public_base_url = models.URLField(
        _("公网问卷地址"),
        blank=True,
        help_text=_("单独部署的公网问卷服务器地址，例如 https://wj.example.gov.cn ；留空则使用本站地址。"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-school_year__year"]
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")

    def __str__(self):
        return self.title

    def is_open_on(self, day) -> bool:
        return not self.closed and self.opens_on <= day <= self.closes_on


class Question(models.Model):
    """One item of one group's questionnaire; answers and paper counts refer to it by `position` (from 1)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    group = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("题目"), max_length=300)

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "group", "position"], name="survey_question_unique_position")
        ]

    def __str__(self):
        return f"{self.group} {self.position}. {self.text}"


class ResponseSource(models.TextChoices):
    ONLINE = "online", _("在线填写")
    IMPORT = "import", _("导入")


class Response(models.Model):
    """One questionnaire: `answers[i]` is the level key chosen for item i + 1 (None = left blank)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    group = models.CharField(max_length=32)
    answers = models.JSONField()
    submitted_on = models.DateField()
    source = models.CharField(max_length=10, choices=ResponseSource.choices, default=ResponseSource.ONLINE)

    class Meta:
        indexes = [models.Index(fields=["survey", "group"])]

    def __str__(self):
        return f"{self.group} {self.id}"


class DeviceReceipt(models.Model):
    """A device has answered a survey: SHA-256 of the survey token and the device's cookie token, nothing else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="receipts")
    token_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "token_hash"], name="survey_receipt_once")]

    def __str__(self):
        return str(self.id)


class PaperTally(SoftDeletable):
    """A batch of paper questionnaires of one group, entered as counts: `counts[position][level]`."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="paper_tallies")
    group = models.CharField(max_length=32)
    label = models.CharField(_("批次说明"), max_length=120)
    forms = models.PositiveIntegerField(_("有效问卷份数"))
    counts = models.JSONField(default=dict)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    objects = AliveManager()
    all_objects = AllObjectsManager()

    class Meta:
        ordering = ["group", "entered_at"]
        verbose_name = _("纸质问卷汇总")
        verbose_name_plural = _("纸质问卷汇总")

    def __str__(self):
        return self.label
