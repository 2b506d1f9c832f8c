"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from .clientaddr import client_address
from .models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address behind the trusted proxies (gongqing.clientaddr)."""
    return client_address(request)


def record(
    *, action: str, user=None, request=None, obj: Any = None, result: str = "ok", ip: str | None = None, **detail
) -> AuditEvent:
    """Record an event. `obj` may be a model instance; detail must be JSON-able. `ip` is for rows written later than
    the request they describe (the refusal summaries of gongqing.refusals); otherwise the request's address is used.
    An explicit `username` (a failed login's name) is the row's subject: the signed-in user is not put in its place.
    """
    if user is None and request is not None and getattr(request, "user", None) is not None and "username" not in detail:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        username=getattr(user, "username", "") or detail.pop("username", ""),
        ip=ip or client_ip(request),
        action=action,
        object_type=obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        result=result,
        detail=detail,
    )
