"""Cases through accept → 3 parallel reviews → result, persisted, against the same process in memory."""

import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

sys.path.insert(0, str(Path(__file__).parent))
from _harness import line, median_rate

from yiwang.cases import approval, services
from yiwang.cases.models import Case, CaseTask
from yiwang.core import identifiers
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
        region="990102", born=__import__("datetime").date(1990, 1, 1), sequence=12, sex="M"))  # fmt: skip
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


def run(*, quick: bool = False):
    n = 20 if quick else 200
    repeats = 3 if quick else 5
    xml = bpmn.default_xml()

    def persisted():
        try:
            with transaction.atomic():
                item, clerk, reviewers, citizen = _city()
                material = item.materials.get()
                cases = [
                    services.submit_application(
                        actor=citizen, item=item, form_data={"name": "基准"},
                        uploads={material.pk: SimpleUploadedFile("a.pdf", b"%PDF")},
                    )
                    for _ in range(n)
                ]  # fmt: skip
                _timer.start()
                for case in cases:
                    services.accept_case(actor=clerk, case=case)
                    for task in CaseTask.objects.filter(case=case).select_related("case"):
                        approval.complete_task(actor=reviewers[task.organisation_id], task=task,
                                               decision="approve", opinion="同意")  # fmt: skip
                _timer.stop()
                assert (
                    Case.objects.filter(pk__in=[c.pk for c in cases], status="approved").count()
                    == n
                )
                raise _Rollback
        except _Rollback:
            pass
        return n

    def in_memory():
        spec, subprocess_specs = bpmn.load_spec(xml)
        for _ in range(n):
            workflow = BpmnWorkflow(spec, subprocess_specs)
            for task in workflow.get_tasks(state=TaskState.READY):
                task.data.update(departments=[1, 2, 3])
            workflow.do_engine_steps()
            for task in workflow.get_tasks(state=TaskState.READY, manual=True):
                task.data.update(decision="approve", opinion="同意")
                task.run()
            workflow.do_engine_steps()
            assert workflow.completed
        return n

    figure = _timed_rate(persisted, repeats=repeats)
    baseline = median_rate(in_memory, repeats=repeats)
    yield f"# {connection.vendor}, {n} cases per run, median of {repeats}; persisted = accept + 3 reviews through the services, in a rolled-back transaction"
    yield line("workflow", figure, "persisted cases/s", baseline, "in-memory cases/s")


class _Timer:
    """Times only the part of a run between start() and stop() (the setup is not counted)."""

    def __init__(self):
        self.elapsed = 0.0

    def start(self):
        import time

        self._t = time.perf_counter()

    def stop(self):
        import time

        self.elapsed = time.perf_counter() - self._t


_timer = _Timer()


def _timed_rate(work, *, repeats: int) -> float:
    import statistics

    rates = []
    for _ in range(repeats):
        items = work()
        rates.append(items / _timer.elapsed)
    return statistics.median(rates)
