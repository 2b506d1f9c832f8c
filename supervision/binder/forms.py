from django import forms
from django.utils.translation import gettext_lazy as _


class BinderForm(forms.Form):
    cycle = forms.TypedChoiceField(
        label=_("工作周期"), coerce=int, error_messages={"invalid_choice": _("“工作周期”：请选择一个已有的工作周期。")}
    )
    round = forms.TypedChoiceField(
        label=_("数据批次"),
        coerce=int,
        error_messages={"invalid_choice": _("“数据批次”：请选择一个已有评估结果的批次。")},
    )

    def __init__(self, *args, cycles=(), rounds=(), initial_cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycles = {c.pk: c for c in cycles}
        self.rounds = {r.pk: r for r in rounds}
        self.fields["cycle"].choices = [(c.pk, str(c)) for c in cycles]
        self.fields["round"].choices = [(r.pk, str(r)) for r in rounds]
        if initial_cycle is not None:
            self.fields["cycle"].initial = initial_cycle.pk

    def clean_cycle(self):
        pk = self.cleaned_data["cycle"]
        if pk not in self.cycles:
            raise forms.ValidationError(_("“工作周期”：请选择一个已有的工作周期。"))
        return self.cycles[pk]

    def clean_round(self):
        pk = self.cleaned_data["round"]
        if pk not in self.rounds:
            raise forms.ValidationError(_("“数据批次”：请选择一个已有评估结果的批次。"))
        return self.rounds[pk]
