"""The one way a validated model form is written (in one transaction with its audit row), and the one way an edit
recorded as a state before and after is audited."""

from __future__ import annotations

from django import forms
from django.db import models, transaction

from . import audit
from .audit_changes import dict_changes, form_changes


def form_save(form: forms.ModelForm, *, action: str, by, request=None, **attrs) -> models.Model:
    """Save `form` (bound and valid) and record `action` with the fields changed and their old and new values, both
    or neither. `attrs` are set on the instance first (e.g. the review a finding belongs to); `by` is the history's
    author."""
    with transaction.atomic():
        obj = form.save(commit=False)
        for name, value in attrs.items():
            setattr(obj, name, value)
        obj._history_user = by
        obj.save()
        form.save_m2m()
        audit.record(
            action=action, user=by, request=request, obj=obj, fields=form.changed_data, changes=form_changes(form)
        )
    return obj


def record_change(*, action: str, by, request, obj, old, new, readable=None, **detail) -> None:
    """Audit an edit recorded as its state before (None for a new object) and after, with their differences under
    `changes`; `readable` turns a state into the plain dict those differences are read from (names for keys)."""
    readable = readable or (lambda state: state)
    changes = dict_changes(readable(old or {}), readable(new))
    audit.record(action=action, user=by, request=request, obj=obj, old=old, new=new, changes=changes, **detail)
