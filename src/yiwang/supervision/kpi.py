"""KPIs of the one-stop service per department or item and period, from daily aggregates.

Counts are taken by the day each event happened (submitted, accepted,
finished). `daily_counts` reads the pre-aggregated `DailyStats`;
`raw_counts` computes the same from the cases themselves and is what
`refresh_daily` stores — a test holds the two equal.

预警率 and 红牌率 are shares of the cases finished (办结) in the period: of
those, the ones that got a card (yellow or red) on the case's own deadline, and
the ones whose card was red. Like 按时办结率 they count each case once, by the
day it finished, so they never exceed 100 % and a finished day's figures stay
put (a finished case gets no new card).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from yiwang.cases.choices import CaseStatus, Channel, TaskStatus
from yiwang.cases.models import Case, CaseTask
from yiwang.reviews.choices import Level, RectificationStatus
from yiwang.reviews.models import Rating, Rectification
from yiwang.services.choices import CaseKind, ItemStatus
from yiwang.services.models import ServiceItem
from yiwang.supervision.choices import CardLevel, CardSubject
from yiwang.supervision.models import Card, DailyStats

COUNTERS = (
    "received", "received_online", "received_immediate", "accepted", "finished", "finished_on_time",
    "finish_seconds", "cards", "red_cards", "steps", "step_seconds",
)  # fmt: skip
ONLINE_CHANNELS = (Channel.ONLINE, Channel.MOBILE, Channel.KIOSK)
DONE = (CaseStatus.APPROVED, CaseStatus.REJECTED)


def _bounds(start: datetime.date, end: datetime.date):
    zone = ZoneInfo(settings.TIME_ZONE)
    low = datetime.datetime.combine(start, datetime.time.min, zone)
    return low, datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)


def _seconds(value) -> int:
    if value is None:
        return 0
    return (
        int(value.total_seconds()) if isinstance(value, datetime.timedelta) else int(value) // 10**6
    )


def raw_counts(start, end, *, by_day: bool = False) -> dict[tuple, dict]:
    """Counters per (item, organisation[, day]) computed from cases, tasks and cards."""
    low, high = _bounds(start, end)
    rows: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))

    def add(queryset, when: str, organisation: str, **aggregates):
        keys = ["item_id", organisation] + (["day"] if by_day else [])
        grouped = queryset.annotate(day=TruncDate(when)).values(*keys).annotate(**aggregates)
        for row in grouped:
            key = (row["item_id"], row[organisation]) + ((row["day"],) if by_day else ())
            for name in aggregates:
                value = row[name]
                rows[key][name] += _seconds(value) if name.endswith("seconds") else (value or 0)

    cases = Case.objects.all()
    add(cases.filter(submitted_at__gte=low, submitted_at__lt=high), "submitted_at", "item__organisation_id",
        received=Count("id"), received_online=Count("id", filter=Q(channel__in=ONLINE_CHANNELS)),
        received_immediate=Count("id", filter=Q(item__case_kind=CaseKind.IMMEDIATE)))  # fmt: skip
    add(cases.filter(accepted_at__gte=low, accepted_at__lt=high), "accepted_at", "item__organisation_id",
        accepted=Count("id"))  # fmt: skip
    carded = Card.objects.filter(subject_kind=CardSubject.CASE, subject_id=OuterRef("pk"))
    finished = cases.filter(finished_at__gte=low, finished_at__lt=high, status__in=DONE).annotate(
        finished_day=TruncDate("finished_at"), carded=Exists(carded),
        reddened=Exists(carded.filter(level=CardLevel.RED)),
    )  # fmt: skip
    add(finished, "finished_at", "item__organisation_id", finished=Count("id"),
        finished_on_time=Count("id", filter=Q(finished_day__lte=F("due_date"))),
        finish_seconds=Sum(ExpressionWrapper(F("finished_at") - F("accepted_at"), DurationField())),
        cards=Count("id", filter=Q(carded=True)), red_cards=Count("id", filter=Q(reddened=True)))  # fmt: skip
    tasks = CaseTask.objects.filter(
        status=TaskStatus.DONE, completed_at__gte=low, completed_at__lt=high
    )
    add(tasks.annotate(item_id=F("case__item_id")), "completed_at", "case__item__organisation_id",
        steps=Count("id"),
        step_seconds=Sum(ExpressionWrapper(F("completed_at") - F("created_at"), DurationField())))  # fmt: skip
    return rows


@transaction.atomic
def refresh_daily(start: datetime.date, end: datetime.date) -> int:
    """Rebuild `DailyStats` for the days start..end (inclusive) from the raw records."""
    DailyStats.objects.filter(day__gte=start, day__lte=end).delete()
    rows = [
        DailyStats(item_id=item, organisation_id=org, day=day, **counts)
        for (item, org, day), counts in raw_counts(start, end, by_day=True).items()
    ]
    DailyStats.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def daily_counts(start, end, *, organisation_ids=None) -> dict[tuple, dict]:
    """Counters per (item, organisation) summed from `DailyStats`."""
    stats = DailyStats.objects.filter(day__gte=start, day__lte=end)
    if organisation_ids is not None:
        stats = stats.filter(organisation_id__in=organisation_ids)
    grouped = stats.values("item_id", "organisation_id").annotate(**{c: Sum(c) for c in COUNTERS})
    return {
        (row["item_id"], row["organisation_id"]): {c: row[c] or 0 for c in COUNTERS}
        for row in grouped
    }


def _ratio(numerator, denominator):
    return round(numerator / denominator, 4) if denominator else None


def summarise(counts: dict[tuple, dict], *, by: str = "organisation") -> dict:
    """Counters rolled up per organisation (or item), with the rates computed from them."""
    index = 1 if by == "organisation" else 0
    totals: dict = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for key, row in counts.items():
        for c in COUNTERS:
            totals[key[index]][c] += row[c]
    return {key: {**row, **rates(row)} for key, row in totals.items()}


def rates(row: dict) -> dict:
    """The rates of a row of counters; 预警率 and 红牌率 are shares of the cases finished."""
    return {
        "on_time_rate": _ratio(row["finished_on_time"], row["finished"]),
        "warning_rate": _ratio(row["cards"], row["finished"]),
        "red_rate": _ratio(row["red_cards"], row["finished"]),
        "online_rate": _ratio(row["received_online"], row["received"]),
        "immediate_share": _ratio(row["received_immediate"], row["received"]),
        "avg_case_days": _ratio(row["finish_seconds"], row["finished"] * 86400),
        "avg_step_days": _ratio(row["step_seconds"], row["steps"] * 86400),
    }


def satisfaction(start, end, *, by: str = "organisation") -> dict:
    """好差评 per organisation or item: ratings, satisfied share, rectifications answered."""
    low, high = _bounds(start, end)
    key = "organisation_id" if by == "organisation" else "item_id"
    found: dict = defaultdict(dict)
    ratings = (
        Rating.objects.filter(created_at__gte=low, created_at__lt=high)
        .values(key)
        .annotate(ratings=Count("id"), satisfied=Count("id", filter=Q(level__gte=Level.BASIC)))
    )
    for row in ratings:
        found[row[key]].update(
            ratings=row["ratings"], satisfaction_rate=_ratio(row["satisfied"], row["ratings"])
        )
    answered = (RectificationStatus.REPLIED, RectificationStatus.CONFIRMED)
    rect_key = "organisation_id" if by == "organisation" else "rating__item_id"
    rectifications = Rectification.objects.filter(created_at__gte=low, created_at__lt=high).values(
        rect_key).annotate(total=Count("id"), answered=Count("id", filter=Q(status__in=answered)))  # fmt: skip
    for row in rectifications:
        found[row[rect_key]].update(rectifications=row["total"],
                                    rectification_rate=_ratio(row["answered"], row["total"]))  # fmt: skip
    return found


def item_figures(
    start: datetime.date,
    end: datetime.date,
    *,
    by: str = "organisation",
    organisation_ids=None,
    active=(),
) -> dict:
    """承诺时限压缩比, 最多跑一次 / 零跑动 share and 事项要素完整率 per organisation (or per item)
    over the items in force in the period: those published by its end and still published, and
    those active in it (`active`: collections or subqueries of item ids, e.g. those with cases in
    the period), published or not today."""
    from django.db.models import Exists, OuterRef

    from yiwang.services.models import ServiceItemVersion
    from yiwang.services.services import completeness

    _low, high = _bounds(start, end)
    published_by_then = Exists(
        ServiceItemVersion.objects.filter(item=OuterRef("pk"), created_at__lt=high)
    ) | Q(published_at__lt=high)
    in_force = Q(status=ItemStatus.PUBLISHED) & published_by_then
    for ids in active:
        in_force |= Q(pk__in=ids)
    items = ServiceItem.objects.filter(in_force).prefetch_related("materials")
    if organisation_ids is not None:
        items = items.filter(organisation_id__in=organisation_ids)
    key = "organisation_id" if by == "organisation" else "pk"
    acc: dict = defaultdict(lambda: {"items": 0, "promised": 0, "statutory": 0, "one_visit": 0,
                                     "zero_visit": 0, "completeness": 0.0})  # fmt: skip
    for item in items:
        row = acc[getattr(item, key)]
        row["items"] += 1
        if item.statutory_days and item.promised_days is not None:
            row["promised"] += item.promised_days
            row["statutory"] += item.statutory_days
        row["one_visit"] += item.visits <= 1
        row["zero_visit"] += item.visits == 0
        row["completeness"] += completeness(item)
    return {
        org: {
            "items": row["items"],
            "compression_ratio": None if not row["statutory"] else round(1 - row["promised"] / row["statutory"], 4),
            "one_visit_share": _ratio(row["one_visit"], row["items"]),
            "zero_visit_share": _ratio(row["zero_visit"], row["items"]),
            "completeness": _ratio(row["completeness"], row["items"]),
        }
        for org, row in acc.items()
    }  # fmt: skip
