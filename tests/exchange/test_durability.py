"""No exchange is unlogged when the server is killed under load: every 200 has its log row."""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.exchange.test_gateway import granted
from tests.registry.conftest import company_row
from tests.registry.test_crash import database_url
from yiwang.exchange.models import ExchangeLog
from yiwang.server import command

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, var_dir, **options) -> subprocess.Popen:
    """Yiwang's server as `yiwang serve` runs it (`yiwang.server.command`), 2 workers × 2
    threads, on the test database; `options` go to the command (an access log …)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YIWANG_", "DJANGO_"))}
    env.update(
        {
            "YIWANG_DATABASE_URL": database_url(),
            "YIWANG_VAR_DIR": str(var_dir),
            "YIWANG_ENV": "development",
        }
    )
    server = subprocess.Popen(
        command(port=port, workers=2, threads=2, **options),
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE if options.get("access_log") else None,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def test_every_answered_lookup_has_its_log_row_after_a_kill(health, officer, companies, settings):
    granted(health, officer, companies)
    port = free_port()
    server = start_server(port, settings.VAR_DIR)
    answered, lock, stop = [], threading.Lock(), threading.Event()
    url = f"http://127.0.0.1:{port}/api/v1/exchange/resources/{companies.pk}/records/{company_row(1)['uscc']}"

    def hammer():
        while not stop.is_set():
            request_id = uuid.uuid4().hex
            request = urllib.request.Request(
                url, headers={**health["headers"], "X-Request-ID": request_id}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — loopback
                    if response.status == 200:
                        with lock:
                            answered.append(request_id)
            except (OSError, urllib.error.HTTPError):
                pass

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(answered) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # mid-flight: master and workers at once
    server.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(answered) >= 50, "too few answers to mean anything"
    logged = set(
        ExchangeLog.objects.filter(request_id__in=answered, status=200).values_list(
            "request_id", flat=True
        )
    )
    assert set(answered) <= logged
