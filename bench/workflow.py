"""Cases through accept → 3 parallel reviews → result, persisted at every step, against the same
process run in memory by the engine.

Figures on the default process (三个部门并联审查), in one run on the same machine:

- baseline: SpiffWorkflow runs the process in memory, step for step as the cases app drives
  it — started at acceptance, then one review at a time, each followed by the engine's own
  steps — with nothing stored;
- `workflow`: the same steps with persistence, as the approval path takes them: each step
  reads the stored state under the case's row lock, steps the engine, and writes the state
  and the departments' tasks back through `cases.store`, each step in its own (nested)
  transaction. A case's next step in the same worker finds its workflow still decoded
  (`engine._LiveWorkflows`);
- `workflow_cold`: the same, but every step decodes the stored text, as when each review
  reaches another worker process;
- `workflow_services`: whole cases through the services (`accept_case`, `complete_task`):
  the same engine and store plus permission checks, the clock, timeline, audit rows and
  notifications;
- `workflow_floor`: the least any persisted design does — the engine's steps, each followed
  by one prepared UPDATE of the case's state and nothing else (no read, no lock, no tasks, no
  savepoint). Its ratio bounds what a persisted case can reach on this machine and database.

Everything runs in one transaction that is rolled back at the end; each step is a savepoint.
The batch figure (all three reviews, then one round of engine steps) is printed as a note.
"""

import datetime
import statistics
import sys
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

sys.path.insert(0, str(Path(__file__).parent))
from _harness import line

from yiwang.cases import approval, engine, services, store
from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import Case, CaseTask
from yiwang.core import hotsql, identifiers
from yiwang.core.models import Membership, Organisation, User
from yiwang.services import bpmn
from yiwang.services import services as item_services


class _Rollback(Exception):
    pass


def _organisation(n: int) -> Organisation:
    return Organisation.objects.create(
        name=f"基准部门{n}", uscc=identifiers.make_uscc(region="990100", org_body=f"BENCHW{n:02d}"),
        region_code="990100", kind="department", level="city",
    )  # fmt: skip


def _user(name: str, **fields) -> User:
    return User.objects.create(username=f"bench-{name}", **fields)


def _city():
    """Three departments, a clerk, a reviewer in each, a citizen, an item reviewed by all three."""
    orgs = [_organisation(n) for n in range(3)]
    admin = _user("admin", is_superuser=True, is_active=True)
    reviewers = {}
    for org in orgs:
        reviewers[org.pk] = _user(f"reviewer{org.pk}")
        Membership.objects.create(user=reviewers[org.pk], organisation=org, role="reviewer")
    clerk = _user("clerk")
    Membership.objects.create(user=clerk, organisation=orgs[0], role="clerk")
    citizen = _user("citizen", real_name="基准申请人", id_number=identifiers.make_ric(
        region="990102", born=datetime.date(1990, 1, 1), sequence=12, sex="M"))  # fmt: skip
    item = item_services.create_item(
        actor=admin, organisation=orgs[0], participants=orgs[1:], code="99BENCH0000001",
        name="基准事项", item_type="licensing", audience="both", legal_basis="基准",
        conditions="基准", case_kind="promised", statutory_days=20, promised_days=5,
        window_address="基准", office_hours="基准", phone="0999-1", result_name="基准结果",
        online=True, materials=[{"name": "申请书"}],
        form_definition=[{"code": "name", "label": "姓名", "type": "text", "required": True}],
    )  # fmt: skip
    item = item_services.publish_item(actor=admin, item=item)
    return item, clerk, reviewers, citizen


def _applications(item, citizen, n: int) -> list[Case]:
    material = item.materials.get()
    return [
        services.submit_application(
            actor=citizen, item=item, form_data={"name": "基准"},
            uploads={material.pk: SimpleUploadedFile("a.pdf", b"%PDF")},
        )
        for _ in range(n)
    ]  # fmt: skip


def _in_memory(spec, subprocess_specs, departments: list[int], *, batch: bool = False) -> None:
    workflow = BpmnWorkflow(spec, subprocess_specs)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(case="X", departments=departments)
    workflow.do_engine_steps()
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        task.data.update(decision="approve", opinion="同意")
        task.run()
        if not batch:
            workflow.do_engine_steps()
    workflow.do_engine_steps()
    assert workflow.completed


def _persisted(
    case: Case, xml: str, departments: list[int], reviewer_ids: dict, *, cold: bool = False
) -> None:
    """One case as the approval path steps it: start at acceptance, then one review at a time,
    each step reading the stored state under the row lock and writing the new one back."""
    with transaction.atomic():
        step = engine.start(xml, departments=departments, data={"case": case.number})
        now = timezone.now()
        store.save_state(case.pk, step.state, timer_due_at=step.timer_due_at, now=now)
        store.open_tasks(case.pk, _new_tasks(step, case), now=now)
    for ready in step.ready:
        if cold:
            engine._live.clear()
        with transaction.atomic():
            state = store.read_state(case.pk)
            step = engine.complete(xml, state, engine_id=ready.engine_id, decision="approve",
                                   opinion="同意")  # fmt: skip
            now = timezone.now()
            store.save_state(case.pk, step.state, timer_due_at=step.timer_due_at, now=now)
            store.close_task(ready.engine_id, decision="approve", opinion="同意",
                             by_id=reviewer_ids[ready.department], now=now)  # fmt: skip
            store.open_tasks(case.pk, _new_tasks(step, case), now=now)
            if step.finished:
                store.finish_case(case.pk, status=CaseStatus.APPROVED, outcome_note="",
                                  result_reference=f"{case.number}-结果", now=now)  # fmt: skip
    assert step.finished and step.approved


_WRITE_STATE = "UPDATE cases_case SET workflow_state = %s WHERE id = %s"


def _floor(case: Case, xml: str, departments: list[int]) -> None:
    """The engine's steps with one write of the state after each: one statement, one round trip."""
    step = engine.start(xml, departments=departments, data={"case": case.number})
    with hotsql.cursor() as cursor:
        cursor.execute(_WRITE_STATE, [step.state, case.pk])
        for ready in step.ready:
            step = engine.complete(xml, step.state, engine_id=ready.engine_id, decision="approve",
                                   opinion="同意")  # fmt: skip
            cursor.execute(_WRITE_STATE, [step.state, case.pk])
    assert step.finished and step.approved


def _new_tasks(step: engine.Step, case: Case) -> list[store.NewTask]:
    return [
        store.NewTask(r.engine_id, r.node_id, r.name, r.department, "reviewer", case.due_date,
                      case.warn_date)
        for r in step.fresh
    ]  # fmt: skip


def _through_services(case: Case, clerk, reviewers: dict) -> None:
    services.accept_case(actor=clerk, case=case)
    for task in CaseTask.objects.filter(case=case).select_related("case"):
        approval.complete_task(actor=reviewers[task.organisation_id], task=task,
                               decision="approve", opinion="同意")  # fmt: skip


def _rate(work, cases) -> float:
    started = time.perf_counter()
    for case in cases:
        work(case)
    return len(cases) / (time.perf_counter() - started)


def run(*, quick: bool = False):
    n = 20 if quick else 200
    repeats = 3 if quick else 5
    xml = bpmn.default_xml()
    spec, subprocess_specs = bpmn.load_spec(xml)
    memory, batch, persisted, cold, serviced, floor = [], [], [], [], [], []
    try:
        with transaction.atomic():
            item, clerk, reviewers, citizen = _city()
            departments = approval.departments_of(_applications(item, citizen, 1)[0])
            reviewer_ids = {org: user.pk for org, user in reviewers.items()}
            for _ in range(repeats):
                cases = _applications(item, citizen, 4 * n)
                memory.append(_rate(lambda c: _in_memory(spec, subprocess_specs, departments),
                                    cases[:n]))  # fmt: skip
                batch.append(_rate(lambda c: _in_memory(spec, subprocess_specs, departments,
                                                        batch=True), cases[:n]))  # fmt: skip
                persisted.append(_rate(lambda c: _persisted(c, xml, departments, reviewer_ids),
                                       cases[:n]))  # fmt: skip
                cold.append(_rate(lambda c: _persisted(c, xml, departments, reviewer_ids,
                                                       cold=True), cases[n : 2 * n]))  # fmt: skip
                serviced.append(_rate(lambda c: _through_services(c, clerk, reviewers),
                                      cases[2 * n : 3 * n]))  # fmt: skip
                floor.append(_rate(lambda c: _floor(c, xml, departments), cases[3 * n :]))
            done = Case.objects.filter(item=item, status=CaseStatus.APPROVED).count()
            assert done == 3 * n * repeats, done
            raise _Rollback
    except _Rollback:
        pass
    baseline = statistics.median(memory)
    yield (f"# {connection.vendor}, {n} cases per run, median of {repeats} runs; "
           "each step a savepoint in one transaction rolled back at the end")  # fmt: skip
    yield (f"# in memory with the three reviews batched before one round of engine steps: "
           f"{statistics.median(batch):,.0f} cases/s")  # fmt: skip
    yield line("workflow", statistics.median(persisted), "persisted cases/s", baseline,
               "in-memory cases/s")  # fmt: skip
    yield line("workflow_cold", statistics.median(cold), "persisted cases/s, every step decoded",
               baseline, "in-memory cases/s")  # fmt: skip
    yield line("workflow_floor", statistics.median(floor),
               "cases/s with one state write per step and nothing else", baseline,
               "in-memory cases/s")  # fmt: skip
    yield line("workflow_services", statistics.median(serviced), "cases/s through the services",
               baseline, "in-memory cases/s")  # fmt: skip
