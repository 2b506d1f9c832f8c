"""Forms only parse input; the rules live in schools.validation."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import (
    FIGURE_FIELDS,
    HEADCOUNT_FIELDS,
    KIND_SECTIONS,
    KINDS_WITH_SENIOR,
    SPECIAL_SCHOOL_FIELDS,
    CollectionRound,
    CountyProfile,
    Location,
    RoomKind,
    School,
    SchoolKind,
    SchoolReturn,
    Section,
    Township,
)
from .validation import ClassRow, RoomRow


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    township = django_filters.ModelChoiceFilter(queryset=Township.objects.all(), label=_("乡镇（街道）"))
    kind = django_filters.ChoiceFilter(choices=SchoolKind.choices, label=_("办学类型"))
    location = django_filters.ChoiceFilter(choices=Location.choices, label=_("城乡类别"))

    class Meta:
        model = School
        fields = ["q", "township", "kind", "location"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class ReturnFiguresForm(forms.ModelForm):
    """The figures of one return; fields of sections the school does not have are left out."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SchoolReturn
        fields = list(FIGURE_FIELDS)

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        sections = KIND_SECTIONS[school.kind]
        for name in list(self.fields):
            if name == "version":
                continue
            section = name.split("_", 1)[0]
            if section in ("primary", "junior") and section not in sections:
                del self.fields[name]
        if school.kind not in KINDS_WITH_SENIOR:
            self.fields.pop("senior_students", None)
        if school.kind != SchoolKind.SPECIAL:
            for name in SPECIAL_SCHOOL_FIELDS:
                self.fields.pop(name, None)
        for field in self.fields.values():
            field.required = False
            field.widget.attrs.setdefault("class", "num")

    def section_groups(self):
        """Fields grouped for display: one group per section, head-counts, then the whole school."""
        groups = []
        for section, title in Section.choices:
            fields = [self[n] for n in self.fields if n.startswith(section + "_")]
            if fields:
                groups.append((title, fields))
        heads = [self[n] for n in HEADCOUNT_FIELDS if n in self.fields]
        if heads:
            groups.append((_("其他学段"), heads))
        whole = [
            self[n]
            for n in self.fields
            if n not in heads and n != "version" and not n.startswith(("primary_", "junior_"))
        ]
        whole = [f for f in whole if f.name not in HEADCOUNT_FIELDS]
        groups.append((_("全校（一贯制学校按学段分摊）"), whole))
        return groups

    def figures(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in FIGURE_FIELDS}


class ClassForm(forms.Form):
    section = forms.ChoiceField(label=_("学段"), choices=[("", "---------"), *Section.choices])
    grade = forms.IntegerField(label=_("年级"), min_value=1, max_value=9)
    name = forms.CharField(label=_("班级名称"), max_length=30)
    students = forms.IntegerField(label=_("学生数"), min_value=0)


class RoomForm(forms.Form):
    room = forms.ChoiceField(label=_("功能室"), choices=[("", "---------"), *RoomKind.choices])
    area_m2 = forms.DecimalField(label=_("面积（平方米）"), min_value=0, max_digits=8, decimal_places=2, required=False)


ClassFormSet = forms.formset_factory(ClassForm, extra=4, can_delete=True)
RoomFormSet = forms.formset_factory(RoomForm, extra=1, can_delete=True)


def formset_rows(formset, kind: str) -> list:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        if kind == "classes":
            rows.append(ClassRow(data["section"], data["grade"], data["name"], data["students"]))
        else:
            rows.append(RoomRow(data["room"], data.get("area_m2")))
    return rows


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["code", "name", "township", "kind", "location", "ownership", "boarding", "parent", "opened", "closed"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (len(code) == 10 and code.isdigit()):
            raise forms.ValidationError(_("学校标识码应为10位数字。"))
        return code

    def clean(self):
        data = super().clean()
        kind, parent = data.get("kind"), data.get("parent")
        if kind == SchoolKind.TEACHING_POINT and parent is None:
            self.add_error("parent", _("教学点须选择所属学校。"))
        if kind != SchoolKind.TEACHING_POINT and parent is not None:
            self.add_error("parent", _("只有教学点有所属学校。"))
        opened, closed = data.get("opened"), data.get("closed")
        if opened and closed and closed <= opened:
            self.add_error("closed", _("停办学年应晚于开办学年。"))
        return data


class RoundForm(forms.ModelForm):
    class Meta:
        model = CollectionRound
        fields = ["school_year", "kind", "name", "as_of", "due_date", "is_open"]
        widgets = {
            # <input type="date"> only understands ISO dates; the zh-hans format ("2026/12/31") shows it empty.
            "as_of": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        data = super().clean()
        if data.get("kind") == "official" and data.get("school_year"):
            clash = CollectionRound.objects.filter(school_year=data["school_year"], kind="official")
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("kind", _("该学年已有正式批次。"))
        return data


class CountyProfileForm(forms.ModelForm):
    class Meta:
        model = CountyProfile
        fields = ["name", "code", "government", "area_km2", "population", "basic_balance_year"]


class ReasonForm(forms.Form):
    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
