"""The audit table protected by the database itself (等保: audit records protected from change and deletion).

The ORM already refuses to change or delete an `AuditEvent` (gongqing.models); these triggers refuse it below the
ORM too — `_base_manager`, a bare `QuerySet`, raw SQL — so a bug or a hand-typed statement cannot rewrite the log.
The one way rows leave is `prune()` (the `prune_audit` command), and it removes only rows older than the retention:

- PostgreSQL: a row trigger refuses UPDATE and DELETE unless the transaction-local setting `gongqing.audit_prune`
  is on *and* the row is older than the retention; only the SQL function `gongqing_audit_prune(cutoff)` sets it,
  and it refuses a cutoff inside the retention. TRUNCATE (a restore, a test database's teardown) is not a row
  operation and stays possible for the table's owner.
- SQLite: triggers read a one-row guard table (not a Django model, so `flush` leaves it alone). 0 refuses everything;
  1 (pruning) lets rows older than the retention go; 2 (flush: `manage.py restore`, test teardown) lets all go. The
  value is set and reset inside the writer's own transaction, which holds SQLite's single write lock meanwhile.

The triggers are installed by migration gongqing.0006 and checked again after every `migrate` (a SQLite table
rebuild by a later migration drops its triggers).
"""

from __future__ import annotations

import contextlib
import datetime

from django.db import connection as default_connection
from django.db import transaction

AUDIT_TABLE = "gongqing_auditevent"
RETENTION_DAYS = 180
GUARD_TABLE = "gongqing_audit_guard"

SQLITE_OPEN = f"UPDATE {GUARD_TABLE} SET open = 2 WHERE id = 1"  # flush: every row may go
SQLITE_PRUNE = f"UPDATE {GUARD_TABLE} SET open = 1 WHERE id = 1"  # prune: rows past the retention may go
SQLITE_CLOSE = f"UPDATE {GUARD_TABLE} SET open = 0 WHERE id = 1"

_SQLITE_OLD_ENOUGH = f"OLD.at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-{RETENTION_DAYS} days')"
SQLITE_INSTALL = [
    f"CREATE TABLE IF NOT EXISTS {GUARD_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), open INTEGER NOT NULL)",
    f"INSERT OR IGNORE INTO {GUARD_TABLE} (id, open) VALUES (1, 0)",
    f"""CREATE TRIGGER IF NOT EXISTS {AUDIT_TABLE}_no_update BEFORE UPDATE ON {AUDIT_TABLE}
        WHEN (SELECT open FROM {GUARD_TABLE} WHERE id = 1) IS NOT 2
        BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {AUDIT_TABLE}_no_delete BEFORE DELETE ON {AUDIT_TABLE}
        WHEN NOT ((SELECT open FROM {GUARD_TABLE} WHERE id = 1) IS 2
                  OR ((SELECT open FROM {GUARD_TABLE} WHERE id = 1) IS 1 AND {_SQLITE_OLD_ENOUGH}))
        BEGIN SELECT RAISE(ABORT, 'audit rows cannot be deleted; prune_audit removes rows past the retention'); END""",
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_no_delete",
    f"DROP TABLE IF EXISTS {GUARD_TABLE}",
]

POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION gongqing_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('gongqing.audit_prune', true) = 'on'
           AND OLD.at < now() - interval '{RETENTION_DAYS} days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit rows cannot be changed or deleted (%); prune_audit removes rows past the retention',
            TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$""",
    f"""CREATE OR REPLACE FUNCTION gongqing_audit_prune(cutoff timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE n bigint;
    BEGIN
        IF cutoff > clock_timestamp() - interval '{RETENTION_DAYS} days' THEN
            RAISE EXCEPTION 'audit rows are kept at least {RETENTION_DAYS} days'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM set_config('gongqing.audit_prune', 'on', true);
        DELETE FROM {AUDIT_TABLE} WHERE at < cutoff;
        GET DIAGNOSTICS n = ROW_COUNT;
        PERFORM set_config('gongqing.audit_prune', 'off', true);
        RETURN n;
    END $$""",
    f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_append_only ON {AUDIT_TABLE}",
    f"""CREATE TRIGGER {AUDIT_TABLE}_append_only BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION gongqing_audit_refuse()""",
]
POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {AUDIT_TABLE}_append_only ON {AUDIT_TABLE}",
    "DROP FUNCTION IF EXISTS gongqing_audit_prune(timestamptz)",
    "DROP FUNCTION IF EXISTS gongqing_audit_refuse()",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_UNINSTALL
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_UNINSTALL
    return []


def install(connection=None) -> None:
    """Create (or re-create) the guard; idempotent."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)


def installed(connection=None) -> bool:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s", [f"{AUDIT_TABLE}_append_only"])
            return cursor.fetchone()[0] == 1
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [AUDIT_TABLE])
            return cursor.fetchone()[0] == 2
    return False


def prune(cutoff: datetime.datetime, connection=None) -> int:
    """Delete audit rows older than `cutoff` (which must be at least the retention ago); returns how many went."""
    connection = connection or default_connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT gongqing_audit_prune(%s)", [cutoff])
            return cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_PRUNE)
            try:
                cursor.execute(f"DELETE FROM {AUDIT_TABLE} WHERE at < %s", [cutoff])
                return cursor.rowcount
            finally:
                cursor.execute(SQLITE_CLOSE)
        cursor.execute(f"DELETE FROM {AUDIT_TABLE} WHERE at < %s", [cutoff])
        return cursor.rowcount


@contextlib.contextmanager
def unguarded(connection=None):
    """Tests' set-up only (SQLite): every audit row may be deleted inside the block, as `flush` does."""
    connection = connection or default_connection
    if connection.vendor != "sqlite":
        raise RuntimeError("the audit guard opens only on SQLite, and only for flush and tests' set-up")
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_OPEN)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(SQLITE_CLOSE)
