"""Data-quality rules as data: left expression, operator, right expression, importance and scope, with history."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from schools.models import Location, SchoolKind


class Importance(models.TextChoices):
    ERROR = "error", _("错误（阻止保存和提交）")
    WARNING = "warning", _("提示（提交前须核实或说明）")


class Operator(models.TextChoices):
    LT = "<", "<"
    LE = "<=", "≤"
    GT = ">", ">"
    GE = ">=", "≥"
    EQ = "==", "="
    NE = "!=", "≠"


class RuleSection(models.TextChoices):
    ANY = "", _("不限学段")
    PRIMARY = "primary", _("有小学学段的学校")
    JUNIOR = "junior", _("有初中学段的学校")


class Rule(models.Model):
    """A return must satisfy `left operator right`; otherwise the rule raises a finding of its importance.

    Scope: `section` (the school has that section), `kinds` and `locations` (empty = every one). The expressions are
    checked by `schools.quality.expressions.parse` when the rule is saved.
    """

    code = models.SlugField(_("规则代码"), max_length=40, unique=True)
    label = models.CharField(_("规则名称"), max_length=80)
    left = models.CharField(_("左侧表达式"), max_length=300)
    operator = models.CharField(_("比较"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("右侧表达式"), max_length=300)
    importance = models.CharField(_("重要性"), max_length=10, choices=Importance.choices, default=Importance.WARNING)
    section = models.CharField(_("适用学段"), max_length=10, choices=RuleSection.choices, blank=True, default="")
    kinds = models.JSONField(_("适用办学类型"), default=list, blank=True)
    locations = models.JSONField(_("适用城乡类别"), default=list, blank=True)
    field = models.CharField(_("提示显示在"), max_length=40, blank=True, help_text=_("留空则显示在左侧第一个指标旁。"))
    note = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据质量规则")
        verbose_name_plural = _("数据质量规则")

    def __str__(self):
        return f"{self.code} {self.label}"

    def applies_to(self, kind: str, location: str, sections: tuple[str, ...]) -> bool:
        return (
            (not self.section or self.section in sections)
            and (not self.kinds or kind in self.kinds)
            and (not self.locations or location in self.locations)
        )

    @property
    def kind_labels(self) -> str:
        return "、".join(str(SchoolKind(k).label) for k in self.kinds if k in SchoolKind.values)

    @property
    def location_labels(self) -> str:
        return "、".join(str(Location(k).label) for k in self.locations if k in Location.values)
