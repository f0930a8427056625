"""A gateway call through the WSGI entry point's lean stack, as department systems make it."""

import json

import pytest

from tests.core.test_wsgi import call_wsgi
from tests.exchange.conftest import person
from tests.exchange.test_gateway import granted
from yiwang.exchange.models import ExchangeLog


@pytest.mark.django_db(transaction=True)
def test_a_granted_lookup_through_the_lean_stack_answers_and_is_logged(health, officer, people):
    granted(health, officer, people, fields=["id_number", "name"])
    ric = person(1)["id_number"]
    headers = {k.replace("-", "_"): v for k, v in health["headers"].items()}
    status, _, body = call_wsgi(f"/api/v1/exchange/resources/{people.pk}/records/{ric}", **headers)
    assert status.startswith("200"), body
    assert json.loads(body)["name"] == "张**"
    assert ExchangeLog.objects.get().status == 200


@pytest.mark.django_db(transaction=True)
def test_a_warm_lookup_reads_key_grant_and_record_in_one_statement_with_no_health_check(
    health, officer, people
):
    """The key with the grant and the record, then the log: on a machine where a round trip
    costs ~140 µs of CPU, each one counts (PostgreSQL writes the log in one statement too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    granted(health, officer, people, fields=["id_number", "name"])
    headers = {k.replace("-", "_"): v for k, v in health["headers"].items()}
    base = f"/api/v1/exchange/resources/{people.pk}/records/"
    call_wsgi(base + person(1)["id_number"], **headers)  # also reads the resource and quotas
    for key, status in ((person(2)["id_number"], "200"), ("990102199001010000", "404")):
        with CaptureQueriesContext(connection) as queries:
            answer, _, _ = call_wsgi(base + key, **headers)
        assert answer.startswith(status)
        reads = [
            q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT")
        ]
        assert len(reads) == 1  # the key joined with the grant and the record
        assert all(t in reads[0] for t in ("core_apikey", "exchange_grant", "registry_record"))
