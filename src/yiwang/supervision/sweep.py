"""The deadline sweep (电子监察): cards issued, escalated and closed in a few set-based statements.

Each step is one INSERT … SELECT or UPDATE over the open cases (index on
status + warn_date / due_date), so a sweep over a million open cases costs a
few index scans, not a million Python objects. A case or task whose clock is
stopped (补正, 特别程序) gets no new card and is not escalated.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

ISSUE = {
    "case": """
INSERT INTO supervision_card (subject_kind, subject_id, case_id, organisation_id, item_id, level, status,
                              due_date, issued_at)
SELECT 'case', c.id, c.id, i.organisation_id, c.item_id,
       CASE WHEN c.due_date < %s THEN 'red' ELSE 'yellow' END, 'open', c.due_date, %s
FROM cases_case c JOIN services_serviceitem i ON i.id = c.item_id
WHERE c.status = 'accepted' AND c.warn_date <= %s
  AND NOT EXISTS (SELECT 1 FROM supervision_card k WHERE k.subject_kind = 'case' AND k.subject_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM cases_clockstop s WHERE s.case_id = c.id AND s.ended_at IS NULL)
""",
    "task": """
INSERT INTO supervision_card (subject_kind, subject_id, case_id, organisation_id, item_id, level, status,
                              due_date, issued_at)
SELECT 'task', t.id, t.case_id, t.organisation_id, c.item_id,
       CASE WHEN t.due_date < %s THEN 'red' ELSE 'yellow' END, 'open', t.due_date, %s
FROM cases_casetask t JOIN cases_case c ON c.id = t.case_id
WHERE t.status = 'open' AND t.warn_date <= %s
  AND NOT EXISTS (SELECT 1 FROM supervision_card k WHERE k.subject_kind = 'task' AND k.subject_id = t.id)
  AND NOT EXISTS (SELECT 1 FROM cases_clockstop s WHERE s.case_id = t.case_id AND s.ended_at IS NULL)
""",
}

ESCALATE = {
    "case": """
UPDATE supervision_card SET level = 'red', escalated_at = %s
WHERE subject_kind = 'case' AND status = 'open' AND level = 'yellow'
  AND EXISTS (SELECT 1 FROM cases_case c WHERE c.id = supervision_card.subject_id
              AND c.status = 'accepted' AND c.due_date < %s AND NOT EXISTS (SELECT 1 FROM cases_clockstop s WHERE s.case_id = c.id AND s.ended_at IS NULL))
""",
    "task": """
UPDATE supervision_card SET level = 'red', escalated_at = %s
WHERE subject_kind = 'task' AND status = 'open' AND level = 'yellow'
  AND EXISTS (SELECT 1 FROM cases_casetask t WHERE t.id = supervision_card.subject_id
              AND t.status = 'open' AND t.due_date < %s AND NOT EXISTS (SELECT 1 FROM cases_clockstop s WHERE s.case_id = t.case_id AND s.ended_at IS NULL))
""",
}

# A finished subject closes its card (a red card stays red); a yellow card whose deadline
# moved out of the warning zone (the clock was stopped) is withdrawn the same way.
CLOSE = {
    "case": """
UPDATE supervision_card SET status = 'closed', closed_at = %s
WHERE subject_kind = 'case' AND status = 'open'
  AND NOT EXISTS (SELECT 1 FROM cases_case c WHERE c.id = supervision_card.subject_id
                  AND c.status = 'accepted' AND (supervision_card.level = 'red' OR c.warn_date <= %s))
""",
    "task": """
UPDATE supervision_card SET status = 'closed', closed_at = %s
WHERE subject_kind = 'task' AND status = 'open'
  AND NOT EXISTS (SELECT 1 FROM cases_casetask t WHERE t.id = supervision_card.subject_id
                  AND t.status = 'open' AND (supervision_card.level = 'red' OR t.warn_date <= %s))
""",
}

EVENTS = {
    "issued_at": "INSERT INTO supervision_cardevent (card_id, kind, level, occurred_at) "
    "SELECT id, %s, level, issued_at FROM supervision_card WHERE issued_at = %s",
    "escalated_at": "INSERT INTO supervision_cardevent (card_id, kind, level, occurred_at) "
    "SELECT id, %s, level, escalated_at FROM supervision_card WHERE escalated_at = %s",
    "closed_at": "INSERT INTO supervision_cardevent (card_id, kind, level, occurred_at) "
    "SELECT id, %s, level, closed_at FROM supervision_card WHERE closed_at = %s",
}


@dataclass
class SweepResult:
    issued: int = 0
    escalated: int = 0
    closed: int = 0
    notices_overdue: int = 0
    rectifications_late: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def sweep_deadlines(*, today: datetime.date | None = None, now=None) -> SweepResult:
    """扫描: set every open case and task to normal / yellow / red, as cards with a history."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    result = SweepResult()
    with transaction.atomic(), connection.cursor() as cursor:
        for subject in ("case", "task"):
            cursor.execute(CLOSE[subject], [now, today])
            result.closed += cursor.rowcount
            cursor.execute(ESCALATE[subject], [now, today])
            result.escalated += cursor.rowcount
            cursor.execute(ISSUE[subject], [today, now, today])
            result.issued += cursor.rowcount
        for kind, column in (("issued", "issued_at"), ("escalated", "escalated_at"),
                             ("closed", "closed_at")):  # fmt: skip
            cursor.execute(EVENTS[column], [kind, now])
        from yiwang.supervision.services import escalate_overdue_notices

        result.notices_overdue = escalate_overdue_notices(today=today, now=now)
        result.rectifications_late = _late_rectifications(today=today, now=now)
    return result


def _late_rectifications(*, today, now) -> int:
    from django.apps import apps

    if not apps.is_installed("yiwang.reviews"):
        return 0
    from yiwang.reviews.services import card_late_rectifications

    return card_late_rectifications(today=today, now=now)
