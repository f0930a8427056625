import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from yiwang.cases import approval, services
from yiwang.cases.choices import CaseStatus, TaskStatus
from yiwang.cases.models import Case, CaseTask, Notification
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.core.workdays import add_working_days

pytestmark = pytest.mark.django_db


def pdf(name="申请书.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def uploads_for(item):
    return {m.pk: pdf() for m in item.materials.all()}


def _submit(city, **form):
    return services.submit_application(
        actor=city["citizen"], item=city["item"], form_data={"name": "张三", **form},
        uploads=uploads_for(city["item"]),
    )  # fmt: skip


def _accepted(city):
    case = _submit(city)
    return services.accept_case(actor=city["clerk"], case=case)


def test_submission_numbers_cases_per_item_and_day(city):
    first, second = _submit(city), _submit(city)
    today = timezone.localdate().strftime("%Y%m%d")
    assert first.number == f"{city['item'].code}{today}0001"
    assert second.number == f"{city['item'].code}{today}0002"
    assert first.status == CaseStatus.SUBMITTED
    assert Notification.objects.filter(user=city["citizen"], case=first).exists()


def test_a_form_missing_a_required_field_is_refused_with_the_field_named(city):
    with pytest.raises(ServiceError) as caught:
        services.submit_application(actor=city["citizen"], item=city["item"], form_data={})
    assert caught.value.detail["fields"] == {"name": "请填写申请人姓名"}
    assert not Case.objects.exists()


def test_acceptance_starts_one_review_per_participating_department(city):
    case = _accepted(city)
    tasks = CaseTask.objects.filter(case=case)
    assert {t.organisation for t in tasks} == {city["market"], city["fire"], city["urban"]}
    assert case.due_date == add_working_days(timezone.localdate(), 5)
    assert all(t.due_date == case.due_date for t in tasks)
    assert '"spec"' not in case.workflow_state and len(case.workflow_state) < 8000


@pytest.mark.parametrize("order", [("market", "fire", "urban"), ("urban", "fire", "market")])
def test_the_case_is_approved_when_every_department_approves_in_any_order(city, order):
    case = _accepted(city)
    for key in order:
        task = CaseTask.objects.get(case=case, organisation=city[key])
        approval.complete_task(
            actor=city["reviewers"][key], task=task, decision="approve", opinion="符合"
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.finished_at is not None
    assert AuditEvent.objects.filter(action="case.finish", target_id=str(case.pk)).exists()


def test_one_department_rejecting_rejects_the_case(city):
    case = _accepted(city)
    for key, decision in [("market", "approve"), ("fire", "reject"), ("urban", "approve")]:
        task = CaseTask.objects.get(case=case, organisation=city[key])
        approval.complete_task(actor=city["reviewers"][key], task=task, decision=decision,
                               opinion="消防通道不符合要求")  # fmt: skip
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED


def test_a_rejected_case_tells_the_applicant_the_departments_reasons(city):
    case = _accepted(city)
    for key, decision, opinion in [("market", "approve", "符合条件"),
                                   ("fire", "reject", "消防通道宽度不足"),
                                   ("urban", "reject", "招牌位置占用人行道")]:  # fmt: skip
        task = CaseTask.objects.get(case=case, organisation=city[key])
        approval.complete_task(actor=city["reviewers"][key], task=task, decision=decision,
                               opinion=opinion)  # fmt: skip
    case.refresh_from_db()
    assert (
        case.outcome_note
        == "江澜市消防救援支队：消防通道宽度不足；江澜市城市管理局：招牌位置占用人行道"
    )
    told = Notification.objects.filter(case=case).latest("id").message
    assert "不予许可" in told and "消防通道宽度不足" in told and "招牌位置占用人行道" in told


def test_a_reviewer_of_another_department_cannot_act_on_the_task(city):
    case = _accepted(city)
    task = CaseTask.objects.get(case=case, organisation=city["fire"])
    with pytest.raises(NotFound):
        approval.complete_task(
            actor=city["reviewers"]["urban"], task=task, decision="approve", opinion=""
        )
    assert CaseTask.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_task_cannot_be_decided_twice(city):
    case = _accepted(city)
    task = CaseTask.objects.get(case=case, organisation=city["fire"])
    approval.complete_task(
        actor=city["reviewers"]["fire"], task=task, decision="approve", opinion=""
    )
    with pytest.raises(ServiceError) as caught:
        approval.complete_task(
            actor=city["reviewers"]["fire"], task=task, decision="reject", opinion="改主意了"
        )
    assert caught.value.code == "cases.task_not_ready"


def test_a_correction_stops_the_clock_and_the_resubmitted_case_can_be_accepted(city):
    case = _submit(city)
    services.request_correction(actor=city["clerk"], case=case, corrections=["申请书未签字"])
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    assert case.correction_notice == ["申请书未签字"]
    assert case.clock_stops.get().ended_at is None
    services.submit_correction(actor=city["citizen"], case=case, form_data={"name": "张三"})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.clock_stops.get().ended_at is not None
    assert services.accept_case(actor=city["clerk"], case=case).status == CaseStatus.ACCEPTED


def test_a_correction_without_saying_what_to_fix_is_refused(city):
    with pytest.raises(ServiceError):
        services.request_correction(actor=city["clerk"], case=_submit(city), corrections=["  "])


def test_a_refused_case_is_finished_with_its_reason(city):
    case = services.refuse_case(
        actor=city["clerk"], case=_submit(city), reason="不属于本机关职权范围"
    )
    assert case.status == CaseStatus.REFUSED and case.outcome_note == "不属于本机关职权范围"


def test_a_clerk_of_a_department_not_taking_part_cannot_accept(city):
    outsider = factories.staff("clerk", factories.organisation())
    with pytest.raises(NotFound):
        services.accept_case(actor=outsider, case=_submit(city))


def test_a_reviewer_cannot_accept_at_the_window(city):
    with pytest.raises(PermissionDenied):
        services.accept_case(actor=city["reviewers"]["market"], case=_submit(city))


def test_an_immediate_item_can_be_finished_at_acceptance(city):
    item = factories.service_item(city["market"], case_kind="immediate", promised_days=0,
                                  statutory_days=0)  # fmt: skip
    case = services.submit_application(actor=city["citizen"], item=item, form_data={"name": "张三"},
                                       uploads=uploads_for(item))  # fmt: skip
    case = services.accept_case(actor=city["clerk"], case=case, finish_now=True)
    assert case.status == CaseStatus.APPROVED and not case.tasks.exists()


def test_a_promised_item_cannot_be_finished_at_acceptance(city):
    with pytest.raises(ServiceError) as caught:
        services.accept_case(actor=city["clerk"], case=_submit(city), finish_now=True)
    assert caught.value.code == "cases.not_immediate"
    assert Case.objects.get().status == CaseStatus.SUBMITTED


def test_a_special_procedure_stops_decisions_and_moves_the_due_date(city, monkeypatch):
    case = _accepted(city)
    reviewer = city["reviewers"]["fire"]
    approval.start_special_procedure(actor=reviewer, case=case, kind="inspection", reason="需要现场核查消防通道",
                                     planned_end=timezone.localdate() + datetime.timedelta(days=3))  # fmt: skip
    task = CaseTask.objects.get(case=case, organisation=city["fire"])
    with pytest.raises(ServiceError) as caught:
        approval.complete_task(actor=reviewer, task=task, decision="approve", opinion="")
    assert caught.value.code == "cases.clock_stopped"
    promised = case.due_date
    a_week_later = timezone.now() + datetime.timedelta(days=7)  # the inspection took a week
    monkeypatch.setattr(timezone, "now", lambda: a_week_later)
    approval.end_special_procedure(actor=reviewer, case=case, result="核查合格")
    case.refresh_from_db()
    assert case.due_date > promised
    assert CaseTask.objects.get(pk=task.pk).due_date == case.due_date


def test_a_walk_in_case_is_registered_by_the_clerk_with_paper_materials(city):
    item = city["item"]
    case = services.register_walk_in(
        actor=city["clerk"], item=item, applicant_kind="person", applicant_name="李四",
        applicant_code=factories.ric(), form_data={"name": "李四"},
        paper_materials=[m.pk for m in item.materials.all()],
    )  # fmt: skip
    assert case.channel == "window" and case.registered_by == city["clerk"]
    assert case.materials.get().source == "paper"


def test_a_walk_in_with_a_bad_id_number_is_refused(city):
    with pytest.raises(ServiceError) as caught:
        services.register_walk_in(actor=city["clerk"], item=city["item"], applicant_kind="person",
                                  applicant_name="李四", applicant_code="990102199001011234",
                                  form_data={"name": "李四"})  # fmt: skip
    assert "申请人证件号码" in caught.value.message


def test_the_applicant_and_departments_see_the_case_but_others_do_not(city):
    case = _submit(city)
    stranger = factories.user(id_number=factories.ric())
    outsider = factories.staff("reviewer", factories.organisation())
    assert Case.objects.restrict(city["citizen"]).filter(pk=case.pk).exists()
    assert Case.objects.restrict(city["reviewers"]["urban"]).filter(pk=case.pk).exists()
    assert not Case.objects.restrict(stranger).filter(pk=case.pk).exists()
    assert not Case.objects.restrict(outsider).filter(pk=case.pk).exists()
    assert (
        Case.objects.restrict(factories.staff("supervisor", factories.organisation())).count() == 1
    )


def test_a_missing_required_material_is_named(city):
    with pytest.raises(ServiceError) as caught:
        services.submit_application(
            actor=city["citizen"], item=city["item"], form_data={"name": "张三"}
        )
    assert caught.value.code == "cases.materials_missing"
    assert caught.value.detail["missing"] == ["申请书"]


def test_an_upload_of_an_unsupported_type_is_refused(city):
    material = city["item"].materials.get()
    with pytest.raises(ServiceError) as caught:
        services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads={material.pk: pdf("run.exe")})  # fmt: skip
    assert caught.value.code == "cases.material_type"


def test_a_material_replaceable_by_shared_data_is_not_asked_for(city, population):
    item = factories.service_item(city["market"], materials=[
        {"name": "户口簿", "required": True, "resource": population}, {"name": "申请书"}])  # fmt: skip
    material = item.materials.get(name="申请书")
    case = services.submit_application(actor=city["citizen"], item=item, form_data={"name": "张三"},
                                       uploads={material.pk: pdf()})  # fmt: skip
    shared = case.materials.get(name="户口簿")
    assert shared.source == "shared" and shared.reference == "B0101/000001"


def test_a_clerk_of_the_service_centre_accepts_for_every_department(city):
    centre = factories.organisation("江澜市政务服务中心", hosts_window=True)
    clerk = factories.staff("clerk", centre)
    case = services.accept_case(actor=clerk, case=_submit(city))
    assert case.status == CaseStatus.ACCEPTED


def test_an_agent_whose_authorisation_ended_no_longer_sees_the_companys_cases(city):
    import datetime as dt

    from yiwang.core.models import CompanyAgent

    agent = factories.user(id_number=factories.ric())
    uscc = factories.uscc()
    agency = CompanyAgent.objects.create(user=agent, company_uscc=uscc, company_name="江澜测试餐饮有限公司",
                                         valid_from=dt.date(2020, 1, 1))  # fmt: skip
    case = services.submit_application(actor=agent, item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]), company_uscc=uscc)  # fmt: skip
    assert Case.objects.restrict(agent).filter(pk=case.pk).exists()
    agency.valid_until = dt.date(2021, 12, 31)
    agency.save()
    fresh = type(agent).objects.get(pk=agent.pk)
    assert not Case.objects.restrict(fresh).filter(pk=case.pk).exists()


def test_only_the_department_that_started_a_special_procedure_ends_it(city):
    case = _accepted(city)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="hearing",
                                     reason="需要举行听证", planned_end=timezone.localdate())  # fmt: skip
    with pytest.raises(PermissionDenied):
        approval.end_special_procedure(actor=city["reviewers"]["urban"], case=case)
    approval.end_special_procedure(actor=city["reviewers"]["fire"], case=case)


def test_withdrawing_during_a_special_procedure_does_not_move_the_due_date(city):
    case = _accepted(city)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="expert",
                                     reason="需要专家评审", planned_end=timezone.localdate())  # fmt: skip
    due = Case.objects.get(pk=case.pk).due_date
    services.withdraw_case(actor=city["citizen"], case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.due_date == due
    assert case.clock_stops.get().ended_at is not None


def test_a_department_added_to_the_item_after_submission_reviews_only_later_cases(city):
    case = _submit(city)
    health = factories.organisation("江澜市卫生健康委员会")
    city["item"].participants.add(health)
    case = services.accept_case(actor=city["clerk"], case=case)
    reviewing = set(CaseTask.objects.filter(case=case).values_list("organisation_id", flat=True))
    assert reviewing == set(case.participants.values_list("id", flat=True))
    assert health.pk not in reviewing


def walk_in_without_account(city):
    item = city["item"]
    return services.register_walk_in(
        actor=city["clerk"], item=item, applicant_kind="person", applicant_name="李四",
        applicant_code=factories.ric(), form_data={"name": "李四"},
        paper_materials=[m.pk for m in item.materials.all()],
    )  # fmt: skip


def test_the_window_records_the_correction_a_walk_in_applicant_brings_back(city):
    case = services.request_correction(actor=city["clerk"], case=walk_in_without_account(city),
                                       corrections=["申请书未签字"])  # fmt: skip
    case = services.submit_correction(
        actor=city["clerk"], case=case, uploads=uploads_for(city["item"])
    )
    assert case.status == CaseStatus.SUBMITTED
    assert case.events.filter(kind="corrected", actor_label=city["clerk"].audit_label).exists()


def test_the_window_cannot_answer_a_correction_for_an_online_applicant(city):
    case = services.request_correction(actor=city["clerk"], case=_submit(city),
                                       corrections=["申请书未签字"])  # fmt: skip
    with pytest.raises(NotFound):
        services.submit_correction(
            actor=city["clerk"], case=case, uploads=uploads_for(city["item"])
        )


def test_the_window_page_takes_a_walk_ins_corrected_material(client, city):
    from django.urls import reverse

    case = services.request_correction(actor=city["clerk"], case=walk_in_without_account(city),
                                       corrections=["申请书未签字"])  # fmt: skip
    client.force_login(city["clerk"])
    url = reverse("cases:detail", args=[case.number])
    assert "提交补正" in client.get(url).content.decode()
    material = city["item"].materials.get()
    client.post(reverse("cases:corrected", args=[case.number]), {f"material_{material.pk}": pdf()})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.form_data == {"name": "李四"}
