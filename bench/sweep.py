"""Deadline sweep over open cases against one indexed scan of them; KPI queries over the same cases.

`sweep-day-floor` bounds the first run of a day: the same statements write the same day's
card changes into a bare copy of the card table — its primary key and subject key only, no
foreign keys, no other index, no history rows. No card design that keeps one record per card
writes them faster on this machine.
"""

import datetime
import statistics
import sys
import time
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).parent))

from yiwang.core import identifiers
from yiwang.core.models import Organisation
from yiwang.services.models import ServiceItem
from yiwang.supervision import kpi
from yiwang.supervision import sweep as sweeping
from yiwang.supervision.models import SweepRun
from yiwang.supervision.sweep import sweep_deadlines

ITEMS = 20


class _Rollback(Exception):
    pass


def _items() -> list[ServiceItem]:
    orgs = [
        Organisation.objects.create(
            name=f"基准监察部门{n}", uscc=identifiers.make_uscc(region="990100", org_body=f"BENCHT{n:02d}"),
            region_code="990100", kind="department", level="city",
        )
        for n in range(5)
    ]  # fmt: skip
    return [
        ServiceItem.objects.create(
            code=f"99BENCHSWEEP{n:04d}", name=f"基准事项{n}", item_type="licensing", audience="both",
            organisation=orgs[n % len(orgs)], case_kind="promised", statutory_days=20, promised_days=10,
            status="published",
        )
        for n in range(ITEMS)
    ]  # fmt: skip


# Open cases accepted over the last 40 days with due dates spread around today: about one in ten
# overdue, one in ten in the warning zone; one department task per case. A tenth of the cases
# are finished (they count for the KPIs, not for the sweep).
_GENERATE = {
    "postgresql": """
INSERT INTO cases_case (number, item_id, item_version, applicant_kind, applicant_name, applicant_code,
    contact_phone, channel, form_data, status, submitted_at, accepted_at, finished_at, due_date, warn_date,
    correction_notice, outcome_note, workflow_state, result_reference, created_at, updated_at)
SELECT 'BENCH' || g, %(first_item)s + (g %% %(items)s), 1, 'person', '基准', '990102199001011234', '',
    CASE WHEN g %% 3 = 0 THEN 'window' ELSE 'online' END, '{}'::jsonb,
    CASE WHEN g %% 10 = 0 THEN 'approved' ELSE 'accepted' END,
    %(now)s - (g %% 40) * interval '1 day' - interval '1 hour', %(now)s - (g %% 40) * interval '1 day',
    CASE WHEN g %% 10 = 0 THEN %(now)s - (g %% 7) * interval '1 day' END,
    %(today)s + ((g::bigint * 7919) %% 100 - 10)::int, %(today)s + ((g::bigint * 7919) %% 100 - 12)::int,
    '[]'::jsonb, '', '', '', %(now)s, %(now)s - (g %% 40) * interval '1 day' - interval '1 hour'
FROM generate_series(1, %(n)s) AS g
""",
    "sqlite": """
WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %(n)s)
INSERT INTO cases_case (number, item_id, item_version, applicant_kind, applicant_name, applicant_code,
    contact_phone, channel, form_data, status, submitted_at, accepted_at, finished_at, due_date, warn_date,
    correction_notice, outcome_note, workflow_state, result_reference, created_at, updated_at)
SELECT 'BENCH' || g, %(first_item)s + (g %% %(items)s), 1, 'person', '基准', '990102199001011234', '',
    CASE WHEN g %% 3 = 0 THEN 'window' ELSE 'online' END, '{}',
    CASE WHEN g %% 10 = 0 THEN 'approved' ELSE 'accepted' END,
    datetime(%(now)s, '-' || (g %% 40) || ' days', '-1 hours'), datetime(%(now)s, '-' || (g %% 40) || ' days'),
    CASE WHEN g %% 10 = 0 THEN datetime(%(now)s, '-' || (g %% 7) || ' days') END,
    date(%(today)s, ((g * 7919) %% 100 - 10) || ' days'), date(%(today)s, ((g * 7919) %% 100 - 12) || ' days'),
    '[]', '', '', '', %(now)s, datetime(%(now)s, '-' || (g %% 40) || ' days', '-1 hours')
FROM s
""",
}
_TASKS = """
INSERT INTO cases_casetask (case_id, engine_id, node_id, name, organisation_id, role, status, due_date,
    warn_date, decision, opinion, created_at)
SELECT c.id, {uuid}, 'review', '部门审查', i.organisation_id, 'reviewer', 'open', c.due_date, c.warn_date,
    '', '', c.accepted_at
FROM cases_case c JOIN services_serviceitem i ON i.id = c.item_id
WHERE c.number LIKE 'BENCH%%' AND c.status = 'accepted'
"""
_UUID = {"postgresql": "md5(c.id::text)::uuid", "sqlite": "lower(hex(randomblob(16)))"}
_SCAN = "SELECT count(*), min(due_date) FROM cases_case WHERE status = 'accepted'"


def _generate(n: int, items: list[ServiceItem]) -> None:
    vendor = connection.vendor
    now, today = timezone.now(), timezone.localdate()
    params = {"n": n, "items": len(items), "first_item": items[0].pk, "now": now, "today": today}
    if vendor == "sqlite":
        params["now"], params["today"] = now.strftime("%Y-%m-%d %H:%M:%S"), today.isoformat()
    with connection.cursor() as cursor:
        cursor.execute(_GENERATE[vendor], params)
        cursor.execute(_TASKS.format(uuid=_UUID[vendor]))
    _analyze("cases_case", "cases_casetask", "supervision_card")


def _analyze(*tables: str) -> None:
    """Fresh planner statistics; the bench works in one transaction, which autovacuum cannot see."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _checks_now() -> None:
    """The bench never commits: check foreign keys as each statement runs, not at a commit that
    never comes, so that the sweep's figures include them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _scan():
    with connection.cursor() as cursor:
        cursor.execute(_SCAN)
        cursor.fetchone()


def _touch_some() -> None:
    """What five minutes of a city look like: a few hundred cases changed since the last run."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET updated_at = %s WHERE id IN "
            "(SELECT id FROM cases_case WHERE number LIKE 'BENCH%%' ORDER BY id LIMIT 300)",
            [timezone.now()],
        )


_BARE = {
    "postgresql": "id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    "sqlite": "id integer PRIMARY KEY AUTOINCREMENT",
}
_CARD_FIELDS = (
    "subject_kind, subject_id, case_id, organisation_id, item_id, level, status, due_date, "
    "issued_at, escalated_at, reissued_at, closed_at"
)


def _bare_day(now) -> tuple[float, int]:
    """The next day's card changes, written by the sweep's own statements into a bare copy of
    the card table (built and filled from the cards beforehand, untimed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE bench_bare_card ({_BARE[connection.vendor]}, subject_kind varchar(16), "
            "subject_id bigint, case_id bigint, organisation_id bigint, item_id bigint, "
            "level varchar(8), status varchar(8), due_date date, issued_at timestamp with time zone, "
            "escalated_at timestamp with time zone, reissued_at timestamp with time zone, "
            "closed_at timestamp with time zone, UNIQUE (subject_kind, subject_id))"
        )
        cursor.execute(
            f"INSERT INTO bench_bare_card (id, {_CARD_FIELDS}) "  # noqa: S608
            f"SELECT id, {_CARD_FIELDS} FROM supervision_card"
        )
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('bench_bare_card', 'id'), "
                           "(SELECT max(id) FROM bench_bare_card))")  # fmt: skip
    _analyze("bench_bare_card")
    last = SweepRun.objects.filter(finished_at__isnull=False).first()
    params = {"now": now, "today": timezone.localdate(now), "since": last.started_at - sweeping.MARGIN,
              "since_full": last.started_at, "last_today": last.today,
              **sweeping._zone_params()}  # fmt: skip
    changed = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _counter, sql, _events in sweeping._statements(False):
            cursor.execute(sql.replace("supervision_card", "bench_bare_card"), params)
            changed += max(cursor.rowcount, 0)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_card")
    return elapsed, changed


def run(*, quick: bool = False):
    n = 10_000 if quick else 1_000_000
    repeats = 3 if quick else 5
    lines = []
    try:
        with transaction.atomic():
            items = _items()
            started = time.perf_counter()
            _generate(n, items)
            generated = time.perf_counter() - started
            _checks_now()
            scans = [_timed(_scan) for _ in range(repeats)]
            first = time.perf_counter()
            result = sweep_deadlines(full=True)
            first = time.perf_counter() - first
            _analyze(
                "supervision_card", "supervision_cardevent"
            )  # as autovacuum does once they commit
            fulls = [_timed(lambda: sweep_deadlines(full=True)) for _ in range(repeats)]
            _touch_some()
            steady = [_timed(lambda: sweep_deadlines(full=False)) for _ in range(repeats)]
            # The first run of each new day: the day's arrivals in the warning and overdue zones
            # (about 1 % of the open cases and 1 % of their tasks each) get their cards then.
            boundary, changed = [], 0
            for day in range(1, repeats + 1):
                later = timezone.now() + datetime.timedelta(days=day)
                started = time.perf_counter()
                outcome = sweep_deadlines(full=False, now=later)
                boundary.append(time.perf_counter() - started)
                changed = outcome.issued + outcome.escalated
            floor, floor_changed = _bare_day(timezone.now() + datetime.timedelta(days=repeats + 1))
            today = timezone.localdate()
            start = today.replace(day=1) if quick else today.replace(month=1, day=1)
            raw = _timed(lambda: kpi.summarise(kpi.raw_counts(start, today)))
            refresh = _timed(lambda: kpi.refresh_daily(start, today))
            daily = [
                _timed(lambda: kpi.summarise(kpi.daily_counts(start, today)))
                for _ in range(repeats)
            ]
            scan, full, sweep = (
                statistics.median(scans),
                statistics.median(fulls),
                statistics.median(steady),
            )
            lines += [
                f"# {connection.vendor}, {n:,} cases (90 % open) with one task each, generated in {generated:.1f} s",
                f"# first full sweep {first * 1000:,.0f} ms issued {result.issued:,} cards; "
                f"KPIs from raw cases {raw * 1000:,.0f} ms, daily refresh {refresh * 1000:,.0f} ms",
                f"sweep: {sweep * 1000:,.1f} ms incremental sweep (every 5 min) | baseline {scan * 1000:,.1f} ms "
                f"indexed scan of the open cases | ratio {sweep / scan:.2f} (target ≤ 3)",
                f"sweep-day: {statistics.median(boundary) * 1000:,.1f} ms first run of a day ({changed:,} cards "
                f"issued or turned red) | baseline {scan * 1000:,.1f} ms | ratio {statistics.median(boundary) / scan:.2f}",
                f"sweep-day-floor: {floor * 1000:,.1f} ms the next day's {floor_changed:,} card changes "
                f"written by the same statements into a bare card table (no foreign keys, no other "
                f"index, no history) | baseline {scan * 1000:,.1f} ms | ratio {floor / scan:.2f}",
                f"sweep-full: {full * 1000:,.1f} ms full reconciliation (daily, on demand) | baseline {scan * 1000:,.1f} ms | "
                f"ratio {full / scan:.2f}",
                f"kpi: {statistics.median(daily) * 1000:,.1f} ms KPIs per department from daily aggregates "
                f"(target ≤ 500 ms)",
            ]
            raise _Rollback
    except _Rollback:
        pass
    yield from lines
