"""Querysets compiled once per process: small queries run on every API call (the token, the evaluation state, a
page's schools) cost more in Django's compilation (0.2–0.4 ms each) than in the database. `Compiled` builds the
queryset once per database and shape with marker values, finds where the markers land among the SQL's parameters,
and afterwards runs the same SQL with the request's values, its rows converted as the ORM converts them (SQLite's
datetimes and booleans, for example). The same query, the same rows: only the compilation is not repeated.

`build(*values)` must return a `values_list()` queryset (or `values()` with `run(…, as_dicts=True)`) whose only
varying parameters are `values` (scalars, or lists for `__in`); `run` takes a key naming whatever else the SQL
depends on. Anything the markers do not map (a value folded into the SQL, a list shortened) is run the ordinary way.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import QuerySet

_INT_MARKER = 2_000_000_000  # inside a 32-bit integer column's range, which Django checks for lookups
_CACHE_LIMIT = 512


def _marker(value, n: int):
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return _INT_MARKER + n if isinstance(value, int) else f"\x1ecompiled-marker-{n}\x1e"


def _holds(param, marker) -> bool:
    """Whether a parameter carries a marker in some other form (equal to it, or its text within)."""
    try:
        if param == marker:
            return True
    except Exception:  # noqa: BLE001 - an adapter that cannot compare holds no marker
        pass
    text = marker if isinstance(marker, str) else str(marker)
    return text in str(param)


class Compiled:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._plans: dict = {}

    def _shape(self, values) -> tuple:
        return tuple(len(v) if isinstance(v, list | tuple) else type(v) for v in values)

    def _plan(self, using: str, values, build, as_dicts: bool = False):
        """(sql, params with the markers' places, converters, names) or None when the markers do not map: every
        marker must land among the parameters (a marker may land several times, each place then takes its value)."""
        markers: dict = {}  # marker → (index of the value, index within a list value or None)
        for i, value in enumerate(values):
            items = enumerate(value) if isinstance(value, list | tuple) else [(None, value)]
            for j, item in items:
                m = _marker(item, len(markers))
                if m is None:
                    return None
                markers[m] = (i, j)
        args: list = [[] if isinstance(v, list | tuple) else None for v in values]
        for m, (i, j) in markers.items():
            if j is None:
                args[i] = m
            else:
                args[i].append(m)
        queryset = build(*args)
        compiler = queryset.query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # `__in` an empty list: Django answers without a query
            return None
        places = []
        seen = set()
        for p in params:
            # A marker may come back wrapped by the backend (psycopg's Int4 for a Value(int)): the same wrapper then
            # takes the request's value.
            hit = markers.get(p) if isinstance(p, int | str) and not isinstance(p, bool) else None
            if hit is not None:
                seen.add(hit)
                places.append(((*hit, None if type(p) in (int, str) else type(p)), p))
            elif any(_holds(p, m) for m in markers):
                return None  # a marker folded into something else: it would stay in the SQL as a constant
            else:
                places.append((None, p))
        if len(seen) != len(markers):
            return None
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        query = queryset.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select] if as_dicts else None
        return sql, places, compiler.get_converters(fields), names

    def run(self, key, build, values, *, using: str = "default", as_dicts: bool = False) -> list | None:
        """The rows of `build(*values)` by its plan for `key` (made on first use), or None when no plan maps (run the
        queryset the ordinary way then). `key` must name everything the SQL depends on besides `values`."""
        key = (using, connections[using].vendor, self._shape(values), key)
        plan = self._plans.get(key, False)
        if plan is False:
            if len(self._plans) > _CACHE_LIMIT:
                self._plans.clear()
            plan = self._plans[key] = self._plan(using, values, build, as_dicts)
        if plan is None:
            return None
        return self._execute(plan, values, using)

    def _execute(self, plan, values, using):
        sql, places, converters, names = plan
        params = []
        for hit, p in places:
            if hit is None:
                params.append(p)
                continue
            value = values[hit[0]] if hit[1] is None else values[hit[0]][hit[1]]
            params.append(value if hit[2] is None else hit[2](value))
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            converted = []
            for row in rows:
                row = list(row)
                for pos, (convs, expression) in converters.items():
                    value = row[pos]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[pos] = value
                converted.append(row)
            rows = converted
        if names is not None:
            return [dict(zip(names, row, strict=True)) for row in rows]
        return [tuple(row) for row in rows]

    def rows(self, *values, using: str = "default") -> list[tuple]:
        rows = self.run((), self.build, values, using=using)
        return list(self.build(*values).using(using)) if rows is None else rows
