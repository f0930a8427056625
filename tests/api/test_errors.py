"""Every refusal of the API has its one error shape with a stable code and a Chinese message —
ninja's own refusals too (a body that is not JSON, a wrong method)."""

import json

import pytest
from django.test import RequestFactory
from ninja.errors import HttpError

from tests.exchange.test_gateway import granted
from tests.openapi import assert_matches_openapi
from tests.registry.conftest import company_row
from yiwang.api import api
from yiwang.exchange.models import ExchangeLog

pytestmark = pytest.mark.django_db(transaction=True)

VERIFY = "/api/v1/exchange/resources/{resource_id}/verify"


def test_a_body_that_is_not_json_is_a_400_with_a_stable_code_and_a_chinese_message(
    client,
    health,
    officer,
    companies,
):
    granted(health, officer, companies)
    response = client.post(VERIFY.format(resource_id=companies.pk), "{bad", content_type="application/json",
                           headers=health["headers"])  # fmt: skip
    assert_matches_openapi(response, "post", VERIFY)
    assert response.status_code == 400
    assert response.json() == {
        "code": "request.bad_json",
        "message": "请求体应为有效的 JSON 对象",
        "detail": {},
    }
    assert ExchangeLog.objects.get().error_code == "request.bad_json"


def test_a_wrong_method_on_an_api_path_is_a_405_in_the_error_shape_with_allow(
    client,
    health,
    officer,
    companies,
):
    granted(health, officer, companies)
    path = f"/api/v1/exchange/resources/{companies.pk}/records/{company_row(1)['uscc']}"
    response = client.put(path, "{}", content_type="application/json", headers=health["headers"])
    assert response.status_code == 405 and response["Content-Type"].startswith("application/json")
    assert response["Allow"] == "GET"
    body = response.json()
    assert body["code"] == "method_not_allowed" and "不支持 PUT 方法" in body["message"]
    assert body["detail"] == {}


def test_a_right_method_still_reaches_the_operation(client, health, officer, companies):
    granted(health, officer, companies)
    path = f"/api/v1/exchange/resources/{companies.pk}/records/{company_row(1)['uscc']}"
    assert client.get(path, headers=health["headers"]).status_code == 200


@pytest.mark.parametrize(
    ("status", "english"), [(403, "Forbidden"), (429, "Too many requests."), (418, "I'm a teapot")]
)
def test_ninjas_other_refusals_are_answered_in_chinese(status, english):
    response = api.on_exception(RequestFactory().get("/api/v1/"), HttpError(status, english))
    body = json.loads(response.content)
    assert response.status_code == status and body["code"] == "http_error"
    message = body["message"]
    assert english not in message and any("\u4e00" <= c <= "\u9fff" for c in message)
