"""The bureau's rule form: expressions are compiled on save and refused with the parser's Chinese reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import Location, SchoolKind

from .checks import compile_rule
from .expressions import ExpressionError
from .models import Rule


class RuleForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("适用办学类型"),
        choices=SchoolKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则适用于所有办学类型。"),
    )
    locations = forms.MultipleChoiceField(
        label=_("适用城乡类别"),
        choices=Location.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则适用于城区、镇区和乡村。"),
    )

    class Meta:
        model = Rule
        fields = [
            "code",
            "label",
            "left",
            "operator",
            "right",
            "importance",
            "section",
            "kinds",
            "locations",
            "field",
            "note",
            "active",
        ]
        help_texts = {
            "left": _(
                "可用：指标英文名（如 primary_students）、数字、+ - × ÷、括号；count(classes)、sum(classes.students)、"
                "min(classes.primary.students)、max(rooms.area_m2)；prev(指标) 为上次审核值，stat(指标) 为统计报表值。"
            ),
            "code": _("英文字母、数字和连字符，如 classes-le-classrooms。"),
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        probe = Rule(**{k: data.get(k) for k in ("code", "label", "left", "operator", "right", "importance")})
        probe.section, probe.field = data.get("section") or "", data.get("field") or ""
        probe.kinds, probe.locations = data.get("kinds") or [], data.get("locations") or []
        try:
            compile_rule(probe)
        except ExpressionError as exc:
            message = str(exc)
            where = "left" if message.startswith("左侧") else "right" if message.startswith("右侧") else "field"
            self.add_error(where, message)
        if data.get("importance") == "error" and self._reads_prev_or_stat(data):
            self.add_error(
                "importance",
                _("与上次审核值或统计报表比较的规则只能是“提示”：变化本身不是不可能的数值，不能阻止保存。"),
            )
        return data

    @staticmethod
    def _reads_prev_or_stat(data) -> bool:
        text = f"{data.get('left', '')} {data.get('right', '')}"
        return "prev(" in text or "stat(" in text
