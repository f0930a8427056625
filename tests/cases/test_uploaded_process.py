"""Cases through a process model uploaded for the item (not the default parallel review): a lead
review, then a task for a department named by its USCC; tasks done by the role the model names."""

import pytest
from django.urls import reverse

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import approval, selectors, services
from yiwang.cases.choices import CaseStatus, TaskStatus
from yiwang.cases.models import Case, CaseTask
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.services import services as item_services

pytestmark = pytest.mark.django_db

TWO_STAGES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="two_stages" targetNamespace="https://x.example">
  <bpmn:process id="two_stage_review" name="初审后环保复核" isExecutable="true">
    <bpmn:startEvent id="accepted" name="受理" />
    <bpmn:userTask id="lead_review" name="初审" camunda:candidateGroups="reviewer:lead" />
    <bpmn:exclusiveGateway id="after_lead" default="lead_rejects" />
    <bpmn:userTask id="env_review" name="环保复核" camunda:candidateGroups="{second}" />
    <bpmn:exclusiveGateway id="after_env" default="env_rejects" />
    <bpmn:endEvent id="end_approved" name="准予" />
    <bpmn:endEvent id="end_rejected" name="不予许可" />
    <bpmn:sequenceFlow id="to_lead" sourceRef="accepted" targetRef="lead_review" />
    <bpmn:sequenceFlow id="lead_done" sourceRef="lead_review" targetRef="after_lead" />
    <bpmn:sequenceFlow id="lead_approves" sourceRef="after_lead" targetRef="env_review">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="lead_rejects" sourceRef="after_lead" targetRef="end_rejected" />
    <bpmn:sequenceFlow id="env_done" sourceRef="env_review" targetRef="after_env" />
    <bpmn:sequenceFlow id="env_approves" sourceRef="after_env" targetRef="end_approved">
      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="env_rejects" sourceRef="after_env" targetRef="end_rejected" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def uploaded(city):
    """The market's item runs 初审 (its reviewers) then 环保复核 by the environment bureau, named
    by its USCC and not otherwise taking part."""
    env = factories.organisation("江澜市生态环境局")
    xml = TWO_STAGES.format(second=f"reviewer:{env.uscc}")
    item_services.upload_process(
        actor=factories.superuser(), item=city["item"], name="", bpmn_xml=xml
    )
    return {**city, "env": env, "env_reviewer": factories.staff("reviewer", env)}


def accepted(city) -> Case:
    case = services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]))  # fmt: skip
    return services.accept_case(actor=city["clerk"], case=case)


def decide(actor, case, node: str, decision: str = "approve") -> None:
    task = CaseTask.objects.get(case=case, node_id=node, status=TaskStatus.OPEN)
    approval.complete_task(actor=actor, task=task, decision=decision, opinion="理由已写明")


def test_a_case_runs_through_the_uploaded_model_stage_by_stage_to_approval(uploaded):
    case = accepted(uploaded)
    assert [(t.node_id, t.organisation) for t in case.tasks.all()] == [
        ("lead_review", uploaded["market"])
    ]
    decide(uploaded["reviewers"]["market"], case, "lead_review")
    second = CaseTask.objects.get(case=case, status=TaskStatus.OPEN)
    assert (second.node_id, second.organisation) == ("env_review", uploaded["env"])
    decide(uploaded["env_reviewer"], case, "env_review")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED and case.result_reference


def test_a_lead_reviewers_rejection_ends_the_case_rejected(uploaded):
    case = accepted(uploaded)
    decide(uploaded["reviewers"]["market"], case, "lead_review", "reject")
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED
    assert not CaseTask.objects.filter(case=case, node_id="env_review").exists()


def test_a_rejection_at_the_second_stage_ends_the_case_rejected(uploaded):
    case = accepted(uploaded)
    decide(uploaded["reviewers"]["market"], case, "lead_review")
    decide(uploaded["env_reviewer"], case, "env_review", "reject")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REJECTED


def test_the_department_named_by_its_uscc_sees_the_case_and_its_task(client, uploaded):
    case = accepted(uploaded)
    reviewer = uploaded["env_reviewer"]
    assert not Case.objects.restrict(reviewer).filter(pk=case.pk).exists()
    decide(uploaded["reviewers"]["market"], case, "lead_review")
    assert uploaded["env"] in Case.objects.get(pk=case.pk).participants.all()
    assert [t.node_id for t in selectors.open_tasks(reviewer)] == ["env_review"]
    client.force_login(reviewer)
    assert case.number in client.get(reverse("cases:tasks")).content.decode()
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 200


def test_the_lead_reviewer_cannot_do_the_named_departments_task(uploaded):
    case = accepted(uploaded)
    decide(uploaded["reviewers"]["market"], case, "lead_review")
    with pytest.raises(NotFound):
        decide(uploaded["reviewers"]["market"], case, "env_review")


@pytest.fixture
def clerk_stage(city):
    """初审 by the reviewers, then 出证 by the clerks of the item's department (clerk:lead)."""
    xml = TWO_STAGES.format(second="clerk:lead").replace("环保复核", "窗口出证")
    item_services.upload_process(
        actor=factories.superuser(), item=city["item"], name="", bpmn_xml=xml
    )
    return city


def test_a_clerk_task_is_done_by_the_lead_departments_clerks(clerk_stage):
    case = accepted(clerk_stage)
    decide(clerk_stage["reviewers"]["market"], case, "lead_review")
    assert [t.name for t in selectors.open_tasks(clerk_stage["clerk"])] == ["窗口出证"]
    decide(clerk_stage["clerk"], case, "env_review")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED


def test_a_reviewer_of_the_department_cannot_do_its_clerks_task(clerk_stage):
    case = accepted(clerk_stage)
    reviewer = clerk_stage["reviewers"]["market"]
    decide(reviewer, case, "lead_review")
    assert not selectors.open_tasks(reviewer).exists()
    with pytest.raises(PermissionDenied) as caught:
        decide(reviewer, case, "env_review")
    assert caught.value.message == "该任务应由本部门的综合窗口人员办理"
    assert CaseTask.objects.get(case=case, node_id="env_review").status == TaskStatus.OPEN


def test_a_clerk_cannot_do_a_reviewers_task_of_the_department(clerk_stage):
    case = accepted(clerk_stage)
    assert not selectors.open_tasks(clerk_stage["clerk"]).exists()
    with pytest.raises(PermissionDenied):
        decide(clerk_stage["clerk"], case, "lead_review")


def test_a_model_whose_condition_fails_refuses_the_decision_clearly_and_keeps_the_task(city):
    from django.test import Client

    from yiwang.core.errors import ServiceError

    env = factories.organisation("江澜市生态环境局")
    xml = TWO_STAGES.format(second=f"reviewer:{env.uscc}").replace(
        'decision == "approve"', 'decison == "approve"', 1
    )  # a typo the upload cannot tell from a variable a script might set
    item_services.upload_process(
        actor=factories.superuser(), item=city["item"], name="", bpmn_xml=xml
    )
    case = accepted(city)
    task = CaseTask.objects.get(case=case, node_id="lead_review")
    with pytest.raises(ServiceError) as caught:
        approval.complete_task(actor=city["reviewers"]["market"], task=task, decision="approve",
                               opinion="同意")  # fmt: skip
    assert caught.value.code == "cases.process_error" and "系统管理员" in caught.value.message
    client = Client()
    client.force_login(city["reviewers"]["market"])
    answer = client.post(f"/api/v1/cases/tasks/{task.pk}/complete",
                         {"decision": "approve", "opinion": "同意"}, content_type="application/json")  # fmt: skip
    assert answer.status_code == 409 and answer.json()["code"] == "cases.process_error"
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and Case.objects.get(pk=case.pk).status == "accepted"
