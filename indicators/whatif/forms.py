"""Forms of the what-if pages: one change row at a time, and the scenario's name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongqing import json_input
from schools.models import Section

from . import changes as whatif

MAX_CHANGES_TEXT = 100_000

OP_CHOICES = [(whatif.DELTA, _("增加（减少请填负数）")), (whatif.SET, _("设为"))]
SECTION_CHOICES = [("", "—"), *Section.choices]


def _keyed(labels: dict) -> dict[str, str]:
    """Accept a key or its Chinese label: 教学点 → teaching_point."""
    out = {k: k for k in labels}
    out.update({str(v): k for k, v in labels.items()})
    return out


class ChangeForm(forms.Form):
    school = forms.ChoiceField(label=_("学校"), required=False)
    field = forms.ChoiceField(label=_("调整项"))
    op = forms.ChoiceField(label=_("方式"), choices=OP_CHOICES, initial=whatif.DELTA)
    amount = forms.CharField(
        label=_("数值"),
        max_length=40,
        help_text=_(
            "办学类型填“教学点”等；所属学校填学校标识码（留空为不属于任何学校）；"
            "教学点处理方式填“并入所属学校小学部”“不足50人的教学点不参评”或“每个教学点单独评估”。"
        ),
        required=False,
    )
    section = forms.ChoiceField(label=_("学段"), choices=SECTION_CHOICES, required=False)
    class_name = forms.CharField(label=_("班级名称"), max_length=30, required=False)
    grade = forms.IntegerField(label=_("年级"), min_value=1, max_value=9, required=False)

    def __init__(self, *args, schools: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "—"), *schools]
        self.fields["field"].choices = [(k, str(v)) for k, v in whatif.FIELD_LABELS.items()]

    def change(self) -> dict:
        """The change as plain data; `whatif.apply_changes` checks its meaning."""
        d = self.cleaned_data
        field = d["field"]
        op = whatif.SET if field in whatif.SET_ONLY else d["op"]
        amount = (d.get("amount") or "").strip()
        if field == "kind":
            amount = _keyed(whatif.KIND_LABELS).get(amount, amount)
        elif field == whatif.POLICY_FIELD:
            amount = _keyed(whatif.POLICY_LABELS).get(amount, amount)
        change = {"school": d.get("school") or "", "field": field, op: amount}
        if d.get("section"):
            change["section"] = d["section"]
        if field in whatif.CLASS_CHANGES:
            change["class"] = d.get("class_name") or ""
        if field == "class_add":
            change["grade"] = d.get("grade")
        return change


class ScenarioNameForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=80)


def changes_from_post(data) -> list:
    """The change list carried in the page's hidden field (checked again on every run: it comes from the client)."""
    text = data.get("changes") or "[]"
    if len(text) > MAX_CHANGES_TEXT:
        return []
    try:
        changes = json_input.loads(text.encode(), max_bytes=4 * MAX_CHANGES_TEXT)
    except ValueError:  # JsonRefused included: nesting beyond the caps is no change list
        return []
    return changes if isinstance(changes, list) else []
