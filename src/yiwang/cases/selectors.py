"""Reads of cases that depend on who asks: pre-filled forms, task lists, what a page may show."""

from __future__ import annotations

from django.utils import timezone

from yiwang.cases.choices import SPECIAL_PROCEDURES, CaseStatus, TaskStatus
from yiwang.cases.models import Case, CaseTask, ClockStop


def prefill(item, user, *, company=None) -> dict:
    """Values the platform already holds for the applicant, by the form's `prefill` sources.

    ``registry:<资源代码>.<信息项>`` sources read the applicant's own record (keyed by
    their 身份号码, or the company's USCC) once per resource; each read is logged
    as an exchange of the item's department (see `exchange.platform`).
    """
    known = {
        "applicant.name": getattr(user, "real_name", ""),
        "applicant.id_number": getattr(user, "id_number", "") or "",
        "applicant.phone": getattr(user, "phone", ""),
        "company.name": company.company_name if company else "",
        "company.uscc": company.company_uscc if company else "",
    }
    known.update(_registry_values(item, user, company))
    return {f["code"]: known[f["prefill"]] for f in item.form_definition if known.get(f["prefill"])}


def _registry_values(item, user, company) -> dict:
    wanted: dict[str, list[str]] = {}
    for field in item.form_definition:
        source = field.get("prefill") or ""
        if source.startswith("registry:"):
            resource_code, _, field_code = source.removeprefix("registry:").rpartition(".")
            wanted.setdefault(resource_code, []).append(field_code)
    if not wanted:
        return {}
    from yiwang.exchange.platform import read_own_record

    subject = company.company_uscc if company else (getattr(user, "id_number", "") or "")
    values = {}
    for resource_code, field_codes in wanted.items():
        record = read_own_record(
            organisation=item.organisation, resource_code=resource_code, subject_code=subject,
            field_codes=field_codes, purpose=f"申请预填：{item.name}",
        )  # fmt: skip
        values.update({f"registry:{resource_code}.{c}": v for c, v in record.items() if v})
    return values


def window_cases(actor):
    """综合窗口: cases of the clerk's departments waiting for acceptance or correction."""
    return (
        Case.objects.restrict(actor, "accept")
        .filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.CORRECTION])
        .select_related("item")
        .order_by("submitted_at")
    )


def open_tasks(actor):
    """待办: open tasks the actor may do (their role in the task's department), the most urgent
    first."""
    return (
        CaseTask.objects.restrict(actor, "change")
        .filter(status=TaskStatus.OPEN)
        .select_related("case__item", "organisation")
        .order_by("due_date", "created_at")
    )


def my_cases(actor):
    return Case.objects.restrict(actor, "apply").select_related("item").order_by("-submitted_at")


def overrun_special_procedures(today=None):
    """特别程序 still running past their planned end (预计结束日期), oldest first, with their case
    and the department that started them: what 电子监察's sweep flags. Not narrowed to a user:
    the sweep runs as the system."""
    today = today or timezone.localdate()
    return (
        ClockStop.objects.filter(
            ended_at__isnull=True, kind__in=SPECIAL_PROCEDURES, planned_end__lt=today,
            case__status=CaseStatus.ACCEPTED,
        )
        .select_related("case__item", "organisation")
        .order_by("planned_end", "id")
    )  # fmt: skip


def departments_of_case(number: str) -> set[int]:
    """The organisations handling a case (its item's, the participants'), by 办件编号: who may
    read the exchanges made for it (`exchange.selectors.exchanges_for_case`)."""
    case = Case.objects.filter(number=number).values("pk", "item__organisation_id").first()
    if case is None:
        return set()
    ids = set(Case.participants.through.objects.filter(case_id=case["pk"])
              .values_list("organisation_id", flat=True))  # fmt: skip
    return ids | {case["item__organisation_id"]}
