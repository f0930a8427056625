"""A system asks for a record by the key as people write it: a 身份号码 ending in a lowercase x,
a 统一社会信用代码 in lowercase, a stray space. The registry stores those identifiers as a load
normalises them, and the gateway finds the record all the same."""

import datetime

import pytest

from tests.exchange.conftest import person
from tests.exchange.test_gateway import get, granted
from tests.registry.conftest import company_row
from yiwang.core import identifiers
from yiwang.exchange.models import ExchangeLog
from yiwang.registry import services as registry

pytestmark = pytest.mark.django_db(transaction=True)

USCC = company_row(0)["uscc"]  # ends in a letter


def ric_ending_in_x() -> str:
    for day in range(400):
        ric = identifiers.make_ric(region="990102", born=datetime.date(1980, 1, 1) + datetime.timedelta(days=day),
                                   sequence=7, sex="F")  # fmt: skip
        if ric.endswith("X"):
            return ric
    raise AssertionError("no 身份号码 ending in X")


def test_a_lowercase_x_in_an_id_number_finds_the_person(client, health, officer, people):
    ric = ric_ending_in_x()
    registry.receive_batch(actor=officer, resource=people, rows=[{**person(9), "id_number": ric}])
    granted(health, officer, people, fields=["id_number", "region_code"])
    response = get(client, people, ric.lower(), health["headers"])
    assert response.status_code == 200 and response.json()["region_code"] == "990102"


def test_a_lowercase_credit_code_finds_the_company(client, health, officer, companies):
    granted(health, officer, companies, fields=["uscc", "name"])
    response = get(client, companies, USCC.lower(), health["headers"])
    assert response.status_code == 200
    assert response.json() == {"uscc": USCC, "name": company_row(0)["name"]}
    assert ExchangeLog.objects.get().record_count == 1


def test_a_batch_answers_each_key_as_it_was_sent(client, health, officer, companies):
    granted(health, officer, companies, fields=["uscc", "name"])
    keys = [USCC.lower(), f" {company_row(1)['uscc']} ", "91350100M000100Y43"]
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/batch", {"keys": keys},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    body = response.json()
    assert set(body["records"]) == {USCC.lower(), company_row(1)["uscc"]}
    assert body["records"][USCC.lower()]["name"] == company_row(0)["name"]
    assert body["missing"] == ["91350100M000100Y43"]


def test_a_verification_by_a_lowercase_credit_code_finds_the_company(
    client, health, officer, companies
):
    granted(health, officer, companies, fields=["uscc", "name"])
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/verify",
                           {"key": USCC.lower(), "claims": {"name": company_row(0)["name"]}},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert response.json() == {"found": True, "matches": {"name": True}}


def test_a_claimed_id_number_with_a_lowercase_x_matches(client, health, officer, people):
    ric = ric_ending_in_x()
    registry.receive_batch(actor=officer, resource=people, rows=[{**person(9), "id_number": ric}])
    granted(health, officer, people, fields=["id_number", "region_code"])
    response = client.post(f"/api/v1/exchange/resources/{people.pk}/verify",
                           {"key": ric.lower(), "claims": {"id_number": ric.lower(), "region_code": "990102"}},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert response.json() == {"found": True, "matches": {"id_number": True, "region_code": True}}


def test_a_filter_on_an_id_number_with_a_lowercase_x_finds_the_record(
    client, health, officer, city
):
    from tests.catalog.conftest import LEGAL_PERSON_FIELDS, make_resource
    from yiwang.catalog import services as catalog

    fields = [
        dict(f, filterable=f["code"] == "representative_id_number") for f in LEGAL_PERSON_FIELDS
    ]
    resource = make_resource(officer, city["market"], fields=fields)
    catalog.publish_resource(actor=officer, resource=resource)
    ric = ric_ending_in_x()
    registry.receive_batch(actor=officer, resource=resource,
                           rows=[company_row(i, representative_id_number=ric if i == 3 else company_row(i)[
                               "representative_id_number"]) for i in range(5)])  # fmt: skip
    granted(health, officer, resource, fields=["uscc", "representative_id_number"])
    response = client.get(f"/api/v1/exchange/resources/{resource.pk}/records",
                          {"f.representative_id_number": ric.lower()}, headers=health["headers"])  # fmt: skip
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["uscc"] == company_row(3)["uscc"]
