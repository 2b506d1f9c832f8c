from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .county_items import COUNTY_ITEM_PARTS
from .domain.costing import UNIT_COST_KEYS
from .models import TeachingPointPolicy, YearSettings

BOOL_CHOICES = [("", _("未填报")), ("true", _("是")), ("false", _("否"))]


class CountyEntryForm(forms.Form):
    """Built from the item's parts; percents are 0–100, amounts ≥ 0."""

    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code
        self.parts = COUNTY_ITEM_PARTS[code]
        for part in self.parts:
            if part.kind == "bool":
                field = forms.TypedChoiceField(
                    label=part.label,
                    choices=BOOL_CHOICES,
                    coerce=lambda v: v == "true",
                    empty_value=None,
                    required=False,
                )
            elif part.kind == "percent":
                field = forms.DecimalField(
                    label=part.label, min_value=0, max_value=100, decimal_places=4, required=False
                )
            elif part.kind == "level":
                field = forms.IntegerField(label=part.label, min_value=1, max_value=4, required=False)
            else:
                field = forms.DecimalField(label=part.label, min_value=0, decimal_places=6, required=False)
            self.fields[part.key] = field
        self.order_fields([p.key for p in self.parts] + ["note"])

    def clean(self):
        data = super().clean()
        given = [p.key for p in self.parts if data.get(p.key) is not None]
        if given and len(given) != len(self.parts):
            raise forms.ValidationError(_("请填写本项的全部内容，或全部留空表示尚未填报。"))
        return data

    def value(self) -> dict:
        """JSON-able value: decimals as strings (exact), booleans as booleans; {} when nothing was entered."""
        out = {}
        for part in self.parts:
            v = self.cleaned_data.get(part.key)
            if v is None:
                continue
            out[part.key] = str(v) if isinstance(v, Decimal) else v
        return out


class YearSettingsForm(forms.ModelForm):
    class Meta:
        model = YearSettings
        fields = ["standard", "teaching_point_policy"]
        widgets = {"teaching_point_policy": forms.RadioSelect(choices=TeachingPointPolicy.choices)}


class CostSettingsForm(forms.Form):
    """One field per unit cost the costing knows; empty means "not priced" (those gaps are listed apart)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, (label, unit) in UNIT_COST_KEYS.items():
            self.fields[key] = forms.DecimalField(label=f"{label}（{unit}）", min_value=0, required=False)
