"""The BPMN engine (SpiffWorkflow) behind a case, with the specification kept out of the case row.

`start` and `complete` take and return the state as JSON text; the parsed
specification comes from `services.bpmn.load_spec`, parsed once per process
per worker. The stored state never repeats the specification (ADR 0015).

Two state formats are read:

- the compact one written now (`{"v": 1, ...}`): one row per task — id, parent
  index, state, task spec name, triggered, last state change, internal data and
  data — about a third of SpiffWorkflow's own form and written and read several
  times faster, because the approval path writes it at every step (ADR 0018);
- SpiffWorkflow's serializer format minus `spec` and `subprocess_specs`, which
  cases stored before the compact format carry, and which is still written for
  the rare workflow the compact form does not cover (subprocesses, pending BPMN
  events, data that is not plain JSON).
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from yiwang.core.errors import ServiceError
from yiwang.services.bpmn import load_spec

COMPACT_VERSION = 1


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


# --- the compact state ------------------------------------------------------------


_PLAIN_JSON_ONLY = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)  # fmt: skip


def _not_plain(value):
    raise TypeError(type(value).__name__)


def _dumps(value) -> str:
    """Plain JSON only: dates, dataclasses and the like go to SpiffWorkflow's converter, which
    restores their types (orjson would write them as strings and lose the type)."""
    return orjson.dumps(value, default=_not_plain, option=_PLAIN_JSON_ONLY).decode()


def _compact(workflow: BpmnWorkflow) -> str | None:
    """The compact state, or None when the workflow needs SpiffWorkflow's full form."""
    if workflow.subprocesses or workflow.bpmn_events:
        return None
    tasks = list(workflow.tasks.values())
    index = {task.id: n for n, task in enumerate(tasks)}
    rows = [
        [task.id.hex, index[task._parent] if task._parent is not None else -1, task._state,
         task.task_spec.name, task.triggered, task.last_state_change, task.internal_data,
         task.data]
        for task in tasks
    ]  # fmt: skip
    last = workflow.last_task
    try:
        return _dumps({
            "v": COMPACT_VERSION, "tasks": rows, "root": index[workflow.task_tree.id],
            "last": index[last.id] if last is not None else -1, "data": workflow.data,
            "success": workflow.success, "completed": workflow.completed,
            "correlations": workflow.correlations,
        })  # fmt: skip
    except TypeError:  # data that is not plain JSON: SpiffWorkflow converts it
        return None


def _from_compact(spec, subprocess_specs, dct: dict) -> BpmnWorkflow:
    workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
    task_specs, by_id, tasks = spec.task_specs, workflow.tasks, []
    for task_id, parent, state, spec_name, triggered, changed, internal, data in dct["tasks"]:
        task = Task.__new__(Task)  # Task() would draw a new id and predict children
        task.id, task.workflow, task._state = uuid.UUID(task_id), workflow, state
        task.task_spec, task.triggered, task.last_state_change = (
            task_specs[spec_name],
            triggered,
            changed,
        )
        task.thread_id, task.internal_data, task.data, task._children = (
            Task.thread_id_pool,
            internal,
            data,
            [],
        )
        if parent >= 0:
            task._parent = tasks[parent].id
            tasks[parent]._children.append(task.id)
        else:
            task._parent = None
        if isinstance(task.task_spec, CatchingEvent) and state & TaskState.WAITING:
            workflow.event_manager.add_task(task)
        by_id[task.id] = task
        tasks.append(task)
    workflow.task_tree = tasks[dct["root"]]
    workflow.last_task = tasks[dct["last"]] if dct["last"] >= 0 else None
    workflow.data, workflow.success = dct["data"], dct["success"]
    workflow.completed, workflow.correlations = dct["completed"], dct["correlations"]
    return workflow


def dump_state(workflow: BpmnWorkflow) -> str:
    """The state to store: compact when it can be, SpiffWorkflow's own form otherwise."""
    state = _compact(workflow)
    if state is None:
        state = _serializer.serialize_json(workflow)
    _live.keep(state, workflow)
    return state


def restore(xml: str, state: str) -> BpmnWorkflow:
    """The workflow a stored state describes (the caller may step it: it is its own copy)."""
    spec, subprocess_specs = load_spec(xml)
    workflow = _live.take(state, spec)
    if workflow is not None:
        return workflow
    data = orjson.loads(state)
    if data.get("v") == COMPACT_VERSION:
        return _from_compact(spec, subprocess_specs, data)
    return _serializer.from_dict({**data, "spec": spec, "subprocess_specs": subprocess_specs})


class _LiveWorkflows:
    """The workflows this process dumped last, by the exact text they dumped to.

    A case's next step usually reaches the worker that took its last one; it then
    skips decoding the state. A hit is safe: the text is unique to one case (it
    holds the tasks' random ids), the object dumps to exactly the text the caller
    read under the case's row lock, and it is handed out once (`take` removes it).
    A step whose transaction rolls back leaves an entry nobody will ask for.
    """

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def keep(self, state: str, workflow: BpmnWorkflow) -> None:
        with self.lock:
            self.items[state] = workflow
            if len(self.items) > self.size:
                self.items.popitem(last=False)

    def take(self, state: str, spec) -> BpmnWorkflow | None:
        with self.lock:
            workflow = self.items.pop(state, None)
        return workflow if workflow is not None and workflow.spec is spec else None

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_live = _LiveWorkflows(size=256)


# --- steps ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for someone: the engine's id, the BPMN node, and its data."""

    engine_id: uuid.UUID
    node_id: str
    name: str
    department: object  # the multi-instance element, when the task is per department


@dataclass(frozen=True)
class Step:
    """The process after a step: its state to store, the user tasks waiting (`ready`), those
    that became ready in this step (`fresh`), those the process took away without a decision
    (`withdrawn`, e.g. by an interrupting boundary timer), when its earliest timer falls due
    (`timer_due_at`), the timers that fired in this step, and, once finished, whether it
    approved."""

    state: str
    ready: list[ReadyTask]
    fresh: list[ReadyTask]
    finished: bool
    approved: bool | None
    withdrawn: list[uuid.UUID] = field(default_factory=list)
    timer_due_at: datetime.datetime | None = None
    fired: list[str] = field(default_factory=list)


def _ready_ids(workflow: BpmnWorkflow) -> set[uuid.UUID]:
    return {
        t.id
        for t in workflow.tasks.values()  # a scan, cheaper than walking the tree
        if t._state == TaskState.READY and t.task_spec.manual
    }


def _step(
    workflow: BpmnWorkflow, *, waiting: set[uuid.UUID], fired: tuple[str, ...] | list[str] = ()
) -> Step:
    ready = [
        ReadyTask(t.id, t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                  t.data.get("department"))
        for t in workflow.tasks.values()
        if t._state == TaskState.READY and t.task_spec.manual
    ]  # fmt: skip
    still_ready = {r.engine_id for r in ready}
    withdrawn = [
        engine_id for engine_id in waiting
        if engine_id not in still_ready and _cancelled(workflow.tasks.get(engine_id))
    ]  # fmt: skip
    approved = _approved(workflow) if workflow.completed else None
    return Step(state=dump_state(workflow), ready=ready,
                fresh=[r for r in ready if r.engine_id not in waiting],
                finished=workflow.completed, approved=approved, withdrawn=withdrawn,
                timer_due_at=_timer_due_at(workflow), fired=list(fired))  # fmt: skip


def _cancelled(task: Task | None) -> bool:
    return task is None or task._state == TaskState.CANCELLED


_TIMER_EVENT_TYPES = {
    cls.__name__
    for cls in (TimeDateEventDefinition, DurationTimerEventDefinition, CycleTimerEventDefinition)
}


def _timer_due_at(workflow: BpmnWorkflow) -> datetime.datetime | None:
    """When the earliest waiting timer falls due, read as SpiffWorkflow reads it when it decides
    whether the timer has fired (the value it fixed when the timer started waiting)."""
    due = [
        TimerEventDefinition.parse_time_or_duration(event.value)
        for event in workflow.waiting_events()
        if event.event_type in _TIMER_EVENT_TYPES and isinstance(event.value, str)
    ]
    return min(due, default=None)


def _is_rejection(spec) -> bool:
    return spec.bpmn_id.startswith("end_rejected") or "不予" in (spec.bpmn_name or "")


def _approved(workflow: BpmnWorkflow) -> bool:
    """Whether a finished process approved the case.

    A process that models refusal (an end event `end_rejected…` or named 不予…)
    decides by the end event it reached. One that does not — an uploaded model
    with a single end — is refused when any reviewer decided `reject`, so that
    a rejection can never end in approval.
    """
    ends = [s for s in workflow.spec.task_specs.values() if isinstance(s, EndEvent) and s.bpmn_id]
    if any(_is_rejection(s) for s in ends):
        return not any(
            t._state == TaskState.COMPLETED and t.task_spec in ends and _is_rejection(t.task_spec)
            for t in workflow.tasks.values()
        )
    return not any(
        t._state == TaskState.COMPLETED
        and t.task_spec.manual
        and t.data.get("decision") == "reject"
        for t in workflow.tasks.values()
    )


log = logging.getLogger(__name__)


@contextmanager
def _running_the_model():
    """A fault of the process model met only when it runs (a condition naming a variable no task
    sets, a script that fails) is the model's: the step is refused with a clear answer and
    nothing is stored, instead of a 500 on every decision; the admin finds the cause in the log."""
    try:
        yield
    except SpiffWorkflowException as exc:
        task = getattr(exc, "task", None)
        label = (task.task_spec.bpmn_name or task.task_spec.bpmn_id) if task is not None else ""
        log.warning("流程模型运行出错：%s", exc, exc_info=True)
        where = f"在「{label}」" if label else ""
        raise ServiceError(
            "cases.process_error",
            f"该事项的审批流程{where}无法继续（条件或脚本有误），本次操作未生效；"
            "请联系系统管理员修正审批流程",
            status=409,
        ) from exc


def start(xml: str, *, departments: list[int], data: dict | None = None) -> Step:
    """Start a case's process: `departments` is what per-department tasks run over."""
    spec, subprocess_specs = load_spec(xml)
    workflow = BpmnWorkflow(spec, subprocess_specs)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data or {}, departments=list(departments))
    with _running_the_model():
        workflow.do_engine_steps()
    return _step(workflow, waiting=set())


def complete(xml: str, state: str, *, engine_id: uuid.UUID, decision: str, opinion: str) -> Step:
    """Finish one user task with a reviewer's decision and move the process on."""
    workflow = restore(xml, state)
    waiting = _ready_ids(workflow)
    task = workflow.tasks.get(engine_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise ServiceError("cases.task_not_ready", "该任务已办理或不在待办状态", status=409)
    task.data.update(decision=decision, opinion=opinion)
    with _running_the_model():
        task.run()
        workflow.do_engine_steps()
    return _step(workflow, waiting=waiting)


def _waiting_timers(workflow: BpmnWorkflow) -> list[Task]:
    return [
        t for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
    ]  # fmt: skip


def fire_timers(xml: str, state: str) -> Step:
    """Fire the timers that are due by now and move the process on; `fired` names them (empty
    when none was due, and the state is then unchanged in meaning)."""
    workflow = restore(xml, state)
    waiting = _ready_ids(workflow)
    timers = {t.id: len(t._children) for t in _waiting_timers(workflow)}
    with _running_the_model():
        workflow.refresh_timers()
        workflow.do_engine_steps()
    fired = [
        t.task_spec.bpmn_name or t.task_spec.bpmn_id
        for t in (workflow.tasks.get(i) for i in timers)
        if t is not None and (t._state != TaskState.WAITING or len(t._children) > timers[t.id])
    ]  # a cycle keeps waiting and adds a child at each firing
    return _step(workflow, waiting=waiting, fired=fired)


def postpone_timers(xml: str, state: str, *, by: datetime.timedelta) -> Step:
    """Move the waiting duration and cycle timers later by `by` (the time a case's clock stood
    still); a timer set to a date keeps its date."""
    workflow = restore(xml, state)
    for task in _waiting_timers(workflow):
        value = task.internal_data.get("event_value")
        definition = task.task_spec.event_definition
        if isinstance(definition, DurationTimerEventDefinition) and isinstance(value, str):
            task.internal_data["event_value"] = (
                TimerEventDefinition.get_datetime(value) + by
            ).isoformat()
        elif isinstance(definition, CycleTimerEventDefinition) and isinstance(value, dict):
            value["next"] = (datetime.datetime.fromisoformat(value["next"]) + by).isoformat()
    return _step(workflow, waiting=_ready_ids(workflow))
