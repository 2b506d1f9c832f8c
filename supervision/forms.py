from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import School

from .models import Body, Finding, Project, RectificationItem, Review, Stage
from .plan import TOWNSHIP

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
        label=_("佐证材料（PDF、图片、Word、Excel、PowerPoint）"),
        required=False,
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("验收通过")), ("send_back", _("退回"))])
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LedgerFilter(forms.Form):
    body = forms.ModelChoiceField(label=_("责任单位"), queryset=Body.objects.all(), required=False)
    state = forms.ChoiceField(label=_("台账状态"), choices=STATE_CHOICES, required=False)
    work_status = forms.ChoiceField(label=_("工作状态"), choices=WORK_CHOICES, required=False)
    stage = forms.ModelChoiceField(label=_("工作阶段"), queryset=Stage.objects.none(), required=False)
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)

    def __init__(self, *args, stages=None, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()
        if bodies is not None:
            self.fields["body"].queryset = bodies


class ItemForm(forms.Form):
    title = forms.CharField(label=_("整改事项"), max_length=200)
    target = forms.CharField(label=_("整改目标"), max_length=300, required=False)
    school = forms.ModelChoiceField(label=_("学校"), queryset=School.objects.all(), required=False)
    lead = forms.ModelChoiceField(label=_("牵头单位"), queryset=Body.objects.all())
    cooperating = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Body.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    stage = forms.ModelChoiceField(label=_("工作阶段"), queryset=Stage.objects.none(), required=False)
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()


class ScheduleForm(forms.Form):
    target = forms.CharField(label=_("整改目标"), max_length=300, required=False)
    stage = forms.ModelChoiceField(label=_("工作阶段"), queryset=Stage.objects.none(), required=False)
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages if stages is not None else Stage.objects.none()


def _body_choices():
    return [(TOWNSHIP, _("学校所在乡镇（街道）"))] + [(b.code, b.name) for b in Body.objects.exclude(kind="township")]


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
            "places",
            "area_m2",
            "rooms",
            "teachers",
            "budget_city",
            "budget_provincial",
            "budget_rewards",
            "planned_completion",
            "actual_completion",
            "percent",
            "note",
            "items",
        ]
        widgets = {
            "planned_completion": forms.DateInput(attrs={"type": "date"}),
            "actual_completion": forms.DateInput(attrs={"type": "date"}),
            "items": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = RectificationItem.objects.exclude(state="closed").select_related("school")
        self.fields["percent"].max_value = 100
        self.fields["percent"].validators.append(_max_100)


def _max_100(value):
    if value is not None and value > 100:
        raise forms.ValidationError(_("进度不能超过100%。"))


class ReviewRecordForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["level", "held_on", "reviewer", "title"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}


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
