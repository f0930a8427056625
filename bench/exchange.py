"""Governed lookup through the exchange gateway against a bare read of the same stack."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection, transaction
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).parent))
from _harness import line, start_server

from yiwang.catalog import services as catalog
from yiwang.catalog.models import Resource
from yiwang.core import services as core
from yiwang.core.models import ApiClient, Organisation, User
from yiwang.demo import generator
from yiwang.exchange import services as exchange
from yiwang.exchange.models import ExchangeLog, Grant

FIELDS = [
    {"code": "uscc", "name": "统一社会信用代码", "data_type": "uscc", "is_key": True},
    {"code": "name", "name": "企业名称", "data_type": "string", "length": 200},
    {
        "code": "legal_representative",
        "name": "法定代表人",
        "data_type": "string",
        "is_personal": True,
    },
    {
        "code": "representative_id_number",
        "name": "法定代表人身份号码",
        "data_type": "ric",
        "is_personal": True,
    },
    {"code": "region_code", "name": "住所行政区划", "data_type": "region"},
]
BENCH_USCC = generator.organisation_uscc(9_999_991, region="990100", kind="department")
CLIENTS = 32


def records(rows: int):
    for i in range(rows):
        c = generator.company(11, i, people=rows * 2)
        yield c.uscc, {"uscc": c.uscc, "name": c.name, "legal_representative": c.legal_representative,
                       "representative_id_number": c.representative_id_number, "region_code": c.region_code}  # fmt: skip


def setup(rows: int):
    teardown()
    with transaction.atomic():
        org = Organisation.objects.create(name="交换基准局", uscc=BENCH_USCC, region_code="990100", kind="department",
                                          level="city")  # fmt: skip
        admin = User.objects.create(username="bench-exchange", is_superuser=True, is_active=True)
        resource = catalog.create_resource(actor=admin, owner=org, code="Z9902/999999", name="交换基准法人",
                                           category="department", update_cycle="daily", share_type="unconditional",
                                           fields=FIELDS)  # fmt: skip
        catalog.publish_resource(actor=admin, resource=resource)
        client = ApiClient.objects.create(organisation=org, subsystem_code="bench", name="基准系统",
                                          quota_per_minute=10**9, quota_per_day=10**9)  # fmt: skip
        exchange.request_access(
            actor=admin, client=client, resource=resource, purpose="基准测试", legal_basis="基准"
        )
        key = core.issue_api_key(actor=admin, client=client).secret
    keys = _insert_records(resource, rows)
    return resource, key, keys


def _insert_records(resource, rows: int) -> list[str]:
    keys = []
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                "COPY registry_record (resource_id, key, data, updated_at) FROM STDIN"
            ) as copy:
                for key, data in records(rows):
                    keys.append(key)
                    copy.write_row((resource.pk, key, json.dumps(data, ensure_ascii=False), stamp))
        else:
            batch = []
            for key, data in records(rows):
                keys.append(key)
                batch.append((resource.pk, key, json.dumps(data, ensure_ascii=False), stamp))
            cursor.executemany("INSERT INTO registry_record (resource_id, key, data, updated_at) VALUES (%s, %s, %s, %s)",
                               batch)  # fmt: skip
    if connection.vendor == "postgresql":  # as autovacuum would soon: fresh planner statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_record")
    return keys


def teardown():
    from yiwang.registry.models import Record

    org = Organisation.objects.filter(uscc=BENCH_USCC).first()
    if org is None:
        return
    for resource in Resource.objects.filter(owner=org):
        ExchangeLog.objects.filter(resource=resource).delete()
        Grant.objects.filter(resource=resource).delete()
        resource.access_requests.all().delete()
        Record.objects.filter(resource=resource).delete()
        resource.delete()
    ApiClient.objects.filter(organisation=org).delete()
    org.delete()
    User.objects.filter(username="bench-exchange").delete()


WORKERS, THREADS = 2, 4  # a process per core; threads to cover the database's round trips


def start_bench_server(port: int) -> subprocess.Popen:
    return start_server(
        port,
        settings="_exchange_settings",
        workers=WORKERS,
        threads=THREADS,
        pythonpath=str(Path(__file__).parent),
    )


def hammer(port: int, paths, headers: dict, seconds: float) -> tuple[float, list[float], int]:
    """CLIENTS keep-alive connections for `seconds`; returns (requests/s, latencies in ms, non-200 count)."""
    latencies, failures, lock = [], [0], threading.Lock()
    stop = time.monotonic() + seconds

    def run(offset: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad, i = [], 0, offset
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += CLIENTS
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            bad += response.status != 200
        conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.monotonic() - started), latencies, failures[0]


def hammer_wrk(port: int, paths, headers: dict, seconds: float) -> tuple[float, float, float, int]:
    """The same load from wrk (C, Debian's package): (requests/s, p50 ms, p99 ms, non-200 count).

    A load generator in C leaves the two cores to the server; Python threads took about
    half of them, so the server's own ceiling was never reached.
    """
    script = "local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
    script += "".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in headers.items()
    )
    script += "local i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{int(seconds)}s", "--latency", "-s", handle.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(handle.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, _wrk_ms(output, "50%"), _wrk_ms(output, "99%"), int(bad.group(1)) if bad else 0


def _wrk_ms(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def load(port: int, paths, headers: dict, seconds: float) -> tuple[float, float, float, int]:
    """(requests/s, p50, p99, non-200) from wrk when installed, else from Python threads."""
    if shutil.which("wrk"):
        return hammer_wrk(port, paths, headers, seconds)
    rate, latencies, bad = hammer(port, paths, headers, seconds)
    return rate, percentile(latencies, 50), percentile(latencies, 99), bad


def percentile(values, p):
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else float("nan")


def run(*, quick: bool = False):
    rows, seconds = (10_000, 5) if quick else (1_000_000, 20)
    resource, key, keys = setup(rows)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_bench_server(port)
    try:
        sample = keys[:: max(1, len(keys) // 5000)]
        governed = [f"/api/v1/exchange/resources/{resource.pk}/records/{k}" for k in sample]
        bare = [f"/bench/bare/{resource.pk}/{k}" for k in sample]
        headers = {"Authorization": f"Bearer {key}", "X-Purpose": quote("基准测试")}
        hammer(port, bare[:200], {}, 1)  # warm both paths
        hammer(port, governed[:200], headers, 1)
        bare_rate, bare_p50, bare_p99, bare_bad = load(port, bare, {}, seconds)
        ours_rate, ours_p50, ours_p99, ours_bad = load(port, governed, headers, seconds)
        batch_ms = _batch_latency(port, resource, keys, headers)
        logged = ExchangeLog.objects.filter(resource=resource, status=200).count()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        teardown()
    generator = "wrk" if shutil.which("wrk") else "Python threads"
    yield (f"# {connection.vendor}, {rows:,} records, {CLIENTS} keep-alive clients ({generator}), {seconds}s each; "
           f"non-200: ours {ours_bad}, bare {bare_bad}; log rows {logged:,}")  # fmt: skip
    yield f"# latency ms p50/p99: ours {ours_p50:.1f}/{ours_p99:.1f}, bare {bare_p50:.1f}/{bare_p99:.1f}"
    yield f"# batch of 1,000 keys: median {batch_ms:.0f} ms"
    yield line("exchange", ours_rate, "governed lookups/s", bare_rate, "bare lookups/s")


def _batch_latency(port, resource, keys, headers) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for n in range(5):
        body = json.dumps({"keys": keys[n * 1000 : (n + 1) * 1000]})
        started = time.perf_counter()
        conn.request("POST", f"/api/v1/exchange/resources/{resource.pk}/batch", body=body,
                     headers={**headers, "Content-Type": "application/json"})  # fmt: skip
        conn.getresponse().read()
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return statistics.median(times)
