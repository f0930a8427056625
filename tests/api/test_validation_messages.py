"""A 422's per-field messages are Chinese too, by the kind of error; its `type` stays the code."""

import re

import pytest

from yiwang.api import chinese_message

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"\b(input|should|valid|field|required|must|error)\b", re.IGNORECASE)


def _errors(response) -> dict:
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed" and body["message"] == "请求参数不符合要求"
    return {e["loc"][-1]: e for e in body["detail"]["errors"]}


def test_query_errors_say_in_chinese_what_is_wrong(client, factory):
    client.force_login(factory.user("anyone"))
    errors = _errors(client.get("/api/v1/calendar/add-working-days?start=2026-02-30&days=-1"))
    assert errors["days"]["type"] == "greater_than_equal"
    assert errors["days"]["msg"] == "不能小于 0"
    assert errors["start"]["msg"].startswith("应为日期")
    assert not any(ENGLISH.search(e["msg"]) for e in errors.values())
    errors = _errors(client.get("/api/v1/identifiers/validate?kind=passport"))
    assert errors["kind"]["msg"] == "应为以下之一：uscc、ric、org_code、region、licence_id、mobile"
    assert errors["value"]["msg"] == "缺少此项"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "string_too_long", "ctx": {"max_length": 200}, "msg": "String should have…"},
         "长度不能超过 200 个字符"),
        ({"type": "less_than_equal", "ctx": {"le": 500}, "msg": "Input should be…"}, "不能大于 500"),
        ({"type": "int_parsing", "msg": "Input should be a valid integer"}, "应为整数"),
        ({"type": "value_error", "msg": "Value error, 主键不能为空"}, "主键不能为空"),
        ({"type": "something_new", "msg": "An English sentence"}, "取值不符合要求"),
        ({"type": "string_too_long", "msg": "no ctx"}, "取值不符合要求"),
    ],
)  # fmt: skip
def test_each_kind_of_error_has_its_chinese_message(error, message):
    assert chinese_message(error) == message
