"""X-Purpose and X-Case-Number are UTF-8, percent-encoded: a header that is not — raw bytes,
a broken escape, escapes that are not UTF-8 — is refused (400) and logged without its text,
never stored garbled where the people whose data was read would see it."""

from urllib.parse import quote

import pytest

from tests.exchange.conftest import person
from tests.exchange.test_gateway import get, granted
from tests.exchange.test_govstack import PEOPLE, query, ric, send
from yiwang.exchange.inputs import HEADER_ENCODING_CODE, header_text
from yiwang.exchange.models import ExchangeLog
from yiwang.registry.models import Record

pytestmark = pytest.mark.django_db(transaction=True)

RAW_UTF8 = "企业登记".encode().decode("latin-1")  # what WSGI hands over for unencoded bytes
GARBLED = [RAW_UTF8, "%E4%ZZ", "%E4%BC", "%FF%FE", "核验"]


@pytest.mark.parametrize("purpose", GARBLED)
def test_a_lookup_with_a_purpose_not_utf8_percent_encoded_is_refused_and_logged_without_it(
    client, health, officer, people, purpose
):
    granted(health, officer, people)
    response = get(
        client, people, person(1)["id_number"], {**health["headers"], "X-Purpose": purpose}
    )
    assert response.status_code == 400 and response.json()["code"] == HEADER_ENCODING_CODE
    assert "X-Purpose 请求头须为 UTF-8 百分号编码" in response.json()["message"]
    log = ExchangeLog.objects.get()
    assert (log.status, log.error_code, log.purpose, log.record_count) == (
        400,
        HEADER_ENCODING_CODE,
        "",
        0,
    )


def test_a_case_number_header_with_a_broken_escape_is_refused(client, health, officer, people):
    granted(health, officer, people)
    headers = {**health["headers"], "X-Case-Number": "9901001234567890%Z2611220001"}
    response = get(client, people, person(1)["id_number"], headers)
    assert response.status_code == 400 and response.json()["code"] == HEADER_ENCODING_CODE
    assert "X-Case-Number" in response.json()["message"]
    assert ExchangeLog.objects.get().purpose == "医疗机构执业登记核验"


def test_a_call_refused_before_the_gateway_logs_no_garbled_purpose(client, people):
    headers = {"Authorization": "Bearer yw_00000000_not-a-key", "X-Purpose": RAW_UTF8}
    response = get(client, people, person(1)["id_number"], headers)
    assert response.status_code == 401
    log = ExchangeLog.objects.get()
    assert (log.error_code, log.purpose) == ("unauthenticated", "")


def test_a_citizen_never_sees_a_garbled_purpose(client, factory, health, officer, people):
    granted(health, officer, people)
    get(client, people, person(1)["id_number"], {**health["headers"], "X-Purpose": RAW_UTF8})
    client.force_login(factory.user("citizen1", id_number=person(1)["id_number"]))
    assert client.get("/api/v1/exchange/my-data-usage").json()["count"] == 0


def test_a_govstack_read_with_a_garbled_purpose_is_refused_and_logged(
    client, health, officer, people, hospital
):
    granted(health, officer, people)
    headers = {**hospital, "X-Purpose": "%E4%ZZ"}
    response = send(client, "post", f"{PEOPLE}/read", headers, query(id_number=ric(1)))
    assert response.status_code == 400 and response.json()["code"] == HEADER_ENCODING_CODE
    assert set(response.json()) >= {"detail", "code", "message"}
    log = ExchangeLog.objects.get()
    assert (log.operation, log.error_code, log.purpose) == ("lookup", HEADER_ENCODING_CODE, "")


def test_a_govstack_write_with_a_garbled_purpose_is_refused_logged_and_not_written(
    client, people, market_system
):
    headers = {**market_system["headers"], "X-Purpose": RAW_UTF8}
    response = send(client, "post", f"{PEOPLE}/create", headers, {"write": {"content": person(10)}})
    assert response.status_code == 400 and response.json()["code"] == HEADER_ENCODING_CODE
    assert not Record.objects.filter(key=ric(10)).exists()
    log = ExchangeLog.objects.get()
    assert (log.operation, log.error_code, log.purpose) == (
        "govstack.create",
        HEADER_ENCODING_CODE,
        "",
    )


def test_a_govstack_write_with_an_encoded_purpose_logs_it_decoded(client, people, market_system):
    headers = {**market_system["headers"], "X-Purpose": quote("户籍迁入登记")}
    response = send(client, "post", f"{PEOPLE}/create", headers, {"write": {"content": person(10)}})
    assert response.status_code == 200 and ExchangeLog.objects.get().purpose == "户籍迁入登记"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (quote(" 核验 "), "核验"),
        ("plain ascii", "plain ascii"),
        ("", ""),
        (None, ""),
        ("5%25", "5%"),
    ],
)
def test_a_percent_encoded_utf8_header_decodes_to_its_text(raw, text):
    assert header_text(raw) == text


@pytest.mark.parametrize("raw", GARBLED)
def test_a_header_not_percent_encoded_utf8_has_no_text(raw):
    assert header_text(raw) is None
