"""A load killed with SIGKILL leaves its whole batch visible or none of it."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.registry import loading, services
from yiwang.registry.models import Load, Record, StagedRow

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 60_000


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def start_load_process(load: Load, var_dir) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YIWANG_", "DJANGO_"))}
    env.update(
        {
            "YIWANG_DATABASE_URL": database_url(),
            "YIWANG_VAR_DIR": str(var_dir),
            "YIWANG_ENV": "development",
        }
    )
    code = f"from yiwang.registry import loading; from yiwang.registry.models import Load; loading.run_load(Load.objects.get(pk='{load.pk}'))"
    return subprocess.Popen([sys.executable, "-m", "yiwang.cli", "shell", "-c", code], env=env)


def kill_when(
    process: subprocess.Popen, load: Load, statuses: set[str], timeout: float = 120
) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Load.objects.values_list("status", flat=True).get(pk=load.pk)
        if status in statuses or process.poll() is not None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return status
        time.sleep(0.002)
    process.kill()
    raise AssertionError("the load never reached the expected phase")


@pytest.fixture
def big_load(officer, published):
    data = csv_bytes([company_row(i) for i in range(ROWS)])
    return services.receive_file(
        actor=officer, resource=published, upload=upload(data), background=False
    )


def test_killed_while_merging_nothing_or_everything_is_visible(big_load, settings):
    process = start_load_process(big_load, settings.VAR_DIR)
    seen = kill_when(process, big_load, {"merging", "succeeded", "failed"})
    visible = Record.objects.filter(resource=big_load.resource).count()
    final = Load.objects.get(pk=big_load.pk).status
    assert visible in (0, ROWS), f"partial batch visible: {visible}"
    assert (visible == ROWS) == (final == "succeeded")
    assert seen in ("merging", "succeeded")


def test_killed_while_validating_leaves_nothing_visible_and_recovery_fails_the_load(
    big_load, settings, officer
):
    process = start_load_process(big_load, settings.VAR_DIR)
    kill_when(process, big_load, {"validating"})
    assert not Record.objects.filter(resource=big_load.resource).exists()
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Load.objects.filter(pk=big_load.pk).update(
        heartbeat_at=an_hour_ago
    )  # the dead process went silent
    assert loading.recover_stale_loads() == 1
    failed = Load.objects.get(pk=big_load.pk)
    assert failed.status == "failed" and failed.error_code == "load.interrupted"
    assert not StagedRow.objects.filter(load=failed).exists()
    rerun = services.rerun_load(actor=officer, load=failed)
    rerun.refresh_from_db()
    assert rerun.status == "succeeded" and Record.objects.count() == ROWS
