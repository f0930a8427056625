import re

from django.core.management import call_command
from django.db import connection

from yiwang.cases.models import Case
from yiwang.supervision.models import Card


def test_the_sweep_bench_prints_its_lines_with_the_floor_and_leaves_nothing_behind(db, capsys):
    call_command("bench", "sweep", "--quick")
    lines = capsys.readouterr().out.splitlines()
    floor = next(line for line in lines if line.startswith("sweep-day-floor:"))
    assert re.fullmatch(
        r"sweep-day-floor: [\d,.]+ ms the next day's [\d,]+ card changes .+ \| "
        r"baseline [\d,.]+ ms \| ratio [\d.]+",
        floor,
    ), floor
    changes = int(re.search(r"next day's ([\d,]+) card", floor).group(1).replace(",", ""))
    assert changes > 0  # the floor wrote the day's cards, it did not time an empty run
    for name in ("sweep", "sweep-day", "sweep-full", "kpi"):
        assert any(line.startswith(f"{name}:") for line in lines), name
    assert not Case.objects.exists() and not Card.objects.exists()
    assert "bench_bare_card" not in connection.introspection.table_names()
