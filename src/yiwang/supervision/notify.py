"""Who is told about a late 督办, and what: an escalation must reach people, not only a page.

When a 督办 goes past its reply deadline the organisation it is escalated to (the department's
parent — its 部门负责人, or all its staff when it has none — or the supervisors 监察人员 when
there is no parent) and the department that did not reply each get a site message and an
SMS/email (`cases.notify.notify_users`); when the department then
replies, the organisation it was escalated to is told. The messages go with the change that
caused them, so a notice escalated once is told once.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator

from yiwang.cases.notify import notify_users
from yiwang.core.choices import Role
from yiwang.core.models import User
from yiwang.supervision.models import SupervisionNotice
from yiwang.supervision.permissions import DEPARTMENT_ROLES

QUOTED_CHARS = 40  # of the 督办's own words, enough to recognise it in an SMS


def department_staff(organisation_id: int):
    """The active staff of a department: those who see its 督办 on its department page."""
    return _active_users().filter(
        memberships__organisation_id=organisation_id, memberships__role__in=DEPARTMENT_ROLES
    )


def department_heads_or_staff(organisation_id: int):
    """Who answers for a department an escalation reaches: its 部门负责人, or, when it has none,
    all its staff (a message to nobody would let the escalation pass unseen)."""
    heads = _active_users().filter(
        memberships__organisation_id=organisation_id, memberships__role=Role.HEAD
    )
    return heads if heads.exists() else department_staff(organisation_id)


def supervisors():
    """The active 监察人员, of whatever organisation."""
    return _active_users().filter(memberships__role=Role.SUPERVISOR)


def _active_users():
    return User.objects.filter(is_active=True).distinct().order_by("pk")


def _escalation_recipients(notice: SupervisionNotice):
    if notice.escalated_to_id:
        return department_heads_or_staff(notice.escalated_to_id)
    return supervisors()


def _link(view_name: str) -> str:
    """Where to look, as an address that works in an SMS or an email too (written after a space,
    so that phones and the site's message list see where it starts)."""
    return settings.YIWANG["PUBLIC_URL"].rstrip("/") + reverse(view_name)


def _what(notice: SupervisionNotice) -> str:
    """The notice as people recognise it: its case, if any, and the start of what it asks."""
    quoted = Truncator(notice.message).chars(QUOTED_CHARS, truncate="…")
    about = f"办件 {notice.case.number} 的督办" if notice.case_id else "督办"
    return f"{about}「{quoted}」"


def tell_escalation(notice: SupervisionNotice) -> None:
    """督办逾期升级: told to whom it went up and to the department that did not reply."""
    department, due, what = notice.organisation.name, notice.reply_due, _what(notice)
    subject = f"督办逾期未回复：{department}"
    if notice.escalated_to_id:
        upward = (
            f"督办逾期未回复：{department}未在回复期限 {due} 前回复{what}，已升级至本单位"
            f"（{notice.escalated_to.name}）并亮红牌。请督促其回复并办理，"
            f"详见「本部门警示与督办」页面 {_link('supervision:mine')}"
        )
    else:
        upward = (
            f"督办逾期未回复：{department}未在回复期限 {due} 前回复{what}，该部门没有上级单位，"
            f"已升级至监察人员并亮红牌。详见「监察看板」页面 {_link('supervision:board')}"
        )
    notify_users(_escalation_recipients(notice), upward, subject=subject)
    notify_users(department_staff(notice.organisation_id), subject=subject, message=(
        f"{department}收到的{what}已过回复期限 {due} 仍未回复，已升级至{notice.escalated_to_label}"
        f"并亮红牌。请尽快在「本部门警示与督办」页面回复 {_link('supervision:mine')}"
    ))  # fmt: skip


def tell_late_reply(notice: SupervisionNotice) -> None:
    """A department answers a 督办 already escalated: whom it went up to learns the answer (the
    parent finds it on its department page; the supervisors' board lists only waiting 督办, so
    their message carries the answer alone)."""
    department = notice.organisation.name
    message = f"{department}已在逾期后回复{_what(notice)}：{notice.reply.rstrip('。.')}。"
    if notice.escalated_to_id:
        message += f"详见「本部门警示与督办」页面 {_link('supervision:mine')}"
    notify_users(_escalation_recipients(notice), message, subject=f"逾期督办已回复：{department}")
