"""Querysets compiled once per process: small queries run on every API call (the token, the evaluation state, a
page's schools) cost more in Django's compilation (0.2–0.4 ms each) than in the database. `Compiled` builds the
queryset once per database and shape with marker values, finds where the markers land among the SQL's parameters,
and afterwards runs the same SQL with the request's values, its rows converted as the ORM converts them (SQLite's
datetimes and booleans, for example). The same query, the same rows: only the compilation is not repeated.

`build(*values)` must return a `values_list()` queryset whose only varying parameters are `values` (scalars, or lists
for `__in`). Anything the markers do not map one to one (a value folded into the SQL, a list shortened) is run the
ordinary way.
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


class Compiled:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._plans: dict = {}

    def _shape(self, values) -> tuple:
        return tuple(len(v) if isinstance(v, list | tuple) else type(v) for v in values)

    def _plan(self, using: str, values):
        """(sql, params with the markers' places, converters) or None when the markers do not map one to one."""
        n = 0
        markers: dict = {}
        args = []
        for i, value in enumerate(values):
            if isinstance(value, list | tuple):
                arg = []
                for j, item in enumerate(value):
                    m = _marker(item, n)
                    n += 1
                    if m is None:
                        return None
                    markers[m] = (i, j)
                    arg.append(m)
                args.append(arg)
            else:
                m = _marker(value, n)
                n += 1
                if m is None:
                    return None
                markers[m] = (i, None)
                args.append(m)
        compiler = self.build(*args).query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # `__in` an empty list: Django answers without a query
            return None
        places = []
        seen = set()
        for p in params:
            hit = markers.get(p) if isinstance(p, int | str) and not isinstance(p, bool) else None
            if hit is not None:
                if hit in seen:
                    return None
                seen.add(hit)
            places.append((hit, p))
        if len(seen) != len(markers):
            return None
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        return sql, places, compiler.get_converters(fields)

    def rows(self, *values, using: str = "default") -> list[tuple]:
        key = (using, connections[using].vendor, self._shape(values))
        plan = self._plans.get(key, False)
        if plan is False:
            if len(self._plans) > _CACHE_LIMIT:
                self._plans.clear()
            plan = self._plans[key] = self._plan(using, values)
        if plan is None:
            return list(self.build(*values).using(using))
        sql, places, converters = plan
        params = [
            p if hit is None else (values[hit[0]] if hit[1] is None else values[hit[0]][hit[1]]) for hit, p in places
        ]
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
                converted.append(tuple(row))
            return converted
        return [tuple(row) for row in rows]
