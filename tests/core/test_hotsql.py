"""The hot-path cursor: the same %s SQL on both backends, Django's errors and query log, and no
statement on a transaction that must roll back."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from tests import factories
from yiwang.core import hotsql
from yiwang.core.models import Organisation

pytestmark = pytest.mark.django_db


def test_placeholders_run_on_either_backend_and_a_doubled_percent_is_a_literal_one():
    with hotsql.cursor() as cursor:
        cursor.execute("SELECT %s || '%%', %s", ["5", 7])
        assert cursor.fetchone() == ("5%", 7)
        cursor.execute("SELECT %s UNION ALL SELECT %s", [1, 2])
        assert sorted(cursor.fetchall()) == [(1,), (2,)]


def test_the_cursor_is_the_drivers_own_not_djangos_wrapper():
    """Django's wrapper rewrote every statement on every call; the hot paths skip it."""
    with hotsql.cursor() as cursor:
        assert not isinstance(cursor, CursorWrapper)


def test_rowcount_counts_the_rows_a_statement_changed():
    department = factories.organisation()
    with hotsql.cursor() as cursor:
        cursor.execute(
            "UPDATE core_organisation SET name = %s WHERE id = %s", ["改名", department.pk]
        )
        assert cursor.rowcount == 1
        cursor.execute("UPDATE core_organisation SET name = %s WHERE id = %s", ["改名", -1])
        assert cursor.rowcount == 0
    department.refresh_from_db()
    assert department.name == "改名"


def test_a_database_error_comes_out_as_djangos_and_a_savepoint_recovers():
    first, second = factories.organisation(), factories.organisation()
    with pytest.raises(IntegrityError), transaction.atomic(), hotsql.cursor() as cursor:
        cursor.execute("UPDATE core_organisation SET uscc = %s WHERE id = %s",
                       [first.uscc, second.pk])  # fmt: skip
    assert Organisation.objects.get(pk=second.pk).uscc != first.uscc
    assert Organisation.objects.filter(uscc=first.uscc).count() == 1


def test_no_statement_runs_on_a_transaction_that_must_roll_back():
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError), hotsql.cursor() as cursor:
            cursor.execute("SELECT 1")


def test_statements_are_logged_when_django_logs_queries():
    with CaptureQueriesContext(connection) as queries, hotsql.cursor() as cursor:
        cursor.execute("SELECT %s", [42])
        assert cursor.fetchone() == (42,)
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT %s"]
