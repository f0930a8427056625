"""定时事件: BPMN timers drawn in an item's process fire when due, through the periodic job (or
`yiwang timers`), and not while the case's clock is stopped."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.cases.test_uploaded_process import accepted, decide
from yiwang.cases import approval, engine, services, timers
from yiwang.cases.choices import CaseStatus, TaskStatus
from yiwang.cases.models import Case, CaseEvent, CaseTask
from yiwang.cases.tasks import fire_due_timers
from yiwang.core.jobs import PERIODIC
from yiwang.core.models import AuditEvent
from yiwang.services import bpmn
from yiwang.services import services as item_services

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
ACCEPTED_AT = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)
TWO_DAYS = datetime.timedelta(days=2)
MINUTE = datetime.timedelta(minutes=1)

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="timers" targetNamespace="https://x.example">
  <bpmn:process id="timed_review" name="超时转办" isExecutable="true">
    <bpmn:startEvent id="accepted" name="受理" />
    <bpmn:userTask id="lead_review" name="初审" camunda:candidateGroups="reviewer:lead" />
    <bpmn:endEvent id="end_approved" name="准予" />"""

ESCALATING = (
    HEAD
    + """
    <bpmn:boundaryEvent id="late" name="超过2天" attachedToRef="lead_review">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="escalated_review" name="上级复核" camunda:candidateGroups="{upper}" />
    <bpmn:sequenceFlow id="to_lead" sourceRef="accepted" targetRef="lead_review" />
    <bpmn:sequenceFlow id="lead_done" sourceRef="lead_review" targetRef="end_approved" />
    <bpmn:sequenceFlow id="to_upper" sourceRef="late" targetRef="escalated_review" />
    <bpmn:sequenceFlow id="upper_done" sourceRef="escalated_review" targetRef="end_approved" />
  </bpmn:process>
</bpmn:definitions>"""
)

PUBLICITY = (
    HEAD
    + """
    <bpmn:intermediateCatchEvent id="publicity" name="公示期">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P5D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="to_lead" sourceRef="accepted" targetRef="lead_review" />
    <bpmn:sequenceFlow id="to_publicity" sourceRef="lead_review" targetRef="publicity" />
    <bpmn:sequenceFlow id="publicity_over" sourceRef="publicity" targetRef="end_approved" />
  </bpmn:process>
</bpmn:definitions>"""
)


@pytest.fixture
def escalating(city, time_machine):
    """初审 by the market's reviewers; if it is not done within two days (P2D), the task goes to
    the province's bureau (上级复核), named by its USCC."""
    time_machine.move_to(ACCEPTED_AT, tick=False)
    upper = factories.organisation("江澜省市场监督管理局")
    xml = ESCALATING.format(upper=f"reviewer:{upper.uscc}")
    item_services.upload_process(
        actor=factories.superuser(), item=city["item"], name="", bpmn_xml=xml
    )
    return {**city, "upper": upper, "case": accepted(city)}


@pytest.fixture
def publicity(city, time_machine):
    """初审, then a five-day 公示期 (an intermediate timer), then the case ends approved."""
    time_machine.move_to(ACCEPTED_AT, tick=False)
    item_services.upload_process(
        actor=factories.superuser(), item=city["item"], name="", bpmn_xml=PUBLICITY
    )
    return {**city, "case": accepted(city)}


def timer_lines(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case, kind="timer").values_list("message", flat=True))


def test_a_case_waiting_on_a_timer_records_when_it_falls_due(escalating):
    case = Case.objects.get(pk=escalating["case"].pk)
    assert case.timer_due_at == ACCEPTED_AT + TWO_DAYS


def test_the_job_leaves_a_case_alone_before_its_timer_is_due(escalating, time_machine):
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS - MINUTE, tick=False)
    assert fire_due_timers.call() == {"due": 0, "advanced": 0, "failed": 0}
    task = CaseTask.objects.get(case=escalating["case"])
    assert (task.node_id, task.status) == ("lead_review", TaskStatus.OPEN)
    assert timer_lines(escalating["case"]) == []


def test_a_due_boundary_timer_moves_the_review_to_the_escalation_department(
    escalating, time_machine
):
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    assert fire_due_timers.call() == {"due": 1, "advanced": 1, "failed": 0}
    case = escalating["case"]
    tasks = {t.node_id: t for t in CaseTask.objects.filter(case=case)}
    assert tasks["lead_review"].status == TaskStatus.CANCELLED
    assert (tasks["escalated_review"].status, tasks["escalated_review"].organisation) == (
        TaskStatus.OPEN, escalating["upper"],
    )  # fmt: skip
    assert timer_lines(case) == ["定时事件「超过2天」到期，流程继续"]
    assert Case.objects.get(pk=case.pk).timer_due_at is None
    audit = AuditEvent.objects.get(action="case.timer", target_id=str(case.pk))
    assert (audit.actor_label, audit.after["timers"]) == ("系统", ["超过2天"])


def test_the_cancelled_review_and_the_new_one_appear_on_the_timeline(escalating, time_machine):
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    fire_due_timers.call()
    messages = list(
        CaseEvent.objects.filter(case=escalating["case"]).values_list("message", flat=True)
    )
    assert "初审（江澜市市场监督管理局）：流程已转出，任务取消" in messages
    assert "上级复核：转江澜省市场监督管理局办理" in messages


def test_a_second_run_of_the_job_does_nothing(escalating, time_machine):
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    fire_due_timers.call()
    events, audits = CaseEvent.objects.count(), AuditEvent.objects.count()
    assert fire_due_timers.call() == {"due": 0, "advanced": 0, "failed": 0}
    assert (CaseEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_the_escalated_review_decides_the_case(escalating, time_machine):
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    fire_due_timers.call()
    decide(factories.staff("reviewer", escalating["upper"]), escalating["case"], "escalated_review")
    assert Case.objects.get(pk=escalating["case"].pk).status == CaseStatus.APPROVED


def test_a_review_done_in_time_clears_the_timer(escalating, time_machine):
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(days=1), tick=False)
    decide(escalating["reviewers"]["market"], escalating["case"], "lead_review")
    case = Case.objects.get(pk=escalating["case"].pk)
    assert (case.status, case.timer_due_at) == (CaseStatus.APPROVED, None)
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    assert fire_due_timers.call()["due"] == 0


def test_an_intermediate_timer_after_the_review_finishes_the_case_when_due(publicity, time_machine):
    reviewed_at = ACCEPTED_AT + datetime.timedelta(hours=3)
    time_machine.move_to(reviewed_at, tick=False)
    decide(publicity["reviewers"]["market"], publicity["case"], "lead_review")
    case = Case.objects.get(pk=publicity["case"].pk)
    assert (case.status, case.timer_due_at) == (
        CaseStatus.ACCEPTED, reviewed_at + datetime.timedelta(days=5),
    )  # fmt: skip
    time_machine.move_to(case.timer_due_at + MINUTE, tick=False)
    assert fire_due_timers.call()["advanced"] == 1
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.timer_due_at) == (CaseStatus.APPROVED, None)
    assert case.result_reference and timer_lines(case) == ["定时事件「公示期」到期，流程继续"]


def test_a_timer_fires_from_the_stored_state_alone(publicity, time_machine):
    """As in a worker that never saw the case: no live workflow, no parsed process."""
    decide(publicity["reviewers"]["market"], publicity["case"], "lead_review")
    engine._live.clear()
    bpmn.load_spec.cache_clear()
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(days=6), tick=False)
    fire_due_timers.call()
    assert Case.objects.get(pk=publicity["case"].pk).status == CaseStatus.APPROVED


def stop_for_experts(city, case) -> None:
    approval.start_special_procedure(actor=city["reviewers"]["market"], case=case, kind="expert",
                                     reason="需要专家评审", planned_end=timezone.localdate())  # fmt: skip


def test_a_case_whose_clock_is_stopped_is_not_advanced(escalating, time_machine):
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(days=1), tick=False)
    stop_for_experts(escalating, escalating["case"])
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(days=3), tick=False)
    assert fire_due_timers.call() == {"due": 0, "advanced": 0, "failed": 0}
    assert CaseTask.objects.get(case=escalating["case"]).status == TaskStatus.OPEN


def test_a_stop_postpones_the_timer_by_its_length(escalating, time_machine):
    """The timer had one day left when the experts were called in; it still has one after."""
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(days=1), tick=False)
    stop_for_experts(escalating, escalating["case"])
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(days=4), tick=False)
    approval.end_special_procedure(actor=escalating["reviewers"]["market"],
                                   case=escalating["case"])  # fmt: skip
    due = ACCEPTED_AT + datetime.timedelta(days=5)
    assert Case.objects.get(pk=escalating["case"].pk).timer_due_at == due
    time_machine.move_to(due - MINUTE, tick=False)
    assert fire_due_timers.call()["advanced"] == 0
    time_machine.move_to(due + MINUTE, tick=False)
    assert fire_due_timers.call()["advanced"] == 1
    assert CaseTask.objects.get(case=escalating["case"], node_id="escalated_review")


def test_a_correction_during_review_postpones_the_timer_too(escalating, time_machine):
    case = escalating["case"]
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(hours=12), tick=False)
    services.request_review_correction(actor=escalating["reviewers"]["market"], case=case,
                                       corrections=["补充租赁合同"])  # fmt: skip
    time_machine.move_to(ACCEPTED_AT + datetime.timedelta(days=3, hours=12), tick=False)
    services.submit_correction(actor=escalating["citizen"], case=case)
    assert Case.objects.get(pk=case.pk).timer_due_at == ACCEPTED_AT + datetime.timedelta(days=5)


def test_a_withdrawn_case_is_not_advanced(escalating, time_machine):
    services.withdraw_case(actor=escalating["citizen"], case=escalating["case"], reason="不办了")
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    assert fire_due_timers.call()["due"] == 0


def test_one_broken_case_does_not_stop_the_others(escalating, time_machine, monkeypatch):
    second = accepted(escalating)
    real = engine.fire_timers

    def broken_for_the_first(xml, state):
        if state == Case.objects.get(pk=escalating["case"].pk).workflow_state:
            raise RuntimeError("状态损坏")
        return real(xml, state)

    monkeypatch.setattr(engine, "fire_timers", broken_for_the_first)
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    assert fire_due_timers.call() == {"due": 2, "advanced": 1, "failed": 1}
    assert CaseTask.objects.get(case=second, node_id="escalated_review")
    assert CaseTask.objects.get(case=escalating["case"]).status == TaskStatus.OPEN


def test_the_timers_command_runs_the_job_now(escalating, time_machine):
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    out = StringIO()
    call_command("timers", stdout=out)
    assert json.loads(out.getvalue()) == {"due": 1, "advanced": 1, "failed": 0}


def test_the_worker_runs_the_job_every_minute():
    assert (fire_due_timers, 60) in PERIODIC


def test_the_job_finds_due_cases_with_one_query_that_leaves_their_state_alone(
    escalating, time_machine
):
    time_machine.move_to(ACCEPTED_AT + TWO_DAYS + MINUTE, tick=False)
    with CaptureQueriesContext(connection) as queries:
        due = timers.due_case_ids(now=timezone.now())
    assert due == [escalating["case"].pk]
    assert len(queries) == 1 and "workflow_state" not in queries[0]["sql"]
