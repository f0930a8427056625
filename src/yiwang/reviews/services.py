"""Every write of 好差评: rate, rectify, confirm, the window's rating code; keyword-only,
atomic, checked, audited."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.cases.choices import FINISHED_STATUSES, CaseStatus
from yiwang.cases.models import Case
from yiwang.cases.notify import notify_applicant, recipient_id
from yiwang.cases.services import add_event
from yiwang.core import audit
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.permissions import can
from yiwang.core.workdays import add_working_days
from yiwang.reviews.choices import (
    BAD_LEVELS,
    DIMENSIONS,
    Level,
    RatingChannel,
    RectificationStatus,
    ReplyKind,
)
from yiwang.reviews.models import Rating, RatingCode, Rectification

MAX_COMMENT = 1000
CODE_VALID = datetime.timedelta(hours=24)
MAX_CODE_SENDS = 3  # per case: each send is an SMS to the applicant
MAX_CODE_FAILURES = 5  # wrong codes before the code is void (one in 200,000 to guess it)


def window_served(case: Case) -> bool:
    """After window service (窗口服务): the window registered the application (a walk-in), or a
    clerk has acted on it (accepted, asked for corrections, refused); an online application
    still waiting for the window, or withdrawn while it waited, has not been served."""
    return (
        case.registered_by_id is not None
        or case.accepted_at is not None
        or case.status == CaseStatus.REFUSED
        or bool(case.correction_notice)
    )


def _check_rater(actor, case: Case, channel: str) -> None:
    if can(actor, "apply", case):
        return
    if channel == RatingChannel.WINDOW and can(actor, "accept", case):
        return  # the window's rating device, at the clerk's desk: the applicant's code decides
    if not can(actor, "view", case):
        raise NotFound("办件")
    raise PermissionDenied("只有申请人可以评价")


def withdrawn_unserved(case: Case) -> bool:
    """Withdrawn by the applicant before the window or a department acted on it: no service was
    given, so there is nothing to rate and no department to rectify anything."""
    return case.status == CaseStatus.WITHDRAWN and not window_served(case)


def _check_rateable(case: Case, channel: str) -> None:
    if channel == RatingChannel.WINDOW:
        if not window_served(case):
            raise ServiceError("reviews.too_early", "窗口服务尚未发生，暂不能评价")
    elif case.status not in FINISHED_STATUSES:
        raise ServiceError("reviews.too_early", "办件办结后才能评价")
    elif withdrawn_unserved(case):
        raise ServiceError("reviews.not_served", "申请在受理前已撤回，尚未办理，不能评价")


def _check_rating(level: int, channel: str, comment: str, dimensions: dict) -> None:
    if channel not in RatingChannel.values:
        raise ServiceError("validation_failed", "评价渠道无效")
    if level not in Level.values:
        raise ServiceError("validation_failed", "评价等级应为 1（非常不满意）到 5（非常满意）")
    if set(dimensions) - set(DIMENSIONS) or any(v not in Level.values for v in dimensions.values()):
        raise ServiceError("validation_failed", "分项评价无效")
    if len(comment) > MAX_COMMENT:
        raise ServiceError("validation_failed", f"评价内容不能超过 {MAX_COMMENT} 字")
    if level in BAD_LEVELS and len(comment.strip()) < 2:
        raise ServiceError("validation_failed", "差评请写明不满意的原因，以便部门整改")


def rate_case(
    *, actor, case: Case, level: int, channel: str = RatingChannel.ONLINE, comment: str = "",
    dimensions: dict | None = None, anonymous: bool = False, code: str = "",
) -> Rating:  # fmt: skip
    """评价: one rating per case and channel; 不满意 / 非常不满意 open a rectification.

    A window rating (窗口评价器) needs the applicant's one-time 评价码. A wrong code is
    counted in its own transaction before the rating is refused, so that the count holds
    even though the refusal rolls the rating back; the rating itself is one transaction.
    """
    if channel == RatingChannel.WINDOW:
        if not _try_code(actor=actor, case=case, code=code):
            raise ServiceError("reviews.wrong_code", "评价码不正确，请申请人核对后重新输入")
    return _rate(actor=actor, case=case, level=level, channel=channel, comment=comment,
                 dimensions=dimensions or {}, anonymous=anonymous, code=code)  # fmt: skip


@transaction.atomic
def _rate(*, actor, case, level, channel, comment, dimensions, anonymous, code) -> Rating:
    case = Case.objects.select_related("item").get(pk=case.pk)
    _check_rater(actor, case, channel)
    _check_rating(level, channel, comment, dimensions)
    _check_rateable(case, channel)
    now = timezone.now()
    if channel == RatingChannel.WINDOW:
        _use_code(case, code, now)
    rating = Rating(
        case=case, channel=channel, level=level, comment=comment.strip(), dimensions=dimensions,
        anonymous=anonymous, rater=actor if can(actor, "apply", case) else None,
        organisation=case.item.organisation, item=case.item, created_at=now,
    )  # fmt: skip
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:
        raise ServiceError("reviews.already_rated", "该办件已通过此渠道评价", status=409) from exc
    audit.record(actor=actor, action="rating.create", target=rating,
                 after={"level": level, "channel": channel, "anonymous": anonymous})  # fmt: skip
    if not anonymous:  # the timeline is seen by every department of the case: it would tell
        add_event(case, "rating", f"申请人评价：{rating.get_level_display()}")
    if level in BAD_LEVELS:
        _open_rectification(rating, now)
    return rating


# --- 评价码: the window's rating device asks for the applicant's one-time code -----------------


def active_code(case: Case, now=None) -> RatingCode | None:
    """The case's rating code if it can still be used: not used, not void, not expired."""
    found = RatingCode.objects.filter(case=case, used_at__isnull=True).first()
    now = now or timezone.now()
    if found is None or found.failures >= MAX_CODE_FAILURES or now - found.issued_at > CODE_VALID:
        return None
    return found


@transaction.atomic
def send_rating_code(*, actor, case: Case) -> RatingCode:
    """评价码: the window clerk has the platform give the applicant a one-time code for the
    window's rating device; it goes to the applicant (site message and SMS) and shows on their
    case page, never to the clerk. Sending again replaces the code."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not can(actor, "accept", case):
        if not can(actor, "view", case):
            raise NotFound("办件")
        raise PermissionDenied("只有窗口工作人员可以启用窗口评价器")
    if not window_served(case):
        raise ServiceError("reviews.too_early", "窗口服务尚未发生，暂不能评价")
    if Rating.objects.filter(case=case, channel=RatingChannel.WINDOW).exists():
        raise ServiceError("reviews.already_rated", "该办件已通过此渠道评价", status=409)
    # Whom `notify_applicant` reaches: a walk-in's real-name account, a company's agent in force,
    # or the contact phone; the account that applied may no longer be one of them.
    if not (recipient_id(case) or case.contact_phone):
        raise ServiceError("reviews.no_contact", "申请人没有账号或联系电话，无法发送评价码")
    found = RatingCode.objects.select_for_update().filter(case=case).first()
    found = found or RatingCode(case=case)
    if found.sends >= MAX_CODE_SENDS:
        raise ServiceError("reviews.code_limit", f"评价码最多发送 {MAX_CODE_SENDS} 次", status=429)
    found.code = f"{secrets.randbelow(10**6):06d}"
    found.issued_by, found.issued_at = actor, timezone.now()
    found.sends, found.failures, found.used_at = found.sends + 1, 0, None
    found.save()
    # The audit row never holds the code itself.
    audit.record(actor=actor, action="rating_code.send", target=found, after={"sends": found.sends})
    notify_applicant(case, f"您在窗口办理的办件 {case.number} 的评价码为 {found.code}，"
                     "请本人在窗口评价器上输入后评价（24 小时内有效，请勿告诉他人）。")  # fmt: skip
    return found


@transaction.atomic
def _try_code(*, actor, case: Case, code: str) -> bool:
    """Check a code typed on the device: False (and counted) when it is wrong."""
    case = Case.objects.get(pk=case.pk)
    _check_rater(actor, case, RatingChannel.WINDOW)
    _check_rateable(case, RatingChannel.WINDOW)
    found = RatingCode.objects.select_for_update().filter(case=case).first()
    if found is None:
        raise ServiceError("reviews.code_required",
                           "请先向申请人发送评价码，由申请人本人在评价器上输入")  # fmt: skip
    if active_code(case) is None:
        raise ServiceError("reviews.code_expired",
                           "评价码已失效（已使用、已过期或输错次数过多），请重新发送")  # fmt: skip
    if _same_code(found.code, code):
        return True
    found.failures += 1
    found.save(update_fields=["failures"])
    audit.record(actor=actor, action="rating_code.wrong", target=found,
                 after={"failures": found.failures})  # fmt: skip
    return False


def _same_code(stored: str, typed: str | None) -> bool:
    """Whether the typed code is the stored one, in constant time; compare_digest refuses text
    that is not ASCII (a TypeError), and such text is no code anyway."""
    typed = (typed or "").strip()
    return typed.isascii() and secrets.compare_digest(stored, typed)


def _use_code(case: Case, code: str, now) -> None:
    found = RatingCode.objects.select_for_update().filter(case=case).first()
    valid = found is not None and active_code(case, now) is not None
    if not valid or not _same_code(found.code, code):
        raise ServiceError("reviews.wrong_code", "评价码不正确，请申请人核对后重新输入")
    found.used_at = now
    found.save(update_fields=["used_at"])


def _open_rectification(rating: Rating, now) -> Rectification:
    days = settings.YIWANG["RECTIFY_DAYS"]
    rectification = Rectification.objects.create(
        rating=rating, organisation=rating.organisation, created_at=now,
        due_date=add_working_days(timezone.localdate(now), days),
    )  # fmt: skip
    audit.record(actor=None, action="rectification.open", target=rectification,
                 after={"due_date": str(rectification.due_date)})  # fmt: skip
    return rectification


@transaction.atomic
def reply_rectification(
    *, actor, rectification: Rectification, kind: str, reply: str
) -> Rectification:
    """The department answers a bad rating: fixed (已整改) or explained (已解释说明)."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if not can(actor, "view", rectification):
        raise NotFound("整改")
    if not can(actor, "reply", rectification):
        raise PermissionDenied("只有被评价部门的工作人员可以回复整改")
    if rectification.status not in (RectificationStatus.OPEN, RectificationStatus.CONTESTED):
        raise ServiceError("reviews.wrong_status", "该整改当前不需要回复", status=409)
    if kind not in ReplyKind.values or len(reply.strip()) < 4:
        raise ServiceError("validation_failed", "请选择整改方式并写明整改情况")
    before = audit.snapshot(rectification)
    rectification.status = RectificationStatus.REPLIED
    rectification.reply_kind, rectification.reply = kind, reply.strip()
    rectification.replied_by, rectification.replied_at = actor, timezone.now()
    rectification.save()
    from yiwang.supervision.services import close_cards

    close_cards(
        subject_kind="rectification", subject_id=rectification.pk, at=rectification.replied_at
    )
    audit.record(actor=actor, action="rectification.reply", target=rectification, before=before,
                 after=audit.snapshot(rectification))  # fmt: skip
    notify_applicant(rectification.rating.case,
                     f"您对办件 {rectification.rating.case.number} 的评价，部门已回复：{rectification.reply}")  # fmt: skip
    return rectification


@transaction.atomic
def confirm_rectification(
    *, actor, rectification: Rectification, satisfied: bool, note: str = ""
) -> Rectification:
    """The applicant confirms the rectification, or contests it (the department answers again)."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    case = rectification.rating.case
    if not can(actor, "apply", case):
        raise NotFound("整改")
    if rectification.status != RectificationStatus.REPLIED:
        raise ServiceError("reviews.wrong_status", "部门尚未回复，暂不能确认", status=409)
    if not satisfied and len(note.strip()) < 2:
        raise ServiceError("validation_failed", "请写明异议")
    before = audit.snapshot(rectification)
    rectification.applicant_note = note.strip()
    if satisfied:
        rectification.status = RectificationStatus.CONFIRMED
        rectification.closed_at = timezone.now()
    else:
        rectification.status = RectificationStatus.CONTESTED
        rectification.due_date = add_working_days(
            timezone.localdate(), settings.YIWANG["RECTIFY_DAYS"]
        )
    rectification.save()
    audit.record(actor=actor, action="rectification.confirm", target=rectification, before=before,
                 after=audit.snapshot(rectification))  # fmt: skip
    return rectification


# Set-based, like the deadline sweep: one INSERT for the new cards, one UPDATE for the closed cards
# of rectifications that run late again (a contested round), each with its history.
_LATE = (
    "SELECT r.id FROM reviews_rectification r "
    "WHERE r.status IN ('open', 'contested') AND r.due_date < %(today)s"
)
_CARD_LATE = (
    "INSERT INTO supervision_card (subject_kind, subject_id, case_id, organisation_id, item_id, "  # noqa: S608
    "level, status, due_date, issued_at) "
    "SELECT 'rectification', r.id, g.case_id, r.organisation_id, g.item_id, 'red', 'open', "
    "r.due_date, %(now)s FROM reviews_rectification r JOIN reviews_rating g ON g.id = r.rating_id "
    f"WHERE r.id IN ({_LATE}) ON CONFLICT (subject_kind, subject_id) DO NOTHING"
)
_REISSUE_LATE = (
    "UPDATE supervision_card SET status = 'open', closed_at = NULL, reissued_at = %(now)s, "  # noqa: S608
    "due_date = (SELECT r.due_date FROM reviews_rectification r "
    "WHERE r.id = supervision_card.subject_id) "
    f"WHERE subject_kind = 'rectification' AND status = 'closed' AND subject_id IN ({_LATE})"
)


def card_late_rectifications(*, today, now) -> int:
    """Rectifications past their deadline without an answer get a red card, or get their closed
    card back for a contested round that runs late too (called by the sweep). Returns how many."""
    from django.db import connection

    from yiwang.supervision.sweep import change_cards

    params = {"today": today, "now": now}
    with connection.cursor() as cursor:
        carded = change_cards(cursor, _CARD_LATE, params, ("issued",))
        carded += change_cards(cursor, _REISSUE_LATE, params, ("reissued",))
    return carded
