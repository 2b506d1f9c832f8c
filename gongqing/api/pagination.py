"""Pagination of the API.

`ApiPagination`: page numbers, ?page=N&page_size=M (at most 500), with `count`. Small lists use it.

`KeysetPagination`: the big lists (schools, returns, school results, section verdicts). A page is read from where the
previous one ended (?cursor=…, an opaque token in `next`) along the view's `keyset`, a unique ordering backed by an
index, so the 1st and the 1,000th page cost the same: no OFFSET and, after the first page, no COUNT. `count` is given
on the first page only (null on the pages after it); `previous` is null (the walk is forward only).
Clients written for page numbers keep working: a request with `page` or `ordering` is answered page by page as
before (with `count`), at the old cost.
Anything but positive integers for page and page_size, or a cursor the portal did not issue, is refused (400).
"""

from __future__ import annotations

import base64
import json
from collections import OrderedDict

from django.db.models import BooleanField, F, Func, Value
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from gongqing import json_input


class RowAfter(Func):
    """`(f1, f2, …) > (v1, v2, …)`: a row-value comparison (PostgreSQL, SQLite ≥ 3.15), which PostgreSQL answers with
    a range scan of the index over (f1, f2, …); an equivalent OR of ANDs would scan from the start of the index."""

    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra):
        expressions = self.get_source_expressions()
        half = len(expressions) // 2
        sides, params = [], []
        for side in (expressions[:half], expressions[half:]):
            parts = []
            for expression in side:
                sql, p = compiler.compile(expression)
                parts.append(sql)
                params.extend(p)
            sides.append(f"({', '.join(parts)})")
        return f"{sides[0]} > {sides[1]}", params


def _value(row, field: str):
    if isinstance(row, dict):
        return row[field]
    for part in field.split("__"):
        row = getattr(row, part)
    return row


def _positive_integers(request, param: str) -> None:
    values = request.query_params.getlist(param)
    if any(not (v.isascii() and v.isdigit() and 0 < int(v) < 10**9) for v in values) or len(values) > 1:
        raise ValidationError({param: [_("须为一个正整数。")]}, code="invalid")


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.check_params(request)
        return super().paginate_queryset(queryset, request, view)

    def check_params(self, request, view=None) -> None:
        for param in (self.page_query_param, self.page_size_query_param):
            _positive_integers(request, param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**9 - 1}
        return parameters


class KeysetPagination(ApiPagination):
    """Forward keyset pagination over `view.keyset`: field names of the queryset's ordering, ascending, non-null and
    unique together (the rows are model instances or `values()` dicts holding those names)."""

    cursor_query_param = "cursor"
    legacy_params = ("page", "ordering")

    def __init__(self):
        self.mode = "cursor"
        self.next_key = None
        self.count = None

    # --- parameters ---------------------------------------------------------------------------------------------
    def legacy(self, request) -> bool:
        return any(p in request.query_params for p in self.legacy_params)

    def check_params(self, request, view=None) -> None:
        super().check_params(request, view)
        raw = request.query_params.getlist(self.cursor_query_param)
        if raw and (len(raw) > 1 or self.legacy(request)):
            message = _("游标不能与 page 或 ordering 同时使用。")
            raise ValidationError({self.cursor_query_param: [message]}, code="invalid")
        if raw and view is not None:
            self.decode(raw[0], view)

    def decode(self, raw: str, view) -> list:
        """The cursor's values, checked against `view.keyset`; decoded once per request (the parameters' check, the
        scope's start and the page all ask)."""
        known = self.__dict__.get("_decoded")
        if known is not None and known[0] == raw and known[1] is view:
            return known[2]
        values = self._decode(raw, view)
        self._decoded = (raw, view, values)
        return values

    def _decode(self, raw: str, view) -> list:
        fields = view.keyset
        try:
            data = base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4))
            values = json_input.loads(data, max_bytes=4096)
        except (ValueError, UnicodeError):  # JsonRefused (too deep, too large) included
            values = None
        if not (
            isinstance(values, list)
            and len(values) == len(fields)
            and all(self._fits(view, f, v) for f, v in zip(fields, values, strict=True))
        ):
            message = _("游标无效，请使用上一页返回的 next 链接。")
            raise ValidationError({self.cursor_query_param: [message]}, code="invalid")
        return values

    @staticmethod
    def _fits(view, field: str, value) -> bool:
        if field.endswith("_id") or field in ("id", "pk") or field in getattr(view, "keyset_integers", ()):
            return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63
        return isinstance(value, str) and len(value) <= 200 and "\x00" not in value  # PostgreSQL text holds no NUL

    @staticmethod
    def encode(values) -> str:
        raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @staticmethod
    def unfixed(request, view, values) -> tuple[list[str], list]:
        """The keyset fields (and the cursor's values) to compare, without the leading ones that the request's filters
        fix by equality to the cursor's own value (`view.keyset_fixed`: field → query parameter, e.g. round_id →
        round). Same rows: every row has that value. But PostgreSQL positions an index scan on `round_id = 4 AND
        (school_id, …) > (…)` and not on `round_id = 4 AND (round_id, school_id, …) > (4, …)`, which it reads from the
        round's first row: the 1,000th page of a 10,000-school round then cost 50 times the first."""
        fields, values = list(view.keyset), list(values)
        fixed = getattr(view, "keyset_fixed", {})
        while len(fields) > 1 and fields[0] in fixed:
            given = request.query_params.get(fixed[fields[0]], "")
            if not (given.isascii() and given.isdigit() and int(given) == values[0]):
                break
            fields, values = fields[1:], values[1:]
        return fields, values

    def start(self, request, view, field: str):
        """The cursor's value of `field` when it is the first field the page compares (None without a valid cursor
        or in page mode): a view can bound its scope with it (the rows a page reads are all at or after it)."""
        raw = request.query_params.getlist(self.cursor_query_param)
        if len(raw) != 1 or self.legacy(request):
            return None
        try:
            fields, values = self.unfixed(request, view, self.decode(raw[0], view))
        except ValidationError:  # refused by check_params with its message
            return None
        return values[0] if fields[0] == field else None

    @staticmethod
    def after(fields, values) -> RowAfter:
        return RowAfter(*[F(f) for f in fields], *[Value(v) for v in values])

    # --- paging -------------------------------------------------------------------------------------------------
    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        if view is None or self.legacy(request):
            self.mode = "page"
            return super().paginate_queryset(queryset, request, view)
        self.check_params(request, view)
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            return self.take(list(self.cursor_page(queryset, request, view)), request, view)
        self.count = queryset.count()
        return self.take(list(queryset[: self.get_page_size(request) + 1]), request, view)

    def cursor_page(self, queryset, request, view):
        """The query of a cursor's page: the rows after the cursor, one more than the page holds."""
        raw = request.query_params.get(self.cursor_query_param)
        queryset = queryset.filter(self.after(*self.unfixed(request, view, self.decode(raw, view))))
        return queryset[: self.get_page_size(request) + 1]

    def take(self, rows: list, request, view) -> list:
        """The page from the rows read (one more than it holds when there is a next page); `next` from its last."""
        self.request = request
        self.mode = "cursor"
        if request.query_params.get(self.cursor_query_param):
            self.count = None
        size = self.get_page_size(request)
        self.next_key = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_key = [_value(last, f) for f in view.keyset]
        return rows

    def get_next_link(self):
        if self.mode == "page":
            return super().get_next_link()
        if self.next_key is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.encode(self.next_key))

    def get_previous_link(self):
        if self.mode == "page":
            return super().get_previous_link()
        return None

    def get_paginated_response(self, data):
        if self.mode == "page":
            return super().get_paginated_response(data)
        return Response(
            OrderedDict([("count", self.count), ("next", self.get_next_link()), ("previous", None), ("results", data)])
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "rows in all pages; given on the first page (and with `page`), null after it",
        }
        answer["properties"]["next"]["description"] = "the URL of the next page (with its `cursor`), null at the end"
        return answer

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = "deprecated: page number (slower on deep pages); prefer following `next`"
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "where the page starts: copy it from the previous page's `next`",
                "schema": {"type": "string", "maxLength": 1000},
            }
        )
        return parameters
