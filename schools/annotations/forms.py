"""Forms only parse input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import CollectionRound, Township

from .selectors import STATUS_LABELS


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"))
    field = forms.ChoiceField(label=_("相关数据项"), required=False)
    title = forms.CharField(label=_("说明"), max_length=100, required=False)

    def __init__(self, *args, field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("（整份填报）")), *field_choices]


class FigureForm(forms.Form):
    """A figure of the return named in a reviewer's action, with an optional comment."""

    field = forms.CharField(max_length=40)
    comment = forms.CharField(max_length=2000, required=False)


class WarningForm(forms.Form):
    rule_code = forms.CharField(max_length=60)
    field = forms.CharField(max_length=40, required=False)


class QualityFilter(forms.Form):
    round = forms.ModelChoiceField(
        queryset=CollectionRound.objects.none(), label=_("批次"), required=False, empty_label=_("最新批次")
    )
    township = forms.ModelChoiceField(
        queryset=Township.objects.none(), label=_("乡镇（街道）"), required=False, empty_label=_("全部")
    )
    rule = forms.CharField(label=_("规则"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *STATUS_LABELS.items()])

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = CollectionRound.objects.select_related("school_year")
        self.fields["township"].queryset = townships
