"""The WSGI entry point: pages on the full stack, department systems' calls on the lean one."""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest

from yiwang import wsgi


def call_wsgi(path: str, query: str = "", **headers) -> tuple[str, dict, bytes]:
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": "GET",
               "wsgi.input": io.BytesIO(b"")}  # fmt: skip
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(response_headers)

    body = b"".join(wsgi.application(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.django_db(transaction=True)
def test_a_page_goes_through_the_full_stack():
    status, headers, _ = call_wsgi("/accounts/login/")
    assert status.startswith("200")
    assert "csrftoken" in headers.get("Set-Cookie", "")  # CSRF middleware ran
    assert "Content-Security-Policy" in headers


@pytest.mark.django_db(transaction=True)
def test_a_gateway_call_goes_through_the_lean_stack_and_is_still_refused_without_a_key():
    status, headers, body = call_wsgi("/api/v1/exchange/resources/1/records/X")
    assert status.startswith("401")
    assert "Set-Cookie" not in headers and "Content-Security-Policy" not in headers
    assert headers["X-Request-ID"]  # the request id middleware ran
    assert int(headers["Content-Length"]) == len(body)  # keep-alive clients need it
    assert json.loads(body)


@pytest.mark.django_db(transaction=True)
def test_the_lean_stack_still_refuses_a_nul_in_the_query_string():
    status, _, body = call_wsgi("/api/v1/exchange/resources/1/records/X", query="f.name=%00")
    assert status.startswith("400")
    assert json.loads(body)["code"] == "validation_failed"
