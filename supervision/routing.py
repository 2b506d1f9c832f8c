"""The routing of work to bodies as the bureau edits it: the routing table's rows with their measures (PLAN.md's
table is the default, supervision/plan.py), and the reassignment of one ledger item's bodies (audited, with history)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongqing import saving

from . import rules
from .models import Body, BodyRole, ItemBody, RectificationItem, RoutingRule
from .plan import ROUTE_MEASURES, ROUTING, TOWNSHIP, TOWNSHIPS


def body_names() -> dict[str, str]:
    return {b.code: b.name for b in Body.objects.all()} | {
        TOWNSHIP: _("学校所在乡镇（街道）"),
        TOWNSHIPS: _("各乡镇（街道）"),
    }


def routing_rows() -> list[dict]:
    """Each rule with its measure, lead and cooperating bodies by name, and whether it differs from the plan's."""
    names = body_names()
    rows = []
    for r in RoutingRule.objects.all():
        bodies = list(r.bodies)
        rows.append(
            {
                "code": r.code,
                "measure": r.measure or ROUTE_MEASURES.get(r.code, ""),
                "lead": names.get(bodies[0], bodies[0]) if bodies else "",
                "cooperating": [names.get(c, c) for c in bodies[1:]],
                "edited": tuple(bodies) != tuple(ROUTING.get(r.code, bodies)),
            }
        )
    return sorted(rows, key=lambda row: (row["code"][0] not in "RGQSTV", "RGQSTV".find(row["code"][0]), _num(row)))


def _num(row) -> int:
    digits = row["code"][1:]
    return int(digits) if digits.isdigit() else 0


def _state(item: RectificationItem) -> list[str]:
    return sorted(f"{a.role}:{a.body_id}" for a in ItemBody.objects.filter(item=item))


def _named(state: list[str]) -> dict:
    names = dict(Body.objects.values_list("pk", "name"))
    roles = dict(BodyRole.choices)
    return {
        "bodies": [
            f"{roles.get(role, role)}：{names.get(int(pk), pk)}" for role, _sep, pk in (s.partition(":") for s in state)
        ]
    }


def item_reassign(
    *, item: RectificationItem, lead: Body, cooperating, reason: str, by, request=None
) -> RectificationItem:
    """The bureau gives an item other bodies: the lead and cooperating bodies are replaced as a whole, the reason
    goes into the item's history (`assignment_note`), and one audit row records old and new bodies."""
    if not reason.strip():
        raise rules.WorkflowError(_("请填写调整理由。"))
    with transaction.atomic():
        item = RectificationItem.objects.select_for_update().get(pk=item.pk)
        old = _state(item)
        ItemBody.objects.filter(item=item).delete()
        ItemBody.objects.bulk_create(
            [ItemBody(item=item, body=lead, role=BodyRole.LEAD)]
            + [ItemBody(item=item, body=b, role=BodyRole.COOPERATING) for b in cooperating if b.pk != lead.pk]
        )
        new = _state(item)
        names = [b.name for b in cooperating if b.pk != lead.pk]
        note = _("牵头：%(lead)s；配合：%(cooperating)s。理由：%(reason)s") % {
            "lead": lead.name,
            "cooperating": "、".join(names) or "—",
            "reason": reason.strip(),
        }
        item.assignment_note = note[:300]
        item._history_user = by
        item._change_reason = "责任分工调整"
        item.save(update_fields=["assignment_note"])
        saving.record_change(
            action="supervision.item_reassign",
            by=by,
            request=request,
            obj=item,
            old=old,
            new=new,
            readable=_named,
            reason=reason.strip(),
        )
    return item
