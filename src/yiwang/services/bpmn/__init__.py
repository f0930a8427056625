"""BPMN process models: the default parallel review, parsing, and the checks an upload must pass.

A user task names who works on it as ``ROLE:DEPARTMENT``, read from the first of:

1. ``camunda:candidateGroups`` (Camunda Modeler: "Candidate groups");
2. a BPMN ``potentialOwner`` whose ``formalExpression`` is the text (the standard's own
   way, written by other modelers);
3. the name of the lane (泳道) holding the task — one lane per department, as a clerk
   draws a cross-department process on paper.

and:

- ROLE is ``reviewer`` (审批人员) or ``clerk`` (综合窗口);
- DEPARTMENT is ``lead`` (the item's 实施主体), ``participant`` (one instance per
  participating department: the task must be a parallel multi-instance over
  ``departments`` with the input item ``department``), or a department's
  统一社会信用代码.

A reviewer's choice is written to the task's ``decision`` variable
(``approve`` / ``reject``). The case ends approved unless the end event
reached has an id starting with ``end_rejected`` or a name containing 不予.

What an upload must pass (`check_process`): it parses as BPMN 2.0 with one
executable process; every user task has a role as above, a ``participant`` task
is a parallel multi-instance over ``departments``, a department named by its
USCC exists; every node — inside sub-processes too — lies on a path from the
start event to an end event (a boundary event continues from the activity it is
attached to; an event sub-process starts by its event); SpiffWorkflow can build
it. Timer events may be drawn with an ISO 8601 value as Camunda writes it
(``P5D``, a date, a cycle), read as that text and checked against its kind;
expressions (``${…}``) and timers behind an event-based gateway are refused.
Timers fire through `cases.timers` (a periodic job), in calendar time as ISO
8601 means it, held while the case's clock is stopped.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from yiwang.core.errors import ServiceError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
DEFAULT_PATH = Path(__file__).with_name("default.bpmn")
ROLES = {"reviewer": "审批人员", "clerk": "综合窗口人员"}
FLOW_NODES = (
    "startEvent", "endEvent", "userTask", "task", "manualTask", "scriptTask", "serviceTask",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "intermediateCatchEvent",
    "intermediateThrowEvent", "subProcess", "callActivity", "businessRuleTask", "sendTask",
    "receiveTask", "eventBasedGateway", "boundaryEvent", "transaction",
    "complexGateway",
)  # fmt: skip
MAX_BPMN_BYTES = 2 * 1024 * 1024
# What a process's id (ProcessModel.process_id) and a user task's id and name (the case task's
# node_id and name) may hold: PostgreSQL refuses a longer one when the row is written.
MAX_LABEL = 100


@dataclass(frozen=True)
class UserTaskInfo:
    id: str
    name: str
    role: str
    department: str  # "lead", "participant", or a USCC

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role, "department": self.department}


@dataclass(frozen=True)
class ParsedProcess:
    process_id: str
    name: str
    user_tasks: list[UserTaskInfo]
    digest: str


def default_xml() -> str:
    return DEFAULT_PATH.read_text(encoding="utf-8")


def _invalid(message: str) -> ServiceError:
    return ServiceError("services.bpmn_invalid", message)


def _parse_tree(xml: str):
    if len(xml.encode("utf-8")) > MAX_BPMN_BYTES:
        raise _invalid("BPMN 文件过大（上限 2 MB）")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise _invalid(f"BPMN 文件不是有效的 XML：{exc}") from exc
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise _invalid("不是 BPMN 2.0 文件：根元素应为 bpmn:definitions")
    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "true") != "false"] or processes
    if len(executable) != 1:
        raise _invalid("BPMN 文件应包含且只包含一个可执行流程")
    return executable[0]


def _lane_names(process) -> dict[str, str]:
    """The name of the innermost lane holding each node."""
    names = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):  # outer lanes come first; inner ones win
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            names[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    return names


def _assignment(node, lanes: dict[str, str]) -> str:
    """Who works on a user task, as ROLE:DEPARTMENT: Camunda's candidate groups, else a BPMN
    potential owner's expression, else the name of the task's lane."""
    groups = (node.get(f"{{{CAMUNDA_NS}}}candidateGroups") or "").strip()
    if groups:
        return groups
    owner = node.find(
        "bpmn:potentialOwner/bpmn:resourceAssignmentExpression/bpmn:formalExpression", NS
    )
    if owner is not None and (owner.text or "").strip():
        return owner.text.strip()
    return lanes.get(node.get("id"), "")


def _user_task(node, lanes: dict[str, str]) -> UserTaskInfo:
    label = node.get("name") or node.get("id")
    if len(label) > MAX_LABEL or len(node.get("id") or "") > MAX_LABEL:
        shown = label[:40] + ("…" if len(label) > 40 else "")
        raise _invalid(f"人工任务「{shown}」的名称或编号超过 {MAX_LABEL} 字，请缩短")
    role, _, department = _assignment(node, lanes).partition(":")
    role, department = role.strip(), department.strip()
    if role not in ROLES or not department:
        raise _invalid(
            f"人工任务「{label}」未指定办理岗位：请在 Candidate groups（或 potentialOwner、泳道名称）填写 "
            "reviewer:lead、reviewer:participant 或 reviewer:部门统一社会信用代码（综合窗口为 clerk:…）"
        )
    if department == "participant":
        loop = node.find("bpmn:multiInstanceLoopCharacteristics", NS)
        item = loop.find("bpmn:inputDataItem", NS) if loop is not None else None
        collection = loop.findtext("bpmn:loopDataInputRef", "", NS) if loop is not None else ""
        if (
            loop is None
            or loop.get("isSequential") == "true"
            or collection.strip() != "departments"
            or item is None
            or item.get("name", item.get("id")) != "department"
        ):
            raise _invalid(
                f"人工任务「{label}」按参与部门办理，应为并行多实例，输入集合 departments，输入项 department"
            )
    return UserTaskInfo(node.get("id"), label, role, department)


SCOPES = ("subProcess", "transaction")


def _check_no_dead_ends(scope) -> None:
    """Every node of the process, and of each sub-process in turn, lies on a path from its
    start event to an end event. A boundary event (timer, message, error …) starts from the
    activity it is attached to; an event sub-process starts by its event, not by a flow."""
    nodes = {}
    for tag in FLOW_NODES:
        for node in scope.findall(f"bpmn:{tag}", NS):
            nodes[node.get("id")] = (tag, node.get("name") or node.get("id"), node)
    outgoing: dict[str, set[str]] = {n: set() for n in nodes}
    incoming: dict[str, set[str]] = {n: set() for n in nodes}
    for flow in scope.findall("bpmn:sequenceFlow", NS):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source not in nodes or target not in nodes:
            raise _invalid(f"顺序流「{flow.get('id')}」连接了不存在的节点")
        outgoing[source].add(target)
        incoming[target].add(source)
    event_scopes = set()
    for node_id, (tag, label, node) in nodes.items():
        if tag == "boundaryEvent":
            host = node.get("attachedToRef")
            if host not in nodes or nodes[host][0] == "boundaryEvent":
                raise _invalid(f"边界事件「{label}」未附着在本层的活动上")
            outgoing[host].add(node_id)
        if tag in SCOPES and node.get("triggeredByEvent") == "true":
            event_scopes.add(node_id)
    starts = [n for n, (tag, _, _) in nodes.items() if tag == "startEvent"]
    ends = {n for n, (tag, _, _) in nodes.items() if tag == "endEvent"}
    where = (
        ""
        if etree.QName(scope).localname == "process"
        else f"子流程「{scope.get('name') or scope.get('id')}」"
    )
    if len(starts) != 1 or not ends:
        raise _invalid(f"{where or '流程'}应有一个开始事件和至少一个结束事件")
    reached = _walk(starts, outgoing) | event_scopes
    finishing = _walk(list(ends), incoming) | event_scopes
    for node_id, (tag, label, node) in nodes.items():
        if node_id not in reached:
            raise _invalid(f"{where}节点「{label}」从开始事件无法到达")
        if node_id not in finishing:
            raise _invalid(f"{where}节点「{label}」无法到达结束事件（死路）")
        if tag in SCOPES:
            _check_no_dead_ends(node)


def _check_no_external_waits(process) -> None:
    """Nothing sends a case's process a message or a signal: a receive task, or a catch event
    waiting for one, would hold every case there for good."""
    waits = list(process.iter(f"{{{BPMN_NS}}}receiveTask")) + [
        node
        for node in process.iter(f"{{{BPMN_NS}}}intermediateCatchEvent")
        if node.find("bpmn:messageEventDefinition", NS) is not None
        or node.find("bpmn:signalEventDefinition", NS) is not None
    ]
    for node in waits:
        raise _invalid(
            f"「{node.get('name') or node.get('id')}」等待外部消息或信号，本系统不会发送，"
            "办件将停在此处：请改用人工任务或定时事件"
        )


def _walk(starts: list[str], edges: dict[str, set[str]]) -> set[str]:
    seen, frontier = set(starts), list(starts)
    while frontier:
        for nxt in edges[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def check_process(xml: str, *, known_departments: set[str] | None = None) -> ParsedProcess:
    """What an upload must pass: it parses, each user task has a department role, no dead ends."""
    process = _parse_tree(xml)
    if len(process.get("id") or "") > MAX_LABEL:
        raise _invalid(f"流程编号超过 {MAX_LABEL} 字，请缩短")
    lanes = _lane_names(process)
    tasks = [_user_task(node, lanes) for node in process.iter(f"{{{BPMN_NS}}}userTask")]
    # The engine waits at a manual task for someone, as at a user task, but a manual task names
    # no role: every case would stop there with no department to do it.
    for node in process.iter(f"{{{BPMN_NS}}}manualTask"):
        raise _invalid(
            f"手工任务「{node.get('name') or node.get('id')}」无法分配给部门办理："
            "请改为人工任务（userTask）并指定办理岗位"
        )
    _check_no_external_waits(process)
    if not tasks:
        raise _invalid("流程中没有人工任务（userTask），无法分配给部门办理")
    for task in tasks:
        if task.department not in {"lead", "participant"} and known_departments is not None:
            if task.department not in known_departments:
                raise _invalid(f"人工任务「{task.name}」指定的部门 {task.department} 不存在")
    _check_no_dead_ends(process)
    _check_expressions(process)
    try:
        spec, subprocess_specs = load_spec(xml)
    except ValidationException as exc:
        raise _invalid(f"流程无法执行：{exc}") from exc
    _check_timers((spec, *subprocess_specs.values()))
    return ParsedProcess(
        process_id=process.get("id"),
        name=process.get("name") or process.get("id"),
        user_tasks=tasks,
        digest=hashlib.sha256(xml.encode("utf-8")).hexdigest(),
    )


def _check_expressions(process) -> None:
    """Each flow's condition is a Python expression and each script task's script Python code, as
    SpiffWorkflow runs them: a syntax error would otherwise pass the upload and stop every case
    at the step that reaches it. (A name no task sets can only show when the case runs.)"""
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = (flow.findtext("bpmn:conditionExpression", "", NS) or "").strip()
        if condition and not _compiles(condition, "eval"):
            label = flow.get("name") or flow.get("id")
            raise _invalid(f"顺序流「{label}」的条件不是有效的表达式：{condition[:40]}")
    for task in process.iter(f"{{{BPMN_NS}}}scriptTask"):
        script = task.findtext("bpmn:script", "", NS) or ""
        if script.strip() and not _compiles(script, "exec"):
            label = task.get("name") or task.get("id")
            raise _invalid(f"脚本任务「{label}」的脚本不是有效的 Python 代码")


def _compiles(source: str, mode: str) -> bool:
    try:
        compile(source, "<bpmn>", mode)
    except (SyntaxError, ValueError):  # ValueError: a NUL in the source
        return False
    return True


def _check_timers(specs) -> None:
    """Each timer holds a value SpiffWorkflow can read, of its kind: a duration, a date or a cycle.

    A bad value would otherwise pass the upload and stop the case at the step that reaches it."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            label = task_spec.bpmn_name or task_spec.bpmn_id
            if isinstance(definition, MultipleEventDefinition) and any(
                isinstance(d, TimerEventDefinition) for d in definition.event_definitions
            ):
                raise _invalid(f"事件网关或组合事件「{label}」中的定时事件暂不支持："
                               "请改用边界定时事件或中间定时事件")  # fmt: skip
            if isinstance(definition, TimerEventDefinition):
                _check_timer_value(label, definition)


def _timer_duration(value: str) -> datetime.datetime:
    """When a timer of this duration armed now would fire: a duration too long for a date fails."""
    if not value.upper().startswith("P"):
        raise ValueError(value)
    parsed = TimerEventDefinition.parse_iso_duration(value)
    return datetime.datetime.now(datetime.UTC) + TimerEventDefinition.get_timedelta_from_start(
        parsed
    )


def _timer_date(value: str) -> datetime.datetime:
    if value.upper().startswith("P"):  # a duration where a date belongs
        raise ValueError(value)
    return TimerEventDefinition.parse_time_or_duration(value)


TIMER_KINDS = {
    DurationTimerEventDefinition: ("时长（如 P5D、PT4H）", _timer_duration),
    TimeDateEventDefinition: ("日期时间（如 2027-03-01T09:00:00+08:00）", _timer_date),
    CycleTimerEventDefinition: ("循环（如 R3/P1D）", TimerEventDefinition.parse_iso_recurring_interval),
}  # fmt: skip


def _check_timer_value(label: str, definition: TimerEventDefinition) -> None:
    text = definition.expression.strip()
    quoted = text[:1] in "'\"" and text[-1:] == text[:1] and len(text) > 1
    if not quoted and not ISO_LOOKING.match(text):
        raise _invalid(
            f"定时事件「{label}」的时间应为 ISO 8601 值（如 P5D），不支持表达式 {text[:40]}"
        )
    value = text[1:-1] if quoted else text
    kind, parse = TIMER_KINDS[type(definition)]
    try:
        parse(value)
    except Exception as exc:  # SpiffWorkflow's parsers raise bare Exception, ValueError and others
        raise _invalid(
            f"定时事件「{label}」的时间 {value[:40]} 不是有效的 ISO 8601 {kind}"
        ) from exc


@lru_cache(maxsize=256)
def load_spec(xml: str):
    """The executable specification of a process, parsed once per process and kept per worker."""
    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode("utf-8")), filename="process.bpmn")
    process_id = _parse_tree(xml).get("id")
    spec, subprocess_specs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    for one in (spec, *subprocess_specs.values()):
        _connect_multi_instance(one)
        _read_iso_timers(one)
    return spec, subprocess_specs


ISO_TIMER = re.compile(r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}[0-9T:.+\-Z]*)(/\S+)?$")
# What a modeler meant as an ISO 8601 value, even a wrong one (P2X): refused as a bad value, not as
# an expression.
ISO_LOOKING = re.compile(r"^(R\d*/)?(P|\d{4}-)", re.IGNORECASE)


def _timer_expressions(spec):
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            yield task_spec, definition


def _read_iso_timers(spec) -> None:
    """Camunda Modeler writes a timer as plain ISO 8601 text (``P5D``); SpiffWorkflow reads it as
    a Python expression. A plain ISO value is taken as the text it is."""
    for _task_spec, definition in _timer_expressions(spec):
        if ISO_TIMER.match(definition.expression.strip()):
            definition.expression = repr(definition.expression.strip())


def _connect_multi_instance(spec) -> None:
    """Wire each multi-instance task to its instances' completion, as SpiffWorkflow does only
    when it creates the instances: a case restored in another worker process (or after a
    restart) would otherwise never see its parallel reviews merge, and would stall."""
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, MultiInstanceTask):
            child = spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)
