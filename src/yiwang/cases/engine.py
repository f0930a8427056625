"""The BPMN engine (SpiffWorkflow) behind a case, with the specification kept out of the case row.

`start` and `complete` take and return the state as JSON text; the parsed
specification comes from `services.bpmn.load_spec`, parsed once per process
per worker. A stored state is what SpiffWorkflow's serializer writes, minus
the `spec` and `subprocess_specs` it would otherwise repeat in every case.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.util.task import TaskState

from yiwang.core.errors import ServiceError
from yiwang.services.bpmn import load_spec


class _StatefulConverter(BpmnWorkflowConverter):
    """Writes a workflow without its specification; reads one back given the specification."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = dct.pop("spec"), dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], uuid.UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(uuid.UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_registry = BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, BpmnWorkflow: _StatefulConverter})
_serializer = BpmnWorkflowSerializer(_registry)


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for someone: the engine's id, the BPMN node, and its data."""

    engine_id: uuid.UUID
    node_id: str
    name: str
    department: object  # the multi-instance element, when the task is per department


@dataclass(frozen=True)
class Step:
    state: str
    ready: list[ReadyTask]
    finished: bool
    approved: bool | None


def _dump(workflow: BpmnWorkflow) -> Step:
    state = json.dumps(_serializer.to_dict(workflow), ensure_ascii=False, separators=(",", ":"))
    ready = [
        ReadyTask(t.id, t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                  t.data.get("department"))
        for t in workflow.get_tasks(state=TaskState.READY, manual=True)
    ]  # fmt: skip
    approved = _approved(workflow) if workflow.completed else None
    return Step(state=state, ready=ready, finished=workflow.completed, approved=approved)


def _approved(workflow: BpmnWorkflow) -> bool:
    ends = [
        t.task_spec
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(t.task_spec, EndEvent) and t.task_spec.bpmn_id
    ]
    for spec in ends:
        if spec.bpmn_id.startswith("end_rejected") or "不予" in (spec.bpmn_name or ""):
            return False
    return True


def start(xml: str, *, departments: list[int], data: dict | None = None) -> Step:
    """Start a case's process: `departments` is what per-department tasks run over."""
    spec, subprocess_specs = load_spec(xml)
    workflow = BpmnWorkflow(spec, subprocess_specs)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data or {}, departments=list(departments))
    workflow.do_engine_steps()
    return _dump(workflow)


def restore(xml: str, state: str) -> BpmnWorkflow:
    spec, subprocess_specs = load_spec(xml)
    data = json.loads(state)
    return _serializer.from_dict({**data, "spec": spec, "subprocess_specs": subprocess_specs})


def complete(xml: str, state: str, *, engine_id: uuid.UUID, decision: str, opinion: str) -> Step:
    """Finish one user task with a reviewer's decision and move the process on."""
    workflow = restore(xml, state)
    task = workflow.get_task_from_id(engine_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise ServiceError("cases.task_not_ready", "该任务已办理或不在待办状态", status=409)
    task.data.update(decision=decision, opinion=opinion)
    task.run()
    workflow.do_engine_steps()
    return _dump(workflow)
