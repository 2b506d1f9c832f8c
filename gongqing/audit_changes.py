"""What a save changed, for the audit row: `changes={field: [old, new]}` as the text a person saw.

Recorded at write time so the log shows field: old → new even after the object changed again or was deleted.
Choices are stored by their label, related objects by name; secrets are never stored.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms

TEXT_LIMIT = 200
SECRET = re.compile(r"pass|pwd|secret|token|otp", re.IGNORECASE)


def _limit(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def value_text(value) -> str | bool | int | None:
    """A JSON-able, readable form of a plain value (numbers and booleans stay themselves)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return _limit("、".join(str(value_text(v)) for v in value))
    return _limit(str(value))


def _field_text(field: forms.Field, value):
    if value in (None, "", [], ()):
        return None
    if isinstance(field, forms.ModelMultipleChoiceField):
        items = list(value)
        if items and not hasattr(items[0], "_meta"):
            items = list(field.queryset.filter(pk__in=items))
        return value_text(sorted(str(i) for i in items))
    if isinstance(field, forms.ModelChoiceField):
        if not hasattr(value, "_meta"):
            value = field.queryset.filter(pk=value).first() or value
        return value_text(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(k): v for k, v in _flat(field.choices)}
        if isinstance(value, list | tuple):
            return value_text([labels.get(str(v), v) for v in value])
        return value_text(labels.get(str(value), value))
    if isinstance(field, forms.FileField):
        return value_text(getattr(value, "name", value))
    return value_text(value)


def _flat(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat(label)
        else:
            yield key, label


def form_changes(form: forms.Form) -> dict[str, list]:
    """{field: [old, new]} for each changed field of a bound, valid form (old from the form's initial values)."""
    out = {}
    for name in form.changed_data:
        field = form.fields[name]
        if SECRET.search(name):
            out[name] = ["***", "***"]
            continue
        out[name] = [_field_text(field, form[name].initial), _field_text(field, form.cleaned_data.get(name))]
    return out


def dict_changes(old: dict, new: dict) -> dict[str, list]:
    """{key: [old, new]} for the keys whose value differs between two plain dicts."""
    return {
        key: [value_text(old.get(key)), value_text(new.get(key))]
        for key in sorted(set(old) | set(new), key=str)
        if old.get(key) != new.get(key)
    }
