"""Forms of the survey pages. They validate input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import SchoolYear

from .models import Question, Survey

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SurveyForm(forms.ModelForm):
    public_base_url = forms.URLField(
        label=_("公网问卷地址"),
        required=False,
        assume_scheme="https",
        help_text=Survey._meta.get_field("public_base_url").help_text,
    )

    class Meta:
        model = Survey
        fields = ["title", "intro", "opens_on", "closes_on", "public_base_url"]
        widgets = {"opens_on": DATE, "closes_on": DATE, "intro": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("截止日期不能早于开始日期。"))
        return data


class SurveyCreateForm(SurveyForm):
    school_year = forms.ModelChoiceField(label=_("学年"), queryset=SchoolYear.objects.filter(survey__isnull=True))

    class Meta(SurveyForm.Meta):
        fields = ["school_year", *SurveyForm.Meta.fields]


class ItemsForm(forms.Form):
    """One textarea per group: one item per line."""

    def __init__(self, *args, groups: list[tuple[str, str]], items: dict[str, list[Question]], locked: set[str], **kw):
        super().__init__(*args, **kw)
        for key, name in groups:
            self.fields[f"items_{key}"] = forms.CharField(
                label=name,
                required=True,
                widget=forms.Textarea(attrs={"rows": 7}),
                initial="\n".join(q.text for q in items.get(key, [])),
                disabled=key in locked,
                help_text=_("已有答卷，题目不能再修改。") if key in locked else _("每行一道题。"),
            )
        self.groups = groups

    def items(self) -> dict[str, list[str]]:
        out = {}
        for key, _name in self.groups:
            lines = [line.strip() for line in self.cleaned_data[f"items_{key}"].splitlines()]
            out[key] = [line[:300] for line in lines if line]
        return out


class ResponseForm(forms.Form):
    """The public questionnaire: one required choice of level per item."""

    def __init__(self, *args, questions: list[Question], levels: list[tuple[str, str]], **kw):
        super().__init__(*args, **kw)
        self.questions = questions
        for q in questions:
            self.fields[f"q{q.position}"] = forms.ChoiceField(
                label=f"{q.position}. {q.text}",
                choices=levels,
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择一项。")},
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"q{q.position}"] for q in self.questions]


class PaperTallyForm(forms.Form):
    label = forms.CharField(label=_("批次说明"), max_length=120, help_text=_("例如：甘露镇中心小学家长问卷（第1批）"))
    valid_forms = forms.IntegerField(label=_("有效问卷份数"), min_value=1, max_value=1_000_000)

    def __init__(self, *args, questions: list[Question], levels: list[tuple[str, str]], **kw):
        super().__init__(*args, **kw)
        self.questions = questions
        self.levels = levels
        for q in questions:
            for level, name in levels:
                self.fields[f"c_{q.position}_{level}"] = forms.IntegerField(
                    label=f"{q.position} {name}", min_value=0, max_value=1_000_000, required=False
                )

    def rows(self):
        """For the template: each item with its bound count fields in level order."""
        return [(q, [self[f"c_{q.position}_{level}"] for level, _name in self.levels]) for q in self.questions]

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            str(q.position): {
                level: self.cleaned_data.get(f"c_{q.position}_{level}") or 0 for level, _name in self.levels
            }
            for q in self.questions
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("问卷导出文件（.json）"))
