"""The case page: the process diagram with the current tasks highlighted, a 特别程序's planned end
and its overrun; items no longer taking applications."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import approval, selectors, services, texts
from yiwang.cases.models import CaseTask, ClockStop
from yiwang.core.errors import ServiceError
from yiwang.services import services as item_services
from yiwang.services.models import ServiceItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(city):
    case = services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]))  # fmt: skip
    return services.accept_case(actor=city["clerk"], case=case)


def page_of(client, user, case) -> str:
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.number])).content.decode()


# --- the diagram ------------------------------------------------------------------------


def test_after_acceptance_the_review_node_is_highlighted(client, city, accepted):
    page = page_of(client, city["citizen"], accepted)
    assert 'data-highlight="review"' in page and 'data-highlight-class="bpmn-current"' in page


def test_after_the_case_ends_nothing_is_highlighted(client, city, accepted):
    for key in ("market", "fire", "urban"):
        task = CaseTask.objects.get(case=accepted, organisation=city[key])
        approval.complete_task(
            actor=city["reviewers"][key], task=task, decision="approve", opinion=""
        )
    page = page_of(client, city["citizen"], accepted)
    assert 'data-highlight=""' in page and "审批流程" in page


# --- 特别程序 ------------------------------------------------------------------------------


def start_inspection(city, case, planned_end):
    return approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="inspection",
                                            reason="需要现场核查消防通道", planned_end=planned_end)  # fmt: skip


def test_the_case_page_shows_the_planned_end_of_a_special_procedure(client, city, accepted):
    planned = timezone.localdate() + datetime.timedelta(days=5)
    start_inspection(city, accepted, planned)
    page = page_of(client, city["citizen"], accepted)
    assert f"预计 {planned:%Y-%m-%d} 结束" in page and "已超过预计结束日期" not in page


def test_an_overrun_special_procedure_is_flagged_on_the_case_page(client, city, accepted):
    start_inspection(city, accepted, timezone.localdate())
    ClockStop.objects.update(planned_end=timezone.localdate() - datetime.timedelta(days=2))
    assert "已超过预计结束日期" in page_of(client, city["reviewers"]["fire"], accepted)


def test_only_the_department_that_started_a_special_procedure_is_offered_to_end_it(
    client, city, accepted
):
    start_inspection(city, accepted, timezone.localdate())
    end_action = reverse("cases:special_end", args=[accepted.number])
    assert end_action in page_of(client, city["reviewers"]["fire"], accepted)
    other = page_of(client, city["reviewers"]["market"], accepted)
    assert end_action not in other
    assert "江澜市消防救援支队启动的特别程序进行中，期间暂停计时" in other


def test_overrun_special_procedures_lists_the_running_ones_past_their_planned_end(city, accepted):
    start_inspection(city, accepted, timezone.localdate())
    today = timezone.localdate()
    assert list(selectors.overrun_special_procedures(today)) == []
    [overrun] = selectors.overrun_special_procedures(today + datetime.timedelta(days=1))
    assert (overrun.case, overrun.organisation) == (accepted, city["fire"])


def test_an_ended_special_procedure_is_no_longer_overrun(city, accepted):
    start_inspection(city, accepted, timezone.localdate())
    approval.end_special_procedure(actor=city["reviewers"]["fire"], case=accepted)
    assert not selectors.overrun_special_procedures(
        timezone.localdate() + datetime.timedelta(days=9)
    )


def test_a_correction_is_never_an_overrun_special_procedure(city, accepted):
    services.request_review_correction(
        actor=city["reviewers"]["fire"], case=accepted, corrections=["补材料"]
    )
    ClockStop.objects.update(planned_end=timezone.localdate() - datetime.timedelta(days=2))
    assert not selectors.overrun_special_procedures()


# --- an item no longer taking applications --------------------------------------------------


def test_a_suspended_item_refuses_applications(city):
    item_services.suspend_item(
        actor=factories.superuser(), item=city["item"], reason="法规修订，暂停受理"
    )
    city["item"].refresh_from_db()
    with pytest.raises(ServiceError) as caught:
        services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads=uploads_for(city["item"]))  # fmt: skip
    assert caught.value.code == "cases.item_closed"


def test_a_suspended_item_has_no_apply_page(client, city):
    item_services.suspend_item(
        actor=factories.superuser(), item=city["item"], reason="法规修订，暂停受理"
    )
    client.force_login(city["citizen"])
    assert client.get(reverse("cases:apply", args=[city["item"].pk])).status_code == 404


def test_a_suspended_item_cannot_be_registered_at_the_window(city):
    item_services.suspend_item(
        actor=factories.superuser(), item=city["item"], reason="法规修订，暂停受理"
    )
    city["item"].refresh_from_db()
    with pytest.raises(ServiceError) as caught:
        services.register_walk_in(actor=city["clerk"], item=city["item"], applicant_kind="person",
                                  applicant_name="李四", applicant_code=factories.ric(), form_data={"name": "李四"})  # fmt: skip
    assert caught.value.code == "cases.item_closed"


# --- the applicant's personal data ---------------------------------------------------------

PERSONAL_FORM = [
    {"code": "name", "label": "申请人姓名", "type": "text", "required": True, "prefill": "applicant.name"},
    {"code": "id_number", "label": "公民身份号码", "type": "ric", "required": True},
    {"code": "mobile", "label": "手机号码", "type": "phone", "required": True},
]  # fmt: skip


@pytest.fixture
def personal_case(city):
    item = factories.service_item(city["market"], form_definition=PERSONAL_FORM)
    form = {"name": "张三", "id_number": city["citizen"].id_number, "mobile": "13871616650"}
    return services.submit_application(
        actor=city["citizen"], item=item, form_data=form, uploads=uploads_for(item)
    )


def test_staff_read_the_applicants_form_and_name_masked_on_the_case_page(
    client, city, personal_case
):
    page = page_of(client, city["clerk"], personal_case)
    code = city["citizen"].id_number
    assert code not in page and "13871616650" not in page and "张三" not in page
    assert f"<dd>{code[:6]}********{code[-4:]}</dd>" in page and "<dd>138****6650</dd>" in page


@pytest.mark.parametrize("who", ["clerk", "reviewer", "supervisor", "applicant"])
def test_the_case_page_shows_the_form_as_the_api_answers_the_same_viewer(
    client, city, personal_case, who
):
    user = {"clerk": city["clerk"], "reviewer": city["reviewers"]["market"], "applicant": city["citizen"],
            "supervisor": factories.staff("supervisor", factories.organisation())}[who]  # fmt: skip
    page = page_of(client, user, personal_case)
    answer = client.get(f"/api/v1/cases/{personal_case.number}").json()["form_data"]
    assert [f"<dd>{answer[f['code']]}</dd>" in page for f in PERSONAL_FORM] == [True] * 3
    assert ("13871616650" in page) == (who == "applicant")


# --- 特别程序 reason ---------------------------------------------------------------------------


def test_a_special_procedure_reason_over_the_limit_is_refused_with_a_message(
    client, city, accepted
):
    client.force_login(city["reviewers"]["fire"])
    answer = client.post(reverse("cases:special", args=[accepted.number]), {
        "kind": "inspection", "reason": "X" * (texts.SPECIAL_REASON_MAX + 1),
        "planned_end": timezone.localdate().isoformat()}, follow=True)  # fmt: skip
    assert "特别程序原因不能超过 1000 字" in answer.content.decode()
    assert not ClockStop.objects.exists()


def test_a_special_procedure_reason_of_the_limit_is_taken(city, accepted):
    start_inspection(city, accepted, timezone.localdate())  # the short reason, then the longest
    approval.end_special_procedure(actor=city["reviewers"]["fire"], case=accepted)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=accepted, kind="expert",
                                     reason="X" * texts.SPECIAL_REASON_MAX,
                                     planned_end=timezone.localdate())  # fmt: skip
    assert ClockStop.objects.filter(ended_at__isnull=True).get().reason == "X" * 1000


def test_a_field_the_items_form_no_longer_has_is_hidden_from_staff(client, city, personal_case):
    ServiceItem.objects.filter(pk=personal_case.item_id).update(form_definition=PERSONAL_FORM[:1])
    client.force_login(city["clerk"])
    staff = client.get(f"/api/v1/cases/{personal_case.number}").json()["form_data"]
    assert staff["id_number"] == staff["mobile"] == "***" and staff["name"] == "张*"
    client.force_login(city["citizen"])
    own = client.get(f"/api/v1/cases/{personal_case.number}").json()["form_data"]
    assert own["mobile"] == "13871616650"


def test_the_window_list_masks_the_applicants_name(client, city, personal_case):
    client.force_login(city["clerk"])
    page = client.get("/cases/window/").content.decode()
    assert personal_case.number in page and "张三" not in page and "张*" in page


def test_a_refused_correction_shows_again_what_the_applicant_typed_with_the_error(
    client, city, personal_case
):
    services.request_correction(
        actor=city["clerk"], case=personal_case, corrections=["手机号码有误"]
    )
    client.force_login(city["citizen"])
    typed = {"name": "张三丰", "id_number": city["citizen"].id_number, "mobile": "1387161"}
    page = client.post(reverse("cases:corrected", args=[personal_case.number]), typed,
                       follow=True).content.decode()  # fmt: skip
    assert 'value="张三丰"' in page and 'value="1387161"' in page
    assert '<div class="error" role="alert">手机号码：' in page
    again = page_of(client, city["citizen"], personal_case)  # shown once: then the stored form
    assert 'value="张三丰"' not in again and 'value="13871616650"' in again


# --- 撤回 on the page, as in the API ---------------------------------------------------


def test_the_applicant_withdraws_the_case_on_its_page(client, city, accepted):
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[accepted.number])).content.decode()
    assert "撤回申请" in page
    response = client.post(reverse("cases:withdraw", args=[accepted.number]),
                           {"reason": "不再经营"}, follow=True)  # fmt: skip
    assert "申请已撤回" in response.content.decode()
    accepted.refresh_from_db()
    assert (accepted.status, accepted.outcome_note) == ("withdrawn", "不再经营")
    assert not CaseTask.objects.filter(case=accepted, status="open").exists()


def test_staff_are_not_offered_the_withdrawal_and_cannot_post_it(client, city, accepted):
    client.force_login(city["clerk"])
    page = client.get(reverse("cases:detail", args=[accepted.number])).content.decode()
    assert "撤回申请" not in page
    client.post(reverse("cases:withdraw", args=[accepted.number]), {"reason": "代为撤回"})
    accepted.refresh_from_db()
    assert accepted.status == "accepted"
