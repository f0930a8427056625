"""Uploading a BPMN process drawn in bpmn.io or Camunda Modeler: what is accepted, what is refused
(with the reason in Chinese), and that the upload is a versioned change of a published item."""

import pytest

from tests.services.conftest import bpmn_variant
from yiwang.cases import engine
from yiwang.core.errors import ServiceError
from yiwang.core.models import AuditEvent
from yiwang.services import bpmn, services
from yiwang.services.models import ServiceItem

pytestmark = pytest.mark.django_db

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="https://x.example">'
    '<bpmn:process id="review" name="测试流程" isExecutable="true">'
)
TAIL = "</bpmn:process></bpmn:definitions>"


def process(body: str) -> str:
    return HEAD + body + TAIL


def flows(*pairs: tuple[str, str]) -> str:
    return "".join(
        f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}" />' for a, b in pairs
    )


def lead_review(extra: str = "", attrs: str = 'camunda:candidateGroups="reviewer:lead"') -> str:
    return process(
        f'<bpmn:startEvent id="start" /><bpmn:userTask id="check" name="初审" {attrs} />'
        f'<bpmn:endEvent id="end_approved" />{extra}'
        + flows(("start", "check"), ("check", "end_approved"))
    )


def refusal(xml: str, **kwargs) -> str:
    with pytest.raises(ServiceError) as caught:
        bpmn.check_process(xml, **kwargs)
    assert caught.value.code == "services.bpmn_invalid"
    return caught.value.message


# --- a versioned change ---------------------------------------------------------------


def test_uploading_a_process_to_a_published_item_makes_a_new_version(market_admin, food_item):
    model = services.upload_process(
        actor=market_admin, item=food_item, name="", bpmn_xml=bpmn_variant()
    )
    item = ServiceItem.objects.get(pk=food_item.pk)
    assert (item.version, item.process_id) == (2, model.pk)
    version = item.versions.get(version=2)
    assert version.note == "更换审批流程：市场监管两级审查"
    assert version.snapshot["process"] == model.pk
    assert AuditEvent.objects.get(action="item.process").before["version"] == 1


def test_uploading_the_same_process_again_changes_nothing(market_admin, food_item):
    xml = bpmn_variant()
    services.upload_process(actor=market_admin, item=food_item, name="", bpmn_xml=xml)
    services.upload_process(actor=market_admin, item=food_item, name="", bpmn_xml=xml)
    assert ServiceItem.objects.get(pk=food_item.pk).version == 2
    assert AuditEvent.objects.filter(action="item.process").count() == 1


def test_a_process_on_a_draft_makes_no_version(factory, city, market_admin):
    draft = factory.service_item(city["market"], publish=False)
    services.upload_process(actor=market_admin, item=draft, name="", bpmn_xml=bpmn_variant())
    assert ServiceItem.objects.get(pk=draft.pk).version == 1 and not draft.versions.exists()


# --- what an upload must pass -----------------------------------------------------------


def test_a_dead_end_inside_a_sub_process_is_refused():
    inner = (
        '<bpmn:subProcess id="sub" name="联合踏勘"><bpmn:startEvent id="s2" />'
        '<bpmn:userTask id="visit" name="踏勘" camunda:candidateGroups="reviewer:lead" />'
        '<bpmn:task id="archive" name="归档" /><bpmn:endEvent id="e2" />'
        + flows(("s2", "visit"), ("visit", "e2"), ("visit", "archive"))
        + "</bpmn:subProcess>"
    )
    xml = process('<bpmn:startEvent id="start" />' + inner + '<bpmn:endEvent id="end" />'
                  + flows(("start", "sub"), ("sub", "end")))  # fmt: skip
    assert refusal(xml) == "子流程「联合踏勘」节点「归档」无法到达结束事件（死路）"


def test_a_sub_process_without_dead_ends_is_accepted():
    inner = (
        '<bpmn:subProcess id="sub" name="联合踏勘"><bpmn:startEvent id="s2" />'
        '<bpmn:userTask id="visit" name="踏勘" camunda:candidateGroups="reviewer:lead" />'
        '<bpmn:endEvent id="e2" />' + flows(("s2", "visit"), ("visit", "e2")) + "</bpmn:subProcess>"
    )
    xml = process('<bpmn:startEvent id="start" />' + inner + '<bpmn:endEvent id="end" />'
                  + flows(("start", "sub"), ("sub", "end")))  # fmt: skip
    assert [t.id for t in bpmn.check_process(xml).user_tasks] == ["visit"]


TIMER = (
    '<bpmn:boundaryEvent id="late" name="超过5天" attachedToRef="check" cancelActivity="false">'
    "<bpmn:timerEventDefinition><bpmn:timeDuration>{}</bpmn:timeDuration></bpmn:timerEventDefinition>"
    '</bpmn:boundaryEvent><bpmn:task id="remind" name="催办" /><bpmn:endEvent id="reminded" />'
    + flows(("late", "remind"), ("remind", "reminded"))
)


def test_a_camunda_timer_boundary_event_is_accepted_and_the_process_runs():
    xml = lead_review(TIMER.format("P5D"))
    assert [t.id for t in bpmn.check_process(xml).user_tasks] == ["check"]
    step = engine.start(xml, departments=[1])
    assert [r.node_id for r in step.ready] == ["check"]
    step = engine.complete(xml, step.state, engine_id=step.ready[0].engine_id, decision="approve",
                           opinion="")  # fmt: skip
    assert step.finished


def test_a_timer_given_as_an_expression_is_refused():
    message = refusal(lead_review(TIMER.format("${dueDate}")))
    assert message.startswith("定时事件「超过5天」的时间应为 ISO 8601 值")


def test_a_timer_with_an_unparsable_duration_is_refused():
    message = refusal(lead_review(TIMER.format("P2X")))
    assert message == "定时事件「超过5天」的时间 P2X 不是有效的 ISO 8601 时长（如 P5D、PT4H）"


def test_a_timer_duration_that_only_looks_like_iso_8601_is_refused():
    message = refusal(lead_review(TIMER.format("P1W2D")))  # weeks cannot be mixed with days
    assert message == "定时事件「超过5天」的时间 P1W2D 不是有效的 ISO 8601 时长（如 P5D、PT4H）"


def test_a_timer_date_that_does_not_exist_is_refused():
    date = TIMER.format("").replace(
        "<bpmn:timeDuration></bpmn:timeDuration>", "<bpmn:timeDate>2027-02-30</bpmn:timeDate>"
    )
    message = refusal(lead_review(date))
    assert message == (
        "定时事件「超过5天」的时间 2027-02-30 不是有效的 ISO 8601 日期时间（如 2027-03-01T09:00:00+08:00）"
    )


def test_a_timer_date_and_a_cycle_are_accepted():
    date = TIMER.format("").replace(
        "<bpmn:timeDuration></bpmn:timeDuration>",
        "<bpmn:timeDate>2027-03-01T09:00:00+08:00</bpmn:timeDate>",
    )
    cycle = TIMER.format("").replace(
        "<bpmn:timeDuration></bpmn:timeDuration>", "<bpmn:timeCycle>R3/P1D</bpmn:timeCycle>"
    )
    for xml in (lead_review(date), lead_review(cycle)):
        assert [t.id for t in bpmn.check_process(xml).user_tasks] == ["check"]


def test_a_timer_behind_an_event_based_gateway_is_refused():
    xml = process(
        '<bpmn:startEvent id="start" /><bpmn:userTask id="check" name="初审" '
        'camunda:candidateGroups="reviewer:lead" /><bpmn:eventBasedGateway id="wait" />'
        '<bpmn:intermediateCatchEvent id="late" name="等待5天"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>P5D</bpmn:timeDuration></bpmn:timerEventDefinition>"
        '</bpmn:intermediateCatchEvent><bpmn:endEvent id="end_approved" />'
        + flows(("start", "check"), ("check", "wait"), ("wait", "late"), ("late", "end_approved"))
    )
    assert (
        refusal(xml)
        == "事件网关或组合事件「wait」中的定时事件暂不支持：请改用边界定时事件或中间定时事件"
    )


def test_a_boundary_event_leading_nowhere_is_a_dead_end():
    timer = TIMER.format("P5D").split("<bpmn:task ")[0]
    assert refusal(lead_review(timer)) == "节点「超过5天」无法到达结束事件（死路）"


def test_a_department_named_by_an_unknown_uscc_is_refused():
    xml = lead_review(attrs='camunda:candidateGroups="reviewer:91990100MA00000001"')
    message = refusal(xml, known_departments={"91990100MA00000002"})
    assert message == "人工任务「初审」指定的部门 91990100MA00000001 不存在"


def test_a_participant_task_that_is_not_parallel_is_refused():
    xml = bpmn.default_xml().replace(
        "<bpmn:multiInstanceLoopCharacteristics>",
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true">',
    )
    assert refusal(xml).startswith("人工任务「部门审查」按参与部门办理，应为并行多实例")


def test_a_user_task_without_a_role_is_refused():
    assert refusal(lead_review(attrs="")).startswith("人工任务「初审」未指定办理岗位")


def test_the_role_may_be_given_as_a_bpmn_potential_owner():
    owner = (
        "<bpmn:potentialOwner><bpmn:resourceAssignmentExpression>"
        "<bpmn:formalExpression>clerk:lead</bpmn:formalExpression>"
        "</bpmn:resourceAssignmentExpression></bpmn:potentialOwner>"
    )
    xml = lead_review(attrs="").replace('name="初审"  />', f'name="初审">{owner}</bpmn:userTask>')
    task = bpmn.check_process(xml).user_tasks[0]
    assert (task.role, task.department) == ("clerk", "lead")


def test_the_role_may_be_given_as_the_name_of_the_tasks_lane():
    lanes = (
        '<bpmn:laneSet id="lanes"><bpmn:lane id="lane_lead" name="reviewer:lead">'
        "<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>end_approved</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"
    )
    xml = lead_review(attrs="").replace(
        '<bpmn:startEvent id="start" />', lanes + '<bpmn:startEvent id="start" />'
    )
    task = bpmn.check_process(xml).user_tasks[0]
    assert (task.role, task.department) == ("reviewer", "lead")


def gated(condition: str) -> str:
    """初审, then a gateway whose flow to approval carries `condition`."""
    return process(
        '<bpmn:startEvent id="start" /><bpmn:userTask id="check" name="初审" '
        'camunda:candidateGroups="reviewer:lead" />'
        '<bpmn:exclusiveGateway id="gate" default="f_gate_end_rejected" />'
        '<bpmn:endEvent id="end_approved" /><bpmn:endEvent id="end_rejected" name="不予许可" />'
        + flows(("start", "check"), ("check", "gate"), ("gate", "end_rejected"))
        + '<bpmn:sequenceFlow id="approve" name="同意" sourceRef="gate" targetRef="end_approved">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def test_a_condition_that_is_not_an_expression_is_refused_at_upload():
    message = refusal(gated('decision = "approve"'))
    assert message.startswith("顺序流「同意」的条件不是有效的表达式")


def test_a_valid_condition_is_accepted():
    assert bpmn.check_process(gated('decision == "approve"')).user_tasks


def test_a_process_name_with_a_nul_character_is_refused(market_admin, food_item):
    with pytest.raises(ServiceError) as caught:
        services.upload_process(actor=market_admin, item=food_item, name="两级\x00审查",
                                bpmn_xml=bpmn_variant())  # fmt: skip
    assert caught.value.message == "流程名称含有不允许的字符（NUL）"
    assert ServiceItem.objects.get(pk=food_item.pk).process_id is None


def test_a_manual_task_is_refused_as_no_department_could_do_it():
    xml = process(
        '<bpmn:startEvent id="start" />'
        '<bpmn:userTask id="check" name="初审" camunda:candidateGroups="reviewer:lead" />'
        '<bpmn:manualTask id="sign" name="签发" /><bpmn:endEvent id="end_approved" />'
        + flows(("start", "check"), ("check", "sign"), ("sign", "end_approved"))
    )
    assert refusal(xml).startswith("手工任务「签发」无法分配给部门办理")


def test_a_user_task_name_longer_than_a_task_can_hold_is_refused():
    # PostgreSQL would refuse the task's row (100 characters) at the step that opens it.
    name = "审" * 101
    xml = lead_review().replace('name="初审"', f'name="{name}"')
    assert refusal(xml) == f"人工任务「{name[:40]}…」的名称或编号超过 100 字，请缩短"


def test_a_process_id_longer_than_a_model_can_hold_is_refused():
    xml = lead_review().replace('id="review"', f'id="{"p" * 101}"')
    assert refusal(xml) == "流程编号超过 100 字，请缩短"


def waiting_at(node: str) -> str:
    return process(
        '<bpmn:startEvent id="start" />'
        '<bpmn:userTask id="check" name="初审" camunda:candidateGroups="reviewer:lead" />'
        f'{node}<bpmn:endEvent id="end_approved" />'
        + flows(("start", "check"), ("check", "wait"), ("wait", "end_approved"))
    )


def test_a_receive_task_is_refused_as_no_message_ever_comes():
    xml = waiting_at('<bpmn:receiveTask id="wait" name="等回执" />')
    assert refusal(xml).startswith("「等回执」等待外部消息或信号")


def test_a_message_catch_event_is_refused_as_no_message_ever_comes():
    xml = waiting_at(
        '<bpmn:intermediateCatchEvent id="wait" name="等消息">'
        "<bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent>"
    )
    assert refusal(xml).startswith("「等消息」等待外部消息或信号")
