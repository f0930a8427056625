"""Reads of cases that depend on who asks: pre-filled forms, task lists, what a page may show."""

from __future__ import annotations

from yiwang.cases.choices import CaseStatus, TaskStatus
from yiwang.cases.models import Case, CaseTask
from yiwang.core.choices import Role
from yiwang.core.permissions import org_ids_with_role


def prefill(item, user, *, company=None) -> dict:
    """Values the platform already holds for the applicant, by the form's `prefill` sources."""
    known = {
        "applicant.name": getattr(user, "real_name", ""),
        "applicant.id_number": getattr(user, "id_number", "") or "",
        "applicant.phone": getattr(user, "phone", ""),
        "company.name": company.company_name if company else "",
        "company.uscc": company.company_uscc if company else "",
    }
    return {f["code"]: known[f["prefill"]] for f in item.form_definition if known.get(f["prefill"])}


def window_cases(actor):
    """综合窗口: cases of the clerk's departments waiting for acceptance or correction."""
    return (
        Case.objects.restrict(actor, "accept")
        .filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.CORRECTION])
        .select_related("item")
        .order_by("submitted_at")
    )


def open_tasks(actor):
    """审批待办: open tasks of the reviewer's departments, the most urgent first."""
    return (
        CaseTask.objects.filter(
            organisation_id__in=org_ids_with_role(actor, Role.REVIEWER), status=TaskStatus.OPEN
        )
        .select_related("case__item", "organisation")
        .order_by("due_date", "created_at")
    )


def my_cases(actor):
    return Case.objects.restrict(actor, "apply").select_related("item").order_by("-submitted_at")
