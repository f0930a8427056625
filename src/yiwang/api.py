"""The typed JSON API under /api/v1/: one NinjaAPI, one error shape.

Every error answers ``{"code": "stable.code", "message": "中文说明", "detail": {...}}``
with a 4xx status; bad input never becomes a 500.
"""

from __future__ import annotations

import logging
import re
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseNotAllowed
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from yiwang.core.errors import ServiceError

log = logging.getLogger(__name__)


class Error(Schema):
    code: str
    message: str
    detail: dict = {}


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 422: Error}


class YiwangAPI(NinjaAPI):
    """The API whose every answer has the one error shape: a wrong method too, which ninja
    answers itself (text "Method not allowed", outside the exception handlers)."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_not_allowed(pattern.callback)
        return patterns, app_name, namespace


def _json_not_allowed(view):
    @wraps(view)  # keeps csrf_exempt
    def answer(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        refused = error(request, 405, "method_not_allowed",
                        f"该接口不支持 {request.method} 方法，可用：{allowed}")  # fmt: skip
        refused["Allow"] = allowed
        return refused

    return answer


class _ObjectBodies(Parser):
    """Every JSON body of this API is an object. Ninja reads a schema's members off any value,
    so a body of 1, [] or null passed as an empty object (POST /cases/{n}/withdraw with 1
    withdrew the case); such a body is now refused like one that is not JSON."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return data


api = YiwangAPI(
    parser=_ObjectBodies(),
    title="一网 Yiwang API",
    version="1",
    description="政务数据共享与一网通办平台接口。认证：部门应用系统使用 `Authorization: Bearer <API 密钥>`；"
    "已登录的工作人员可使用会话（需 CSRF 令牌）。错误统一返回 `{code, message, detail}`。",
    urls_namespace="api",
    docs_url="/docs",
)


def error(request, status: int, code: str, message: str, detail: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail or {}}, status=status
    )


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    response = error(request, exc.status, exc.code, exc.message, exc.detail)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


# What each kind of pydantic error says, in Chinese (its `type` stays as the stable code).
_CHINESE = {
    "missing": "缺少此项",
    "extra_forbidden": "不允许此项",
    "string_type": "应为文本",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数值",
    "decimal_parsing": "应为数值",
    "finite_number": "应为有限的数值",
    "bool_type": "应为是或否（true / false）",
    "bool_parsing": "应为是或否（true / false）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不带时间",
    "datetime_type": "应为日期时间（ISO 8601）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "list_type": "应为列表",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "url_type": "应为网址",
    "url_parsing": "应为网址",
}
_OWN_MESSAGE = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}


def chinese_message(error: dict) -> str:
    """A pydantic error as a Chinese message: by its type, with its limits filled in; the
    project's own validators already speak Chinese (their prefix is dropped)."""
    kind, context = error.get("type", ""), dict(error.get("ctx") or {})
    if kind in _OWN_MESSAGE:
        return str(error.get("msg", "")).removeprefix(_OWN_MESSAGE[kind])
    if "expected" in context:  # "'a', 'b' or 'c'"
        choices = re.findall(r"'([^']*)'", str(context["expected"]))
        context["expected"] = "、".join(choices) if choices else context["expected"]
    try:
        return _CHINESE[kind].format(**context)
    except (KeyError, IndexError):
        return "取值不符合要求"


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    fields = [
        {"loc": [str(p) for p in e.get("loc", [])], "type": e.get("type", ""),
         "msg": chinese_message(e)}
        for e in exc.errors
    ]  # fmt: skip
    return error(request, 422, "validation_failed", "请求参数不符合要求", {"errors": fields})


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error(request, 401, "unauthenticated", "需要认证：请提供有效的 API 密钥或先登录")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", "对象不存在或无权访问")


BODY_NOT_PARSED = "Cannot parse request body"  # how ninja words a body its parser refused
HTTP_MESSAGES = {
    400: "请求有误",
    403: "无权执行此操作",
    429: "请求过于频繁，请稍后重试",
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """Ninja's own refusals, in the API's words: its English text is not passed on."""
    if exc.status_code == 403 and "CSRF" in str(exc):
        return error(
            request,
            403,
            "csrf_failed",
            "CSRF 校验失败：网页会话请求需带 X-CSRFToken；应用系统请使用 API 密钥",
        )
    if exc.status_code == 400 and str(exc).startswith(BODY_NOT_PARSED):
        return error(request, 400, "request.bad_json", "请求体应为有效的 JSON 对象")
    message = HTTP_MESSAGES.get(exc.status_code, f"请求未能处理（HTTP {exc.status_code}）")
    return error(request, exc.status_code, "http_error", message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error(
        request, 413, "request.too_large", "请求体过大：大批量数据请分批推送，或上传文件归集"
    )


@api.exception_handler(Exception)
def _unexpected(request, exc):
    log.exception("unexpected API error")
    return error(request, 500, "internal", "服务器内部错误，已记录，请稍后重试")


def _mount_routers() -> None:
    from yiwang.catalog.api import router as catalog_router
    from yiwang.core.api import router as core_router

    api.add_router("/", core_router)
    api.add_router("/catalog", catalog_router)
    from yiwang.registry.api import router as registry_router

    api.add_router("/registry", registry_router)
    from yiwang.exchange.api import router as exchange_router

    api.add_router("/exchange", exchange_router)
    api.add_router("/cases", "yiwang.cases.api.router")
    from yiwang.services.api import router as services_router

    api.add_router("/services", services_router)
    from yiwang.licences.api import router as licences_router

    api.add_router("/licences", licences_router)


_mount_routers()
