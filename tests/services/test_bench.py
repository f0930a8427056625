import re

from django.core.management import call_command

from yiwang.services.models import ServiceItem


def test_the_service_search_bench_prints_its_p95_line_and_leaves_nothing_behind(db, capsys):
    call_command("bench", "services_search", "--quick")
    lines = capsys.readouterr().out.splitlines()
    result = next(line for line in lines if line.startswith("services_search:"))
    assert re.fullmatch(
        r"services_search: p95 [\d.]+ ms \| baseline [\d.]+ ms p95 \(LIKE scan\) \| ratio [\d.]+",
        result,
    )
    assert not ServiceItem.objects.exists()
