from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import School, Township

from .models import AssessmentMethod, Body, Cycle, Finding, Measure, Project, RectificationItem, Review, Stage
from .plan import TOWNSHIP, TOWNSHIPS

# An <input type="date"> only understands ISO dates: without the format a saved date renders in the locale's
# format ("2026/12/31"), the browser shows an empty field and saving the form silently clears the date.
DATE = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}

ASSESSMENT_METHOD_FIELDS = (
    "lead_weight",
    "cooperating_weight",
    "accepted_on_time",
    "accepted_late",
    "awaiting_on_time",
    "awaiting_late",
    "open_not_due",
    "open_overdue",
)

STATE_CHOICES = [("", _("全部"))] + list(RectificationItem._meta.get_field("state").choices)
WORK_CHOICES = [("", _("全部"))] + list(RectificationItem._meta.get_field("work_status").choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    files = MultipleFileField(
        label=_("佐证材料（PDF、图片、Word、Excel、PowerPoint、文本）"),
        required=False,
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("验收通过")), ("send_back", _("退回"))])
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LedgerFilter(forms.Form):
    body = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Body.objects.all(), required=False, empty_label=_("全部")
    )
    state = forms.ChoiceField(label=_("台账状态"), choices=STATE_CHOICES, required=False)
    work_status = forms.ChoiceField(label=_("工作状态"), choices=WORK_CHOICES, required=False)
    stage = forms.ModelChoiceField(
        label=_("工作阶段"), queryset=Stage.objects.none(), required=False, empty_label=_("全部")
    )
    township = forms.ModelChoiceField(
        label=_("学校所在乡镇"), queryset=Township.objects.all(), required=False, empty_label=_("全部")
    )
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)

    def __init__(self, *args, stages=None, bodies=None, county_wide=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()
        if bodies is not None:
            self.fields["body"].queryset = bodies
        if not county_wide:  # a township official's or an officer's ledger is already theirs
            del self.fields["township"]


class _StageChoice(forms.Form):
    """A form whose `stage` field chooses among the `stages` given (none unless given)."""

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()


class ItemForm(_StageChoice):
    title = forms.CharField(label=_("整改事项"), max_length=200)
    target = forms.CharField(label=_("整改目标"), max_length=300, required=False)
    school = forms.ModelChoiceField(label=_("学校"), queryset=School.objects.all(), required=False)
    lead = forms.ModelChoiceField(label=_("牵头单位"), queryset=Body.objects.all())
    cooperating = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Body.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    stage = forms.ModelChoiceField(label=_("工作阶段"), queryset=Stage.objects.none(), required=False)
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(**DATE))


class ScheduleForm(_StageChoice):
    target = forms.CharField(label=_("整改目标"), max_length=300, required=False)
    stage = forms.ModelChoiceField(label=_("工作阶段"), queryset=Stage.objects.none(), required=False)
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(**DATE))


class MeasureForm(forms.Form):
    """A measure of the plan: the bureau edits its wording, its bodies (several leads for the townships' measures),
    its stage and due date."""

    ref = forms.CharField(label=_("编号"), max_length=10)
    title = forms.CharField(label=_("措施"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    leads = forms.ModelMultipleChoiceField(
        label=_("牵头单位"), queryset=Body.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    cooperating = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Body.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    stage = forms.ModelChoiceField(label=_("工作阶段"), queryset=Stage.objects.none(), required=False)
    due_date = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(**DATE), help_text=_("留空则为所选阶段的结束日期。")
    )

    def __init__(self, *args, cycle, measure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle, self.measure = cycle, measure
        self.fields["stage"].queryset = cycle.stages.all()

    def clean_ref(self):
        ref = self.cleaned_data["ref"].strip()
        taken = Measure.objects.filter(cycle=self.cycle, ref=ref)
        if self.measure is not None:
            taken = taken.exclude(pk=self.measure.pk)
        if taken.exists():
            raise forms.ValidationError(_("编号“%(ref)s”在本周期已有措施使用。") % {"ref": ref})
        return ref

    def clean(self):
        data = super().clean()
        leads, cooperating = data.get("leads") or [], data.get("cooperating") or []
        both = {b.pk for b in leads} & {b.pk for b in cooperating}
        if both:
            self.add_error("cooperating", _("同一单位不能既牵头又配合。"))
        return data


class CycleForm(forms.Form):
    """A new cycle of the plan's five stages (e.g. a re-evaluation), each with its dates; stage 1 may have no start."""

    name = forms.CharField(label=_("名称"), max_length=80)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    seed_measures = forms.BooleanField(label=_("按实施方案生成主要措施"), required=False, initial=True)

    def __init__(self, *args, stage_names, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_names = stage_names
        for number, name in stage_names.items():
            self.fields[f"starts_{number}"] = forms.DateField(
                label=_("第%(n)s阶段“%(name)s”开始") % {"n": number, "name": name},
                required=number != 1,
                widget=forms.DateInput(**DATE),
            )
            self.fields[f"ends_{number}"] = forms.DateField(
                label=_("第%(n)s阶段“%(name)s”结束") % {"n": number, "name": name}, widget=forms.DateInput(**DATE)
            )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Cycle.objects.filter(name=name).exists():
            raise forms.ValidationError(_("已有名为“%(name)s”的工作周期。") % {"name": name})
        return name

    def clean(self):
        data = super().clean()
        previous_end = None
        for number in self.stage_names:
            starts, ends = data.get(f"starts_{number}"), data.get(f"ends_{number}")
            if ends is None:
                continue
            if starts is not None and starts > ends:
                self.add_error(f"ends_{number}", _("第%(n)s阶段的结束日期早于开始日期。") % {"n": number})
            first_day = starts or ends
            if previous_end is not None and first_day <= previous_end:
                self.add_error(
                    f"starts_{number}" if starts else f"ends_{number}",
                    _("第%(n)s阶段须在上一阶段结束之后开始。") % {"n": number},
                )
            previous_end = ends
        return data

    def stages(self) -> list:
        from .rules import StageDates

        d = self.cleaned_data
        return [StageDates(n, d.get(f"starts_{n}"), d[f"ends_{n}"]) for n in self.stage_names]


def _body_choices():
    return [(TOWNSHIP, _("学校所在乡镇（街道）")), (TOWNSHIPS, _("各乡镇（街道）"))] + [
        (b.code, b.name) for b in Body.objects.exclude(kind="township")
    ]


class ReassignForm(forms.Form):
    """The bureau gives one ledger item other bodies (the item keeps them; the routing table is not changed)."""

    lead = forms.ModelChoiceField(label=_("牵头单位"), queryset=Body.objects.all())
    cooperating = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Body.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("调整理由"), max_length=200)


class RoutingForm(forms.Form):
    lead = forms.ChoiceField(label=_("牵头单位"))
    cooperating = forms.MultipleChoiceField(label=_("配合单位"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _body_choices()
        self.fields["lead"].choices = choices
        self.fields["cooperating"].choices = choices

    def bodies(self) -> list[str]:
        lead = self.cleaned_data["lead"]
        return [lead] + [c for c in self.cleaned_data["cooperating"] if c != lead]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "school",
            "kind",
            *Project.FIGURES,
            "planned_completion",
            "actual_completion",
            "percent",
            "note",
            "items",
        ]
        labels = {"school": _("学校")}
        widgets = {
            "planned_completion": forms.DateInput(**DATE),
            "actual_completion": forms.DateInput(**DATE),
            "items": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Open items to choose from, and the ones already linked even if closed since (else saving unlinks them).
        linked = Q(pk__in=self.instance.items.values("pk")) if self.instance.pk else Q(pk__in=[])
        self.fields["items"].queryset = (
            RectificationItem.objects.filter(~Q(state="closed") | linked).select_related("school").order_by("pk")
        )
        self.fields["percent"].max_value = 100
        self.fields["percent"].validators.append(_max_100)


def _max_100(value):
    if value is not None and value > 100:
        raise forms.ValidationError(_("进度不能超过100%。"))


class ReviewRecordForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["level", "held_on", "reviewer", "title"]
        widgets = {"held_on": forms.DateInput(**DATE)}


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["text", "response", "items"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 3}),
            "items": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = RectificationItem.objects.select_related("school")


class TargetForm(forms.Form):
    threshold = forms.DecimalField(
        label=_("标准"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=4,
        help_text=_("T1 填省级学校建设标准的生均用地（平方米/生），留空表示尚无目标；T2 填比例，1 即 100%。"),
    )


class MethodForm(forms.ModelForm):
    class Meta:
        model = AssessmentMethod
        fields = ["name", *ASSESSMENT_METHOD_FIELDS]

    def clean(self):
        data = super().clean()
        for name in ASSESSMENT_METHOD_FIELDS[2:]:
            value = data.get(name)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                self.add_error(name, _("得分率应在0到100之间。"))
        for name in ASSESSMENT_METHOD_FIELDS[:2]:
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("权重不能为负。"))
        return data
