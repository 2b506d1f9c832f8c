"""Audit rows as an auditor reads them: the person, the action's name, the object named (and linked when the reader may
open its page), what changed as field: old → new with the fields' names, and the other details labelled.

`present(events, viewer)` reads the objects of a page of rows in one query per model, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit_catalog import DETAIL_KEYS, action_label, object_kind, result_label
from .menu import may_open
from .roles import Role

TEXT_LIMIT = 200


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Row:
    event: object
    at: str
    person: str
    login: str
    ip: str
    action: str
    action_code: str
    result: str
    result_code: str
    object_type: str
    object_text: str
    object_url: str = ""
    changes: list[Change] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)


def _model(label: str):
    if not label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _objects(events) -> dict[tuple[str, str], object]:
    """{(object_type, object_id): instance} for the rows, one query per model; soft-deleted rows included."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e.object_type and e.object_id.isdigit():
            wanted[e.object_type].add(int(e.object_id))
    found = {}
    for label, ids in wanted.items():
        model = _model(label)
        if model is None:
            continue
        manager = getattr(model, "all_objects", model._base_manager)
        kind = object_kind(label)
        for pk, obj in manager.select_related(*kind.select_related).in_bulk(ids).items():
            found[(label, str(pk))] = obj
    return found


def _text(value) -> str:
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value) if value else _("（空）")
    if isinstance(value, dict):
        return "；".join(f"{k}={_text(v)}" for k, v in value.items()) if value else _("（空）")
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return str(DETAIL_KEYS.get(name, name))


def _role_text(code) -> str:
    return str(Role(code).label) if code in Role.values else _text(code)


def _details(detail: dict, model) -> tuple[list[Change], list[tuple[str, str]]]:
    """What changed (field: old → new) and the other details of a row, labelled."""
    detail = dict(detail or {})
    changes: list[Change] = []
    if "changes" in detail:
        # Recorded as text a person reads; the raw `old` / `new` / `fields` beside it say the same in ids.
        for name, pair in (detail.pop("changes") or {}).items():
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            changes.append(Change(_field_label(model, name), _text(old), _text(new)))
        for raw in ("old", "new", "fields"):
            detail.pop(raw, None)
    if "old_role" in detail:
        old_role, role = detail.pop("old_role"), detail.pop("role", None)
        if old_role is None:
            detail["role"] = role
        elif old_role != role:
            changes.append(Change(str(DETAIL_KEYS["role"]), _role_text(old_role), _role_text(role)))
    if "old" in detail and "new" in detail:
        old, new = detail.pop("old"), detail.pop("new")
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new), key=str):
                if old.get(key) != new.get(key):
                    changes.append(Change(_field_label(model, key), _text(old.get(key)), _text(new.get(key))))
        elif old != new:
            label = str(detail.pop("code")) if "code" in detail else _("值")
            changes.append(Change(label, _text(old), _text(new)))
    elif isinstance(detail.get("old"), dict):
        for key, value in detail.pop("old").items():
            changes.append(Change(_field_label(model, key), _text(value), _("（未记录）")))
    facts = []
    for key, value in detail.items():
        if key == "fields" and isinstance(value, list):
            facts.append((str(DETAIL_KEYS["fields"]), "、".join(_field_label(model, f) for f in value) or _("无")))
        elif key == "role":
            facts.append((str(DETAIL_KEYS["role"]), _role_text(value)))
        else:
            facts.append((_field_label(None, key), _text(value)))
    return changes, facts


def _object(event, obj, viewer) -> tuple[str, str, str]:
    """(type name, description, url or "") of the row's object."""
    model = _model(event.object_type)
    if model is None:
        if event.object_type:
            return event.object_type, f"{event.object_type} {event.object_id}".strip(), ""
        path = (event.detail or {}).get("path") if isinstance(event.detail, dict) else None
        if event.action.startswith("access.") and path:
            return _("页面"), _("页面 %(path)s") % {"path": path}, ""
        return "", "", ""
    name = str(model._meta.verbose_name)
    if not event.object_id:
        return name, name, ""
    if obj is None:
        return name, _("%(what)s #%(id)s（已不存在）") % {"what": name, "id": event.object_id}, ""
    kind = object_kind(event.object_type)
    text = f"{name} {kind.text(obj) if kind.text else obj}"
    if getattr(obj, "deleted_at", None) is not None:
        return name, text + _("（已删除）"), ""
    url = ""
    if kind.url is not None:
        try:
            route, args = kind.url(obj)
            if may_open(viewer, route, args):
                url = reverse(route, args=args)
        except (NoReverseMatch, AttributeError, TypeError):
            url = ""
    return name, text, url


def person(event) -> tuple[str, str]:
    """(name, login) of whoever acted: the user's full name when the account still exists."""
    user = event.user
    name = (user.full_name if user is not None else "") or ""
    return name, event.username


def present(events, viewer) -> list[Row]:
    events = list(events)
    objects = _objects(events)
    rows = []
    for e in events:
        name, login = person(e)
        model = _model(e.object_type)
        type_name, object_text, url = _object(e, objects.get((e.object_type, e.object_id)), viewer)
        changes, facts = _details(e.detail if isinstance(e.detail, dict) else {"detail": e.detail}, model)
        rows.append(
            Row(
                event=e,
                at=timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S") if e.at else "",
                person=name,
                login=login,
                ip=e.ip or "",
                action=action_label(e.action),
                action_code=e.action,
                result=result_label(e.result),
                result_code=e.result,
                object_type=type_name,
                object_text=object_text,
                object_url=url,
                changes=changes,
                facts=facts,
            )
        )
    return rows
