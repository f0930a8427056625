"""The gateway's lookup checks its API key in the statement that reads the grant and the
record (`gateway.authenticate_lookup`), not through the shared key check: every way a key can
be unusable is refused here too, with nothing read out and the refusal logged without a caller."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from tests.exchange.conftest import person
from tests.exchange.test_gateway import get, granted
from yiwang.core import hotsql
from yiwang.core import services as core_services
from yiwang.core.models import ApiClient, ApiKey
from yiwang.exchange import gateway
from yiwang.exchange.models import ExchangeLog

pytestmark = pytest.mark.django_db(transaction=True)


def secret_of(health) -> str:
    return health["headers"]["Authorization"].removeprefix("Bearer ")


def with_secret(health, secret: str) -> dict:
    return {**health["headers"], "Authorization": f"Bearer {secret}"}


def assert_refused_without_data(response, key: str):
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert key not in response.content.decode() and "张" not in response.content.decode()
    log = ExchangeLog.objects.get()
    assert (log.status, log.client, log.error_code) == (401, None, "unauthenticated")


def test_a_usable_key_reads_the_record_and_the_call_is_logged_with_its_client(
    client, health, officer, people
):
    granted(health, officer, people, fields=["id_number", "name"])
    response = get(client, people, person(1)["id_number"], health["headers"])
    assert response.status_code == 200 and response.json()["name"] == "张**"
    log = ExchangeLog.objects.get()
    assert (log.status, log.client, log.organisation) == (
        200,
        health["client"],
        health["client"].organisation,
    )


@pytest.mark.parametrize(
    "spoil",
    [
        lambda secret: secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB"),
        lambda secret: secret + "x",
        lambda secret: "yw_00000000_" + secret.split("_", 2)[-1],
        lambda secret: "",
        lambda secret: "not-a-key",
    ],
    ids=["right prefix, wrong secret", "longer", "unknown prefix", "empty", "not a key's shape"],
)
def test_a_wrong_secret_reads_nothing(client, health, officer, people, spoil):
    granted(health, officer, people, fields=["id_number", "name"])
    key = person(1)["id_number"]
    response = get(client, people, key, with_secret(health, spoil(secret_of(health))))
    assert_refused_without_data(response, key)


@pytest.mark.parametrize(
    "unusable",
    [
        lambda: ApiKey.objects.update(revoked_at=timezone.now()),
        lambda: ApiKey.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1)),
        lambda: ApiClient.objects.update(is_active=False),
    ],
    ids=["revoked", "expired", "client deactivated"],
)
def test_an_unusable_key_reads_nothing_from_the_next_call_on(
    client, health, officer, people, unusable
):
    granted(health, officer, people, fields=["id_number", "name"])
    key = person(1)["id_number"]
    assert get(client, people, key, health["headers"]).status_code == 200  # prepared, warm
    ExchangeLog.objects.all().delete()
    unusable()
    assert_refused_without_data(get(client, people, key, health["headers"]), key)


@pytest.mark.parametrize(
    "unusable",
    [
        lambda: ApiKey.objects.update(revoked_at=timezone.now()),
        lambda: ApiClient.objects.update(is_active=False),
    ],
    ids=["revoked", "client deactivated"],
)
def test_the_statement_reads_neither_grant_nor_record_for_an_unusable_key(
    health, officer, people, unusable
):
    """Not only the answer: the one statement itself returns no grant and no record."""
    granted(health, officer, people, fields=["id_number", "name"])
    key, secret = person(1)["id_number"], secret_of(health)

    def read(secret):
        return statement_row(secret, people.pk, key)[14:]  # grant id … record data

    assert read(secret)[0] is not None and read(secret)[4] == key
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert set(read(forged)) == {None}
    unusable()
    assert set(read(secret)) == {None}
    assert gateway.authenticate_lookup(secret, people.pk, key) == (None, None, None)


def statement_row(secret: str, resource_id: int, key: str):
    now = timezone.now()
    today = timezone.localdate(now)
    params = [core_services.key_digest(secret), now, resource_id, today, today, resource_id, key,
              core_services.key_prefix(secret)]  # fmt: skip
    with hotsql.cursor() as cursor:
        cursor.execute(gateway._KEY_GRANT_AND_RECORD, params)
        return cursor.fetchone()


def test_without_a_grant_the_record_is_not_read(health, people):
    client, grant, record = gateway.authenticate_lookup(
        secret_of(health), people.pk, person(1)["id_number"]
    )
    assert client == health["client"] and (grant, record) == (None, None)


def test_the_lookup_statement_is_prepared_once_per_connection(client, health, officer, people):
    """PostgreSQL parses and plans it once per connection, not per call; SQLite runs the same
    SQL on the driver's own cursor (tests/core/test_hotsql.py)."""
    granted(health, officer, people, fields=["id_number", "name"])
    for n in (1, 2, 3):
        assert get(client, people, person(n)["id_number"], health["headers"]).status_code == 200
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert sum("core_apikey" in s and "registry_record" in s for s in prepared) == 1
    assert sum("INSERT INTO exchange_exchangelog" in s for s in prepared) == 1


def test_what_the_log_names_cannot_be_deleted_without_database_constraints(
    client, health, officer, people
):
    """The log's references are checked by Django, not by foreign keys (ADR 0023): a system,
    organisation, resource or grant that a log row names is still protected from deletion, and
    deleting a log row (never done but by tests) takes its subjects with it."""
    from django.db.models import ProtectedError

    from yiwang.exchange.models import ExchangeSubject

    grant = granted(health, officer, people, fields=["id_number", "name"])
    assert get(client, people, person(1)["id_number"], health["headers"]).status_code == 200
    log = ExchangeLog.objects.get()
    assert ExchangeSubject.objects.filter(log=log).count() == 1
    for referenced in (health["client"], health["client"].organisation, people, grant):
        with pytest.raises(ProtectedError) as refused:
            referenced.delete()
        assert log in refused.value.protected_objects
    log.delete()
    assert not ExchangeSubject.objects.exists()
