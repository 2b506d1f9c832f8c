"""The indicator standards, each year's evaluation settings, county entries and the stored results.

Results are stored per collection round, stamped with the standard, the teaching-point policy and the data
version they came from. The met flags are stored as the pure evaluation computed them and never re-derived
from a stored (possibly rounded) number.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongqing.softdelete import AliveManager, AllObjectsManager, SoftDeletable


class TeachingPointPolicy(models.TextChoices):
    MERGE = "merge", _("并入所属学校小学部（默认）")
    EXCLUDE_SMALL = "exclude_small", _("不足50人的教学点不参与资源配置评估")
    INCLUDE = "include", _("每个教学点按小学单独评估")


class Standard(models.Model):
    """A version of the evaluation standard: thresholds, weights, base rates, survey scoring, veto list — as data."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    version = models.CharField(_("版本"), max_length=20)
    builtin = models.BooleanField(_("内置（只读）"), default=False)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("派生自"))
    data = models.JSONField(_("标准数据"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-builtin", "code"]
        verbose_name = _("评估标准")
        verbose_name_plural = _("评估标准")

    def __str__(self):
        return f"{self.name}（{self.version}）"


class YearSettings(models.Model):
    """Which standard and teaching-point policy a school year is evaluated with."""

    school_year = models.OneToOneField(
        "schools.SchoolYear", on_delete=models.CASCADE, related_name="evaluation_settings"
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, verbose_name=_("评估标准"))
    teaching_point_policy = models.CharField(
        _("教学点处理方式"), max_length=20, choices=TeachingPointPolicy.choices, default=TeachingPointPolicy.MERGE
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学年评估设置")
        verbose_name_plural = _("学年评估设置")

    def __str__(self):
        return f"{self.school_year} · {self.standard}"


class CostSettings(models.Model):
    """Unit costs used to turn gaps into money (测算); one row, edited by bureau admins."""

    data = models.JSONField(_("单位成本"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("测算单位成本")
        verbose_name_plural = _("测算单位成本")

    def __str__(self):
        return str(_("测算单位成本"))


class CountyEntry(models.Model):
    """A county-level item of a school year entered by the bureau (G1, G2, G8–G11, G13–G15, Q1–Q3, Q5–Q9, V1–V6)."""

    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.PROTECT, related_name="county_entries")
    code = models.CharField(_("指标"), max_length=8)
    value = models.JSONField(_("填报值"), default=dict, help_text=_("按指标定义的各项取值"))
    note = models.TextField(_("说明"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("县级指标填报")
        verbose_name_plural = _("县级指标填报")
        constraints = [models.UniqueConstraint(fields=["school_year", "code"], name="one_entry_per_year_and_code")]

    def __str__(self):
        return f"{self.school_year} {self.code}"


class Evidence(models.Model):
    entry = models.ForeignKey(CountyEntry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="evidence/county/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.name


class Scenario(SoftDeletable):
    """A named what-if: changes to schools' figures of one round, evaluated without touching stored data."""

    round = models.ForeignKey("schools.CollectionRound", on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("方案名称"), max_length=80)
    changes = models.JSONField(_("调整"), default=list)
    result = models.JSONField(_("评估结果"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AliveManager()
    all_objects = AllObjectsManager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("模拟测算方案")
        verbose_name_plural = _("模拟测算方案")

    def __str__(self):
        return self.name


class EvaluationState(models.Model):
    """Per round: the data version, the version the stored results came from, and the county verdict.

    `data_version` grows on every change that affects the round; results are stale while
    `computed_version < data_version`. Stale is derived, never stored.
    """

    round = models.OneToOneField("schools.CollectionRound", on_delete=models.CASCADE, related_name="evaluation")
    data_version = models.PositiveIntegerField(default=1)
    computed_version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0, help_text="recomputes that stored results (coalescing shows here)")
    standard_label = models.CharField(max_length=120, blank=True)
    policy = models.CharField(max_length=20, blank=True)
    provisional = models.BooleanField(default=True)
    passed = models.BooleanField(null=True)
    summary = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The recompute's lease (gongqing.jobs): `claim` names the process running it until `lease_until`; `sent_at` is
    # when a recompute was last handed to the broker; `resumed_at` when the sweep took up one whose worker was lost.
    claim = models.CharField(max_length=120, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    # What changed since the stored results: the schools whose figures changed (`dirty_schools`, ids), or anything
    # else (`needs_full`: the standard, the policy, a round's dates...). A recompute re-evaluates only the families
    # of the dirty schools (and of schools whose identity or approved return changed) unless `needs_full` is set.
    dirty_schools = models.JSONField(default=list, blank=True)
    needs_full = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("评估状态")
        verbose_name_plural = _("评估状态")

    def __str__(self):
        return f"{self.round} v{self.computed_version}/{self.data_version}"

    @property
    def is_stale(self) -> bool:
        return self.computed_version < self.data_version


class EvaluationPart(models.Model):
    """What one family of schools (a school and its teaching points, `key` the school's code) contributed to the
    round's stored results: the engine's `families.FamilyPart`, signed and serialised (`indicators.parts`), with the
    fingerprint of the figures it came from. An incremental recompute re-evaluates the families whose fingerprint
    changed and takes the others from here."""

    round = models.ForeignKey("schools.CollectionRound", on_delete=models.CASCADE, related_name="evaluation_parts")
    key = models.CharField(max_length=20)
    fingerprint = models.TextField()
    digest = models.CharField(max_length=64)  # the hex of the data's signature: names its bytes
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="one_part_per_family")]

    def __str__(self):
        return f"{self.round_id}/{self.key}"


class ResultRun(models.Model):
    """A run of the round's stored result document's long lists (its gaps, a school-level item's checks by school):
    the comma-joined JSON texts of consecutive elements, named by their digest (`indicators.domain.chunks`). The
    state's `result` lists the runs' digests in order; `indicators.documents.result_document` joins them back."""

    round = models.ForeignKey("schools.CollectionRound", on_delete=models.CASCADE, related_name="result_runs")
    digest = models.CharField(max_length=32)
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "digest"], name="one_result_run_per_digest")]

    def __str__(self):
        return f"{self.round_id}/{self.digest}"


class SchoolResult(models.Model):
    """One indicator of one school section (or of the whole school for G-items) in one round.

    Rows derived by the recompute, 12 per school: their references carry no database constraint. A first full
    recompute at 10,000 schools writes 120,000 of them, and PostgreSQL checked both references of each at the commit
    (240,000 lookups, 0.85-0.92 s, about a tenth of the run). The rows are written only by the recompute, under its
    round's lock, for the schools it has just read; the ORM still deletes them with their round or school (CASCADE
    is Django's), and a row left by a school deleted during a run goes at the round's next recompute, which deletes
    every stored row it does not compute. The round's own index is the unique constraint's first column.
    """

    round = models.ForeignKey(
        "schools.CollectionRound",
        on_delete=models.CASCADE,
        related_name="school_results",
        db_constraint=False,
        db_index=False,
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="results", db_constraint=False)
    section = models.CharField(max_length=10, blank=True)  # "" for whole-school items
    code = models.CharField(max_length=8)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    threshold = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    status = models.CharField(max_length=32)  # met / not_met / within_tolerance / no_data / not_evaluated
    gap = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "school", "section", "code"], name="one_result_per_indicator")
        ]
        indexes = [models.Index(fields=["round", "code"])]

    def __str__(self):
        return f"{self.school_id}/{self.section}/{self.code}={self.value}"


class SectionVerdict(models.Model):
    """A school section's verdict under the 6-of-7 rule with its 85% floor."""

    round = models.ForeignKey("schools.CollectionRound", on_delete=models.CASCADE, related_name="section_verdicts")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="section_verdicts")
    section = models.CharField(max_length=10)
    students = models.PositiveIntegerField(default=0)
    met_count = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=32)  # passed / passed_within_tolerance / failed / no_data / not_evaluated

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "school", "section"], name="one_verdict_per_section")]

    def __str__(self):
        return f"{self.school_id}/{self.section}: {self.status}"


class SectionCV(models.Model):
    """The between-school coefficient of variation of one R indicator in one section."""

    round = models.ForeignKey("schools.CollectionRound", on_delete=models.CASCADE, related_name="section_cvs")
    section = models.CharField(max_length=10)
    code = models.CharField(max_length=8)
    mean = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    sd = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    cv = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    limit = models.DecimalField(max_digits=6, decimal_places=4)
    met = models.BooleanField(null=True)
    schools = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "section", "code"], name="one_cv_per_section_code")]

    def __str__(self):
        return f"{self.section}/{self.code}: {self.cv}"


class IntakeEstimate(models.Model):
    """The bureau's estimate of a school's grade-1 intake in a coming school year, which the dashboards' class-size
    forecast uses instead of this year's grade 1 (the dashboards have no models module of their own)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="intake_estimates")
    year = models.PositiveSmallIntegerField(_("入学学年"))  # the school year the pupils enter, named as SchoolYear
    students = models.PositiveIntegerField(_("一年级招生预估（人）"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("一年级招生预估")
        verbose_name_plural = _("一年级招生预估")
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="one_intake_estimate_per_school_year")]

    def __str__(self):
        return f"{self.school_id}/{self.year}: {self.students}"
