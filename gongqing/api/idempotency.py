"""`Idempotency-Key` on POST and PATCH: the same key from the same user replays the first answer for 24 hours.

Keys live in a table (IdempotencyRecord), not the cache: the unique (user, key) constraint makes the claim atomic
across gunicorn workers and hosts, survives a cache flush or restart, and the development cache (locmem) is not
shared between processes. A key sent again with a different body or path is refused (422); while the first request
is still running the second one gets 409. A first answer that was a server error is not kept (its key is released at
once, even for an error DRF does not answer itself), so a retry runs again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import timedelta
from decimal import Decimal

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gongqing.models import IdempotencyRecord

from .exceptions import Conflict, UnprocessableEntity
from .renderers import ExactJSONRenderer

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=2)
METHODS = frozenset({"POST", "PATCH"})


class Replay(Exception):
    def __init__(self, record: IdempotencyRecord):
        self.record = record


def _digest(request) -> str:
    h = hashlib.sha256()
    h.update(request.method.encode())
    h.update(b"\0")
    h.update(request.path.encode())
    h.update(b"\0")
    h.update(request._request.body)
    return h.hexdigest()


def claim(request) -> IdempotencyRecord | None:
    """The new record for this request's key, None without a key; raises Replay, Conflict or 422."""
    key = request.headers.get(HEADER)
    if key is None or request.method not in METHODS:
        return None
    if not (1 <= len(key) <= 100) or not key.isprintable() or not key.isascii():
        raise ValidationError({HEADER: [_("Idempotency-Key须为1至100个可打印ASCII字符。")]}, code="invalid")
    now = timezone.now()
    IdempotencyRecord.objects.filter(user=request.user, created_at__lt=now - TTL).delete()
    IdempotencyRecord.objects.filter(
        user=request.user, key=key, status_code__isnull=True, created_at__lt=now - ABANDONED_AFTER
    ).delete()
    digest = _digest(request)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=request.user, key=key, method=request.method, path=request.path[:300], request_hash=digest
            )
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if record is None:  # expired and purged by a concurrent request in between: let the client retry
        raise Conflict(_("请求正在处理中，请稍后重试。"), code="idempotency_in_progress")
    if record.request_hash != digest:
        raise UnprocessableEntity(
            _("该Idempotency-Key已用于另一个请求（请求方法、地址或内容不同）。"), code="idempotency_key_reused"
        )
    if record.status_code is None:
        raise Conflict(_("使用该Idempotency-Key的请求正在处理中，请稍后重试。"), code="idempotency_in_progress")
    raise Replay(record)


def replay_response(record: IdempotencyRecord) -> Response:
    data = json.loads(record.body, parse_float=Decimal) if record.body else None
    response = Response(data, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def release(record: IdempotencyRecord) -> None:
    """Forget the key of a request that failed, at once (not after ABANDONED_AFTER): the next retry runs.

    Best effort: when the database itself is what failed, the record stays and is abandoned after two minutes."""
    with contextlib.suppress(DatabaseError):
        IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def finish(record: IdempotencyRecord, response) -> None:
    if response.status_code >= 500:
        record.delete()
        return
    body = ExactJSONRenderer().render(response.data).decode() if response.data is not None else ""
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, body=body)
