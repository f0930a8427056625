"""Request id: taken from X-Request-ID when sane, else made; echoed back and kept for audit."""

import contextvars
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "yiwang_request_id", default=""
)
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _SAFE.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind N trusted proxies the N-th address from the
    right of X-Forwarded-For (what the nearest proxy saw; earlier entries can be forged)."""
    from django.conf import settings

    proxies = getattr(settings, "PROXY_COUNT", 0)
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class RejectNulMiddleware:
    """Refuse a query string carrying a NUL character (400), for pages and API alike.

    PostgreSQL text cannot hold NUL, so a search or filter with one would end in a 500; no
    legitimate value contains it. Bodies are checked where they are parsed (forms refuse NUL).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in value for values in request.GET.lists() for value in [values[0], *values[1]]
        ):
            return _bad_request(request)
        return self.get_response(request)


def _bad_request(request):
    from django.http import HttpResponseBadRequest, JsonResponse

    message = "请求参数含有不允许的字符（NUL）"
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "validation_failed", "message": message, "detail": {}}, status=400
        )
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class MachineCallMiddleware:
    """For the lean stack of department systems' calls (`yiwang.wsgi`): no session, so the
    request's user is the anonymous one; the API key names the caller (`request.auth`).

    The database connection's health check (a `SELECT 1` before the request's first query,
    `conn_health_checks`) is skipped: on this hot path it was a round trip of three or four.
    After a database restart a worker's first gateway call fails (500, nothing answered, so
    nothing to log) and Django drops the broken connection at the end of that request."""

    def __init__(self, get_response):
        from django.contrib.auth.models import AnonymousUser

        self.get_response = get_response
        self.anonymous = AnonymousUser()

    def __call__(self, request):
        from django.db import connection

        request.user = self.anonymous
        connection.health_check_done = True
        return self.get_response(request)
