"""The HTTP server Yiwang runs in: granian serving `yiwang.wsgi` on 127.0.0.1 ([ADR 0024]).

`yiwang serve`, the benchmarks and the tests that kill a server under load all start it
with `command()`, so that what is measured and tested is what runs in production.

Granian parses HTTP and runs its worker pool in Rust; the Django application runs in each
worker's blocking threads. Against gunicorn's gthread workers on the same two cores it
served about 1.8× the requests per second of the exchange bench's bare endpoint: gunicorn's
own Python (HTTP parsing, the thread pool, the keep-alive poller) cost ~0.8 ms of CPU per
request, as much as Django and the endpoint together.

[ADR 0024]: ../../docs/adr/0024-granian.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT_THREADS = 4  # per worker: threads wait on the database; more only contend for the GIL


def command(
    *, port: int, workers: int, threads: int, access_log: bool = False,
    log_config: Path | None = None, log_level: str = "warning",
) -> list[str]:  # fmt: skip
    """The server's command line: loopback only, HTTP/1.1 (a TLS proxy faces the network),
    `workers` processes of `threads` threads each, failed workers started again."""
    args = [sys.executable, "-m", "granian", "--interface", "wsgi", "--http", "1",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--blocking-threads", str(threads), "--respawn-failed-workers",
            "--log-level", log_level, "--access-log" if access_log else "--no-access-log"]  # fmt: skip
    if log_config is not None:
        args += ["--log-config", str(log_config)]
    return [*args, "yiwang.wsgi:application"]


def logging_config() -> dict:
    """Granian's logging, with record keys (身份号码) masked in its access log: gateway lookups
    and GovStack reads carry them in the path or the query string (`logmask`)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_keys": {"()": "yiwang.logmask.MaskKeysFilter"}},
        "formatters": {
            "generic": {"format": "[%(asctime)s] [%(levelname)s] %(message)s"},
            "access": {"format": "%(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "generic",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["mask_keys"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


def write_logging_config(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(logging_config(), indent=2), encoding="utf-8")
    return path
