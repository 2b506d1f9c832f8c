"""Responsible bodies and their officers; the plan's cycles, stages and measures; the rectification ledger with its
progress and evidence; projects; review findings; the routing of indicators to bodies; the overdue-notice log."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongqing.softdelete import AliveManager, AllObjectsManager, SoftDeletable


class BodyKind(models.TextChoices):
    DEPARTMENT = "department", _("市直部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    GROUP = "group", _("领导小组")
    OFFICE = "office", _("领导小组办公室")
    SCHOOLS = "schools", _("学校")
    MEDIA = "media", _("新闻媒体")


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


class Cycle(models.Model):
    """A run of the plan (the published 2020–2022 one, a re-evaluation...) with its dated stages."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    is_current = models.BooleanField(_("当前周期"), default=False)
    read_only = models.BooleanField(_("只读（已归档）"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-is_current", "name"]
        verbose_name = _("工作周期")
        verbose_name_plural = _("工作周期")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_cycle"
            )
        ]

    def __str__(self):
        return self.name


class Stage(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("阶段"), max_length=40)
    starts = models.DateField(_("开始"), null=True, blank=True)
    ends = models.DateField(_("结束"))

    class Meta:
        ordering = ["cycle", "number"]
        verbose_name = _("工作阶段")
        verbose_name_plural = _("工作阶段")
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="one_stage_number_per_cycle")]

    def __str__(self):
        return f"{self.number}. {self.name}"


class WorkStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待验收")
    ACCEPTED = "accepted", _("已验收")
    SENT_BACK = "sent_back", _("退回整改")


class BodyRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    COOPERATING = "cooperating", _("配合")


class WorkFields(models.Model):
    """What people change on a measure or an item: the work status, percent done, when done and accepted.

    Measures and items are two kinds of the same work; `URL_NAME` names each kind's page."""

    URL_NAME = ""

    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("工作阶段"))
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    work_status = models.CharField(
        _("工作状态"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    done_at = models.DateTimeField(_("报完成时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    review_comment = models.TextField(_("验收意见"), blank=True)

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(self.URL_NAME, kwargs={"pk": self.pk})


class Assignment(models.Model):
    """A body's part (lead or cooperating) in a measure or an item; `OWNER` names the field of the work."""

    OWNER = ""
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="%(class)s_rows")
    role = models.CharField(_("职责"), max_length=12, choices=BodyRole.choices)

    class Meta:
        abstract = True
        ordering = ["-role", "body__kind", "body__order"]

    def __str__(self):
        return f"{getattr(self, self.OWNER + '_id')}/{self.body_id}/{self.role}"


class Measure(WorkFields):
    """A line of the plan (主要措施) in one cycle."""

    URL_NAME = "supervision:measure"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="measures")
    ref = models.CharField(_("编号"), max_length=10)
    title = models.CharField(_("措施"), max_length=300)
    bodies = models.ManyToManyField(Body, through="MeasureBody", related_name="measures")
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "ref"]
        verbose_name = _("主要措施")
        verbose_name_plural = _("主要措施")
        constraints = [models.UniqueConstraint(fields=["cycle", "ref"], name="one_measure_ref_per_cycle")]

    def __str__(self):
        return f"{self.ref} {self.title}"


class MeasureBody(Assignment):
    OWNER = "measure"
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="assignments")

    class Meta(Assignment.Meta):
        constraints = [models.UniqueConstraint(fields=["measure", "body"], name="one_role_per_measure_body")]


class RoutingRule(models.Model):
    """Which bodies fix a failing indicator: `bodies` lists body codes, the first the lead; "@township" is the
    failing school's township."""

    code = models.CharField(_("指标"), max_length=8, unique=True)
    measure = models.CharField(_("对应措施"), max_length=20, blank=True)
    bodies = models.JSONField(_("责任单位"), default=list)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("指标责任分工")
        verbose_name_plural = _("指标责任分工")

    def __str__(self):
        return self.code


class ItemKind(models.TextChoices):
    SCHOOL = "school", _("学校指标")
    CV = "cv", _("差异系数")
    COUNTY = "county", _("县级指标")
    MANUAL = "manual", _("手工添加")


class IndicatorStatus(models.TextChoices):
    FAILING = "failing", _("未达标")
    WITHIN_TOLERANCE = "within_tolerance", _("未达标（85%以内，预警）")
    PASSING = "passing", _("已达标")
    NO_DATA = "no_data", _("无数据")
    NONE = "", _("—")


class ItemState(models.TextChoices):
    OPEN = "open", _("整改中")
    AWAITING_DATA = "awaiting_data", _("已完成，待数据体现")
    CLOSED = "closed", _("已销号")


class ClosedReason(models.TextChoices):
    NONE = "", ""
    RECTIFIED = "rectified", _("整改完成")
    WITHOUT_RECTIFICATION = "passed_without_rectification", _("未经整改即达标")


class RectificationItem(SoftDeletable, WorkFields):
    """One line of the ledger (整改台账): work to close one failing indicator.

    `key` identifies what it is about across years — school:<school pk>:<section>:<code>, cv:<section>:<code>,
    county:<code>, manual:<uuid> — so a failing figure the year after reopens the same item.
    The indicator fields are written only by the ledger sync; the work fields only by people.
    """

    URL_NAME = "supervision:item"

    key = models.CharField(max_length=80, db_index=True)  # unique among live items (constraint below)
    kind = models.CharField(_("类别"), max_length=10, choices=ItemKind.choices)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="rectification_items"
    )
    section = models.CharField(_("学段"), max_length=10, blank=True)
    code = models.CharField(_("指标"), max_length=8, blank=True)
    title = models.CharField(_("整改事项"), max_length=200)
    target = models.CharField(_("整改目标"), max_length=300, blank=True)
    bodies = models.ManyToManyField(Body, through="ItemBody", related_name="items")
    state = models.CharField(_("台账状态"), max_length=16, choices=ItemState.choices, default=ItemState.OPEN)
    closed_reason = models.CharField(_("销号方式"), max_length=32, choices=ClosedReason.choices, blank=True)
    indicator_status = models.CharField(
        _("指标状态"), max_length=20, choices=IndicatorStatus.choices, blank=True, default=""
    )
    within_tolerance = models.BooleanField(_("85%以内（预警）"), default=False)
    value = models.DecimalField(_("最新值"), max_digits=20, decimal_places=6, null=True, blank=True)
    threshold = models.DecimalField(_("标准"), max_digits=20, decimal_places=6, null=True, blank=True)
    gap = models.DecimalField(_("缺口"), max_digits=20, decimal_places=6, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=12, blank=True)
    source_round = models.ForeignKey(
        "schools.CollectionRound", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField(_("同步时间"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    assignment_note = models.CharField(_("责任分工调整"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # An item's history is read by the item (`id`), newest first (`history_date`); the copies of the item's other
    # indexes cost the ledger sync's history rows more than they serve: a first sync at 10,000 schools writes 29,000,
    # 0.46-0.48 s with the twelve indexes, 0.16-0.19 s with the four kept.
    history = HistoricalRecords(
        excluded_fields=["synced_at"],
        no_db_index=["source_round", "created_by", "deleted_at", "deleted_by", "key", "school", "stage"],
    )

    objects = AliveManager()
    all_objects = AllObjectsManager()

    class Meta:
        ordering = ["state", "due_date", "pk"]
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改台账")
        indexes = [models.Index(fields=["state", "due_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(deleted_at__isnull=True), name="one_live_item_per_key"
            )
        ]

    def __str__(self):
        return self.title


class ItemBody(Assignment):
    OWNER = "item"
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="assignments")

    class Meta(Assignment.Meta):
        constraints = [models.UniqueConstraint(fields=["item", "body"], name="one_role_per_item_body")]


class PlanTarget(models.Model):
    """A target of the city plan that is not an indicator of the standard (GLOSSARY's T1, T2), with its threshold as
    data: T1 (school land per pupil) has none until the bureau enters the provincial construction standard's figure."""

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    threshold = models.DecimalField(_("标准"), max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("实施方案目标")
        verbose_name_plural = _("实施方案目标")

    def __str__(self):
        return f"{self.code} {self.name}"


class AssessmentMethod(models.Model):
    """The weights of the annual assessment (5.3), as data: what a piece of work is worth to its lead and to each
    cooperating body, and the share (%) it earns in each state at the end of the year. One row is used (the first)."""

    name = models.CharField(_("名称"), max_length=60, default="默认方法")
    lead_weight = models.DecimalField(_("牵头权重"), max_digits=5, decimal_places=2, default=1)
    cooperating_weight = models.DecimalField(_("配合权重"), max_digits=5, decimal_places=2, default=0.5)
    accepted_on_time = models.DecimalField(_("按期验收（%）"), max_digits=5, decimal_places=2, default=100)
    accepted_late = models.DecimalField(_("逾期验收（%）"), max_digits=5, decimal_places=2, default=60)
    awaiting_on_time = models.DecimalField(_("按期报完成待验收（%）"), max_digits=5, decimal_places=2, default=80)
    awaiting_late = models.DecimalField(_("逾期报完成待验收（%）"), max_digits=5, decimal_places=2, default=40)
    open_not_due = models.DecimalField(_("推进中未到期（%）"), max_digits=5, decimal_places=2, default=50)
    open_overdue = models.DecimalField(_("推进中已逾期（%）"), max_digits=5, decimal_places=2, default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("督导考核方法")
        verbose_name_plural = _("督导考核方法")

    def __str__(self):
        return self.name


class ProgressUpdate(models.Model):
    """A progress report on a measure or an item by one of its bodies (or the bureau)."""

    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="updates")
    item = models.ForeignKey(RectificationItem, null=True, blank=True, on_delete=models.CASCADE, related_name="updates")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(measure__isnull=False, item__isnull=True)
                | models.Q(measure__isnull=True, item__isnull=False),
                name="update_on_a_measure_or_an_item",
            )
        ]

    def __str__(self):
        return self.text[:40]


class EvidenceFile(models.Model):
    """A file backing a progress update; served only through a permission-checked view."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="evidence/supervision/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.name


class ProjectKind(models.TextChoices):
    NEW_SCHOOL = "new_school", _("新建学校")
    EXTENSION = "extension", _("改扩建")
    SPORTS_GROUND = "sports_ground", _("体育运动场馆")
    ROOMS = "rooms", _("功能室")
    EQUIPMENT = "equipment", _("仪器设备")
    HIRING = "hiring", _("教师招聘")


class Project(models.Model):
    """Building or equipping work (建设项目) that closes ledger items."""

    # what it adds and what it costs by source: the figures its form and the API carry, in this order
    FIGURES = ("places", "area_m2", "rooms", "teachers", "budget_city", "budget_provincial", "budget_rewards")

    name = models.CharField(_("项目名称"), max_length=120)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=ProjectKind.choices)
    places = models.PositiveIntegerField(_("新增学位"), null=True, blank=True)
    area_m2 = models.DecimalField(_("面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True)
    rooms = models.PositiveIntegerField(_("功能室（间）"), null=True, blank=True)
    teachers = models.PositiveIntegerField(_("教师（人）"), null=True, blank=True)
    budget_city = models.DecimalField(_("市级资金（元）"), max_digits=14, decimal_places=2, default=0)
    budget_provincial = models.DecimalField(_("省级资金（元）"), max_digits=14, decimal_places=2, default=0)
    budget_rewards = models.DecimalField(_("奖补资金（元）"), max_digits=14, decimal_places=2, default=0)
    planned_completion = models.DateField(_("计划完成"), null=True, blank=True)
    actual_completion = models.DateField(_("实际完成"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("工程进度（%）"), default=0)
    note = models.TextField(_("说明"), blank=True)
    items = models.ManyToManyField(RectificationItem, blank=True, related_name="projects", verbose_name=_("整改任务"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_completion", "pk"]
        verbose_name = _("建设项目")
        verbose_name_plural = _("建设项目")

    def __str__(self):
        return self.name

    @property
    def budget_total(self):
        return self.budget_city + self.budget_provincial + self.budget_rewards


class ReviewLevel(models.TextChoices):
    CITY = "city", _("市级")
    PROVINCIAL = "provincial", _("省级")
    NATIONAL = "national", _("国家级")


class Review(models.Model):
    """An external review (外部评估) by the city, the province or the nation."""

    level = models.CharField(_("级别"), max_length=12, choices=ReviewLevel.choices)
    held_on = models.DateField(_("日期"))
    reviewer = models.CharField(_("评估组"), max_length=120)
    title = models.CharField(_("名称"), max_length=120)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("外部评估")
        verbose_name_plural = _("外部评估")

    def __str__(self):
        return self.title


class Finding(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("反馈问题"))
    response = models.TextField(_("整改回应"), blank=True)
    items = models.ManyToManyField(RectificationItem, blank=True, related_name="findings", verbose_name=_("整改任务"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "pk"]
        verbose_name = _("评估反馈问题")
        verbose_name_plural = _("评估反馈问题")

    def __str__(self):
        return self.text[:40]


class NoticeKind(models.TextChoices):
    OVERDUE = "overdue", _("逾期")
    ESCALATED = "escalated", _("逾期超过30天")


class OverdueNoticeLog(models.Model):
    """One row per item, kind and missed due date: the claim that makes the daily notice job idempotent."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="notice_log")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    due_date = models.DateField()
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "due_date"], name="one_notice_per_item_kind_due_date")
        ]

    def __str__(self):
        return f"{self.item_id}/{self.kind}/{self.due_date}"
