"""A year of cases for the demo city: realistic timing, some departments late, ratings.

Finished cases of the past year are written in bulk as history (cases, their
departments' tasks, timeline, cards, ratings and rectifications); the cases of
the last two weeks go through the real services, so that they carry live
workflow state and the window and reviewers have work to do. Then the sweep,
the KPI aggregates and last week's 周通报 are built.
"""

from __future__ import annotations

import datetime
import logging
import random
import uuid
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from yiwang.cases import services as case_services
from yiwang.cases.choices import ApplicantKind, CaseStatus, Channel, TaskStatus
from yiwang.cases.clock import yellow_threshold
from yiwang.cases.models import Case, CaseEvent, CaseSequence, CaseTask
from yiwang.core.errors import ServiceError
from yiwang.core.models import CompanyAgent, User
from yiwang.core.workdays import WorkCalendar
from yiwang.reviews.choices import RatingChannel, RectificationStatus, ReplyKind
from yiwang.reviews.models import Rating, Rectification
from yiwang.services.choices import Audience, CaseKind, ItemStatus
from yiwang.services.models import ServiceItem
from yiwang.supervision.models import Card, CardEvent

SIZES = {"small": {"history": 3_000, "live": 40}, "city": {"history": 200_000, "live": 600}}
OTHER = {"history": 150, "live": 4}  # the scales tests invent
CHANNELS = [(Channel.ONLINE, 55), (Channel.WINDOW, 30), (Channel.MOBILE, 12), (Channel.KIOSK, 3)]
COMMENTS_BAD = [
    "等待时间太长",
    "窗口人员态度不好",
    "材料要求说明不清楚",
    "跑了好几趟",
    "系统经常卡顿",
]
COMMENTS_GOOD = ["办理很快", "服务热情", "网上办很方便", "一次就办好了", ""]
BATCH = 2_000
log = logging.getLogger(__name__)


def _pace(rng: random.Random, organisations) -> dict[int, float]:
    """How much of the promised time each department uses: most on time, some often late."""
    pace = {}
    for org in organisations:
        roll = rng.random()
        pace[org] = 0.5 if roll < 0.6 else (0.9 if roll < 0.85 else 1.25)
    return pace


def _when(day: datetime.date, hour: int, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), zone)


@transaction.atomic
def build_history(*, seed: int, scale: str, today: datetime.date | None = None) -> dict:
    """Finished cases of the past year, written in bulk; returns counts by status."""
    rng = random.Random(seed * 7_919 + 3)
    today = today or timezone.localdate()
    zone = ZoneInfo(settings.TIME_ZONE)
    items = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).prefetch_related("participants")
    )
    start = today - datetime.timedelta(days=365)
    people = list(User.objects.filter(id_number__isnull=False, memberships__isnull=True)
                  .values_list("pk", "real_name", "id_number")[:2_000])  # fmt: skip
    # Companies apply through their agents, authorised over the whole year as the live service
    # requires; without any, the items only companies may apply for get no history.
    agencies = list(
        CompanyAgent.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today),
                                    valid_from__lte=start)
        .order_by("pk").values_list("user_id", "company_name", "company_uscc")[:2_000]
    )  # fmt: skip
    if not agencies:
        items = [i for i in items if i.audience != Audience.COMPANY]
    if not items or not people:
        return {}
    applicants = {"people": people, "agencies": agencies}
    calendar = WorkCalendar()
    pace = _pace(rng, sorted({i.organisation_id for i in items}))
    sequences: Counter = Counter()
    statuses: Counter = Counter()
    workdays = [
        d
        for d in (start + datetime.timedelta(days=n) for n in range(351))
        if calendar.is_working_day(d)
    ]
    remaining = SIZES.get(scale, OTHER)["history"]
    while remaining > 0:
        chunk = min(BATCH, remaining)
        remaining -= chunk
        _write_chunk(
            rng, chunk, items, applicants, workdays, calendar, pace, sequences, statuses, zone
        )
    CaseSequence.objects.bulk_create(
        [CaseSequence(prefix=prefix, last=last) for prefix, last in sequences.items()],
        update_conflicts=True, unique_fields=["prefix"], update_fields=["last"],
    )  # fmt: skip
    return dict(statuses)


def _write_chunk(
    rng, n, items, applicants, workdays, calendar, pace, sequences, statuses, zone
) -> None:
    cases, case_items = [], []
    for _ in range(n):
        item = rng.choice(items)
        applicant = _applicant(rng, item, **applicants)
        day = rng.choice(workdays)
        prefix = f"{item.code}{day:%Y%m%d}"
        sequences[prefix] += 1
        status, plan = _plan(rng, item, day, calendar, pace, zone)
        statuses[status] += 1
        submitted = _when(day, rng.randint(9, 16), zone)
        cases.append(Case(
            number=f"{prefix}{sequences[prefix]:04d}", item=item, item_version=item.version,
            **applicant, channel=_weighted(rng, CHANNELS), form_data={}, status=status, submitted_at=submitted,
            accepted_at=plan.get("accepted"), finished_at=plan.get("finished"), due_date=plan.get("due"),
            warn_date=plan.get("warn"), statutory_due_date=plan.get("statutory"),
            outcome_note=plan.get("note", ""),
        ))  # fmt: skip
        case_items.append(item)
    Case.objects.bulk_create(cases)
    _write_parts(rng, cases, case_items)


def _applicant(rng, item, *, people, agencies) -> dict:
    """Who applied: a company, through its agent, for an item only companies (法人) may apply for;
    a person for a person's item; either for an item open to both."""
    company = item.audience == Audience.COMPANY or (
        item.audience == Audience.BOTH and agencies and rng.random() < 0.3
    )
    user_id, name, code = rng.choice(agencies if company else people)
    kind = ApplicantKind.COMPANY if company else ApplicantKind.PERSON
    return {"applicant_id": user_id, "applicant_kind": kind, "applicant_name": name,
            "applicant_code": code}  # fmt: skip


def _plan(rng, item, day, calendar, pace, zone) -> tuple[str, dict]:
    roll = rng.random()
    if roll < 0.03:
        return CaseStatus.REFUSED, {
            "finished": _when(day, 17, zone),
            "note": "申请事项不属于本机关职权范围",
        }
    if roll < 0.05:
        return CaseStatus.WITHDRAWN, {"finished": _when(day, 17, zone), "note": "申请人撤回"}
    promised = item.promised_days or 0
    accepted_day = calendar.add_working_days(day, rng.choice([0, 0, 0, 1]))
    due = calendar.add_working_days(accepted_day, promised)
    plan = {
        "accepted": _when(accepted_day, 10, zone), "due": due,
        "warn": calendar.warning_date(due, yellow_threshold(item)),
        "statutory": calendar.add_working_days(accepted_day, item.statutory_days) if item.statutory_days else None,
    }  # fmt: skip
    if item.case_kind == CaseKind.IMMEDIATE or promised == 0:
        plan["finished"] = _when(accepted_day, 11, zone)
    else:
        spent = max(0, round(promised * pace[item.organisation_id] * rng.uniform(0.4, 1.3)))
        plan["finished"] = _when(calendar.add_working_days(accepted_day, spent), 16, zone)
    status = CaseStatus.REJECTED if rng.random() < 0.05 else CaseStatus.APPROVED
    return status, plan


def _weighted(rng, choices):
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _write_parts(rng, cases, case_items) -> None:
    """Departments' tasks, the timeline, cards of late cases, ratings and rectifications."""
    through = Case.participants.through
    links, tasks, events, cards, ratings = [], [], [], [], []
    for case, item in zip(cases, case_items, strict=True):
        departments = [item.organisation_id] + [
            p.pk for p in item.participants.all() if p.pk != item.organisation_id
        ]
        links += [through(case_id=case.pk, organisation_id=d) for d in departments]
        events.append(CaseEvent(case=case, kind="submitted", message=f"提交申请（{case.get_channel_display()}）",
                                occurred_at=case.submitted_at, actor_label="申请人"))  # fmt: skip
        if case.accepted_at:
            events.append(CaseEvent(case=case, kind="accepted", message="已受理", occurred_at=case.accepted_at,
                                    actor_label="综合窗口"))  # fmt: skip
            decision = "reject" if case.status == CaseStatus.REJECTED else "approve"
            tasks += [CaseTask(case=case, engine_id=uuid.UUID(int=rng.getrandbits(128)), node_id="review",
                               name="部门审查", organisation_id=d, role="reviewer", status=TaskStatus.DONE,
                               due_date=case.due_date, warn_date=case.warn_date, decision=decision,
                               opinion="符合条件" if decision == "approve" else "不符合条件",
                               created_at=case.accepted_at, completed_at=case.finished_at)
                      for d in departments]  # fmt: skip
            cards += _cards_of(case, item)
        verdict = {
            "approved": "准予",
            "rejected": "不予许可",
            "refused": "不予受理",
            "withdrawn": "撤回",
        }[case.status]
        events.append(CaseEvent(case=case, kind="finished", message=f"办结：{verdict}", occurred_at=case.finished_at,
                                actor_label="系统"))  # fmt: skip
        if rng.random() < 0.6:
            ratings.append(_rating(rng, case, item))
    through.objects.bulk_create(links)
    CaseTask.objects.bulk_create(tasks)
    _stamp_creation(cases)
    cards += _task_cards_of(tasks)
    CaseEvent.objects.bulk_create(events)
    Card.objects.bulk_create(cards)
    CardEvent.objects.bulk_create(
        [CardEvent(card=c, kind="issued", level=c.level, occurred_at=c.issued_at) for c in cards]
        + [CardEvent(card=c, kind="closed", level=c.level, occurred_at=c.closed_at) for c in cards]
    )
    Rating.objects.bulk_create(ratings)
    Rectification.objects.bulk_create([_rectification(rng, r) for r in ratings if r.level <= 2])


def _stamp_creation(cases) -> None:
    """Date the history's rows when they happened: `auto_now_add` stamps cases and tasks with the
    time of the bulk insert, an UPDATE is not stamped. A case was created when it was submitted,
    its departments' tasks when it was accepted."""
    ids = [case.pk for case in cases]
    Case.objects.filter(pk__in=ids).update(created_at=F("submitted_at"))
    accepted = Case.objects.filter(pk=OuterRef("case_id")).values("accepted_at")
    CaseTask.objects.filter(case_id__in=ids).update(created_at=Subquery(accepted))


def _cards_of(case, item) -> list[Card]:
    finished_day = timezone.localdate(case.finished_at)
    if case.warn_date is None or finished_day < case.warn_date:
        return []
    late = finished_day > case.due_date
    issued_day = case.due_date + datetime.timedelta(days=1) if late else case.warn_date
    issued = datetime.datetime.combine(issued_day, datetime.time(8, 0), case.finished_at.tzinfo)
    return [Card(subject_kind="case", subject_id=case.pk, case=case, organisation_id=item.organisation_id,
                 item=item, level="red" if late else "yellow", status="closed", due_date=case.due_date,
                 issued_at=min(issued, case.finished_at), closed_at=case.finished_at)]  # fmt: skip


def _task_cards_of(tasks) -> list[Card]:
    """Red cards of the departments' tasks done late, as the sweep would have left them (it cards
    every task finished after its due day; without these, the first sweep would do it today)."""
    found = []
    for task in tasks:
        if not task.due_date or timezone.localdate(task.completed_at) <= task.due_date:
            continue
        issued = datetime.datetime.combine(task.due_date + datetime.timedelta(days=1), datetime.time(8, 0),
                                           task.completed_at.tzinfo)  # fmt: skip
        found.append(Card(subject_kind="task", subject_id=task.pk, case_id=task.case_id,
                          organisation_id=task.organisation_id, item_id=task.case.item_id, level="red",
                          status="closed", due_date=task.due_date, issued_at=min(issued, task.completed_at),
                          closed_at=task.completed_at))  # fmt: skip
    return found


def _rating(rng, case, item) -> Rating:
    late = (
        case.due_date and case.finished_at and timezone.localdate(case.finished_at) > case.due_date
    )
    refused = case.status in (CaseStatus.REFUSED, CaseStatus.REJECTED)
    bad = 0.35 if (late or refused) else 0.03
    level = (
        rng.choice([1, 2])
        if rng.random() < bad
        else rng.choices([3, 4, 5], weights=[10, 40, 50])[0]
    )
    comment = rng.choice(COMMENTS_BAD) if level <= 2 else rng.choice(COMMENTS_GOOD)
    channel = RatingChannel.WINDOW if case.channel == Channel.WINDOW else RatingChannel.ONLINE
    return Rating(case=case, channel=channel, level=level, comment=comment, anonymous=rng.random() < 0.3,
                  rater_id=case.applicant_id, organisation_id=item.organisation_id, item=item,
                  created_at=case.finished_at + datetime.timedelta(hours=2))  # fmt: skip


def _rectification(rng, rating: Rating) -> Rectification:
    created = rating.created_at
    due = WorkCalendar().add_working_days(timezone.localdate(created), 5)
    replied = created + datetime.timedelta(days=rng.randint(1, 9))
    status = rng.choices([RectificationStatus.CONFIRMED, RectificationStatus.REPLIED, RectificationStatus.CONTESTED],
                         weights=[75, 20, 5])[0]  # fmt: skip
    return Rectification(rating=rating, organisation_id=rating.organisation_id, due_date=due, status=status,
                         reply_kind=rng.choice(ReplyKind.values), reply="已与申请人沟通并整改",
                         replied_at=replied, created_at=created,
                         closed_at=replied if status == RectificationStatus.CONFIRMED else None)  # fmt: skip


def build_live(*, seed: int, scale: str) -> int:
    """Open cases of the last two weeks, through the real services: 待受理, 审查中, some late."""
    rng = random.Random(seed * 104_729 + 5)
    items = [i for i in ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, online=True)
             .prefetch_related("materials") if i.case_kind == CaseKind.PROMISED]  # fmt: skip
    citizens = list(User.objects.filter(id_number__isnull=False, memberships__isnull=True)[:200])
    agencies = list(CompanyAgent.objects.select_related("user")[:100])
    clerks = list(
        User.objects.filter(memberships__role="clerk", memberships__organisation__hosts_window=True)
    )
    if not items or not citizens or not clerks:
        return 0
    made = 0
    named = User.objects.filter(username="citizen").first()
    for n in range(SIZES.get(scale, OTHER)["live"]):
        item = rng.choice(items)
        agency = rng.choice(agencies) if item.audience == Audience.COMPANY and agencies else None
        # The demo's own citizen account gets the first few, so that 我的办件 shows something.
        citizen = agency.user if agency else (named if named and n < 4 else rng.choice(citizens))
        form = {f["code"]: _sample_value(f, citizen, agency) for f in item.form_definition}
        # Shared data is fetched by the platform; everything else is uploaded (a licence may not exist).
        uploads = {m.pk: SimpleUploadedFile(f"{m.name}.pdf", b"%PDF-1.4 demo", "application/pdf")
                   for m in item.materials.all() if not m.resource_id}  # fmt: skip
        try:
            case = _submit(citizen, item, form, uploads, agency)
            if rng.random() < 0.7:
                case = case_services.accept_case(actor=rng.choice(clerks), case=case)
                _age(case, days=rng.randint(0, 12))
        except ServiceError as exc:  # a demo item whose form the sampler cannot fill is skipped
            log.info("demo case skipped for %s: %s", item.code, exc.message)
            continue
        made += 1
    return made


def _submit(citizen, item, form: dict, uploads: dict, agency) -> Case:
    """Apply; a document the shared data cannot stand in for (no record of this applicant) is
    uploaded instead, as the applicant would after being told."""
    apply = lambda files: case_services.submit_application(  # noqa: E731
        actor=citizen, item=item, form_data=form, uploads=files,
        company_uscc=agency.company_uscc if agency else None,
    )  # fmt: skip
    try:
        return apply(uploads)
    except ServiceError as exc:
        if exc.code != "cases.materials_missing":
            raise
    every = {m.pk: SimpleUploadedFile(f"{m.name}.pdf", b"%PDF-1.4 demo", "application/pdf")
             for m in item.materials.all()}  # fmt: skip
    return apply(every)


def _age(case: Case, *, days: int) -> None:
    """Move an accepted case back in time, so that some are near or past their deadline."""
    if not days:
        return
    calendar = WorkCalendar()
    shift = datetime.timedelta(days=days)
    due = calendar.add_working_days(
        timezone.localdate(case.accepted_at - shift), case.item.promised_days or 0
    )
    warn = calendar.warning_date(due, yellow_threshold(case.item))
    Case.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at - shift, accepted_at=case.accepted_at - shift,
                                           due_date=due, warn_date=warn, updated_at=timezone.now())  # fmt: skip
    CaseTask.objects.filter(case=case).update(
        due_date=due, warn_date=warn, created_at=case.accepted_at - shift
    )


def _sample_value(field: dict, user, agency=None) -> str:
    kind = field["type"]
    if field.get("prefill") == "applicant.name":
        return user.real_name
    if field.get("prefill") == "company.name" and agency:
        return agency.company_name
    if kind == "uscc" and agency:
        return agency.company_uscc
    if kind == "ric":
        return user.id_number or ""
    if kind == "phone":
        return user.phone or "13900000000"
    if kind in ("integer", "decimal"):
        return "1"
    if kind == "date":
        return timezone.localdate().isoformat()
    if kind == "select":
        return field["options"][0]
    if kind == "boolean":
        return "true"
    if kind in ("uscc", "region"):
        return "" if not field["required"] else ("990100" if kind == "region" else "")
    return "演示"


def _analyze() -> None:
    """Planner statistics after a bulk load: without them PostgreSQL takes the new tables for
    empty and joins them in nested loops, and the KPI refresh below takes minutes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "cases_case",
            "cases_casetask",
            "supervision_card",
            "reviews_rating",
            "reviews_rectification",
        ):
            cursor.execute(f"ANALYZE {table}")


def build(*, seed: int, scale: str) -> dict:
    """The whole year: history, live cases, the sweep, the KPI aggregates and last week's report."""
    from yiwang.supervision import kpi
    from yiwang.supervision.reports import build_weekly_report, last_monday
    from yiwang.supervision.sweep import sweep_deadlines

    today = timezone.localdate()
    statuses = build_history(seed=seed, scale=scale, today=today)
    live = build_live(seed=seed, scale=scale)
    _analyze()
    swept = sweep_deadlines(full=True)
    kpi.refresh_daily(today - datetime.timedelta(days=366), today)
    report = build_weekly_report(last_monday(today))
    return {
        "history": statuses,
        "live": live,
        "cards": swept.issued,
        "report": str(report.week_start),
    }
