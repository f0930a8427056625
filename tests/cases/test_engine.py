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
