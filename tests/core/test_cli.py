import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from yiwang.core import audit, crypto, platform_keys
from yiwang.core.choices import PlatformKeyStatus
from yiwang.core.models import AuditSeal, PlatformKey


def test_doctor_lists_every_setting_and_the_database(db, capsys):
    call_command("doctor")
    out = capsys.readouterr().out
    assert "数据库" in out and "YIWANG_DATABASE_URL" in out and "YIWANG_SECRET_KEY" in out


def test_doctor_never_prints_secret_values(db, capsys, settings):
    settings.YIWANG = {**settings.YIWANG, "SECRET_KEY": "s3cr3t-value-that-must-not-show" * 2}
    call_command("doctor")
    assert "s3cr3t-value" not in capsys.readouterr().out


def test_bench_list_names_the_benchmarks(capsys):
    call_command("bench", "--list")
    assert "audit" in capsys.readouterr().out


def test_bench_runs_a_benchmark_and_prints_a_ratio_line(db, capsys):
    call_command("bench", "audit", "--quick")
    lines = capsys.readouterr().out.splitlines()
    result = next(line for line in lines if line.startswith("audit:"))
    _figure, baseline, ratio = result.split(" | ")
    assert "baseline" in baseline and float(ratio.removeprefix("ratio ")) > 0


def test_an_unknown_benchmark_is_refused():
    with pytest.raises(CommandError, match="没有名为"):
        call_command("bench", "nope")


def test_the_yiwang_console_command_wraps_manage_py():
    result = subprocess.run(
        [sys.executable, "-m", "yiwang.cli", "help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for command in ("demo", "serve", "worker", "audit", "bench", "doctor"):
        assert command in result.stdout


# --- the platform key -----------------------------------------------------------


@pytest.fixture
def own_key_file(settings, tmp_path):
    """A development key of this test's own, and no configured key."""
    settings.VAR_DIR = tmp_path
    settings.YIWANG = {**settings.YIWANG, "PLATFORM_SM2_KEY": ""}
    crypto.platform_key.cache_clear()
    yield
    crypto.platform_key.cache_clear()


def doctor_line(capsys, label: str) -> str:
    """The one line `yiwang doctor` prints for `label` (the command may fail on other checks)."""
    try:
        call_command("doctor")
    except CommandError:
        pass
    return next(line for line in capsys.readouterr().out.splitlines() if f" {label}：" in line)


def test_doctor_says_an_unregistered_platform_key_will_be_recorded_at_first_sealing(
    db, own_key_file, capsys
):
    line = doctor_line(capsys, "平台密钥登记")
    configured = platform_keys.fingerprint(crypto.platform_key().public_key)
    assert line.startswith("✔") and "首次封存时登记" in line and configured in line
    assert not PlatformKey.objects.exists()  # the check itself records nothing


def test_doctor_passes_when_the_configured_key_is_the_registered_current_key(
    db, own_key_file, capsys
):
    call_command("keys", "rotate")
    line = doctor_line(capsys, "平台密钥登记")
    current = PlatformKey.objects.get(status=PlatformKeyStatus.CURRENT)
    assert line.startswith("✔") and f"SM3:{current.fingerprint}" in line


def test_doctor_fails_when_the_configured_key_is_not_the_registered_current_key(
    db, own_key_file, settings, capsys
):
    audit.seal_pending()  # registers the development key
    registered = platform_keys.fingerprint(crypto.platform_key().public_key)
    replaced = crypto.Sm2KeyPair.generate()
    settings.YIWANG = {**settings.YIWANG, "PLATFORM_SM2_KEY": replaced.private_key.hex()}
    crypto.platform_key.cache_clear()
    with pytest.raises(CommandError, match="必须解决的问题"):
        call_command("doctor")
    line = next(line for line in capsys.readouterr().out.splitlines() if " 平台密钥登记：" in line)
    assert line.startswith("✘") and "运行 yiwang keys rotate，或恢复原私钥" in line
    assert f"当前平台密钥指纹 SM3:{registered}" in line
    assert platform_keys.fingerprint(replaced.public_key) in line


def test_doctor_fails_when_older_seals_were_signed_by_another_unregistered_key(
    db, own_key_file, capsys
):
    stranger = crypto.Sm2KeyPair.generate()
    AuditSeal.objects.create(previous_root="0" * 64, root="1" * 64, entries=[], count=0,
                             public_key=stranger.public_key.hex(), key_fingerprint="",
                             signature="00")  # fmt: skip
    line = doctor_line(capsys, "平台密钥登记")
    assert line.startswith("✘") and "平台密钥已更换但未登记" in line
    assert platform_keys.fingerprint(stranger.public_key) in line


def test_doctor_in_production_without_a_platform_key_fails_on_the_key_line_only(
    db, own_key_file, settings, capsys
):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="必须解决的问题"):
        call_command("doctor")
    out = capsys.readouterr().out
    assert "✘ 平台 SM2 签名密钥：未配置" in out and "平台密钥登记" not in out
