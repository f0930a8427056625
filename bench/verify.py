"""Licence verification API against raw SM2 verify of the same signatures; issuance/s."""

import datetime
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

sys.path.insert(0, str(Path(__file__).parent))
from _harness import line, start_server
from gmalglib import sm2 as _sm2

from yiwang.core.crypto import DEFAULT_SIGNER_ID
from yiwang.core.models import Organisation, User
from yiwang.demo import generator
from yiwang.licences import services
from yiwang.licences.models import Counter, IssuingSeal, Licence, LicenceType

BENCH_USCC = generator.organisation_uscc(9_999_992, region="990100", kind="department")
CLIENTS = 12
WORKERS, THREADS = 3, 4


def setup(count: int) -> tuple[list[Licence], float]:
    """A bench issuer with a seal and a type; `count` licences issued through the service."""
    teardown()
    org = Organisation.objects.create(name="证照基准局", uscc=BENCH_USCC, region_code="990100", kind="department",
                                      level="city")  # fmt: skip
    admin = User.objects.create(username="bench-licences", is_superuser=True, is_active=True)
    services.create_seal(actor=admin, organisation=org, name="证照基准印章",
                         valid_until=datetime.date.today() + datetime.timedelta(days=30))  # fmt: skip
    kind = services.create_licence_type(actor=admin, defining_org=org, code_suffix="999", name="基准许可证",
                                        holder_code_types=["001"], fields=[{"code": "scope", "name": "许可范围"}])  # fmt: skip
    companies = [generator.company(13, i, people=count) for i in range(count)]
    started = time.perf_counter()
    licences = [services.issue_licence(actor=admin, licence_type=kind, holder_name=c.name, holder_code=c.uscc,
                                       holder_code_type="001", data={"scope": c.industry}, issuer=org) for c in companies]  # fmt: skip
    return licences, count / (time.perf_counter() - started)


def teardown() -> None:
    org = Organisation.objects.filter(uscc=BENCH_USCC).first()
    if org is not None:
        Licence.objects.filter(issuer=org).delete()
        IssuingSeal.objects.filter(organisation=org).delete()
        for kind in LicenceType.objects.filter(defining_org=org):
            Counter.objects.filter(name__startswith=f"serial:{kind.code}").delete()
            kind.delete()
        org.delete()
    User.objects.filter(username="bench-licences").delete()


def raw_slice(licences: list[Licence], seconds: float) -> tuple[int, float]:
    """gmalglib's SM2 verify of the very signatures the API checks, one verifier object, one thread,
    for about `seconds`; (verifications, elapsed seconds)."""
    verifier = _sm2.SM2(pk=bytes.fromhex(licences[0].seal.public_key), uid=DEFAULT_SIGNER_ID)
    pairs = [(x.document.encode(), bytes.fromhex(x.signature)) for x in licences[:200]]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for message, signature in pairs:
            if not verifier.verify(message, signature):
                raise RuntimeError("a bench signature failed raw verification")
        done += len(pairs)
    return done, time.perf_counter() - started


def raw_on_every_core(licences: list[Licence], seconds: float) -> float:
    """The same raw verification in one forked process per core at once (verifications/s in all)."""
    readers = []
    for _ in range(os.cpu_count() or 1):
        read, write = os.pipe()
        if os.fork() == 0:  # the child verifies, reports its count and leaves at once
            os.close(read)
            done, elapsed = raw_slice(licences, seconds)
            os.write(write, f"{done / elapsed}".encode())
            os._exit(0)
        os.close(write)
        readers.append(read)
    total = 0.0
    for read in readers:
        total += float(os.read(read, 64) or 0)
        os.close(read)
        os.wait()
    return total


def start_bench_server(port: int) -> subprocess.Popen:
    return start_server(port, settings="yiwang.settings", workers=WORKERS, threads=THREADS)


def _get(sock: socket.socket, request: bytes) -> tuple[int, bytes]:
    """One keep-alive GET with a pre-encoded request: a lean client, so that the load generator
    (which shares the cores with the server) costs as little as it can."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))
    while len(body) < length:
        body += sock.recv(65536)
    return int(head[9:12]), body


def hammer(port: int, paths: list[str], seconds: float) -> tuple[int, float, int]:
    """CLIENTS keep-alive connections for `seconds`; (answers, elapsed seconds, answers not "valid")."""
    done, bad, lock = [0], [0], threading.Lock()
    stop = time.monotonic() + seconds
    requests = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode() for p in paths]

    def run(offset: int):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        mine, wrong, i = 0, 0, offset
        while time.monotonic() < stop:
            status, body = _get(sock, requests[i % len(requests)])
            mine, i = mine + 1, i + CLIENTS
            wrong += status != 200 or b'"state": "valid"' not in body
        sock.close()
        with lock:
            done[0] += mine
            bad[0] += wrong

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], time.monotonic() - started, bad[0]


def run(*, quick: bool = False):
    count, rounds = (300, 3) if quick else (2000, 20)
    licences, issued_rate = setup(count)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_bench_server(port)
    raw, api, bad = [0, 0.0], [0, 0.0], 0
    try:
        paths = [f"/api/v1/licences/verify?q={quote(x.identifier)}" for x in licences]
        hammer(port, paths[:100], 1)  # warm every worker
        # Raw and API slices alternate, so that both see the same load from whatever else runs here.
        for _ in range(rounds):
            done, elapsed = raw_slice(licences, 0.5)
            raw = [raw[0] + done, raw[1] + elapsed]
            done, elapsed, wrong = hammer(port, paths, 1)
            api, bad = [api[0] + done, api[1] + elapsed], bad + wrong
        every_core = raw_on_every_core(licences, 2)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        teardown()
    yield (f"# {connection.vendor}, {count:,} licences; {rounds} rounds of 0.5 s raw SM2 verify (gmalglib, one "
           f"thread) then 1 s of {CLIENTS} keep-alive clients against granian {WORKERS} workers × {THREADS} "
           f"threads; answers not valid: {bad}")  # fmt: skip
    yield f"# issuance (service: signed, audited, persisted): {issued_rate:,.0f} licences/s"
    yield (f"# raw SM2 verify in {os.cpu_count()} processes at once: {every_core:,.0f}/s "
           f"(the API reaches {api[0] / api[1] / every_core:.2f} of that)")  # fmt: skip
    yield line("verify", api[0] / api[1], "verifications/s", raw[0] / raw[1], "raw SM2 verifies/s")
