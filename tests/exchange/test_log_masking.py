"""Record keys (身份号码) never reach server logs in clear: Django's request log and gunicorn's
access log mask the key segment of gateway and GovStack paths."""

import logging
from types import SimpleNamespace

import pytest

from tests.exchange.conftest import person
from tests.exchange.test_gateway import get
from tests.exchange.test_govstack import PEOPLE, url
from yiwang.logmask import MaskedAccessLogger, mask_keys

pytestmark = pytest.mark.django_db(transaction=True)

RIC = person(1)["id_number"]


def test_a_refused_lookup_logs_its_path_without_the_key(client, health, people, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert get(client, people, RIC, health["headers"]).status_code == 403
    assert "Forbidden: /api/v1/exchange/resources/" in caplog.text
    assert RIC not in caplog.text and "/records/***" in caplog.text


def test_a_refused_govstack_read_value_logs_its_path_without_the_key(
    client, people, hospital, caplog
):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(url(f"{PEOPLE}/{RIC}/readValue/name.json"), headers=hospital)
    assert response.status_code == 403
    assert RIC not in caplog.text and f"{PEOPLE}/***/readValue/name.json" in caplog.text


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (
            f"GET /api/v1/exchange/resources/12/records/{RIC} HTTP/1.1",
            "GET /api/v1/exchange/resources/12/records/*** HTTP/1.1",
        ),
        (
            f"/govstack/dr/data/B0101-000001/1.0/{RIC}/delete",
            "/govstack/dr/data/B0101-000001/1.0/***/delete",
        ),
        (
            f"/data/B0101-000001/1.0/a/b{RIC}/read-value/x.json",
            "/data/B0101-000001/1.0/***/read-value/x.json",
        ),
        (
            f"/govstack/dr/data/myPersonalDataUsage?databaseId=B0101-000001&userId={RIC}",
            "/govstack/dr/data/myPersonalDataUsage?databaseId=B0101-000001&userId=***",
        ),
        ("/govstack/dr/data/B0101-000001/1.0/read", "/govstack/dr/data/B0101-000001/1.0/read"),
        ("/catalog/resources/12/", "/catalog/resources/12/"),
    ],
)
def test_keys_are_masked_in_gateway_and_govstack_paths(line, masked):
    assert mask_keys(line) == masked


def test_gunicorn_access_log_lines_are_masked():
    logger = MaskedAccessLogger(SimpleNamespace(errorlog="-", loglevel="info", accesslog="-", syslog=False,
                                                capture_output=False, logconfig_dict={}, logconfig=None,
                                                logconfig_json=None, access_log_format="%(r)s", statsd_host=None,
                                                dogstatsd_tags="", user=None, group=None, umask=0, use_syslog=False,
                                                disable_redirect_access_to_syslog=False))  # fmt: skip
    path = f"/api/v1/exchange/resources/3/records/{RIC}"
    request = SimpleNamespace(
        headers=[], method="GET", path=path, query="", version=(1, 1), uri=path
    )
    response = SimpleNamespace(
        status="403 Forbidden", status_code=403, headers=[], response_length=10, sent=10
    )
    environ = {"REMOTE_ADDR": "127.0.0.1", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1"}  # fmt: skip
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1000))
    assert RIC not in " ".join(str(v) for v in atoms.values())
    assert atoms["r"] == "GET /api/v1/exchange/resources/3/records/*** HTTP/1.1"


def test_yiwang_serve_runs_gunicorn_with_the_masking_logger(monkeypatch):
    from yiwang.core.management.commands import serve

    started = []

    class Exited:
        def __init__(self, args):
            started.append(args)

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(serve.subprocess, "Popen", Exited)
    serve.Command().handle(port=8123, workers=1, with_worker=False)
    (gunicorn,) = started
    assert "--access-logfile" in gunicorn
    assert gunicorn[gunicorn.index("--logger-class") + 1] == "yiwang.logmask.MaskedAccessLogger"
