"""Refused accesses to pages and objects, in the audit log like the API's refusals.

Two kinds of refusal reach a logged-in user of the pages:

- a role check refuses the page (`roles_required`, or a view's own `raise PermissionDenied`): 403;
- an object lies outside the user's scope (another township's school, an item of another body): the access helpers
  raise `OutOfScope`, a 404 like a missing object (hiding that it exists is the point), after checking that the object
  does exist — an ordinary mistyped or stale URL stays a plain 404 and is not recorded.

`RefusalAuditMiddleware.process_exception` records both, for authenticated users only. API views handle their own
exceptions (DRF) and are audited as `api.call`, so nothing is recorded twice.

Folding: a crawler must not flood the log, and audit rows are append-only. The first refusal of one person on one kind
of object (a model, or a page) writes an `access.refused` row and opens a one-minute `RefusalWindow`; further
refusals within that minute only count in the window (with the first object ids or paths tried). When the minute has
closed the count becomes one `access.refused_repeated` row: at the person's next refusal after it, or when
`flush_closed` runs (the `gongqing.tasks.flush_refusals` beat task every minute, and the audit log page before it
reads). Every refusal is thus a row or counted in exactly one summary row, and no row is ever changed.
"""

from __future__ import annotations

import datetime
import logging

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from . import audit
from .models import RefusalWindow

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
SAMPLES_KEPT = 20
REFUSED = "access.refused"
REFUSED_REPEATED = "access.refused_repeated"


class OutOfScope(Http404):
    """An object that exists but lies outside the user's scope: answered 404, recorded as a refusal."""

    def __init__(self, model, pk):
        super().__init__()
        self.model = model
        self.pk = pk


def get_in_scope(queryset, pk):
    """`queryset.get(pk=pk)` for a queryset already narrowed to the user's scope.

    Http404 when nothing has that id; OutOfScope when the object exists (in the model's default manager, so
    soft-deleted rows count as missing) but not in the scope.
    """
    model = queryset.model
    try:
        return queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        pass
    try:
        exists = model._default_manager.filter(pk=pk).exists()
    except (ValueError, TypeError):
        exists = False
    if exists:
        raise OutOfScope(model, pk)
    raise Http404


class RefusalAuditMiddleware:
    """Records refused pages (403) and out-of-scope objects (404) of logged-in users; answers stay as they were."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied | OutOfScope):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            refused(request=request, exception=exception)
        except DatabaseError:
            # The answer must still be the refusal, not a 500: say that the row is missing and go on.
            log.exception("could not record the refusal of %s", request.path)
        return None


def _what(request, exception) -> tuple[str, object | None, dict]:
    """The window kind, a stand-in object for the row's object type and id, and the details of one refusal."""
    detail = {"method": request.method, "path": request.get_full_path()[:300]}
    if isinstance(exception, OutOfScope):
        detail["status"] = 404
        stand_in = exception.model(pk=exception.pk)
        return exception.model._meta.label_lower, stand_in, detail
    detail["status"] = 403
    match = getattr(request, "resolver_match", None)
    route = match.view_name if match is not None else ""
    if route:
        detail["route"] = route
    return f"page:{route or request.path[:100]}", None, detail


def refused(*, request, exception) -> audit.AuditEvent | None:
    """Record one refusal; the audit row when it opens a window, None when it was folded into an open one."""
    user = request.user
    kind, stand_in, detail = _what(request, exception)
    sample = str(stand_in.pk) if stand_in is not None else detail["path"]
    now = timezone.now()
    ip = audit.client_ip(request)
    with transaction.atomic():
        window = RefusalWindow.objects.select_for_update().filter(user=user, kind=kind).first()
        if window is not None and now < window.closes_at:
            window.count += 1
            window.last_at = now
            window.ip = ip or window.ip
            if len(window.samples) < SAMPLES_KEPT and sample not in window.samples:
                window.samples = [*window.samples, sample]
            window.save(update_fields=["count", "last_at", "ip", "samples"])
            return None
        if window is not None:
            _close(window)
        event = audit.record(action=REFUSED, request=request, obj=stand_in, result="refused", **detail)
        try:
            with transaction.atomic():
                RefusalWindow.objects.create(
                    user=user,
                    kind=kind,
                    object_type=event.object_type,
                    opened_at=now,
                    closes_at=now + datetime.timedelta(seconds=WINDOW_SECONDS),
                    first_event_id=event.pk,
                    ip=ip,
                )
        except IntegrityError:
            pass  # a concurrent first refusal opened the window: this one keeps its own row, nothing is lost
    return event


def _close(window: RefusalWindow) -> None:
    """Write the window's summary row (when anything was folded into it) and remove the window. Locked by the caller."""
    if window.count:
        stand_in = None
        if window.object_type:
            stand_in = apps.get_model(window.object_type)()  # no id: the summary names the kind, the ids are samples
        page = {"route": window.kind.removeprefix("page:")} if window.kind.startswith("page:") else {}
        audit.record(
            action=REFUSED_REPEATED,
            user=window.user,
            obj=stand_in,
            result="refused",
            ip=window.ip,
            count=window.count,
            first_event=window.first_event_id,
            since=_local(window.opened_at),
            until=_local(window.last_at or window.opened_at),
            samples=window.samples,
            **page,
        )
    window.delete()


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def flush_closed(*, now: datetime.datetime | None = None) -> int:
    """Close every window whose minute is over; returns how many summary rows were written."""
    now = now or timezone.now()
    written = 0
    for pk in RefusalWindow.objects.filter(closes_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            window = RefusalWindow.objects.select_for_update().select_related("user").filter(pk=pk).first()
            if window is None or window.closes_at > now:
                continue  # closed meanwhile by the person's next refusal
            written += bool(window.count)
            _close(window)
    return written
