"""Responsible bodies (departments and townships) and their officers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    DEPARTMENT = "department", _("市直部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    GROUP = "group", _("领导小组")


class Body(models.Model):
    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=BodyKind.choices)
    township = models.OneToOneField(
        "schools.Township", null=True, blank=True, on_delete=models.PROTECT, related_name="body"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "code"]
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")

    def __str__(self):
        return self.name


class BodyMembership(models.Model):
    """A department officer's scope: the one body they act for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="body_membership")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships")

    def __str__(self):
        return f"{self.user} @ {self.body}"
