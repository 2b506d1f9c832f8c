from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NARRATIVE_FIELDS, ReportDraft

MAX_CHARS = 20000


class DraftForm(forms.ModelForm):
    class Meta:
        model = ReportDraft
        fields = NARRATIVE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in NARRATIVE_FIELDS if name != "issuer"}

    def clean(self):
        cleaned = super().clean()
        for name in NARRATIVE_FIELDS:
            text = cleaned.get(name) or ""
            if len(text) > MAX_CHARS:
                label = self.fields[name].label
                self.add_error(name, _("“%(field)s”不能超过%(n)s个字。") % {"field": label, "n": MAX_CHARS})
        return cleaned


class RequestForm(forms.Form):
    round = forms.TypedChoiceField(label=_("数据批次"), coerce=int)

    def __init__(self, *args, rounds=(), initial_round=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = {r.pk: r for r in rounds}
        self.fields["round"].choices = [(r.pk, str(r)) for r in rounds]
        if initial_round is not None:
            self.fields["round"].initial = initial_round.pk

    def clean_round(self):
        pk = self.cleaned_data["round"]
        if pk not in self.rounds:
            raise forms.ValidationError(_("“数据批次”：请选择一个已有评估结果的批次。"))
        return self.rounds[pk]
