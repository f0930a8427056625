"""The deadline sweep (电子监察): cards issued, escalated, reissued and closed in set-based statements.

Each step is one INSERT … SELECT or UPDATE, never a Python loop over cases. A
run is *incremental* by default: it looks only at cases whose warning or due
day arrived since the last run, and at cases changed since that run began
(every change of a case — acceptance, a decision, a stop that ends — touches
its `updated_at`). A *full* run looks at every open case, and at the finished
ones changed since the last full run; it runs when there is no earlier run,
once a day, and on demand. A case or task whose clock is stopped (补正,
特别程序) gets no new card and is not escalated.

A subject has one card for life (one row per subject, with its history): a
card closed while its subject was still open — a yellow card withdrawn when a
stop moved the deadline — is *reissued* when the subject enters the warning
zone again. A case or task finished after its due day keeps (or gets) a red
card, even if no sweep saw it overdue while it was open.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from yiwang.supervision.models import SweepRun

FULL_EVERY = datetime.timedelta(hours=24)
MARGIN = datetime.timedelta(minutes=1)  # changes committed while the previous run was starting


# The statements are assembled from the constant fragments below, never from input (hence the
# S608 waivers); values travel as parameters.
def _not_stopped(case_id: str) -> str:
    return (
        "NOT EXISTS (SELECT 1 FROM cases_clockstop s "  # noqa: S608
        f"WHERE s.case_id = {case_id} AND s.ended_at IS NULL)"
    )


_NOT_STOPPED = _not_stopped("c.id")
_CARD_COLUMNS = "(subject_kind, subject_id, case_id, organisation_id, item_id, level, status, due_date, issued_at)"

# Which cases (c) and tasks (t) a statement looks at, per kind of run.
WINDOWS = {
    "full": ["1 = 1"],
    "issue_case": ["c.warn_date > %(last_today)s", "c.updated_at >= %(since)s"],
    "issue_task": ["t.warn_date > %(last_today)s", "c.updated_at >= %(since)s"],
    "escalate_case": ["c.due_date >= %(last_today)s", "c.updated_at >= %(since)s"],
    "escalate_task": ["t.due_date >= %(last_today)s", "c.updated_at >= %(since)s"],
    # Finishing touches the case: an incremental run sees what finished since the last run, a full
    # run what finished since the last full run (all history only on the very first run).
    "finished": ["c.updated_at >= %(since)s"],
    "finished_full": ["c.updated_at >= %(since_full)s"],
}


def _tasks(window: str) -> str:
    """The FROM of a statement over tasks: the case is joined only when the window asks about it
    (a join with a million cases made PostgreSQL scan them all for a few thousand tasks)."""
    if "c." in window:
        return "FROM cases_casetask t JOIN cases_case c ON c.id = t.case_id"
    return "FROM cases_casetask t"


def _subjects(kind: str, condition: str, window: str) -> str:
    """Open subjects (accepted cases, open tasks) meeting `condition` in `window`, clock running."""
    if kind == "case":
        return (
            f"SELECT c.id FROM cases_case c WHERE c.status = 'accepted' AND {condition} "  # noqa: S608
            f"AND {window} AND {_NOT_STOPPED}"
        )
    return (
        f"SELECT t.id {_tasks(window)} WHERE t.status = 'open' AND {condition} "
        f"AND {window} AND {_not_stopped('t.case_id')}"
    )


_DUE = {
    "case": "SELECT c.due_date FROM cases_case c WHERE c.id = supervision_card.subject_id",
    "task": "SELECT t.due_date FROM cases_casetask t WHERE t.id = supervision_card.subject_id",
}


def _issue_case(window: str) -> str:
    return (
        f"INSERT INTO supervision_card {_CARD_COLUMNS} "  # noqa: S608
        "SELECT 'case', c.id, c.id, i.organisation_id, c.item_id, "
        "CASE WHEN c.due_date < %(today)s THEN 'red' ELSE 'yellow' END, 'open', c.due_date, %(now)s "
        "FROM cases_case c JOIN services_serviceitem i ON i.id = c.item_id "
        f"WHERE c.status = 'accepted' AND c.warn_date <= %(today)s AND {window} AND {_NOT_STOPPED} "
        "ON CONFLICT (subject_kind, subject_id) DO NOTHING"
    )


def _issue_task(window: str) -> str:
    return (
        f"INSERT INTO supervision_card {_CARD_COLUMNS} "  # noqa: S608
        "SELECT 'task', t.id, t.case_id, t.organisation_id, "
        "(SELECT i.item_id FROM cases_case i WHERE i.id = t.case_id), "
        "CASE WHEN t.due_date < %(today)s THEN 'red' ELSE 'yellow' END, 'open', t.due_date, %(now)s "
        f"{_tasks(window)} "
        f"WHERE t.status = 'open' AND t.warn_date <= %(today)s AND {window} "
        f"AND {_not_stopped('t.case_id')} "
        "ON CONFLICT (subject_kind, subject_id) DO NOTHING"
    )


# Card updates are driven from the subjects (UPDATE … FROM), so that PostgreSQL looks each
# card up by its subject; with IN it hashed every open card of the city instead.
def _reissue(kind: str, window: str) -> str:
    """A closed card whose subject, still open, is back in the warning zone opens again (its level
    stays; the escalation below turns it red if the subject is overdue)."""
    alias = "c" if kind == "case" else "t"
    subjects = _subjects(kind, f"{alias}.warn_date <= %(today)s", window)
    return (
        "UPDATE supervision_card SET status = 'open', closed_at = NULL, reissued_at = %(now)s, "  # noqa: S608
        f"due_date = ({_DUE[kind]}) FROM ({subjects}) AS x "
        f"WHERE supervision_card.subject_kind = '{kind}' AND supervision_card.subject_id = x.id "
        "AND supervision_card.status = 'closed'"
    )


def _escalate(kind: str, window: str) -> str:
    alias = "c" if kind == "case" else "t"
    subjects = _subjects(kind, f"{alias}.due_date < %(today)s", window)
    return (
        "UPDATE supervision_card SET level = 'red', escalated_at = %(now)s "  # noqa: S608
        f"FROM ({subjects}) AS x "
        f"WHERE supervision_card.subject_kind = '{kind}' AND supervision_card.subject_id = x.id "
        "AND supervision_card.status = 'open' AND supervision_card.level = 'yellow'"
    )


# Finished after the due day, by the calendar day of the city (a case finished at 23:59 on its
# due day is on time, like the KPI 按时办结率 counts it).
def _finished_late(kind: str, window: str) -> str:
    if kind == "case":
        return (
            "FROM cases_case c JOIN services_serviceitem i ON i.id = c.item_id "
            "WHERE c.status IN ('approved', 'rejected') AND c.due_date IS NOT NULL "
            f"AND {_local_day('c.finished_at')} > c.due_date AND {window}"
        )
    return (
        "FROM cases_casetask t JOIN cases_case c ON c.id = t.case_id "
        "WHERE t.status = 'done' AND t.due_date IS NOT NULL "
        f"AND {_local_day('t.completed_at')} > t.due_date AND {window}"
    )


def _escalate_late(kind: str, window: str) -> str:
    """The yellow card of a subject finished late turns red, open or already closed."""
    alias = "c" if kind == "case" else "t"
    return (
        "UPDATE supervision_card SET level = 'red', escalated_at = %(now)s "  # noqa: S608
        f"WHERE subject_kind = '{kind}' AND level = 'yellow' "
        f"AND subject_id IN (SELECT {alias}.id {_finished_late(kind, window)})"
    )


def _issue_late(kind: str, window: str) -> str:
    """A subject finished late without any card gets a red one, closed at once (it is finished)."""
    select = (
        "SELECT 'case', c.id, c.id, i.organisation_id, c.item_id, "
        "'red', 'closed', c.due_date, %(now)s, %(now)s "
        if kind == "case"
        else "SELECT 'task', t.id, t.case_id, t.organisation_id, c.item_id, "
        "'red', 'closed', t.due_date, %(now)s, %(now)s "
    )
    columns = _CARD_COLUMNS[:-1] + ", closed_at)"
    return (
        f"INSERT INTO supervision_card {columns} {select}{_finished_late(kind, window)} "
        "ON CONFLICT (subject_kind, subject_id) DO NOTHING"
    )


# A finished subject closes its card (a red card stays red); a yellow card whose deadline moved
# out of the warning zone (the clock was stopped) is withdrawn the same way, and reissued if the
# subject comes back into the zone.
_STILL_OPEN = {
    "case": "SELECT 1 FROM cases_case c WHERE c.id = supervision_card.subject_id AND c.status = 'accepted' "
    "AND (supervision_card.level = 'red' OR c.warn_date <= %(today)s)",
    "task": "SELECT 1 FROM cases_casetask t WHERE t.id = supervision_card.subject_id AND t.status = 'open' "
    "AND (supervision_card.level = 'red' OR t.warn_date <= %(today)s)",
}
_CHANGED = {
    "case": "SELECT c.id FROM cases_case c WHERE c.updated_at >= %(since)s",
    "task": "SELECT t.id FROM cases_casetask t JOIN cases_case c ON c.id = t.case_id "
    "WHERE c.updated_at >= %(since)s",
}


def _close(kind: str, full: bool) -> str:
    changed = "" if full else f" AND subject_id IN ({_CHANGED[kind]})"
    return (
        "UPDATE supervision_card SET status = 'closed', closed_at = %(now)s "  # noqa: S608
        f"WHERE subject_kind = '{kind}' AND status = 'open' AND NOT EXISTS ({_STILL_OPEN[kind]})"
        f"{changed}"
    )


_EVENT_INSERT = "INSERT INTO supervision_cardevent (card_id, kind, level, occurred_at)"


def change_cards(cursor, sql: str, params: dict, events: tuple[str, ...]) -> int:
    """Run a card INSERT or UPDATE and write its history: one event of each of `events` per card it
    changed, at `params["now"]`, in the order given (a card issued and closed at once reads issued →
    closed). On PostgreSQL in the same statement; SQLite, which has no data-modifying WITH, from
    the RETURNING rows. Returns how many cards changed."""
    returning = f"{sql} RETURNING supervision_card.id, supervision_card.level"
    if connection.vendor == "postgresql":
        kinds = ", ".join(f"({n}, '{kind}')" for n, kind in enumerate(events))
        cursor.execute(
            f"WITH changed AS ({returning}) {_EVENT_INSERT} "  # noqa: S608
            "SELECT changed.id, k.kind, changed.level, %(now)s "
            f"FROM changed CROSS JOIN (VALUES {kinds}) AS k(n, kind) ORDER BY changed.id, k.n",
            params,
        )
        return max(cursor.rowcount, 0) // len(events)
    cursor.execute(returning, params)
    changed = cursor.fetchall()
    cursor.executemany(
        f"{_EVENT_INSERT} VALUES (%s, %s, %s, %s)",
        [(pk, kind, level, params["now"]) for pk, level in changed for kind in events],
    )
    return len(changed)


def _local_day(column: str) -> str:
    """SQL for the calendar day of a timestamp in the city's time zone (the database's own cast,
    as Django's TruncDate uses it); its parameters are `_zone_params()`."""
    sql, _params = connection.ops.datetime_cast_date_sql(
        column, (), timezone.get_default_timezone_name()
    )
    pieces = sql.split("%s")
    named = pieces[0]
    for n, rest in enumerate(pieces[1:]):
        named += f"%(zone{n})s{rest}"
    return named


def _zone_params() -> dict:
    _sql, params = connection.ops.datetime_cast_date_sql(
        "x", (), timezone.get_default_timezone_name()
    )
    return {f"zone{n}": value for n, value in enumerate(params)}


@dataclass
class SweepResult:
    issued: int = 0
    reissued: int = 0
    escalated: int = 0
    closed: int = 0
    notices_overdue: int = 0
    rectifications_late: int = 0
    full: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _statements(full: bool, *, first: bool = False) -> list[tuple[str, str, tuple[str, ...]]]:
    """(counter, SQL, events) in order: what finished late, close, reissue, escalate, issue — for
    cases, then for tasks. `first`: no full run before, so a full run looks at every finished
    subject."""
    pick = (lambda name: WINDOWS["full"]) if full else (lambda name: WINDOWS[name])
    finished = WINDOWS["full" if first else "finished_full"] if full else WINDOWS["finished"]
    found = []
    for kind in ("case", "task"):
        found += [("escalated", _escalate_late(kind, w), ("escalated",)) for w in finished]
        found += [("issued", _issue_late(kind, w), ("issued", "closed")) for w in finished]
    found += [("closed", _close(kind, full), ("closed",)) for kind in ("case", "task")]
    found += [("reissued", _reissue("case", w), ("reissued",)) for w in pick("issue_case")]
    found += [("reissued", _reissue("task", w), ("reissued",)) for w in pick("issue_task")]
    found += [("escalated", _escalate("case", w), ("escalated",)) for w in pick("escalate_case")]
    found += [("escalated", _escalate("task", w), ("escalated",)) for w in pick("escalate_task")]
    found += [("issued", _issue_case(w), ("issued",)) for w in pick("issue_case")]
    found += [("issued", _issue_task(w), ("issued",)) for w in pick("issue_task")]
    return found


def sweep_deadlines(
    *, today: datetime.date | None = None, now=None, full: bool | None = None
) -> SweepResult:
    """扫描: set every open case and task to normal / yellow / red, as cards with a history."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        _lock()
        last = SweepRun.objects.filter(finished_at__isnull=False).first()
        last_full = SweepRun.objects.filter(finished_at__isnull=False, full=True).first()
        if full is None:
            full = last is None or last_full is None or now - last_full.started_at > FULL_EVERY
        params = {"now": now, "today": today,
                  "since": (last.started_at - MARGIN) if last else now,
                  "since_full": (last_full.started_at - MARGIN) if last_full else now,
                  "last_today": last.today if last else today, **_zone_params()}  # fmt: skip
        result = SweepResult(full=full)
        with connection.cursor() as cursor:
            for counter, sql, events in _statements(full, first=last_full is None):
                changed = change_cards(cursor, sql, params, events)
                setattr(result, counter, getattr(result, counter) + changed)
        from yiwang.supervision.services import escalate_overdue_notices

        result.notices_overdue = escalate_overdue_notices(today=today, now=now)
        result.rectifications_late = _late_rectifications(today=today, now=now)
        SweepRun.objects.create(started_at=now, finished_at=timezone.now(), today=today, full=full,
                                result=result.as_dict())  # fmt: skip
    return result


def _lock() -> None:
    """One sweep at a time (PostgreSQL advisory lock; SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x59575357])  # "YWSW"


def _late_rectifications(*, today, now) -> int:
    from django.apps import apps

    if not apps.is_installed("yiwang.reviews"):
        return 0
    from yiwang.reviews.services import card_late_rectifications

    return card_late_rectifications(today=today, now=now)
