"""Licence verification through the WSGI entry point's lean stack: public, no session."""

import io
import json
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest

from tests.core.test_wsgi import call_wsgi
from yiwang import wsgi
from yiwang.licences import documents

pytestmark = pytest.mark.django_db(transaction=True)


def test_anyone_verifies_a_licence_through_the_lean_stack(business_licence):
    query = urlencode({"q": documents.verification_url(business_licence.identifier)})
    status, headers, body = call_wsgi("/api/v1/licences/verify", query=query)
    assert status.startswith("200") and json.loads(body)["state"] == "valid"
    assert "Set-Cookie" not in headers and "Content-Security-Policy" not in headers


def test_a_signed_document_is_verified_by_post_without_a_csrf_token(business_licence):
    document = documents.wrapped(business_licence)
    payload = json.dumps({"document": document}).encode()
    environ = {"PATH_INFO": "/api/v1/licences/verify", "REQUEST_METHOD": "POST",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(payload)),
               "wsgi.input": io.BytesIO(payload)}  # fmt: skip
    setup_testing_defaults(environ)
    answer = {}
    body = b"".join(wsgi.application(environ, lambda s, h, e=None: answer.setdefault("s", s)))
    assert answer["s"].startswith("200"), body
    assert json.loads(body)["state"] == "valid"
