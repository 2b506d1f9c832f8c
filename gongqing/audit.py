"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from .clientaddr import client_address
from .models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address behind the trusted proxies (gongqing.clientaddr)."""
    return client_address(request)


def _subject(user, request, detail: dict) -> tuple[Any, str]:
    """The row's user and username: the request's signed-in user unless a user or an explicit `username` (a failed
    login's name, taken out of `detail`) is given."""
    if user is None and request is not None and getattr(request, "user", None) is not None and "username" not in detail:
        user = request.user if request.user.is_authenticated else None
    return user, getattr(user, "username", "") or detail.pop("username", "")


def record(
    *, action: str, user=None, request=None, obj: Any = None, result: str = "ok", ip: str | None = None, **detail
) -> AuditEvent:
    """Record an event. `obj` may be a model instance; detail must be JSON-able. `ip` is for rows written later than
    the request they describe (the refusal summaries of gongqing.refusals); otherwise the request's address is used.
    An explicit `username` (a failed login's name) is the row's subject: the signed-in user is not put in its place.
    """
    user, username = _subject(user, request, detail)
    return AuditEvent.objects.create(
        user=user,
        username=username,
        ip=ip or client_ip(request),
        action=action,
        object_type=obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        result=result,
        detail=detail,
    )


_APPEND_FIELDS = ("at", "user", "username", "ip", "action", "object_type", "object_id", "result", "detail")
_append_sql: dict[str, str] = {}


def append(*, action: str, user=None, request=None, result: str = "ok", **detail) -> None:
    """The row `record()` writes for an event without an object, by one INSERT: no model instance, no save() and its
    signals, no transaction wrapping. For the API's per-call rows (gongqing.api.base), one on every request. The row
    is the same (its time from `timezone.now()`, as `auto_now_add` gives it) and, outside a transaction, committed by
    the INSERT as before."""
    from django.db import connections, router
    from django.utils import timezone

    user, username = _subject(user, request, detail)
    using = router.db_for_write(AuditEvent)
    connection = connections[using]
    meta = AuditEvent._meta
    fields = [meta.get_field(name) for name in _APPEND_FIELDS]
    sql = _append_sql.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _append_sql[connection.vendor] = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
    values = (
        timezone.now(),
        getattr(user, "pk", None),
        username,
        client_ip(request),
        action,
        "",
        "",
        result,
        detail,
    )
    params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
