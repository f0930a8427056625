"""Review by departments: the item's BPMN process on SpiffWorkflow, tasks, decisions, 特别程序."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from yiwang.cases import clock, engine, store, texts
from yiwang.cases.choices import (
    SPECIAL_PROCEDURES,
    CaseStatus,
    Decision,
    TaskStatus,
)
from yiwang.cases.models import Case, CaseEvent, CaseTask
from yiwang.cases.notify import notify_applicant
from yiwang.core import audit
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import Organisation
from yiwang.core.permissions import can
from yiwang.services.services import default_process


def _events():
    from yiwang.cases import services

    return services


def departments_of(case: Case) -> list[int]:
    """Who reviews under the default process: the departments taking part in the case as it was
    submitted (the ones that see it), the 实施主体 first; for a theme (一件事), every department
    of every item. A department added to the item later reviews the cases submitted later."""
    ids = list(case.participants.order_by("id").values_list("id", flat=True))
    if case.theme_id:
        return ids
    lead = case.item.organisation_id
    return [lead, *(org_id for org_id in ids if org_id != lead)]


def start_process(case: Case, *, actor) -> None:
    """Run the item's process (or the default parallel review) from acceptance. A theme's (一件事)
    case runs the parallel review of every department of every item: one item's own model would
    leave the other items' departments out, and their results would be issued unreviewed."""
    if case.theme_id:
        case.process = default_process()  # cached per worker
    else:
        case.process = case.item.process or default_process()
    step = engine.start(case.process.bpmn_xml, departments=departments_of(case),
                        data={"case": case.number})  # fmt: skip
    Case.objects.filter(pk=case.pk).update(process=case.process)
    apply_step(case, step, actor=actor)


def _resolve(case: Case, task: engine.ReadyTask, departments: dict) -> tuple[Organisation, str]:
    spec = {t["id"]: t for t in case.process.user_tasks}.get(task.node_id)
    if spec is None:
        raise ServiceError("cases.process_mismatch", f"流程节点 {task.node_id} 未登记办理岗位")
    department = spec["department"]
    if department == "lead":
        return case.item.organisation, spec["role"]
    if department == "participant":
        return departments.get(task.department) or Organisation.objects.get(
            pk=task.department
        ), spec["role"]
    named = Organisation.objects.filter(uscc=department).first()
    if named is None:
        raise ServiceError("cases.process_mismatch", f"流程节点 {task.node_id} 指定的部门不存在")
    case.participants.add(named)  # a department named by the model takes part: it sees the case
    return named, spec["role"]


def apply_step(case: Case, step: engine.Step, *, actor) -> None:
    """Store a step of the engine (a review, or a timer that fired): the engine state and when
    its next timer falls due, the departments' new tasks, the tasks the process took away, and
    their timeline lines; finish the case when the process ended. The caller holds the case's
    row lock."""
    now = timezone.now()
    case.workflow_state, case.timer_due_at = step.state, step.timer_due_at
    store.save_state(case.pk, step.state, timer_due_at=step.timer_due_at, now=now)
    departments = Organisation.objects.in_bulk(
        [r.department for r in step.fresh if isinstance(r.department, int)]
    ) if step.fresh else {}  # fmt: skip
    tasks, events = [], []
    for ready in step.fresh:
        organisation, role = _resolve(case, ready, departments)
        tasks.append(store.NewTask(ready.engine_id, ready.node_id, ready.name, organisation.pk,
                                   role, case.due_date, case.warn_date))  # fmt: skip
        events.append(_events().make_event(case, "task", f"{ready.name}：转{organisation.name}办理",
                                           organisation=organisation, when=now))  # fmt: skip
    store.open_tasks(case.pk, tasks, now=now)
    events += _withdraw_tasks(case, step.withdrawn, now=now)
    CaseEvent.objects.bulk_create(events)
    if step.finished:
        approved = bool(step.approved)
        finish(case, approved=approved, actor=actor, note="" if approved else _rejections(case))


def _rejections(case: Case) -> str:
    """不予许可的理由: each rejecting department's opinion, in the order they decided; what the
    applicant is told the decision rests on."""
    rejected = (
        case.tasks.filter(status=TaskStatus.DONE, decision=Decision.REJECT)
        .select_related("organisation")
        .order_by("completed_at", "id")
    )
    return "；".join(f"{t.organisation.name}：{t.opinion}" for t in rejected if t.opinion)


def _withdraw_tasks(case: Case, engine_ids: list, *, now) -> list[CaseEvent]:
    """Cancel the open tasks the process took away without a decision (an interrupting boundary
    event, a terminate end); rare, so the ORM is fast enough."""
    if not engine_ids:
        return []
    withdrawn = list(
        case.tasks.filter(engine_id__in=engine_ids, status=TaskStatus.OPEN).select_related(
            "organisation"
        )
    )
    CaseTask.objects.filter(pk__in=[t.pk for t in withdrawn]).update(status=TaskStatus.CANCELLED)
    return [
        _events().make_event(case, "task_cancelled", f"{t.name}（{t.organisation.name}）：流程已转出，任务取消",
                             organisation=t.organisation, when=now)
        for t in withdrawn
    ]  # fmt: skip


@transaction.atomic
def complete_task(*, actor, task: CaseTask, decision: str, opinion: str) -> CaseTask:
    """审查: a reviewer of the task's department approves or rejects, with an opinion."""
    texts.check_length(opinion, texts.REVIEW_OPINION_MAX, "审查意见")
    # Lock the case before its task, in the order accept and withdraw use (no deadlock).
    case_id = CaseTask.objects.filter(pk=task.pk).values_list("case_id", flat=True).first()
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("process", "item")
        .filter(pk=case_id)
        .first()
    )
    task = (
        CaseTask.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=task.pk)
        .first()
    )
    if case is None or task is None or not can(actor, "change", task):
        if task is not None and can(actor, "view", task):
            raise PermissionDenied(
                "该任务应由本部门的"
                + ("综合窗口人员" if task.role == "clerk" else "审批人员")
                + "办理"
            )
        raise NotFound("任务")
    if task.status != TaskStatus.OPEN:
        raise ServiceError("cases.task_not_ready", "该任务已办理或不在待办状态", status=409)
    if decision not in Decision.values:
        raise ServiceError("validation_failed", "审查意见应为同意或不同意")
    if decision == Decision.REJECT and len(opinion.strip()) < 4:
        raise ServiceError("validation_failed", "不同意时请写明理由")
    if case.status != CaseStatus.ACCEPTED:
        raise ServiceError("cases.wrong_status", "办件不在审查中", status=409)
    stopped = clock.open_stop(case)
    if stopped is not None:
        raise ServiceError("cases.clock_stopped", f"{stopped.get_kind_display()}期间暂停计时，"
                           "结束后才能作出审查意见", status=409)  # fmt: skip
    step = engine.complete(case.process.bpmn_xml, case.workflow_state, engine_id=task.engine_id,
                           decision=decision, opinion=opinion.strip())  # fmt: skip
    task.status, task.decision, task.opinion = TaskStatus.DONE, decision, opinion.strip()
    task.completed_by, task.completed_at = actor, timezone.now()
    store.close_task(task.engine_id, decision=decision, opinion=task.opinion, by_id=actor.pk,
                     now=task.completed_at)  # fmt: skip
    _events().add_event(case, "review", f"{task.name}（{task.organisation.name}）："
                        f"{task.get_decision_display()}" + (f"。{task.opinion}" if task.opinion else ""),
                        actor=actor, organisation=task.organisation)  # fmt: skip
    audit.record(actor=actor, action="case.review", target=case,
                 after={"task": task.pk, "decision": decision, "opinion": task.opinion})  # fmt: skip
    apply_step(case, step, actor=actor)
    return task


def finish(case: Case, *, approved: bool, actor, note: str = "") -> None:
    """办结: the case ends approved (准予) or rejected (不予许可); open tasks are cancelled."""
    cancel_tasks(case)
    case.status = CaseStatus.APPROVED if approved else CaseStatus.REJECTED
    case.finished_at = case.updated_at = timezone.now()
    case.outcome_note = note or case.outcome_note
    if approved:
        case.result_reference = _issue_result(case, actor=actor)
    store.finish_case(case.pk, status=case.status, outcome_note=case.outcome_note,
                      result_reference=case.result_reference, now=case.finished_at)  # fmt: skip
    verdict = "准予" if approved else "不予许可"
    _events().add_event(case, "finished", f"办结：{verdict}" + (f"。{note}" if note else ""),
                        actor=actor)  # fmt: skip
    audit.record(actor=actor, action="case.finish", target=case,
                 after={"status": case.status, "result": case.result_reference})  # fmt: skip
    reasons = f"理由：{note}" if note and not approved else ""
    notify_applicant(case, f"您的办件 {case.number} 已办结：{verdict}。{reasons}")


def _issue_result(case: Case, *, actor) -> str:
    """The result document; an e-licence when the item's result is a licence type and
    the licences app is installed. A theme's case issues the result of each of its items."""
    items = [case.item]
    if case.theme_id:
        from yiwang.services.selectors import theme_items

        items = theme_items(case.theme)
    results = []
    for item in items:
        if item.result_licence_type and apps.is_installed("yiwang.licences"):
            from yiwang.licences.integration import issue_for_case

            case.item = item  # the licence is the result of this item of the case
            results.append(issue_for_case(case, actor=actor) or "")
        else:
            results.append(
                # the whole 实施编码: two items' codes may end alike
                f"{case.number}-{item.code}-结果" if case.theme_id else f"{case.number}-结果"
            )
    case.item = items[0]
    return "；".join(r for r in results if r)


def cancel_tasks(case: Case) -> None:
    case.tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)


# --- 特别程序 -------------------------------------------------------------------


def _check_reviewer_of(actor, case: Case) -> None:
    if not case.tasks.restrict(actor, "change").filter(status=TaskStatus.OPEN).exists():
        raise NotFound("办件")


@transaction.atomic
def start_special_procedure(
    *, actor, case: Case, kind: str, reason: str, planned_end: datetime.date
) -> Case:
    """特别程序 (现场核查, 专家评审, 听证): the clock stops until it ends."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_reviewer_of(actor, case)
    if kind not in SPECIAL_PROCEDURES:
        raise ServiceError("validation_failed", "特别程序类型无效")
    if len(reason.strip()) < 4:
        raise ServiceError("validation_failed", "请写明启动特别程序的原因")
    texts.check_length(reason, texts.SPECIAL_REASON_MAX, "特别程序原因")
    if planned_end is None or planned_end < timezone.localdate():
        raise ServiceError("validation_failed", "请填写不早于今天的预计结束日期")
    own = case.tasks.restrict(actor, "change").filter(status=TaskStatus.OPEN).first()
    stop = clock.stop(case, kind=kind, reason=reason.strip(), planned_end=planned_end,
                      organisation=own.organisation if own else None)  # fmt: skip
    _events().add_event(case, "special", f"启动特别程序：{stop.get_kind_display()}（{reason.strip()}），"
                        f"预计 {planned_end} 结束，期间暂停计时", actor=actor)  # fmt: skip
    audit.record(actor=actor, action="case.special_start", target=case,
                 after={"kind": kind, "reason": reason, "planned_end": str(planned_end)})  # fmt: skip
    notify_applicant(
        case, f"您的办件 {case.number} 进入特别程序（{stop.get_kind_display()}），暂停计时。"
    )
    return case


@transaction.atomic
def end_special_procedure(*, actor, case: Case, result: str = "") -> Case:
    texts.check_length(result, texts.SPECIAL_RESULT_MAX, "特别程序结果")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_reviewer_of(actor, case)
    current = clock.open_stop(case)
    if current is None or current.kind not in SPECIAL_PROCEDURES:
        raise ServiceError("cases.no_special", "办件没有进行中的特别程序", status=409)
    if (
        current.organisation_id
        and not case.tasks.restrict(actor, "change")
        .filter(organisation_id=current.organisation_id)
        .exists()
    ):
        raise PermissionDenied("只有启动特别程序的部门可以结束它")
    days = clock.resume(case)
    _events().add_event(case, "special_end", f"特别程序结束，恢复计时（顺延 {days} 个工作日）"
                        + (f"：{result}" if result else ""), actor=actor)  # fmt: skip
    audit.record(actor=actor, action="case.special_end", target=case,
                 after={"days": days, "result": result})  # fmt: skip
    return case
