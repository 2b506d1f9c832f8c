"""The base of every API view: explicit roles, idempotent writes, the conditional-GET helpers."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.response import Response

from gongqing import audit, json_input

from . import conditional, idempotency
from .permissions import ApiAccess
from .renderers import API_JSON_MAX_BYTES


def _refuse_nul(request) -> None:
    """A NUL character, in a query parameter or as `\\u0000` in a JSON body, is bad input (400): PostgreSQL's text and
    jsonb cannot hold one, so it would otherwise end as a database error (500) wherever a serializer lets it through."""
    for name, values in request.query_params.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            raise ValidationError(
                {name.replace("\x00", "") or "query": [_("参数不能包含空字符（NUL）。")]}, code="invalid"
            )
    if request.method in ("POST", "PUT", "PATCH") and "json" in (request.content_type or ""):
        raw = request._request.body
        if b"\x00" in raw or b"\\u0000" in raw:
            raise ValidationError({"non_field_errors": [_("内容不能包含空字符（NUL）。")]}, code="invalid")


class ApiViewSet(viewsets.GenericViewSet):
    """Subclasses state `read_roles` (and `write_roles` with `write_scope` for writes) and their actions explicitly."""

    permission_classes = [ApiAccess]
    lookup_value_regex = r"[^/]+"
    read_roles: frozenset = frozenset()
    write_roles: frozenset = frozenset()
    write_scope: str | None = None
    _idempotency = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        lookup = kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if lookup is not None and not (lookup.isascii() and lookup.isdigit() and len(lookup) <= 18):
            raise NotFound()  # ids are integers: anything else names nothing
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > API_JSON_MAX_BYTES:  # before the idempotency digest reads the body
            raise ParseError(json_input.too_large(int(length), API_JSON_MAX_BYTES).message, code="parse_error")
        _refuse_nul(request)
        self._idempotency = idempotency.claim(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return idempotency.replay_response(exc.record)
        try:
            return super().handle_exception(exc)
        except Exception:
            # An error DRF does not answer (a bug, the database away) becomes a 500/503 outside DRF, so
            # finalize_response never sees it: release the key now, so that the client's retry runs.
            if self._idempotency is not None:
                idempotency.release(self._idempotency)
                self._idempotency = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        if self._idempotency is not None:
            idempotency.finish(self._idempotency, response)
            self._idempotency = None
        _audit_call(request, response)
        return super().finalize_response(request, response, *args, **kwargs)


def _audit_call(request, response) -> None:
    """One audit row per API call: who (token or session), the method and path, the status. A refused token has
    already been audited by the authentication (api.auth_failed) and is not counted twice."""
    django_request = getattr(request, "_request", request)
    if getattr(django_request, "audit_recorded", False):
        return
    user = request.user if request.user.is_authenticated else None
    token = getattr(request, "auth", None)
    status = response.status_code
    audit.append(  # one lean INSERT per call, the row record() would write
        action="api.call",
        user=user,
        request=django_request,
        result="ok" if status < 400 else ("refused" if status in (401, 403, 404, 405, 429) else "failed"),
        method=request.method,
        path=django_request.get_full_path()[:300],
        status=status,
        token=getattr(token, "prefix", ""),
    )


class ResultViewSet(mixins.ListModelMixin, ApiViewSet):
    """Read-only result resources with ETag / Last-Modified from the evaluation states behind them."""

    _filtered = None

    def evaluation_states(self):
        raise NotImplementedError

    def filtered_queryset(self):
        """The view's queryset with the request's filters, built once per request (the filter set checks every
        parameter and builds its form: a list page used to do that twice)."""
        if self._filtered is None:
            self._filtered = self.filter_queryset(self.get_queryset())
        return self._filtered

    def check_filters(self) -> None:
        """Refuse bad filters (400): by building the filtered queryset, which the page then uses."""
        self.filtered_queryset()

    def _conditional(self, build):
        # Bad filters and page parameters are refused (400) before any 304.
        self.check_filters()
        if self.paginator is not None and hasattr(self.paginator, "check_params"):
            self.paginator.check_params(self.request, self)
        etag, last = conditional.result_validators(self.request, self.evaluation_states())
        if conditional.is_not_modified(self.request, etag, last):
            return conditional.with_validators(Response(status=304), etag, last)
        return conditional.with_validators(build(), etag, last)

    def list(self, request, *args, **kwargs):
        return self._conditional(lambda: super(ResultViewSet, self).list(request, *args, **kwargs))
