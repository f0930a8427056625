"""Bad input on the exchange's pages and the GovStack adaptor is a clear answer, never a 500:
"²" is a digit to `str.isdigit()` but not to `int()`."""

import pytest

from tests.exchange.test_gateway import granted
from tests.exchange.test_govstack import (
    COMPANIES,
    PEOPLE,
    url,
)
from tests.exchange.test_govstack import get as govstack_get
from yiwang.exchange.inputs import ascii_int

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("days", ["²", "①", "-1", "0", "99999999999999999999", "abc"])
def test_the_statistics_page_falls_back_to_30_days_for_a_bad_range(client, officer, days):
    client.force_login(officer)
    response = client.get("/exchange/statistics/", {"days": days})
    assert response.status_code == 200 and response.context["days"] == 30


def test_the_statistics_page_ignores_an_unknown_dimension(client, officer):
    client.force_login(officer)
    response = client.get("/exchange/statistics/", {"by": "²"})
    assert response.status_code == 200 and response.context["by"] == "resource"


@pytest.mark.parametrize("resource", ["²", "٣", "1e3", "99999999999999999999999"])
def test_the_new_request_page_ignores_a_bad_preselected_resource(client, health, resource):
    client.force_login(health["officer"])
    response = client.get("/exchange/requests/new/", {"resource": resource})
    assert response.status_code == 200 and "申请共享" in response.content.decode()


def test_posting_a_bad_resource_to_the_new_request_page_is_a_form_error(client, health):
    client.force_login(health["officer"])
    response = client.post(
        "/exchange/requests/new/", {"client": health["client"].pk, "resource": "²"}
    )
    assert response.status_code == 200 and response.context["form"].errors["resource"]


@pytest.mark.parametrize("page", ["²", "0", "-3", "1.5", "100001"])
def test_a_govstack_list_with_a_bad_page_is_a_400(
    client, health, officer, companies, hospital, page
):
    granted(health, officer, companies)
    response = govstack_get(client, COMPANIES, hospital, page=page)
    assert response.status_code == 400 and response.json()["code"] == "govstack.paging"


@pytest.mark.parametrize("database_id", ["²", "٣", "0", "99999999999999999999999"])
def test_a_govstack_database_with_a_bad_id_is_a_404(client, hospital, database_id):
    response = client.get(url(f"database/{database_id}"), headers=hospital)
    assert response.status_code == 404 and response.json()["code"] == "govstack.no_database"


def test_a_govstack_version_in_other_digits_is_not_found(client, companies, hospital):
    response = govstack_get(client, "data/B0201-000001/١.0", hospital)
    assert response.status_code == 404 and response.json()["code"] == "govstack.no_version"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("²", None), ("٣", None), ("0", None), ("", None), (None, None)],
)
def test_only_ascii_digits_in_range_are_numbers(raw, expected):
    assert ascii_int(raw) == expected


def _post_json(client, path, body):
    import json

    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("field", "value"),
    [("purpose", "核验\x00身份"), ("legal_basis", "条例\x00"), ("field_codes", ["name\x00"])],
)
def test_an_access_request_carrying_nul_is_a_400_and_nothing_is_stored(
    client, health, people, field, value
):
    from yiwang.exchange.models import AccessRequest

    client.force_login(health["officer"])
    body = {"client_id": health["client"].pk, "resource_id": people.pk, "purpose": "核验身份",
            "legal_basis": "《医疗机构管理条例》", field: value}  # fmt: skip
    response = _post_json(client, "/api/v1/exchange/requests", body)
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert not AccessRequest.objects.exists()


def test_a_decision_or_a_grant_change_carrying_nul_is_a_400(client, health, officer, people):
    from tests.exchange.test_access import ask
    from yiwang.exchange.models import AccessRequest, Grant

    request = ask(health, people)
    client.force_login(officer)
    path = f"/api/v1/exchange/requests/{request.pk}/decision"
    response = _post_json(client, path, {"approve": False, "reason": "用途不明\x00"})
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    response = _post_json(client, path, {"approve": True, "clear_fields": ["name\x00"]})
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert AccessRequest.objects.get().status == "pending"
    _post_json(client, path, {"approve": True})
    grant = Grant.objects.get()
    response = _post_json(
        client,
        f"/api/v1/exchange/grants/{grant.pk}/status",
        {"status": "suspended", "reason": "核查\x00"},
    )
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert Grant.objects.get().status == "active"


@pytest.mark.parametrize("depth", [900, 100_000])  # within the parser's reach, and beyond it
def test_a_govstack_body_nested_deep_is_a_400_not_a_500(client, people, market_system, depth):
    deep = "[" * depth + "]" * depth
    response = client.post(
        url(f"{PEOPLE}/create"),
        '{"write": {"content": {"name": ' + deep + "}}}",
        content_type="application/json",
        headers=market_system["headers"],
    )
    # how deep the parser reaches depends on the stack in use: the body, or its row, is refused
    assert response.status_code == 400 and response.json()["code"]
