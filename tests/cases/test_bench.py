import re

from django.core.management import call_command

from yiwang.cases.models import Case

RESULT = r"{name}: [\d,]+ .+ \| baseline [\d,]+ in-memory cases/s \| ratio [\d.]+"


def test_the_workflow_bench_prints_its_lines_with_the_floor_and_leaves_nothing_behind(db, capsys):
    call_command("bench", "workflow", "--quick")
    lines = capsys.readouterr().out.splitlines()
    for name in ("workflow", "workflow_cold", "workflow_floor", "workflow_services"):
        result = next(line for line in lines if line.startswith(f"{name}:"))
        assert re.fullmatch(RESULT.format(name=name), result), result
    assert not Case.objects.exists()
