"""Telling people: applicants about their case, staff about their work (a late 督办); a message
in the site, and SMS/email through a sender.

A sender is anything with ``send(*, phone, email, subject, body)``; the one in use
is named by ``YIWANG_NOTIFY_SENDER`` (default: the console sender, which logs the
message). A real SMS gateway or mail relay is plugged in by writing such a class.

The site message is written with the case's change. The SMS/email goes out after the
transaction commits, as a background task (`cases.tasks.send_notification`): a slow or
failing gateway never holds up nor breaks the action that caused it, and a failure is
logged (and kept as a failed task result) while the site message stays.
"""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger("yiwang.notify")


class ConsoleSender:
    """Writes each message to the log instead of sending it: development and demo."""

    sent: list[dict] = []

    def send(self, *, phone: str, email: str, subject: str, body: str) -> None:
        message = {"phone": phone, "email": email, "subject": subject, "body": body}
        ConsoleSender.sent.append(message)
        del ConsoleSender.sent[:-100]
        log.info("notify %s %s: %s — %s", phone or "-", email or "-", subject, body)


def sender():
    """The configured sender (one instance per class path and worker)."""
    path = getattr(settings, "YIWANG", {}).get("NOTIFY_SENDER") or (
        "yiwang.cases.notify.ConsoleSender"
    )
    return _sender_for(path)


@cache
def _sender_for(path: str):
    return import_string(path)()


def deliver(*, phone: str, email: str, subject: str, body: str) -> None:
    """Send one message now; a failure is logged and raised (the task is marked failed)."""
    try:
        sender().send(phone=phone, email=email, subject=subject, body=body)
    except Exception:
        log.exception("notify failed %s: %s", subject, body[:60])
        raise


def _enqueue(**message) -> None:
    from yiwang.cases.tasks import send_notification

    try:
        send_notification.enqueue(**message)
    except Exception:  # the queue itself is down: the site message was kept, say so in the log
        log.exception("notify not queued %s", message["subject"])


def recipient_id(case) -> int | None:
    """The account told about a case: who applied, or for a walk-in the person's real-name
    account (the same 公民身份号码), when there is one. A company's case is told to an agent in
    force (the one who applied while they still act for it), never to a former agent, who may
    no longer see the case (`permissions.applicant_filter`)."""
    if case.applicant_kind == "company":
        return _agent_in_force(case)
    if case.applicant_id:
        return case.applicant_id
    from yiwang.core.models import User

    return User.objects.filter(id_number=case.applicant_code).values_list("id", flat=True).first()


def _agent_in_force(case) -> int | None:
    from yiwang.core.models import CompanyAgent

    agents = list(
        CompanyAgent.objects.in_force()
        .filter(company_uscc=case.applicant_code)
        .order_by("valid_from", "id")
        .values_list("user_id", flat=True)
    )
    if case.applicant_id in agents:
        return case.applicant_id
    return agents[0] if agents else None


def notify_applicant(case, message: str) -> None:
    """A site message to the applicant's account, and an SMS/email once the transaction commits."""
    from yiwang.cases.models import Notification
    from yiwang.core.models import User

    user_id = recipient_id(case)
    user = User.objects.filter(pk=user_id).only("phone", "email").first() if user_id else None
    if user is not None:
        Notification.objects.create(user=user, case=case, message=message)
    phone = case.contact_phone or (user.phone if user is not None else "")
    email = user.email if user is not None else ""
    _send_after_commit(phone=phone, email=email, subject=f"办件 {case.number}", body=message)


def notify_users(users, message: str, *, subject: str) -> int:
    """A site message to each of these accounts, and an SMS/email to each that has a phone or an
    email once the transaction commits: what staff are told about their work, with no case of
    theirs to attach it to. Answers how many were told."""
    from yiwang.cases.models import Notification

    users = list(users)
    Notification.objects.bulk_create([Notification(user=user, message=message) for user in users])
    for user in users:
        _send_after_commit(phone=user.phone, email=user.email, subject=subject, body=message)
    return len(users)


def _send_after_commit(*, phone: str, email: str, subject: str, body: str) -> None:
    """Queue the SMS/email once the transaction commits; nothing for a person without either."""
    if phone or email:
        transaction.on_commit(
            lambda: _enqueue(phone=phone, email=email, subject=subject, body=body)
        )
