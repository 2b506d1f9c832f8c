"""The embedded default's database: Django's SQLite backend set up for a trial office's concurrent clicks.

- WAL journal: readers never wait for the writer, the writer never waits for readers.
- A busy timeout of 20 s: a second writer waits for the first instead of failing with "database is locked".
- `BEGIN IMMEDIATE` for every transaction (Django's `transaction_mode`): a transaction takes the write lock when it
  starts, so two transactions that read and then write cannot both hold a read snapshot and fail on the upgrade
  (SQLite answers that case with SQLITE_BUSY at once, whatever the timeout).
- `flush` (test teardown, `manage.py restore`) opens the audit guard around its DELETEs: the audit table's triggers
  (gongqing.auditguard) refuse every other UPDATE and DELETE.

Chosen by the settings when no DATABASE_URL is set (or for any sqlite:// URL).
"""

from django.db.backends.sqlite3 import base, operations

from gongqing import auditguard


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements or auditguard.AUDIT_TABLE not in tables:
            return statements
        return [auditguard.SQLITE_OPEN, *statements, auditguard.SQLITE_CLOSE]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        params.setdefault("timeout", 20)
        return params

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        # WAL is a property of the file (kept once set); an in-memory database answers "memory" and stays as it is.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=20000")
        return conn
