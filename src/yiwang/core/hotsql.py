"""Hot-path SQL: statements run on every API call, prepared once per database connection.

Django's PostgreSQL backend binds parameters on the client, so the server parses and plans
every statement it receives anew; for the few statements every gateway call runs, that cost
PostgreSQL more than executing them (about 0.5 ms of its CPU per lookup). `cursor()` hands out
a psycopg cursor with server-side binding whose statements are prepared on their first use on
a connection and reused after (psycopg keeps them per connection; settings.py lets it prepare
only these). Elsewhere (SQLite) it is Django's own cursor: the same SQL with %s placeholders
runs on both.

Errors come out as Django's database exceptions and, when Django records queries (DEBUG, or
a test capturing them), the statements are recorded too, as from Django's cursor.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import connection


@contextmanager
def cursor():
    if connection.vendor != "postgresql":
        with connection.cursor() as django_cursor:
            yield django_cursor
        return
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as raw:
        yield _Prepared(raw, connection.queries_log if connection.queries_logged else None)


class _Prepared:
    __slots__ = ("_cursor", "_log")

    def __init__(self, raw, log):
        self._cursor, self._log = raw, log

    def execute(self, sql: str, params=()):
        if self._log is None:
            return self._cursor.execute(sql, params, prepare=True)
        started = time.monotonic()
        try:
            return self._cursor.execute(sql, params, prepare=True)
        finally:
            self._log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})

    def fetchone(self):
        return self._cursor.fetchone()
