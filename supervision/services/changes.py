"""A measure's or item's recorded state made readable for the audit row's `changes`."""

from __future__ import annotations

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
