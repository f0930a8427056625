"""The cases API for applicants: apply, list, read, send a correction, withdraw; and masking."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.cases.test_api import (  # noqa: F401  (media: autouse fixture)
    BASE,
    a_stranger,
    accepted,
    assert_error,
    in_correction,
    material_files,
    media,
    payload,
    pdf,
    post_json,
    submit,
    task_of,
)
from tests.openapi import assert_matches_openapi
from yiwang.cases import approval, services
from yiwang.cases.models import Case, CaseMaterial
from yiwang.core.models import CompanyAgent

pytestmark = pytest.mark.django_db


def apply(client, city, *, files=None, **data):
    body = {"item_id": city["item"].pk, "form_data": {"name": "张三"}, **data}
    files = material_files(city["item"]) if files is None else files
    response = client.post(BASE, {"payload": payload(**body), **files})
    assert_matches_openapi(response, "post", BASE)
    return response


# --- POST /cases ----------------------------------------------------------------------


def test_a_citizen_submits_an_application_and_the_answer_is_the_receipt(client, city):
    client.force_login(city["citizen"])
    response = apply(client, city, channel="mobile")
    assert response.status_code == 201
    receipt = response.json()
    case = Case.objects.get()
    assert receipt["number"] == case.number and receipt["status"] == "submitted"
    assert receipt["status_label"] == "待受理" and receipt["channel"] == "mobile"
    assert receipt["applicant_name"] == "张三" and receipt["contact_phone"] == "13900000001"
    assert [(m["name"], m["source_label"]) for m in receipt["materials"]] == [("申请书", "上传")]
    assert case.applicant == city["citizen"] and case.channel == "mobile"
    stored = CaseMaterial.objects.get(case=case)
    assert stored.source == "upload" and stored.file.read() == b"%PDF-1.4 test"
    assert receipt["events"][0]["kind"] == "submitted"


def test_an_item_can_be_named_by_its_code(client, city):
    client.force_login(city["citizen"])
    body = {"item_code": city["item"].code, "form_data": {"name": "张三"}}
    response = client.post(BASE, {"payload": payload(**body), **material_files(city["item"])})
    assert response.status_code == 201
    assert Case.objects.get().item == city["item"]


def test_a_material_the_platform_fetches_itself_is_shown_as_not_submitted(client, city, population):
    item = factories.service_item(city["market"], materials=[
        {"name": "户口簿", "required": True, "resource": population}, {"name": "申请书"}])  # fmt: skip
    letter = item.materials.get(name="申请书")
    client.force_login(city["citizen"])
    body = {"item_id": item.pk, "form_data": {"name": "张三"}}
    response = client.post(BASE, {"payload": payload(**body), f"material_{letter.pk}": pdf()})
    assert response.status_code == 201
    sources = {m["name"]: m["source_label"] for m in response.json()["materials"]}
    assert sources == {"户口簿": "共享数据（免提交）", "申请书": "上传"}


def test_a_company_agent_applies_for_the_company(client, city):
    company = factories.uscc()
    CompanyAgent.objects.create(user=city["citizen"], company_uscc=company,
                                company_name="江澜恒信餐饮管理有限公司",
                                valid_from=datetime.date(2026, 1, 1))  # fmt: skip
    client.force_login(city["citizen"])
    response = apply(client, city, company_uscc=company)
    assert response.status_code == 201
    assert response.json()["applicant_name"] == "江澜恒信餐饮管理有限公司"
    case = Case.objects.get()
    assert case.applicant_kind == "company" and case.applicant_code == company


def test_a_form_missing_a_required_field_is_refused_with_the_field_named(client, city):
    client.force_login(city["citizen"])
    response = apply(client, city, form_data={})
    body = assert_error(response, 400, "validation_failed")
    assert body["message"] == "请填写申请人姓名"
    assert body["detail"] == {"fields": {"name": "请填写申请人姓名"}}
    assert not Case.objects.exists()


def test_a_missing_material_is_named(client, city):
    client.force_login(city["citizen"])
    body = assert_error(apply(client, city, files={}), 400, "cases.materials_missing")
    assert body["detail"] == {"missing": ["申请书"]} and not Case.objects.exists()


def test_a_payload_that_is_not_json_is_a_422(client, city):
    client.force_login(city["citizen"])
    response = client.post(BASE, {"payload": "item=1", **material_files(city["item"])})
    assert_matches_openapi(response, "post", BASE)
    body = assert_error(response, 422, "validation_failed")
    assert body["detail"]["errors"][0]["loc"][:2] == ["form", "payload"]


def test_an_item_code_carrying_nul_is_a_400_and_nothing_is_applied(client, city):
    client.force_login(city["citizen"])
    body = {"item_code": city["item"].code + "\x00", "form_data": {"name": "张三"}}
    response = client.post(BASE, {"payload": payload(**body), **material_files(city["item"])})
    assert_error(response, 400, "request.nul")
    assert not Case.objects.exists()


def test_naming_the_item_both_by_id_and_by_code_is_a_422(client, city):
    client.force_login(city["citizen"])
    response = apply(client, city, item_code=city["item"].code)
    assert_error(response, 422, "validation_failed")
    assert not Case.objects.exists()


def test_a_window_channel_cannot_be_claimed_online(client, city):
    client.force_login(city["citizen"])
    assert_error(apply(client, city, channel="window"), 422, "validation_failed")


def test_a_file_for_a_material_of_another_item_is_refused(client, city):
    other = factories.service_item(city["market"])
    client.force_login(city["citizen"])
    response = apply(client, city, files={**material_files(city["item"]), **material_files(other)})
    body = assert_error(response, 400, "validation_failed")
    assert body["message"] == "上传的材料不属于该事项" and not Case.objects.exists()


def test_a_file_not_named_after_a_material_is_refused(client, city):
    client.force_login(city["citizen"])
    response = apply(client, city, files={"attachment": pdf()})
    body = assert_error(response, 400, "validation_failed")
    assert "material_" in body["message"]


def test_an_unsupported_file_type_is_refused(client, city):
    material = city["item"].materials.get()
    client.force_login(city["citizen"])
    response = apply(client, city, files={f"material_{material.pk}": pdf("run.exe")})
    assert_error(response, 400, "cases.material_type")


def test_an_item_that_does_not_exist_is_404(client, city):
    client.force_login(city["citizen"])
    assert_error(apply(client, city, item_id=999_999), 404, "not_found")


def test_a_draft_item_is_not_found_by_a_citizen(client, city):
    draft = factories.service_item(city["market"], publish=False)
    client.force_login(city["citizen"])
    assert_error(apply(client, city, item_id=draft.pk), 404, "not_found")


def test_an_account_without_real_name_is_told_to_complete_it(client, city):
    client.force_login(factories.user())
    response = apply(client, city)
    body = assert_error(response, 403, "permission_denied")
    assert "实名认证" in body["message"]


def test_someone_who_is_not_an_agent_of_the_company_cannot_apply_for_it(client, city):
    client.force_login(city["citizen"])
    response = apply(client, city, company_uscc=factories.uscc())
    assert_error(response, 403, "permission_denied")


# --- GET /cases -----------------------------------------------------------------------


def test_the_applicant_lists_their_cases_filtered_by_status(client, city):
    first, second = submit(city), submit(city)
    services.withdraw_case(actor=city["citizen"], case=first)
    client.force_login(city["citizen"])
    response = client.get(BASE, {"status": "submitted"})
    assert_matches_openapi(response, "get", BASE)
    assert response.json()["count"] == 1
    assert [c["number"] for c in response.json()["items"]] == [second.number]
    assert client.get(BASE).json()["count"] == 2


def test_the_list_is_paged_newest_first(client, city):
    numbers = [submit(city).number for _ in range(3)]
    client.force_login(city["reviewers"]["fire"])
    page = client.get(BASE, {"page": 2, "page_size": 2}).json()
    assert page["count"] == 3 and [c["number"] for c in page["items"]] == [numbers[0]]


def test_a_stranger_lists_no_cases(client, city):
    submit(city)
    client.force_login(a_stranger())
    assert client.get(BASE).json() == {"items": [], "count": 0}


def test_an_unknown_status_filter_is_a_422(client, city):
    client.force_login(city["citizen"])
    response = client.get(BASE, {"status": "lost"})
    assert_matches_openapi(response, "get", BASE)
    assert_error(response, 422, "validation_failed")


# --- GET /cases/{number} --------------------------------------------------------------


def test_the_applicant_reads_the_timeline_tasks_and_opinions(client, city):
    case = accepted(city)
    approval.complete_task(actor=city["reviewers"]["fire"], task=task_of(case, city, "fire"),
                           decision="reject", opinion="消防通道不符合要求")  # fmt: skip
    client.force_login(city["citizen"])
    response = client.get(f"{BASE}/{case.number}")
    assert_matches_openapi(response, "get", BASE + "/{number}")
    detail = response.json()
    assert detail["status"] == "accepted" and detail["due_date"] == str(case.due_date)
    fire = next(t for t in detail["tasks"] if t["organisation"] == "江澜市消防救援支队")
    assert fire["decision"] == "reject" and fire["opinion"] == "消防通道不符合要求"
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds[:2] == ["submitted", "accepted"] and kinds[-1] == "review"


def test_the_clock_stops_are_shown(client, city):
    case = in_correction(city)
    client.force_login(city["clerk"])
    stops = client.get(f"{BASE}/{case.number}").json()["clock_stops"]
    assert [(s["kind_label"], s["ended_at"]) for s in stops] == [("补正", None)]


def test_staff_see_the_applicant_masked_and_the_applicant_sees_it_clear(client, city):
    case = submit(city)
    client.force_login(city["reviewers"]["urban"])
    seen = client.get(f"{BASE}/{case.number}").json()
    code = city["citizen"].id_number
    assert seen["applicant_name"] == "张*" and seen["contact_phone"] == "139****0001"
    assert seen["applicant_code"] == code[:6] + "********" + code[-4:]
    assert seen["form_data"] == {"name": "张*"}
    assert client.get(BASE).json()["items"][0]["applicant_name"] == "张*"
    client.force_login(city["citizen"])
    own = client.get(f"{BASE}/{case.number}").json()
    assert own["applicant_name"] == "张三" and own["applicant_code"] == code
    assert own["form_data"] == {"name": "张三"}


def test_staff_allowed_to_see_personal_data_read_it_clear(client, city):
    case = submit(city)
    reviewer = city["reviewers"]["urban"]
    reviewer.user_permissions.add(Permission.objects.get(codename="view_clear_personal_data"))
    client.force_login(reviewer)
    seen = client.get(f"{BASE}/{case.number}").json()
    assert seen["applicant_name"] == "张三" and seen["applicant_code"] == city["citizen"].id_number


def test_a_case_number_with_odd_characters_is_a_422(client, city):
    client.force_login(city["citizen"])
    assert_error(client.get(f"{BASE}/abc%20def"), 422, "validation_failed")


# --- POST /cases/{number}/corrected ---------------------------------------------------


def test_the_applicant_sends_the_correction_with_a_new_file(client, city):
    case = in_correction(city)
    material = city["item"].materials.get()
    new = SimpleUploadedFile(
        "申请书（已签字）.pdf", b"%PDF-1.4 signed", content_type="application/pdf"
    )
    client.force_login(city["citizen"])
    response = client.post(f"{BASE}/{case.number}/corrected", {
        "payload": payload(form_data={"name": "张三丰"}), f"material_{material.pk}": new})  # fmt: skip
    assert_matches_openapi(response, "post", BASE + "/{number}/corrected")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    case.refresh_from_db()
    assert case.status == "submitted" and case.form_data == {"name": "张三丰"}
    assert case.clock_stops.get().ended_at is not None
    assert case.materials.get().file.read().endswith(b"signed")


def test_a_correction_may_be_sent_without_a_payload(client, city):
    case = in_correction(city)
    client.force_login(city["citizen"])
    response = client.post(f"{BASE}/{case.number}/corrected", material_files(city["item"]))
    assert response.status_code == 200
    assert Case.objects.get().status == "submitted"


@pytest.mark.parametrize("text", ["1", "[]", "null", '"补正"'])
def test_a_correction_payload_that_is_no_json_object_is_a_422_and_sends_nothing(client, city, text):
    case = in_correction(city)
    client.force_login(city["citizen"])
    response = client.post(f"{BASE}/{case.number}/corrected", {"payload": text})
    assert_matches_openapi(response, "post", BASE + "/{number}/corrected")
    body = assert_error(response, 422, "validation_failed")
    assert body["detail"]["errors"][0]["loc"] == ["form", "payload"]
    assert body["detail"]["errors"][0]["msg"] == "应为对象"
    assert Case.objects.get().status == "correction"


def test_a_correction_with_an_emptied_required_field_is_refused(client, city):
    case = in_correction(city)
    client.force_login(city["citizen"])
    response = client.post(
        f"{BASE}/{case.number}/corrected", {"payload": payload(form_data={"name": ""})}
    )
    assert_matches_openapi(response, "post", BASE + "/{number}/corrected")
    assert_error(response, 400, "validation_failed")
    assert Case.objects.get().status == "correction"


def test_a_correction_nobody_asked_for_is_a_409(client, city):
    case = submit(city)
    client.force_login(city["citizen"])
    response = client.post(f"{BASE}/{case.number}/corrected", {"payload": "{}"})
    assert_error(response, 409, "cases.wrong_status")


def test_staff_cannot_send_a_correction_in_the_applicants_place(client, city):
    case = in_correction(city)
    client.force_login(city["clerk"])
    response = client.post(f"{BASE}/{case.number}/corrected", {"payload": "{}"})
    assert_error(response, 404, "not_found")
    assert Case.objects.get().status == "correction"


# --- POST /cases/{number}/withdraw ----------------------------------------------------


def test_the_applicant_withdraws_an_accepted_case_and_its_tasks_are_cancelled(client, city):
    case = accepted(city)
    client.force_login(city["citizen"])
    response = post_json(client, f"/{case.number}/withdraw", {"reason": "不再经营"},
                         "/{number}/withdraw")  # fmt: skip
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    case.refresh_from_db()
    assert case.status == "withdrawn" and case.outcome_note == "不再经营"
    assert set(case.tasks.values_list("status", flat=True)) == {"cancelled"}


@pytest.mark.parametrize("body", ["1", "[]", "null", '"撤回"'])
def test_a_body_that_is_no_json_object_withdraws_nothing(client, city, body):
    case = submit(city)
    client.force_login(city["citizen"])
    response = post_json(client, f"/{case.number}/withdraw", body, "/{number}/withdraw")
    assert_error(response, 400, "request.bad_json")
    case.refresh_from_db()
    assert case.status == "submitted"


def test_a_withdrawal_reason_of_blanks_writes_no_empty_reason_on_the_timeline(city):
    case = services.withdraw_case(actor=city["citizen"], case=submit(city), reason="  不再经营 \n")
    line = case.events.get(kind="withdrawn").message
    assert line == "申请人撤回申请：不再经营"
    other = services.withdraw_case(actor=city["citizen"], case=submit(city), reason="   ")
    assert other.events.get(kind="withdrawn").message == "申请人撤回申请"


def test_a_finished_case_cannot_be_withdrawn(client, city):
    case = services.refuse_case(actor=city["clerk"], case=submit(city), reason="不属于本机关职权")
    client.force_login(city["citizen"])
    response = post_json(client, f"/{case.number}/withdraw", {}, "/{number}/withdraw")
    assert_error(response, 409, "cases.wrong_status")


def test_staff_cannot_withdraw_the_applicants_case(client, city):
    case = submit(city)
    client.force_login(city["clerk"])
    response = post_json(client, f"/{case.number}/withdraw", {}, "/{number}/withdraw")
    assert_error(response, 404, "not_found")
    assert Case.objects.get().status == "submitted"


def test_a_withdrawal_reason_that_is_not_text_is_a_422(client, city):
    case = submit(city)
    client.force_login(city["citizen"])
    response = post_json(
        client, f"/{case.number}/withdraw", {"reason": ["x"]}, "/{number}/withdraw"
    )
    assert_error(response, 422, "validation_failed")
