"""Deriving local variants of a standard: the numbers a bureau admin may change, and the copy with them changed."""

from __future__ import annotations

import copy
from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from gongqing import audit

from .domain import standard as domain_standard
from .models import Standard

EDITABLE_SCALARS = (
    ("cv_limits.primary", _("小学差异系数限值")),
    ("cv_limits.junior", _("初中差异系数限值")),
    ("base_rates.primary", _("小学生均公用经费基准（元）")),
    ("base_rates.junior", _("初中生均公用经费基准（元）")),
    ("tolerance_floor", _("未达标项最低达到比例")),
)


def _get(data: dict, path: str):
    node = data
    for key in path.split("."):
        node = node[key]
    return node


def _set(data: dict, path: str, value) -> None:
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value


class DeriveForm(forms.Form):
    name = forms.CharField(label=_("新标准名称"), max_length=80)
    version = forms.CharField(label=_("版本"), max_length=20)

    def __init__(self, *args, base: Standard, **kwargs):
        super().__init__(*args, **kwargs)
        data = base.data
        self.initial.setdefault("name", f"{base.name}（本地）")
        self.initial.setdefault("version", f"{base.version}-local")
        for path, label in EDITABLE_SCALARS:
            self.fields[path] = forms.DecimalField(label=label, min_value=0, initial=Decimal(str(_get(data, path))))
        for ind in data["indicators"]:
            if ind.get("area") != "resource":
                continue
            for section, value in ind.get("thresholds", {}).items():
                label = f"{ind['code']} {ind['name_zh']}（{'小学' if section == 'primary' else '初中'}）"
                self.fields[f"threshold.{ind['code']}.{section}"] = forms.DecimalField(
                    label=label, min_value=0, initial=Decimal(str(value))
                )


@transaction.atomic
def standard_derive(*, base: Standard, cleaned: dict, by, request=None) -> Standard:
    data = copy.deepcopy(base.data)
    data["name"], data["version"] = cleaned["name"], cleaned["version"]
    for path, _label in EDITABLE_SCALARS:
        _set(data, path, str(cleaned[path]))
    for ind in data["indicators"]:
        for section in list(ind.get("thresholds", {})):
            key = f"threshold.{ind['code']}.{section}"
            if key in cleaned:
                ind["thresholds"][section] = str(cleaned[key])
    code = slugify(f"{data['code']}-{cleaned['version']}")[:40] or "local"
    data["code"] = code
    domain_standard.standard_from_dict(data)  # refuses an inconsistent standard before it is stored
    n = 1
    unique = code
    while Standard.objects.filter(code=unique).exists():
        n += 1
        unique = f"{code[:36]}-{n}"
    row = Standard.objects.create(
        code=unique, name=cleaned["name"], version=cleaned["version"], builtin=False, based_on=base, data=data
    )
    audit.record(action="standard.derive", user=by, request=request, obj=row, based_on=base.code)
    return row
