"""Telling applicants about their case: a message in the site, and SMS/email through a sender.

A sender is anything with ``send(*, phone, email, subject, body)``; the one in use
is named by ``YIWANG_NOTIFY_SENDER`` (default: the console sender, which logs the
message). A real SMS gateway or mail relay is plugged in by writing such a class.
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


@cache
def sender():
    path = getattr(settings, "YIWANG", {}).get("NOTIFY_SENDER") or (
        "yiwang.cases.notify.ConsoleSender"
    )
    return import_string(path)()


def notify_applicant(case, message: str) -> None:
    """A site message to the applicant's account, and an SMS once the transaction commits."""
    from yiwang.cases.models import Notification

    if case.applicant_id:
        Notification.objects.create(user_id=case.applicant_id, case=case, message=message)
    phone = case.contact_phone or (case.applicant.phone if case.applicant_id else "")
    email = case.applicant.email if case.applicant_id else ""
    if phone or email:
        subject = f"办件 {case.number}"
        transaction.on_commit(
            lambda: sender().send(phone=phone, email=email, subject=subject, body=message)
        )
