"""Townships, schools, school years, collection rounds and the yearly returns with their class lists and rooms."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongqing.softdelete import AliveManager, AllObjectsManager, SoftDeletable, SoftDeleteQuerySet


class Section(models.TextChoices):
    """The two sections of compulsory education; their labels are the only spelling of 小学 and 初中."""

    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")


# A section's label by its value; "" (a school-level figure) has none.
SECTION_LABELS = {**dict(Section.choices), "": ""}


class SchoolKind(models.TextChoices):
    PRIMARY = "primary", Section.PRIMARY.label
    JUNIOR = "junior", Section.JUNIOR.label
    NINE_YEAR = "nine_year", _("九年一贯制学校")
    TWELVE_YEAR = "twelve_year", _("十二年一贯制学校")
    COMPLETE_SECONDARY = "complete_secondary", _("完全中学")
    TEACHING_POINT = "teaching_point", _("教学点")
    SPECIAL = "special", _("特殊教育学校")


class Location(models.TextChoices):
    URBAN = "urban", _("城区")
    TOWN = "town", _("镇区")
    RURAL = "rural", _("乡村")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


# Which sections a school of each kind reports; "senior" and "special" are head-counts only.
KIND_SECTIONS: dict[str, tuple[str, ...]] = {
    SchoolKind.PRIMARY: ("primary",),
    SchoolKind.JUNIOR: ("junior",),
    SchoolKind.NINE_YEAR: ("primary", "junior"),
    SchoolKind.TWELVE_YEAR: ("primary", "junior"),
    SchoolKind.COMPLETE_SECONDARY: ("junior",),
    SchoolKind.TEACHING_POINT: ("primary",),
    SchoolKind.SPECIAL: (),
}
KINDS_WITH_SENIOR = frozenset({SchoolKind.TWELVE_YEAR, SchoolKind.COMPLETE_SECONDARY})
SECTION_GRADES = {"primary": range(1, 7), "junior": range(7, 10)}


class Township(models.Model):
    code = models.CharField(_("代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("乡镇（街道）")
        verbose_name_plural = _("乡镇（街道）")

    def __str__(self):
        return self.name


class TownshipMembership(models.Model):
    """A township official's scope: one township per user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="township_membership")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="memberships")

    def __str__(self):
        return f"{self.user} @ {self.township}"


class CountyProfile(models.Model):
    """The county's basic facts; one row, edited by bureau admins."""

    name = models.CharField(_("县（市、区）名称"), max_length=30, default="共青城市")
    code = models.CharField(_("行政区划代码"), max_length=6, default="360482")
    government = models.CharField(_("发文单位"), max_length=50, default="共青城市人民政府")
    area_km2 = models.DecimalField(_("面积（平方公里）"), max_digits=10, decimal_places=2, null=True, blank=True)
    population = models.PositiveIntegerField(_("户籍人口"), null=True, blank=True)
    basic_balance_year = models.PositiveSmallIntegerField(_("通过基本均衡认定年份"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("县域概况")
        verbose_name_plural = _("县域概况")

    def __str__(self):
        return self.name

    @classmethod
    def get(cls) -> "CountyProfile":
        profile = cls.objects.order_by("pk").first()
        return profile or cls.objects.create()


class SchoolYear(models.Model):
    """Named by its first calendar year: 2021 → 2021—2022学年."""

    year = models.PositiveSmallIntegerField(_("学年"), unique=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("学年")
        verbose_name_plural = _("学年")

    def __str__(self):
        return f"{self.year}—{self.year + 1}学年"


class SchoolQuerySet(SoftDeleteQuerySet):
    def open_in(self, year: int):
        return self.filter(models.Q(opened__isnull=True) | models.Q(opened__lte=year)).filter(
            models.Q(closed__isnull=True) | models.Q(closed__gt=year)
        )


class School(SoftDeletable):
    code = models.CharField(_("学校标识码"), max_length=10, unique=True)
    name = models.CharField(_("学校名称"), max_length=60)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="schools", verbose_name=_("乡镇（街道）")
    )
    kind = models.CharField(_("办学类型"), max_length=20, choices=SchoolKind.choices)
    location = models.CharField(_("城乡类别"), max_length=10, choices=Location.choices)
    ownership = models.CharField(_("举办者"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC)
    boarding = models.BooleanField(_("寄宿制"), default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaching_points",
        verbose_name=_("所属学校"),
    )
    opened = models.PositiveSmallIntegerField(_("开办学年"), null=True, blank=True)
    closed = models.PositiveSmallIntegerField(_("停办（撤并）学年"), null=True, blank=True)
    fictional = models.BooleanField(_("演示数据（虚构）"), default=False)
    history = HistoricalRecords()

    objects = AliveManager.from_queryset(SchoolQuerySet)()  # deleted schools are hidden everywhere...
    all_objects = AllObjectsManager.from_queryset(SchoolQuerySet)()  # ...except here (recycle bin, backup)

    class Meta:
        ordering = ["township__order", "code"]
        verbose_name = _("学校")
        verbose_name_plural = _("学校")

    def __str__(self):
        return self.name

    @property
    def sections(self) -> tuple[str, ...]:
        return KIND_SECTIONS[self.kind]

    @property
    def has_senior(self) -> bool:
        return self.kind in KINDS_WITH_SENIOR


class RoundKind(models.TextChoices):
    OFFICIAL = "official", _("正式批次（9月1日统计）")
    INTERIM = "interim", _("临时批次")


class CollectionRound(models.Model):
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("学年"))
    kind = models.CharField(_("批次类型"), max_length=10, choices=RoundKind.choices, default=RoundKind.OFFICIAL)
    name = models.CharField(_("批次名称"), max_length=50)
    as_of = models.DateField(_("统计时点"))
    due_date = models.DateField(_("填报截止日期"))
    is_open = models.BooleanField(_("开放填报"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-school_year__year", "as_of", "pk"]
        verbose_name = _("采集批次")
        verbose_name_plural = _("采集批次")
        constraints = [
            models.UniqueConstraint(
                fields=["school_year"],
                condition=models.Q(kind="official"),
                name="one_official_round_per_year",
            )
        ]

    def __str__(self):
        return f"{self.school_year} {self.name}"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


def _count(label):
    return models.PositiveIntegerField(label, null=True, blank=True)


def _amount(label, digits=14):
    return models.DecimalField(label, max_digits=digits, decimal_places=2, null=True, blank=True)


SECTION_FIELD_SUFFIXES = (
    ("students", _("在校生数")),
    ("classes", _("班级数")),
    ("teachers", _("专任教师数")),
    ("teachers_above_required", _("高于规定学历专任教师数")),
    ("teachers_backbone", _("县级及以上骨干教师数")),
    ("teachers_pe_arts", _("体育、艺术（音乐、美术）专任教师数")),
    ("teachers_certified", _("持有教师资格证专任教师数")),
)


class SchoolReturn(SoftDeletable):
    """One school's figures for one collection round. `version` detects concurrent edits."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="returns", verbose_name=_("学校"))
    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="returns", verbose_name=_("批次"))
    status = models.CharField(_("状态"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)

    primary_students = _count(_("小学在校生数"))
    primary_classes = _count(_("小学班级数"))
    primary_teachers = _count(_("小学专任教师数"))
    primary_teachers_above_required = _count(_("小学高于规定学历专任教师数"))
    primary_teachers_backbone = _count(_("小学县级及以上骨干教师数"))
    primary_teachers_pe_arts = _count(_("小学体育、艺术专任教师数"))
    primary_teachers_certified = _count(_("小学持有教师资格证专任教师数"))
    junior_students = _count(_("初中在校生数"))
    junior_classes = _count(_("初中班级数"))
    junior_teachers = _count(_("初中专任教师数"))
    junior_teachers_above_required = _count(_("初中高于规定学历专任教师数"))
    junior_teachers_backbone = _count(_("初中县级及以上骨干教师数"))
    junior_teachers_pe_arts = _count(_("初中体育、艺术专任教师数"))
    junior_teachers_certified = _count(_("初中持有教师资格证专任教师数"))
    senior_students = _count(_("高中在校生数"))
    special_students = _count(_("特殊教育在校生数"))
    special_teachers = _count(_("特殊教育学校专任教师数"))
    special_teachers_certified = _count(_("特殊教育学校持有教师资格证专任教师数"))

    teaching_area_m2 = _amount(_("教学及辅助用房面积（平方米）"))
    sports_area_m2 = _amount(_("体育运动场馆面积（平方米）"))
    equipment_value_yuan = _amount(_("教学仪器设备值（元）"))
    multimedia_rooms = _count(_("网络多媒体教室数"))
    public_funds_yuan = _amount(_("年度公用经费（元）"))
    training_funds_yuan = _amount(_("教师培训经费（元）"))
    land_area_m2 = _amount(_("学校占地面积（平方米）"))
    classrooms = _count(_("普通教室数"))
    classrooms_connected = _count(_("其中“班班通”教室数"))

    review_comment = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = AliveManager()
    all_objects = AllObjectsManager()

    class Meta:
        ordering = ["school__township__order", "school__code"]
        verbose_name = _("学校填报")
        verbose_name_plural = _("学校填报")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "round"],
                condition=models.Q(deleted_at__isnull=True),
                name="one_live_return_per_school_and_round",
            )
        ]

    def __str__(self):
        return f"{self.school} · {self.round}"

    @property
    def is_editable(self) -> bool:
        return self.status in (ReturnStatus.DRAFT, ReturnStatus.RETURNED)


# The figure fields of a return, in form order; used by forms, exchange formats, history and prefill.
SECTION_FIELDS = tuple(f"{s}_{suffix}" for s in ("primary", "junior") for suffix, _label in SECTION_FIELD_SUFFIXES)
# A special school has no sections: its students and full-time teachers (G12 counts them) are its own fields.
SPECIAL_SCHOOL_FIELDS = ("special_students", "special_teachers", "special_teachers_certified")
HEADCOUNT_FIELDS = ("senior_students", *SPECIAL_SCHOOL_FIELDS)
WHOLE_SCHOOL_FIELDS = (
    "teaching_area_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_rooms",
    "public_funds_yuan",
    "training_funds_yuan",
    "land_area_m2",
    "classrooms",
    "classrooms_connected",
)
FIGURE_FIELDS = SECTION_FIELDS + HEADCOUNT_FIELDS + WHOLE_SCHOOL_FIELDS


class ReturnClass(models.Model):
    school_return = models.ForeignKey(SchoolReturn, on_delete=models.CASCADE, related_name="classes")
    section = models.CharField(_("学段"), max_length=10, choices=Section.choices)
    grade = models.PositiveSmallIntegerField(_("年级"))
    name = models.CharField(_("班级名称"), max_length=30)
    students = models.PositiveIntegerField(_("学生数"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["grade", "name", "pk"]
        verbose_name = _("班级")
        verbose_name_plural = _("班级")

    def __str__(self):
        return self.name


class ReturnGradeSum(models.Model):
    """A return's class list summed by grade (its pupils and classes), kept by the database itself: triggers on
    ReturnClass's table (migration 0004) add and subtract every inserted, updated and deleted class row in the same
    statement, whatever wrote it (the services, imports, exchange, API, bulk_create/bulk_update, a queryset's
    update() or delete(), raw SQL). A grade whose last class is gone has no row. Never written from Python; read by
    the dashboards' early warnings instead of summing the class rows (a third as many rows, nothing to aggregate).

    No database foreign key: a return's classes are deleted (and so its sums) before the return itself, and the
    deletion collector must not try to delete these rows itself (DO_NOTHING)."""

    school_return = models.ForeignKey(
        SchoolReturn, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    grade = models.PositiveSmallIntegerField()
    students = models.IntegerField()
    classes = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school_return", "grade"], name="one_sum_per_return_grade")]

    def __str__(self):
        return f"{self.school_return_id}/{self.grade}: {self.students} in {self.classes}"


class RoomKind(models.TextChoices):
    MUSIC = "music", _("音乐专用教室")
    ART = "art", _("美术专用教室")


class ReturnRoom(models.Model):
    school_return = models.ForeignKey(SchoolReturn, on_delete=models.CASCADE, related_name="rooms")
    room = models.CharField(_("功能室"), max_length=10, choices=RoomKind.choices)
    area_m2 = models.DecimalField(_("面积（平方米）"), max_digits=8, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["room", "pk"]
        verbose_name = _("功能室")
        verbose_name_plural = _("功能室")

    def __str__(self):
        return f"{self.get_room_display()} {self.area_m2 or ''}"
