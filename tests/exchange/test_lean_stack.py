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
