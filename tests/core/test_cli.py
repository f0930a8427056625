import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command


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
