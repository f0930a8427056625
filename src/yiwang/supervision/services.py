"""Every write of supervision: 督办 sent, replied and escalated; keyword-only, checked, audited."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.choices import Role
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import Organisation
from yiwang.core.permissions import can, has_role
from yiwang.core.services import full_clean
from yiwang.core.workdays import add_working_days
from yiwang.supervision.choices import CardLevel, CardStatus, CardSubject, NoticeStatus
from yiwang.supervision.models import Card, CardEvent, SupervisionNotice
from yiwang.supervision.notify import tell_escalation, tell_late_reply
from yiwang.supervision.selectors import hide_anonymous_cases

REPLY_WORKING_DAYS = 30  # the longest a 督办 may give: a deadline never reached never escalates


def reply_due_error(reply_due: datetime.date | None, *, today: datetime.date) -> str:
    """What is wrong with a 督办's reply deadline ("" when nothing is): not before today, and at
    most `REPLY_WORKING_DAYS` working days ahead."""
    if reply_due is None or reply_due < today:
        return "回复期限不能早于今天"
    latest = add_working_days(today, REPLY_WORKING_DAYS)
    if reply_due > latest:
        return f"回复期限最长为 {REPLY_WORKING_DAYS} 个工作日，不能晚于 {latest:%Y-%m-%d}"
    return ""


def _snapshot(notice: SupervisionNotice) -> dict:
    return audit.snapshot(notice)


@transaction.atomic
def send_notice(
    *, actor, organisation: Organisation, message: str, reply_due: datetime.date,
    case=None, card: Card | None = None,
) -> SupervisionNotice:  # fmt: skip
    """督办: a supervisor presses a department about a case or a card, with a reply deadline."""
    if not has_role(actor, Role.SUPERVISOR):
        raise PermissionDenied("只有监察人员可以督办")
    if card is not None and card.organisation_id != organisation.pk:
        raise ServiceError("validation_failed", "督办对象应为该警示牌的责任部门")
    if (
        card is None
        and case is not None
        and not case.participants.filter(pk=organisation.pk).exists()
    ):
        raise ServiceError("validation_failed", "督办对象应为参与办理该办件的部门")
    if len(message.strip()) < 4:
        raise ServiceError("validation_failed", "请写明督办事项")
    problem = reply_due_error(reply_due, today=timezone.localdate())
    if problem:
        raise ServiceError("validation_failed", problem)
    if card is not None:
        # The card of an anonymous rating's rectification: the department must not learn its case
        # (who rated) from the 督办, its list, its escalation or the case's timeline.
        hide_anonymous_cases([card])
        case = None if card.hide_case else (case or card.case)
    notice = SupervisionNotice(
        organisation=organisation, message=message.strip(), reply_due=reply_due, case=case,
        card=card, sent_by=actor, sent_at=timezone.now(),
    )  # fmt: skip
    full_clean(notice)
    notice.save()
    audit.record(actor=actor, action="notice.send", target=notice, after=_snapshot(notice))
    if case is not None:
        from yiwang.cases.services import add_event

        add_event(case, "notice", f"监察督办：{notice.message}（{organisation.name}，"
                  f"{reply_due} 前回复）", actor=actor)  # fmt: skip
    return notice


@transaction.atomic
def reply_notice(*, actor, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    """The department answers a 督办; a late answer is still recorded, the escalation stays, and
    whom the notice was escalated to is told that the department has now replied."""
    notice = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
    if not can(actor, "view", notice):
        raise NotFound("督办")
    if not can(actor, "reply", notice):
        raise PermissionDenied("只有被督办部门的工作人员可以回复")
    if notice.replied_at is not None:
        raise ServiceError("supervision.replied", "该督办已回复", status=409)
    if len(reply.strip()) < 4:
        raise ServiceError("validation_failed", "请写明办理情况")
    before = _snapshot(notice)
    notice.reply, notice.replied_by, notice.replied_at = reply.strip(), actor, timezone.now()
    if notice.status == NoticeStatus.SENT:
        notice.status = NoticeStatus.REPLIED
    notice.save(update_fields=["reply", "replied_by", "replied_at", "status"])
    close_cards(subject_kind=CardSubject.NOTICE, subject_id=notice.pk, at=notice.replied_at)
    audit.record(actor=actor, action="notice.reply", target=notice, before=before,
                 after=_snapshot(notice))  # fmt: skip
    if notice.escalated_at is not None:
        tell_late_reply(notice)
    return notice


def close_cards(*, subject_kind: str, subject_id: int, at) -> int:
    """Close a subject's open card (its level stays) and record the closing in its history."""
    ids = list(Card.objects.filter(subject_kind=subject_kind, subject_id=subject_id,
                                   status=CardStatus.OPEN).values_list("pk", "level"))  # fmt: skip
    Card.objects.filter(pk__in=[pk for pk, _ in ids]).update(status=CardStatus.CLOSED, closed_at=at)
    CardEvent.objects.bulk_create(
        [CardEvent(card_id=pk, kind="closed", level=level, occurred_at=at) for pk, level in ids]
    )
    return len(ids)


def escalate_overdue_notices(*, today: datetime.date, now) -> int:
    """A 督办 not answered by its deadline is escalated and carded red: to the department's parent,
    whose staff find it on their department page, or — a department without a parent — to the
    supervisors (监察人员), whose board lists it. Both they and the department are told; a notice
    leaves `sent` here, so a later sweep neither escalates nor tells it again."""
    overdue = list(
        SupervisionNotice.objects.filter(status=NoticeStatus.SENT, reply_due__lt=today)
        .select_related("organisation__parent", "case")
        .select_for_update(of=("self",))
    )
    for notice in overdue:
        notice.status = NoticeStatus.OVERDUE
        notice.escalated_to = notice.organisation.parent
        notice.escalated_at = now
        notice.save(update_fields=["status", "escalated_to", "escalated_at"])
        card, created = Card.objects.get_or_create(
            subject_kind=CardSubject.NOTICE, subject_id=notice.pk,
            defaults={"case": notice.case, "organisation": notice.organisation, "level": CardLevel.RED,
                      "due_date": notice.reply_due, "issued_at": now,
                      "item_id": notice.case.item_id if notice.case_id else None},
        )  # fmt: skip
        if created:
            CardEvent.objects.create(card=card, kind="issued", level=card.level, occurred_at=now)
        audit.record(actor=None, action="notice.escalate", target=notice,
                     after={"escalated_to": notice.escalated_to_id,
                            "to": notice.escalated_to_label})  # fmt: skip
        if notice.case_id:
            from yiwang.cases.services import add_event

            add_event(notice.case, "notice", f"督办逾期未回复（{notice.organisation.name}），"
                      f"已升级至{notice.escalated_to_label}")  # fmt: skip
        tell_escalation(notice)
    return len(overdue)
