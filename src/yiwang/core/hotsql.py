"""Hot-path SQL: statements run on every API call, prepared once per database connection.

Django's PostgreSQL backend binds parameters on the client, so the server parses and plans
every statement it receives anew; for the few statements every gateway call runs, that cost
PostgreSQL more than executing them (about 0.5 ms of its CPU per lookup). `cursor()` hands out
a psycopg cursor with server-side binding whose statements are prepared on their first use on
a connection and reused after (psycopg keeps them per connection; settings.py lets it prepare
only these). On SQLite it is the driver's own cursor, with each statement's ``%s``
placeholders turned into ``?`` once per process: Django's cursor wrapper rewrites every
statement on every call, which cost more than SQLite took to run a one-row UPDATE (7–12 µs
against 3–5 µs). The same SQL with %s placeholders runs on both; parameters must already be
in the database's form (`connection.ops.adapt_*`).

Errors come out as Django's database exceptions and, when Django records queries (DEBUG, or
a test capturing them), the statements are recorded too, as from Django's cursor.
"""

from __future__ import annotations

import functools
import re
import time
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def cursor():
    # `connection` is a proxy that looks the connection up on every attribute (~1.5 µs each):
    # look it up once.
    db = connections[DEFAULT_DB_ALIAS]
    if db.connection is None:
        db.ensure_connection()
    if db.needs_rollback:
        db.validate_no_broken_transaction()
    log = db.queries_log if db.queries_logged else None
    vendor = db.vendor
    if vendor == "sqlite":
        raw = db.connection.cursor()
        try:
            with db.wrap_database_errors:
                yield _Qmark(raw, log)
        finally:
            raw.close()
    elif vendor == "postgresql":
        import psycopg

        with db.wrap_database_errors, psycopg.Cursor(db.connection) as raw:
            yield _Prepared(raw, log)
    else:
        with db.cursor() as django_cursor:
            yield django_cursor


class _Hot:
    """What the hot paths use of a cursor; statements are logged when Django logs queries."""

    __slots__ = ("_cursor", "_log")

    def __init__(self, raw, log):
        self._cursor, self._log = raw, log

    def execute(self, sql: str, params=()):
        if self._log is None:
            return self._run(sql, params)
        started = time.monotonic()
        try:
            return self._run(sql, params)
        finally:
            self._log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})

    def _run(self, sql: str, params):
        raise NotImplementedError

    def fetchone(self):
        return self._cursor.fetchone()

    def fetchall(self):
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class _Prepared(_Hot):
    __slots__ = ()

    def _run(self, sql: str, params):
        return self._cursor.execute(sql, params, prepare=True)


_PLACEHOLDER = re.compile(r"(?<!%)%s")


@functools.lru_cache(maxsize=512)
def _qmark(sql: str) -> str:
    """The statement with SQLite's placeholders, as Django's SQLite cursor would write it."""
    return _PLACEHOLDER.sub("?", sql).replace("%%", "%")


class _Qmark(_Hot):
    __slots__ = ()

    def _run(self, sql: str, params):
        return self._cursor.execute(_qmark(sql), params or ())
