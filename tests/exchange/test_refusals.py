"""Every call is in the exchange log, refused ones included — those refused before the gateway
took them too (no key, a body that does not fit the schema, NUL characters)."""

import pytest

from tests.exchange.conftest import person
from tests.exchange.test_gateway import get, granted
from tests.exchange.test_govstack import PEOPLE, query, ric, send, url
from tests.exchange.test_govstack import get as govstack_get
from tests.registry.conftest import company_row
from yiwang.exchange.gateway import subject_hash
from yiwang.exchange.models import ExchangeLog

pytestmark = pytest.mark.django_db(transaction=True)


def batch(client, resource, body, headers, **extra):
    return client.post(f"/api/v1/exchange/resources/{resource.pk}/batch", body,
                       content_type="application/json", headers=headers, **extra)  # fmt: skip


def verify(client, resource, body, headers):
    return client.post(f"/api/v1/exchange/resources/{resource.pk}/verify", body,
                       content_type="application/json", headers=headers)  # fmt: skip


# --- before the gateway: schema, authentication -----------------------------------------


def test_a_batch_over_1000_keys_is_logged_with_its_client(client, health, officer, companies):
    granted(health, officer, companies)
    response = batch(client, companies, {"keys": [str(i) for i in range(1001)]}, health["headers"])
    assert response.status_code == 422
    log = ExchangeLog.objects.get()
    assert (log.status, log.error_code, log.operation) == (422, "validation_failed", "batch")
    assert (log.client, log.organisation, log.resource) == (
        health["client"],
        health["client"].organisation,
        companies,
    )
    assert log.purpose == "医疗机构执业登记核验"


def test_a_malformed_body_is_logged(client, health, officer, companies):
    granted(health, officer, companies)
    response = batch(client, companies, "{not json", health["headers"])
    assert response.status_code in (400, 422)
    log = ExchangeLog.objects.get()
    assert log.status == response.status_code and log.client == health["client"]


def test_a_wrong_key_is_logged_without_a_client_and_with_the_resource(client, people):
    key = person(1)["id_number"]
    response = get(client, people, key, {"Authorization": "Bearer yw_00000000_not-a-key"})
    assert response.status_code == 401
    log = ExchangeLog.objects.get()
    assert (log.status, log.error_code, log.operation) == (401, "unauthenticated", "lookup")
    assert log.client is None and log.organisation is None and log.resource == people
    assert log.key_hashes == [subject_hash(key)[:32]] and key not in str(log.key_hashes)


def test_a_call_without_any_key_on_an_unknown_resource_is_logged_without_a_resource(client):
    response = client.get("/api/v1/exchange/resources/987654/records/x")
    assert response.status_code == 401
    log = ExchangeLog.objects.get()
    assert log.status == 401 and log.resource is None and log.client is None


def test_a_refusal_by_the_gateway_is_logged_once(client, health, people):
    assert get(client, people, person(1)["id_number"], health["headers"]).status_code == 403
    assert ExchangeLog.objects.count() == 1


# --- GovStack identity refusals ----------------------------------------------------------


@pytest.mark.parametrize(
    ("drop", "status", "code"),
    [
        ("Information-Mediator-Client", 400, "govstack.client_missing"),
        ("Authorization", 401, "unauthenticated"),
    ],
)
def test_a_govstack_identity_refusal_is_logged(client, people, hospital, drop, status, code):
    headers = {k: v for k, v in hospital.items() if k != drop}
    response = send(client, "post", f"{PEOPLE}/read", headers, query(id_number=ric(1)))
    assert response.status_code == status
    log = ExchangeLog.objects.get()
    assert (log.status, log.error_code, log.operation) == (status, code, "lookup")
    assert log.client is None and log.resource == people


def test_a_govstack_header_naming_another_system_is_logged_with_the_keys_client(
    client, health, hospital, market_system
):
    headers = {**hospital, "Authorization": market_system["headers"]["Authorization"]}
    response = govstack_get(client, "databases", headers)
    assert response.status_code == 403
    log = ExchangeLog.objects.get()
    assert (log.client, log.error_code, log.operation) == (
        market_system["client"],
        "govstack.client_mismatch",
        "schema",
    )


def test_a_refused_govstack_write_is_logged(client, people, hospital):
    response = send(client, "post", f"{PEOPLE}/create", hospital, {"write": {"content": person(9)}})
    assert response.status_code == 403
    log = ExchangeLog.objects.get()
    assert (log.operation, log.error_code, log.resource) == (
        "govstack.create",
        "govstack.not_owner",
        people,
    )


# --- NUL characters (PostgreSQL text cannot hold them) -----------------------------------


def test_a_nul_in_batch_keys_is_a_400_and_logged(client, health, officer, companies):
    granted(health, officer, companies)
    response = batch(
        client, companies, {"keys": [company_row(1)["uscc"], "9135\x00"]}, health["headers"]
    )
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert ExchangeLog.objects.get().error_code == "request.nul"


@pytest.mark.parametrize(
    "body",
    [
        {"key": "91\x00", "claims": {"name": "x"}},
        {"key": "91350100M000100Y43", "claims": {"name": "甲\x00"}},
        {"key": "91350100M000100Y43", "claims": {"na\x00me": "x"}},
    ],
)
def test_a_nul_in_a_verification_is_a_400(client, health, officer, companies, body):
    granted(health, officer, companies)
    response = verify(client, companies, body, health["headers"])
    assert response.status_code == 400 and response.json()["code"] == "request.nul"


def test_a_nul_in_the_lookup_key_is_a_400(client, health, officer, companies):
    granted(health, officer, companies)
    response = get(client, companies, "9135%00", health["headers"])
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert ExchangeLog.objects.get().status == 400


def test_a_nul_in_the_purpose_header_is_a_400_and_logged_without_it(
    client, health, officer, companies
):
    granted(health, officer, companies)
    headers = {**health["headers"], "X-Purpose": "%E6%A0%B8%00%E9%AA%8C"}
    response = get(client, companies, company_row(1)["uscc"], headers)
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert ExchangeLog.objects.get().purpose == "核验"


def test_a_nul_in_govstack_query_content_is_a_400_and_logged(
    client, health, officer, people, hospital
):
    granted(health, officer, people)
    response = send(client, "post", f"{PEOPLE}/read", hospital, query(id_number="99\x00"))
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert ExchangeLog.objects.get().error_code == "request.nul"


def test_a_nul_in_a_govstack_path_is_a_400(client, health, officer, people, hospital):
    granted(health, officer, people)
    response = client.get(url(f"{PEOPLE}/99%00/readValue/name.json"), headers=hospital)
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    registry = client.get(url("data/B0101%00/1.0"), headers=hospital)
    assert registry.status_code == 400 and registry.json()["code"] == "request.nul"
