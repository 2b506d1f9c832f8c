"""The audit row of an edit to a measure or an item: its recorded state before and after, and what changed by
name."""

from __future__ import annotations

from gongqing import saving

from ..models import (
    Body,
    BodyRole,
    Stage,
)


def _readable(state: dict) -> dict:
    """A measure's or item's recorded state with the stage and bodies by name, for the audit row's `changes`."""
    out = dict(state)
    if out.get("stage"):
        out["stage"] = str(Stage.objects.filter(pk=out["stage"]).first() or out["stage"])
    if "bodies" in out:
        names = dict(Body.objects.values_list("pk", "name"))
        roles = dict(BodyRole.choices)
        out["bodies"] = [
            f"{roles.get(role, role)}：{names.get(int(body), body)}"
            for role, _sep, body in (b.partition(":") for b in out["bodies"])
        ]
    return out


def record_change(*, action: str, by, request, obj, old: dict | None, new: dict) -> None:
    """Audit an edit: the states before (None for a new object) and after, and their differences, readable."""
    saving.record_change(action=action, by=by, request=request, obj=obj, old=old, new=new, readable=_readable)
