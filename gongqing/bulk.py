"""Bulk writes whose number of statements grows with the rows only through the batch size.

On PostgreSQL: new rows by multi-row INSERT (Django's bulk_create, optionally ON CONFLICT … DO UPDATE), changed
rows by one `UPDATE … FROM (VALUES …)` per batch, removed rows by one `DELETE … WHERE id = ANY(…)` per table. On
other databases (SQLite in development and the fast tests) Django's bulk_create / bulk_update / delete are used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, router

BATCH = 5000  # rows per statement: 5,000 rows of up to 12 columns stay under PostgreSQL's 65,535 parameters


def _connection(model):
    return connections[router.db_for_write(model)]


def _copy(model, fields, rows: Iterable[Sequence], conn) -> None:
    """COPY … FROM STDIN, one statement for any number of rows; seen by the connection's execute wrappers (statement
    counts in tests and benchmarks) like any other statement."""
    qn = conn.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"

    # COPY writes a value as psycopg adapts it, JSON wrapped for jsonb: only the JSON columns are looked at, not every
    # value of every row (some 200,000 rows of 10 columns in a first full recompute at 10,000 schools).
    json_columns = [(i, f.encoder) for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    adapt = conn.ops.adapt_json_value
    width = len(fields)

    def run(sql, params, many, context):
        with context["cursor"].cursor.copy(sql) as cp:
            for row in rows:
                if len(row) != width:
                    raise ValueError(f"a row of {len(row)} values for {width} columns")
                if json_columns:
                    row = list(row)
                    for i, encoder in json_columns:
                        if row[i] is not None:
                            row[i] = adapt(row[i], encoder)
                cp.write_row(row)

    with conn.cursor() as cursor:
        cursor._execute_with_wrappers(sql, None, False, executor=run)


def create(model, objs: Sequence, *, batch_size: int = BATCH) -> int:
    """INSERT the (unsaved) objects: by COPY on PostgreSQL (the objects get no primary key back), else bulk_create."""
    if not objs:
        return 0
    conn = _connection(model)
    if conn.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return len(objs)
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.pk or getattr(objs[0], f.attname)]
    _copy(model, fields, ([f.pre_save(obj, True) for f in fields] for obj in objs), conn)
    return len(objs)


def insert(model, rows: Sequence[dict], *, batch_size: int = BATCH) -> int:
    """INSERT rows given as {attname: value} (every row the same keys), without model instances on PostgreSQL."""
    if not rows:
        return 0
    conn = _connection(model)
    if conn.vendor != "postgresql":
        model.objects.bulk_create([model(**r) for r in rows], batch_size=batch_size)
        return len(rows)
    names = list(rows[0])
    fields = [model._meta.get_field(n) for n in names]
    _copy(model, fields, ([r[n] for n in names] for r in rows), conn)
    return len(rows)


def history(model, objs: Sequence, *, update: bool = False, reason: str = "", when=None) -> int:
    """The django-simple-history rows of created (`update` False) or changed objects, as its bulk_history_create
    writes them, inserted by `insert`."""
    from django.utils import timezone

    historical = model.history.model
    when = when or timezone.now()
    tracked = historical.tracked_fields
    rows = []
    for obj in objs:
        user = getattr(obj, "_history_user", None) or historical.get_default_history_user(obj)
        rows.append(
            {
                "history_date": getattr(obj, "_history_date", when),
                "history_user_id": getattr(user, "pk", None),
                "history_change_reason": getattr(obj, "_change_reason", None) or reason or None,
                "history_type": "~" if update else "+",
                **{f.attname: getattr(obj, f.attname) for f in tracked},
            }
        )
    return insert(historical, rows)


def history_rows(model, rows: Sequence[dict], *, reason: str = "", when=None) -> int:
    """The django-simple-history "+" rows of items just created from `rows` ({attname: value}, with their `id`),
    as `history` writes them for objects, without building the objects."""
    from django.utils import timezone

    historical = model.history.model
    when = when or timezone.now()
    tracked = [f.attname for f in historical.tracked_fields]
    user = historical.get_default_history_user(model())  # the request's user when one is being served, as `history`
    return insert(
        historical,
        [
            {
                "history_date": when,
                "history_user_id": getattr(user, "pk", None),
                "history_change_reason": reason or None,
                "history_type": "+",
                **{name: row[name] for name in tracked},
            }
            for row in rows
        ],
    )


def update(model, objs: Sequence, fields: Iterable[str], *, batch_size: int = BATCH) -> int:
    """Write `fields` of existing objects (by pk): one UPDATE … FROM (VALUES …) per batch on PostgreSQL."""
    meta = model._meta
    by_name = {meta.get_field(f).name: meta.get_field(f) for f in fields}  # names or attnames ("stage_id")
    if not objs or not by_name:
        return 0
    conn = _connection(model)
    if conn.vendor != "postgresql":
        model.objects.bulk_update(objs, sorted(by_name), batch_size=min(batch_size, 500))
        return len(objs)
    pk = meta.pk
    columns = [pk] + [by_name[f] for f in sorted(by_name)]
    qn = conn.ops.quote_name
    types = [c.cast_db_type(conn) or c.db_type(conn) for c in columns]
    row = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
    set_sql = ", ".join(f"{qn(c.column)} = v.{qn(c.column)}" for c in columns[1:])
    names = ", ".join(qn(c.column) for c in columns)
    with conn.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params: list = []
            for obj in batch:
                for c in columns:
                    params.append(c.get_db_prep_save(getattr(obj, c.attname), connection=conn))
            cursor.execute(
                f"UPDATE {qn(meta.db_table)} AS t SET {set_sql} FROM (VALUES {', '.join([row] * len(batch))}) "
                f"AS v({names}) WHERE t.{qn(pk.column)} = v.{qn(pk.column)}",
                params,
            )
    return len(objs)


def delete(model, pks: Sequence[int]) -> int:
    """DELETE rows by primary key in one statement (rows without cascades or signals: no model instances)."""
    if not pks:
        return 0
    conn = _connection(model)
    if conn.vendor != "postgresql":
        pks, n = list(pks), 0
        for start in range(0, len(pks), 900):  # SQLite's limit on a statement's parameters
            n += model.objects.filter(pk__in=pks[start : start + 900])._raw_delete(conn.alias)
        return n
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} = ANY(%s)", [list(pks)]
        )
        return cursor.rowcount
