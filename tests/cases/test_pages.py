import pytest
from django.urls import reverse

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import services
from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import Case, CaseTask

pytestmark = pytest.mark.django_db


def test_the_apply_page_prefills_the_applicants_name(client, city):
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:apply", args=[city["item"].pk]))
    assert page.status_code == 200
    assert 'value="张三"' in page.content.decode()


def test_applying_through_the_page_leads_to_the_receipt(client, city):
    client.force_login(city["citizen"])
    material = city["item"].materials.get()
    answer = client.post(
        reverse("cases:apply", args=[city["item"].pk]),
        {"name": "张三", f"material_{material.pk}": uploads_for(city["item"])[material.pk]},
    )
    case = Case.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/cases/{case.number}/")
    receipt = client.get(answer["Location"]).content.decode()
    assert case.number in receipt and "待受理" in receipt


def test_a_page_submission_with_errors_shows_them_beside_the_fields(client, city):
    client.force_login(city["citizen"])
    page = client.post(reverse("cases:apply", args=[city["item"].pk]), {"name": ""})
    assert page.status_code == 200 and "请填写申请人姓名" in page.content.decode()
    assert not Case.objects.exists()


def test_the_clerk_accepts_and_a_reviewer_approves_through_the_pages(client, city):
    case = services.submit_application(actor=city["citizen"], item=city["item"],
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    client.force_login(city["clerk"])
    assert case.number in client.get(reverse("cases:window")).content.decode()
    client.post(reverse("cases:accept", args=[case.number]))
    assert Case.objects.get().status == CaseStatus.ACCEPTED
    client.force_login(city["reviewers"]["fire"])
    tasks_page = client.get(reverse("cases:tasks")).content.decode()
    assert case.number in tasks_page
    task = CaseTask.objects.get(organisation=city["fire"])
    client.post(
        reverse("cases:complete", args=[task.pk]), {"decision": "approve", "opinion": "同意"}
    )
    assert CaseTask.objects.get(pk=task.pk).decision == "approve"


def test_a_stranger_gets_not_found_for_someone_elses_case(client, city):
    case = services.submit_application(actor=city["citizen"], item=city["item"],
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    client.force_login(factories.user(id_number=factories.ric()))
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 404
    assert client.post(reverse("cases:accept", args=[case.number])).status_code == 404
    assert Case.objects.get().status == CaseStatus.SUBMITTED


# --- 窗口登记 ------------------------------------------------------------------------------


@pytest.fixture
def same_named_item(city):
    """An item whose form has fields coded like the walk-in page's own applicant inputs."""
    return factories.service_item(city["market"], form_definition=[
        {"code": "applicant_name", "label": "申请人姓名", "type": "text", "required": True},
        {"code": "phone", "label": "联系电话", "type": "phone", "required": False}])  # fmt: skip


def register(client, city, item, **fields):
    client.force_login(city["clerk"])
    paper = [str(m.pk) for m in item.materials.all()]
    data = {"applicant_kind": "person", "applicant_name": "张三", "applicant_code": factories.ric(),
            "phone": "13900000002", "form.applicant_name": "李四", "form.phone": "13900000003",
            "paper": paper, **fields}  # fmt: skip
    return client.post(reverse("cases:walk_in", args=[item.pk]), data)


def test_the_walk_in_page_names_each_input_once(client, city, same_named_item):
    import re

    client.force_login(city["clerk"])
    page = client.get(reverse("cases:walk_in", args=[same_named_item.pk])).content.decode()
    names = [
        n
        for n in re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', page)
        if n not in ("paper", "csrfmiddlewaretoken")
    ]  # fmt: skip  (paper: one per material)
    assert len(names) == len(set(names)) and "form.applicant_name" in names


def test_a_walk_in_keeps_the_applicant_apart_from_the_form_field_of_the_same_code(
    client, city, same_named_item
):
    register(client, city, same_named_item)
    case = Case.objects.get()
    assert (case.applicant_name, case.contact_phone) == ("张三", "13900000002")
    assert case.form_data == {"applicant_name": "李四", "phone": "13900000003"}


def test_a_walk_in_with_the_forms_field_empty_keeps_what_was_typed_above(
    client, city, same_named_item
):
    page = register(client, city, same_named_item, **{"form.applicant_name": ""}).content.decode()
    assert "请填写申请人姓名" in page and not Case.objects.exists()
    assert 'name="applicant_name" value="张三"' in page


def test_a_walk_in_with_a_non_ascii_digit_as_paper_material_is_told_what_is_missing(client, city):
    page = register(client, city, city["item"], paper=["²"], **{"form.name": "张三"})
    assert page.status_code == 200 and "缺少材料：申请书" in page.content.decode()
    assert not Case.objects.exists()


def test_a_clerk_who_sees_a_review_task_is_told_who_decides_it_as_the_api_tells(client, city):
    case = services.submit_application(actor=city["citizen"], item=city["item"],
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    client.force_login(city["clerk"])
    client.post(reverse("cases:accept", args=[case.number]))
    task = CaseTask.objects.get(organisation=city["item"].organisation)
    response = client.post(
        reverse("cases:complete", args=[task.pk]), {"decision": "approve"}, follow=True
    )
    assert response.status_code == 200
    assert "该任务应由本部门的审批人员办理" in response.content.decode()
    assert CaseTask.objects.get(pk=task.pk).status == "open"
