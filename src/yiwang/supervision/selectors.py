"""Reads of supervision that depend on who asks: the board, a department's cards and 督办, KPIs."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from yiwang.core.choices import Role
from yiwang.core.models import Organisation
from yiwang.core.permissions import has_role, org_ids_with_role
from yiwang.services.models import ServiceItem
from yiwang.supervision import kpi
from yiwang.supervision.choices import CardLevel, CardStatus, CardSubject, NoticeStatus
from yiwang.supervision.models import Card, DailyStats, SupervisionNotice
from yiwang.supervision.permissions import DEPARTMENT_ROLES

TREND_DAYS = 30


def is_supervisor(actor) -> bool:
    return has_role(actor, Role.SUPERVISOR)


def department_ids(actor) -> set[int]:
    """The departments whose cards and 督办 this user answers for."""
    return org_ids_with_role(actor, *DEPARTMENT_ROLES)


def open_cards(actor):
    return (
        Card.objects.restrict(actor)
        .filter(status=CardStatus.OPEN)
        .select_related("case", "organisation", "item")
    )


def hide_anonymous_cases(cards: list[Card]) -> None:
    """Mark the rectification cards of anonymous ratings (`hide_case`): a department's page must
    not show their case, which would tell who gave the rating."""
    from yiwang.reviews.models import Rectification

    ids = [c.subject_id for c in cards if c.subject_kind == CardSubject.RECTIFICATION]
    anonymous = set(
        Rectification.objects.filter(pk__in=ids, rating__anonymous=True).values_list(
            "pk", flat=True
        )
    )
    for card in cards:
        card.hide_case = (
            card.subject_kind == CardSubject.RECTIFICATION and card.subject_id in anonymous
        )


def cards_by(actor, field: str) -> list[dict]:
    """Open cards counted per department (`organisation`) or per item (`item`), yellow and red."""
    rows = (
        open_cards(actor)
        .filter(**{f"{field}__isnull": False})
        .values(f"{field}_id", f"{field}__name")
        .annotate(
            yellow=Count("id", filter=Q(level=CardLevel.YELLOW)),
            red=Count("id", filter=Q(level=CardLevel.RED)),
            total=Count("id"),
        )
        .order_by("-red", "-total", f"{field}__name")
    )
    return [{"id": r[f"{field}_id"], "name": r[f"{field}__name"], **_counts(r)} for r in rows]


def _counts(row: dict) -> dict:
    return {"yellow": row["yellow"], "red": row["red"], "total": row["total"]}


def trend(actor, *, today: datetime.date, days: int = TREND_DAYS) -> dict:
    """Cards issued and turned red per day over the last `days` days (for the board's chart)."""
    start = today - datetime.timedelta(days=days - 1)
    low = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    cards = Card.objects.restrict(actor)

    def per_day(field: str, **extra) -> dict:
        rows = (
            cards.filter(**{f"{field}__gte": low}, **extra)
            .annotate(day=TruncDate(field))
            .values("day")
            .annotate(n=Count("id"))
        )
        return {r["day"]: r["n"] for r in rows}

    issued = per_day("issued_at")
    red_now = per_day("escalated_at")
    red_at_once = per_day("issued_at", level=CardLevel.RED, escalated_at__isnull=True)
    days_list = [start + datetime.timedelta(days=i) for i in range(days)]
    return {
        "days": [d.isoformat() for d in days_list],
        "issued": [issued.get(d, 0) for d in days_list],
        "red": [red_now.get(d, 0) + red_at_once.get(d, 0) for d in days_list],
    }


def notices(actor):
    return SupervisionNotice.objects.restrict(actor).select_related(
        "case", "card", "organisation", "escalated_to", "sent_by"
    )


def is_late(notice: SupervisionNotice, today: datetime.date) -> bool:
    """Late: escalated, answered after its deadline, or still unanswered past it."""
    if notice.status == NoticeStatus.OVERDUE:
        return True
    if notice.replied_at is not None:
        return timezone.localdate(notice.replied_at) > notice.reply_due
    return notice.reply_due < today


# --- KPI dashboard -------------------------------------------------------------------------


def dashboard_organisations(actor):
    """Departments a user may filter the dashboard by: all for supervisors, else their own."""
    qs = Organisation.objects.order_by("name")
    if is_supervisor(actor):
        return qs
    return qs.filter(pk__in=department_ids(actor))


def kpi_rows(
    *, start: datetime.date, end: datetime.date, organisation_ids, by: str = "organisation"
) -> list[dict]:
    """KPI rows per department (or item) for the period, from `DailyStats`, with satisfaction
    and the item figures (承诺时限压缩比, 最多跑一次, 零跑动, 要素完整率); sorted by name."""
    counts = kpi.daily_counts(start, end, organisation_ids=organisation_ids)
    summary = kpi.summarise(counts, by=by)
    satisfaction = kpi.satisfaction(start, end, by=by)
    active = [DailyStats.objects.filter(day__gte=start, day__lte=end).values("item_id")]
    if by == "item":  # an item row is an item with cases or ratings in the period
        active.append(list(satisfaction))
    figures = kpi.item_figures(start, end, by=by, organisation_ids=organisation_ids, active=active)
    if by == "organisation":
        keys = set(summary) | set(figures)
        keys |= {k for k in satisfaction if organisation_ids is None or k in organisation_ids}
        names = dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name"))
    else:
        allowed = ServiceItem.objects.filter(pk__in=set(summary) | set(satisfaction))
        if organisation_ids is not None:
            allowed = allowed.filter(organisation_id__in=organisation_ids)
        names = dict(allowed.values_list("pk", "name"))
        keys = set(names)
    empty = dict.fromkeys(kpi.COUNTERS, 0)
    rows = []
    for key in keys:
        row = {**empty, **kpi.rates(empty), **summary.get(key, {})}
        row.update(satisfaction.get(key, {}))
        row.update(figures.get(key, {}))
        rows.append({"id": key, "name": names.get(key, str(key)), **row})
    rows.sort(key=lambda r: r["name"])
    return rows


def last_refresh():
    """When the daily aggregates were last rebuilt: the newest day they hold (no timestamp kept)."""
    return DailyStats.objects.aggregate(day=Max("day"))["day"]


# --- the clock on the case page --------------------------------------------------------------


def case_clock(actor, case, *, today: datetime.date) -> dict:
    """The case's clock: working days left or overdue (or, once finished, whether it finished
    on time), its stops, and the cards this user may see with their history."""
    from yiwang.cases.choices import CaseStatus
    from yiwang.core.workdays import WorkCalendar

    stops = list(case.clock_stops.select_related("organisation"))
    running = case.status == CaseStatus.ACCEPTED and case.due_date is not None
    stopped = any(s.ended_at is None for s in stops)
    left = overdue = finished_late = late_days = None
    calendar = WorkCalendar()
    if running and not stopped:
        if today <= case.due_date:
            left = calendar.working_days_between(today, case.due_date)
        else:
            overdue = calendar.working_days_between(case.due_date, today)
    decided = case.status in (CaseStatus.APPROVED, CaseStatus.REJECTED)
    if decided and case.due_date is not None and case.finished_at is not None:
        finished_on = timezone.localdate(case.finished_at)  # late as the sweep and KPIs count it
        finished_late = finished_on > case.due_date
        late_days = calendar.working_days_between(case.due_date, finished_on)
    cards = Card.objects.restrict(actor).filter(case=case).select_related("organisation")
    if not is_supervisor(actor):  # an anonymous rating's card would tell the department who rated
        from yiwang.reviews.models import Rectification

        anonymous = Rectification.objects.filter(rating__case=case, rating__anonymous=True)
        cards = cards.exclude(
            subject_kind=CardSubject.RECTIFICATION, subject_id__in=anonymous.values("pk")
        )
    return {
        "running": running, "stopped": stopped, "left": left, "overdue": overdue, "stops": stops,
        "finished": decided, "finished_late": finished_late, "late_days": late_days,
        "cards": list(cards.prefetch_related("events")),
    }  # fmt: skip
