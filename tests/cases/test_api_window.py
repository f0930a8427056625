"""The cases API at the one window (综合窗口): accept, ask for 补正, refuse, register walk-ins."""

import pytest
from django.utils import timezone

from tests import factories
from tests.cases.test_api import (  # noqa: F401  (media: autouse fixture)
    BASE,
    an_outsider,
    assert_error,
    in_correction,
    material_files,
    media,
    payload,
    pdf,
    post_json,
    submit,
)
from tests.openapi import assert_matches_openapi
from yiwang.cases import services
from yiwang.cases.models import Case, CaseTask
from yiwang.core.models import AuditEvent
from yiwang.core.workdays import add_working_days

pytestmark = pytest.mark.django_db


def accept(client, case, **data):
    return post_json(client, f"/{case.number}/accept", data, "/{number}/accept")


# --- POST /cases/{number}/accept --------------------------------------------------------


def test_the_clerk_accepts_a_case_and_the_due_dates_are_answered(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    response = accept(client, case, opinion="材料齐全")
    assert response.status_code == 200
    answer = response.json()
    promised = add_working_days(timezone.localdate(), 5)
    assert answer["status"] == "accepted" and answer["due_date"] == str(promised)
    assert answer["statutory_due_date"] == str(add_working_days(timezone.localdate(), 20))
    assert {t["organisation"] for t in answer["tasks"]} == {
        "江澜市市场监督管理局", "江澜市消防救援支队", "江澜市城市管理局"}  # fmt: skip
    case.refresh_from_db()
    assert case.status == "accepted" and case.due_date == promised
    assert CaseTask.objects.filter(case=case, status="open").count() == 3
    assert AuditEvent.objects.filter(action="case.accept", target_id=str(case.pk)).exists()


def test_an_immediate_case_is_finished_at_acceptance(client, city):
    item = factories.service_item(city["market"], case_kind="immediate", promised_days=0,
                                  statutory_days=0)  # fmt: skip
    case = services.submit_application(actor=city["citizen"], item=item, form_data={"name": "张三"},
                                       uploads={m.pk: pdf() for m in item.materials.all()})  # fmt: skip
    client.force_login(city["clerk"])
    response = accept(client, case, finish_now=True)
    assert response.json()["status"] == "approved"
    assert Case.objects.get(pk=case.pk).result_reference == f"{case.number}-结果"


def test_finishing_a_promised_case_at_acceptance_is_refused_and_nothing_changes(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    body = assert_error(accept(client, case, finish_now=True), 400, "cases.not_immediate")
    assert body["message"] == "只有即办件可以当场办结"
    case.refresh_from_db()
    assert case.status == "submitted" and case.accepted_at is None and not case.tasks.exists()


def test_a_reviewer_who_sees_the_case_may_not_accept_it(client, city):
    case = submit(city)
    client.force_login(city["reviewers"]["market"])
    assert_error(accept(client, case), 403, "permission_denied")
    assert Case.objects.get().status == "submitted"


def test_a_case_cannot_be_accepted_twice(client, city):
    case = services.accept_case(actor=city["clerk"], case=submit(city))
    client.force_login(city["clerk"])
    assert_error(accept(client, case), 409, "cases.wrong_status")
    assert CaseTask.objects.count() == 3


def test_an_acceptance_with_a_malformed_flag_is_a_422(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    body = assert_error(accept(client, case, finish_now="maybe"), 422, "validation_failed")
    assert body["detail"]["errors"][0]["loc"] == ["body", "payload", "finish_now"]


# --- POST /cases/{number}/correction ----------------------------------------------------


def ask_correction(client, case, **data):
    return post_json(client, f"/{case.number}/correction", data, "/{number}/correction")


def test_the_clerk_asks_for_a_correction_and_the_clock_stops(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    response = ask_correction(client, case, corrections=["申请书未签字", "缺少平面图"],
                              message="请一周内补正")  # fmt: skip
    answer = response.json()
    assert answer["status"] == "correction"
    assert answer["correction_notice"] == ["申请书未签字", "缺少平面图"]
    assert [(s["kind"], s["ended_at"]) for s in answer["clock_stops"]] == [("correction", None)]
    case.refresh_from_db()
    assert case.status == "correction" and case.clock_stops.get().ended_at is None


def test_a_correction_that_names_nothing_to_fix_is_refused(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    body = assert_error(ask_correction(client, case, corrections=["  "]), 400, "validation_failed")
    assert body["message"] == "请逐项写明需要补正的内容"
    assert Case.objects.get().status == "submitted"


def test_an_empty_correction_list_is_a_422(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    assert_error(ask_correction(client, case, corrections=[]), 422, "validation_failed")


def test_the_applicant_cannot_ask_themselves_for_a_correction(client, city):
    case = submit(city)
    client.force_login(city["citizen"])
    response = ask_correction(client, case, corrections=["自己补正"])
    assert_error(response, 403, "permission_denied")


# --- POST /cases/{number}/refuse --------------------------------------------------------


def refuse(client, case, **data):
    return post_json(client, f"/{case.number}/refuse", data, "/{number}/refuse")


def test_the_clerk_refuses_a_case_in_correction_and_its_clock_stop_ends(client, city):
    case = in_correction(city)
    client.force_login(city["clerk"])
    response = refuse(client, case, reason="逾期未补正，不属于受理范围")
    assert response.json()["status"] == "refused"
    case.refresh_from_db()
    assert case.status == "refused" and case.outcome_note == "逾期未补正，不属于受理范围"
    assert case.finished_at is not None and case.clock_stops.get().ended_at is not None


def test_a_refusal_without_a_real_reason_is_refused(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    body = assert_error(refuse(client, case, reason="不行"), 400, "validation_failed")
    assert body["message"] == "请写明不予受理的理由和依据"
    assert Case.objects.get().status == "submitted"


def test_a_refusal_without_a_reason_field_is_a_422(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    assert_error(refuse(client, case), 422, "validation_failed")


def test_an_accepted_case_can_no_longer_be_refused(client, city):
    case = services.accept_case(actor=city["clerk"], case=submit(city))
    client.force_login(city["clerk"])
    assert_error(refuse(client, case, reason="不属于本机关职权"), 409, "cases.wrong_status")


# --- POST /cases/walk-in ----------------------------------------------------------------

WALK_IN = "/walk-in"


def register(client, city, *, files=None, **data):
    body = {"item_id": city["item"].pk, "applicant_kind": "person", "applicant_name": "李四",
            "applicant_code": factories.ric(), "form_data": {"name": "李四"}, **data}  # fmt: skip
    response = client.post(BASE + WALK_IN, {"payload": payload(**body), **(files or {})})
    assert_matches_openapi(response, "post", BASE + WALK_IN)
    return response


def test_the_clerk_registers_a_walk_in_with_paper_materials(client, city):
    paper = [m.pk for m in city["item"].materials.all()]
    client.force_login(city["clerk"])
    response = register(client, city, paper_materials=paper, phone="13900000002")
    assert response.status_code == 201
    answer = response.json()
    assert answer["channel"] == "window" and answer["applicant_name"] == "李*"
    assert answer["contact_phone"] == "139****0002"
    assert [m["source_label"] for m in answer["materials"]] == ["窗口收取纸质材料"]
    case = Case.objects.get()
    assert case.registered_by == city["clerk"] and case.applicant is None
    assert case.applicant_name == "李四"


def test_a_walk_in_may_bring_scanned_files(client, city):
    client.force_login(city["clerk"])
    response = register(client, city, files=material_files(city["item"]))
    assert response.status_code == 201
    assert Case.objects.get().materials.get().source == "upload"


def test_a_walk_in_with_a_wrong_id_number_is_refused(client, city):
    client.force_login(city["clerk"])
    response = register(client, city, applicant_code="990102199001011234")
    body = assert_error(response, 400, "validation_failed")
    assert body["message"].startswith("申请人证件号码")
    assert not Case.objects.exists()


def test_a_walk_in_with_an_unknown_applicant_kind_is_a_422(client, city):
    client.force_login(city["clerk"])
    response = register(client, city, applicant_kind="alien")
    body = assert_error(response, 422, "validation_failed")
    assert body["detail"]["errors"][0]["loc"] == ["form", "payload", "applicant_kind"]


def test_a_walk_in_without_the_materials_names_what_is_missing(client, city):
    client.force_login(city["clerk"])
    body = assert_error(register(client, city), 400, "cases.materials_missing")
    assert body["message"] == "缺少材料：申请书"


def test_a_clerk_of_a_department_not_taking_part_cannot_register_the_item(client, city):
    client.force_login(an_outsider())
    assert_error(register(client, city), 403, "permission_denied")
    assert not Case.objects.exists()


def test_a_citizen_cannot_register_walk_ins(client, city):
    client.force_login(city["citizen"])
    assert_error(register(client, city), 403, "permission_denied")
