"""Record keys (身份号码) never reach server logs in clear: Django's request log and the server's
(granian's) access log mask the key segment of gateway and GovStack paths."""

import json
import logging
import os
import signal
import time
import urllib.error
import urllib.request

import pytest

from tests.exchange.conftest import person
from tests.exchange.test_durability import free_port, start_server
from tests.exchange.test_gateway import get
from tests.exchange.test_govstack import PEOPLE, url
from yiwang.logmask import mask_keys
from yiwang.server import logging_config, write_logging_config

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


def test_the_access_log_configuration_masks_granian_access_records(capsys):
    """Granian logs each request as `access_logger.info(fmt, {"path": …, …})`: the handler of
    `logging_config()` masks the path before it is written."""
    import logging.config

    from granian.log import DEFAULT_ACCESSLOG_FMT, log_request_builder

    logging.config.dictConfig(logging_config())
    request = {"addr_remote": "127.0.0.1", "path": f"/api/v1/exchange/resources/3/records/{RIC}",
               "qs": "", "method": "GET", "scheme": "http", "protocol": "HTTP/1.1"}  # fmt: skip
    log_request_builder(DEFAULT_ACCESSLOG_FMT)(time.time(), time.perf_counter(), request, 403)
    line = capsys.readouterr().out
    assert '"GET /api/v1/exchange/resources/3/records/*** HTTP/1.1" 403' in line
    assert RIC not in line


def test_a_running_server_writes_access_lines_without_the_key(settings, tmp_path):
    """End to end: `yiwang serve`'s server with its access log answers a lookup (401, no key)
    and the line it writes names the path with the key masked."""
    port = free_port()
    log_config = write_logging_config(tmp_path / "server-logging.json")
    server = start_server(port, settings.VAR_DIR, access_log=True, log_config=log_config,
                          log_level="info")  # fmt: skip
    try:
        for path in (f"/api/v1/exchange/resources/1/records/{RIC}", f"/healthz?userId={RIC}"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
            except urllib.error.HTTPError as error:
                assert error.code == 401
        time.sleep(0.5)  # the access line is written after the answer
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "/api/v1/exchange/resources/1/records/*** " in output
    assert "/healthz" in output
    assert RIC not in output


def test_yiwang_serve_runs_granian_on_loopback_with_the_masked_access_log(monkeypatch, settings):
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
    serve.Command().handle(port=8123, workers=3, threads=4, with_worker=False)
    (args,) = started
    assert args[1:3] == ["-m", "granian"] and args[-1] == "yiwang.wsgi:application"
    assert (
        args[args.index("--host") + 1] == "127.0.0.1" and args[args.index("--port") + 1] == "8123"
    )
    assert (args[args.index("--workers") + 1], args[args.index("--blocking-threads") + 1]) == (
        "3",
        "4",
    )
    assert "--access-log" in args
    config = json.loads(open(args[args.index("--log-config") + 1], encoding="utf-8").read())
    assert config["handlers"]["access"]["filters"] == ["mask_keys"]
    assert config["filters"]["mask_keys"]["()"] == "yiwang.logmask.MaskKeysFilter"
