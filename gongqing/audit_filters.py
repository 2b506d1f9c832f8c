"""The audit log's filters (a GET form) and the selector that applies them; shared by the page and its .xlsx export."""

from __future__ import annotations

import datetime

from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit_catalog import OBJECT_KINDS, RESULTS, known_actions
from .models import AuditEvent, User


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name}（{obj.username}）" if obj.full_name else obj.username


def _action_choices():
    pairs = sorted(known_actions().items(), key=lambda kv: kv[1])
    return [("", _("全部"))] + [(code, label) for code, label in pairs]


def _object_type_choices():
    out = []
    for label in OBJECT_KINDS:
        try:
            out.append((label, str(apps.get_model(label)._meta.verbose_name)))
        except LookupError:
            continue
    return [("", _("全部"))] + sorted(out, key=lambda kv: kv[1])


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    user = PersonChoice(
        label=_("人员"), queryset=User.objects.order_by("username"), required=False, empty_label=_("全部")
    )
    action = forms.ChoiceField(label=_("操作"), required=False, choices=_action_choices)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False, choices=_object_type_choices)
    result = forms.ChoiceField(label=_("结果"), required=False, choices=lambda: [("", _("全部")), *RESULTS.items()])
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def query(self) -> dict:
        """The filters as GET parameters (for the export link and the pager), empty ones left out."""
        if not self.is_bound:
            return {}
        return {k: v for k, v in self.data.items() if k in self.fields and v}


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _actions_named(text: str) -> list[str]:
    """Codes whose Chinese name contains the text: searching “审核” finds `return.approve`."""
    return [code for code, label in known_actions().items() if text in label]


def events(form: AuditFilterForm):
    """The rows the valid form selects, newest first; no rows for an invalid form (its errors are shown instead)."""
    qs = AuditEvent.objects.select_related("user").order_by("-at", "-pk")
    if not form.is_bound:
        return qs
    if not form.is_valid():
        return qs.none()
    d = form.cleaned_data
    if d["q"]:
        q = d["q"].strip()
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(action__icontains=q)
            | Q(user__full_name__icontains=q)
            | Q(action__in=_actions_named(q))
        )
    if d["user"] is not None:
        qs = qs.filter(user=d["user"])
    if d["action"]:
        qs = qs.filter(action=d["action"])
    if d["object_type"]:
        qs = qs.filter(object_type=d["object_type"])
    if d["result"]:
        qs = qs.filter(result=d["result"])
    if d["date_from"]:
        qs = qs.filter(at__gte=_day_start(d["date_from"]))
    if d["date_to"]:
        qs = qs.filter(at__lt=_day_start(d["date_to"] + datetime.timedelta(days=1)))
    return qs
