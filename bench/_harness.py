"""Shared helpers for bench scripts: timing by repetition, medians, the result line."""

import statistics
import time
from collections.abc import Callable


def median_rate(work: Callable[[], int], *, repeats: int) -> float:
    """Run `work` (which returns how many items it did) `repeats` times; median items/s."""
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        items = work()
        rates.append(items / (time.perf_counter() - started))
    return statistics.median(rates)


def line(
    name: str, figure: float, unit: str, baseline: float, baseline_unit: str | None = None
) -> str:
    ratio = figure / baseline if baseline else float("nan")
    return f"{name}: {figure:,.0f} {unit} | baseline {baseline:,.0f} {baseline_unit or unit} | ratio {ratio:.2f}"


def start_server(
    port: int, *, settings: str, workers: int, threads: int, pythonpath: str | None = None
):
    """Yiwang's server (`yiwang.server`, as `yiwang serve` runs it) on 127.0.0.1:`port` in its own
    session; waits until it listens."""
    import os
    import socket
    import subprocess

    from yiwang.server import command

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "YIWANG_DEBUG": "false"}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH")) if p)
    server = subprocess.Popen(
        command(port=port, workers=workers, threads=threads), env=env, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"server exited with {server.returncode}") from None
            time.sleep(0.2)
    raise RuntimeError("server did not start")
