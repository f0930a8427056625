import datetime
import json

from SpiffWorkflow.util.task import TaskState

from tests.cases.test_timers import PUBLICITY
from yiwang.cases import engine
from yiwang.services import bpmn


def test_a_case_started_in_one_worker_finishes_in_another():
    """Each worker parses the process itself; the state alone must carry the case on."""
    xml = bpmn.default_xml()
    step = engine.start(xml, departments=[3, 5], data={"case": "X"})
    for ready in step.ready:
        bpmn.load_spec.cache_clear()  # as if the next decision reached a freshly started worker
        step = engine.complete(
            xml, step.state, engine_id=ready.engine_id, decision="approve", opinion=""
        )
    assert step.finished and step.approved


def test_one_department_rejecting_rejects_in_another_worker_too():
    xml = bpmn.default_xml()
    step = engine.start(xml, departments=[3], data={})
    bpmn.load_spec.cache_clear()
    step = engine.complete(
        xml, step.state, engine_id=step.ready[0].engine_id, decision="reject", opinion="no"
    )
    assert step.finished and step.approved is False


def test_the_stored_state_leaves_the_specification_out():
    step = engine.start(bpmn.default_xml(), departments=[1, 2, 3])
    assert '"spec"' not in step.state and '"subprocess_specs"' not in step.state


def test_the_stored_state_is_compact():
    step = engine.start(bpmn.default_xml(), departments=[1, 2, 3], data={"case": "X"})
    assert json.loads(step.state)["v"] == engine.COMPACT_VERSION
    assert len(step.state) < 2500  # SpiffWorkflow's own form of the same state: ~4,300 bytes


def test_a_state_stored_in_spiffworkflows_own_form_still_finishes():
    """Cases accepted before the compact form keep their state as SpiffWorkflow wrote it."""
    xml = bpmn.default_xml()
    workflow = engine.restore(xml, engine.start(xml, departments=[3, 5]).state)
    state = json.dumps(engine._serializer.to_dict(workflow))
    for ready in engine.restore(xml, state).get_tasks(state=TaskState.READY, manual=True):
        step = engine.complete(xml, state, engine_id=ready.id, decision="approve", opinion="")
        state = step.state
        assert json.loads(state)["v"] == engine.COMPACT_VERSION
    assert step.finished and step.approved


def test_data_that_is_not_plain_json_is_kept_in_spiffworkflows_form():
    xml = bpmn.default_xml()
    step = engine.start(
        xml, departments=[3], data={"received": datetime.datetime(2026, 12, 1, 9, 30)}
    )
    assert "v" not in json.loads(step.state)
    workflow = engine.restore(xml, step.state)
    assert workflow.get_tasks(state=TaskState.READY, manual=True)[0].data["received"] == (
        datetime.datetime(2026, 12, 1, 9, 30)
    )


def test_the_restored_workflow_has_the_same_tasks_states_and_data():
    xml = bpmn.default_xml()
    step = engine.start(xml, departments=[3, 5, 7], data={"case": "X"})
    step = engine.complete(xml, step.state, engine_id=step.ready[1].engine_id,
                           decision="reject", opinion="材料不符")  # fmt: skip
    before = engine._serializer.to_dict(engine.restore(xml, step.state))
    again = engine.restore(xml, engine.dump_state(engine.restore(xml, step.state)))
    assert engine._serializer.to_dict(again) == before


SINGLE_END = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="one_review" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="reviewer:lead"/>
    <bpmn:endEvent id="done" name="办结"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_rejection_in_a_process_without_a_refusal_end_refuses_the_case():
    step = engine.start(SINGLE_END, departments=[1])
    step = engine.complete(SINGLE_END, step.state, engine_id=step.ready[0].engine_id,
                           decision="reject", opinion="不符合条件")  # fmt: skip
    assert step.finished and step.approved is False


def test_an_approval_in_a_process_without_a_refusal_end_approves_the_case():
    step = engine.start(SINGLE_END, departments=[1])
    step = engine.complete(SINGLE_END, step.state, engine_id=step.ready[0].engine_id,
                           decision="approve", opinion="")  # fmt: skip
    assert step.finished and step.approved is True


def test_a_live_workflow_is_handed_out_once_and_only_for_its_exact_state():
    xml = bpmn.default_xml()
    step = engine.start(xml, departments=[3, 5])
    first = engine.restore(xml, step.state)  # the live object the step dumped
    second = engine.restore(xml, step.state)  # decoded again: the live one was taken
    assert first is not second
    assert engine.dump_state(second) == step.state
    engine._live.clear()
    tampered = step.state.replace('"departments":[3,5]', '"departments":[3,6]')
    assert engine.restore(xml, tampered).get_tasks(state=TaskState.READY, manual=True)


def test_a_rolled_back_step_leaves_the_stored_state_usable():
    """The engine stepped, the transaction failed: the next try decodes what the database holds."""
    xml = bpmn.default_xml()
    stored = engine.start(xml, departments=[3, 5]).state
    lost = engine.complete(xml, stored, engine_id=engine.restore(xml, stored).get_tasks(
        state=TaskState.READY, manual=True)[0].id, decision="approve", opinion="")  # fmt: skip
    assert lost.state != stored
    again = engine.restore(xml, stored)
    assert len(again.get_tasks(state=TaskState.READY, manual=True)) == 2


def test_a_waiting_timer_stays_in_the_compact_state():
    xml = PUBLICITY
    step = engine.start(xml, departments=[1])
    step = engine.complete(xml, step.state, engine_id=step.ready[0].engine_id, decision="approve",
                           opinion="")  # fmt: skip
    assert json.loads(step.state)["v"] == engine.COMPACT_VERSION
    engine._live.clear()
    assert engine.fire_timers(xml, step.state).timer_due_at == step.timer_due_at is not None
