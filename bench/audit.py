"""Audited service writes against bare ORM writes of the same rows (audit overhead)."""

import sys
from pathlib import Path

from django.db import connection, transaction

sys.path.insert(0, str(Path(__file__).parent))
from _harness import line, median_rate

from yiwang.core import identifiers, services
from yiwang.core.models import Organisation, User


class _Rollback(Exception):
    pass


def _in_rolled_back_transaction(work):
    def run():
        done = 0
        try:
            with transaction.atomic():
                done = work()
                raise _Rollback
        except _Rollback:
            pass
        return done

    return run


def bench_root() -> Organisation:
    """The organisation both runs update (inside their rolled-back transaction)."""
    return Organisation.objects.create(name="基准根", uscc=identifiers.make_uscc(region="990100", org_body="BENCH001"),
                                       region_code="990100", kind="government", level="city")  # fmt: skip


def run(*, quick: bool = False):
    n = 50 if quick else 500
    repeats = 3 if quick else 5
    actor = User(username="bench", is_superuser=True, is_active=True)

    def audited():
        root = bench_root()
        actor.save()
        for i in range(n):
            services.update_organisation(actor=actor, organisation=root, short_name=f"简称{i}")
        return n

    def bare():
        root = bench_root()
        for i in range(n):
            root.short_name = f"简称{i}"
            root.full_clean()
            root.save(update_fields=["short_name"])
        return n

    figure = median_rate(_in_rolled_back_transaction(audited), repeats=repeats)
    baseline = median_rate(_in_rolled_back_transaction(bare), repeats=repeats)
    yield f"# {connection.vendor}, {n} updates per run, median of {repeats}"
    yield line("audit", figure, "audited updates/s", baseline, "bare updates/s")
