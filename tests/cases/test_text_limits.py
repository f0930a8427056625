"""Free text on a case is limited in the services, so a page refuses what the API refuses:
one character over each limit is refused with a Chinese message and changes nothing; the
limit itself is taken."""

import pytest
from django.urls import reverse

from tests import factories
from tests.cases.test_flow import _accepted, _submit
from yiwang.cases import approval, services, texts
from yiwang.cases.choices import CaseStatus, TaskStatus
from yiwang.cases.models import Case, CaseTask
from yiwang.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def _task(city):
    return CaseTask.objects.get(case=_accepted(city), organisation=city["fire"])


ACTIONS = {
    "受理意见": (texts.ACCEPT_OPINION_MAX, lambda city, text: services.accept_case(
        actor=city["clerk"], case=_submit(city), opinion=text)),
    "补正说明": (texts.CORRECTION_MESSAGE_MAX, lambda city, text: services.request_correction(
        actor=city["clerk"], case=_submit(city), corrections=["申请书未签字"], message=text)),
    "每项补正内容": (texts.CORRECTION_ITEM_MAX, lambda city, text: services.request_correction(
        actor=city["clerk"], case=_submit(city), corrections=[text])),
    "不予受理理由": (texts.REFUSAL_REASON_MAX, lambda city, text: services.refuse_case(
        actor=city["clerk"], case=_submit(city), reason=text)),
    "撤回原因": (texts.WITHDRAW_REASON_MAX, lambda city, text: services.withdraw_case(
        actor=city["citizen"], case=_submit(city), reason=text)),
    "审查意见": (texts.REVIEW_OPINION_MAX, lambda city, text: approval.complete_task(
        actor=city["reviewers"]["fire"], task=_task(city), decision="approve", opinion=text)),
}  # fmt: skip


@pytest.mark.parametrize("what", ACTIONS)
def test_one_character_over_the_limit_is_refused_naming_the_text_and_the_limit(city, what):
    limit, act = ACTIONS[what]
    with pytest.raises(ServiceError) as caught:
        act(city, "长" * (limit + 1))
    assert caught.value.code == "validation_failed"
    assert caught.value.message == f"{what}不能超过 {limit} 字，请精简后再提交"


@pytest.mark.parametrize("what", ACTIONS)
def test_a_text_of_the_limit_is_taken(city, what):
    limit, act = ACTIONS[what]
    act(city, "长" * limit)


def test_more_correction_items_than_the_limit_are_refused_and_the_case_stays(city):
    case = _submit(city)
    with pytest.raises(ServiceError, match=f"最多 {texts.CORRECTION_ITEMS_MAX} 项"):
        services.request_correction(actor=city["clerk"], case=case,
                                    corrections=["补正"] * (texts.CORRECTION_ITEMS_MAX + 1))  # fmt: skip
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_an_overlong_review_opinion_posted_on_the_page_leaves_the_task_open(client, city):
    task = _task(city)
    client.force_login(city["reviewers"]["fire"])
    response = client.post(reverse("cases:complete", args=[task.pk]), {
        "decision": "approve", "opinion": "长" * (texts.REVIEW_OPINION_MAX + 1)}, follow=True)  # fmt: skip
    assert "审查意见不能超过 2000 字" in response.content.decode()
    assert CaseTask.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_the_special_procedure_result_is_limited(city):
    case = _accepted(city)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="inspection",
                                     reason="现场核查经营场所", planned_end=case.due_date)  # fmt: skip
    with pytest.raises(ServiceError, match="特别程序结果不能超过"):
        approval.end_special_procedure(actor=city["reviewers"]["fire"], case=case,
                                       result="长" * (texts.SPECIAL_RESULT_MAX + 1))  # fmt: skip
    approval.end_special_procedure(actor=city["reviewers"]["fire"], case=case,
                                   result="长" * texts.SPECIAL_RESULT_MAX)  # fmt: skip


# --- who applies, as the window registers them -----------------------------------------


def _walk_in_page(client, city, **fields):
    item = city["item"]
    client.force_login(city["clerk"])
    return client.post(reverse("cases:walk_in", args=[item.pk]), {
        "applicant_kind": "person", "applicant_name": "李四", "applicant_code": factories.ric(),
        "form.name": "李四", "paper": [str(m.pk) for m in item.materials.all()], **fields,
    }, follow=True)  # fmt: skip


def test_a_walk_in_name_longer_than_the_case_holds_is_refused_on_the_page(client, city):
    response = _walk_in_page(client, city, applicant_name="李" * (texts.APPLICANT_NAME_MAX + 1))
    assert "申请人姓名或名称不能超过 200 字" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("phone", ["1" * 30, "0999-12345", "abc"])
def test_a_walk_in_contact_phone_that_is_no_mobile_number_is_refused_on_the_page(
    client, city, phone
):
    response = _walk_in_page(client, city, phone=phone)
    assert "联系电话：手机号码应为 11 位" in response.content.decode()
    assert not Case.objects.exists()


def test_an_online_application_with_a_contact_phone_that_is_no_mobile_number_is_refused(city):
    with pytest.raises(ServiceError, match="联系电话：手机号码应为 11 位"):
        services.submit_application(actor=city["citizen"], item=city["item"],
                                    form_data={"name": "张三"}, phone="abc")  # fmt: skip
    assert not Case.objects.exists()


def test_a_walk_in_with_a_mobile_number_keeps_it(client, city):
    _walk_in_page(client, city, phone="13900000002")
    assert Case.objects.get().contact_phone == "13900000002"


# PostgreSQL text and JSONB cannot hold NUL: a text carrying one would be a 500 there.
@pytest.mark.parametrize("what", ACTIONS)
def test_a_text_with_a_nul_character_is_refused_naming_the_text(city, what):
    _limit, act = ACTIONS[what]
    with pytest.raises(ServiceError) as caught:
        act(city, "申请书\x00未签字")
    assert caught.value.message == f"{what}含有不允许的字符（NUL）"


def test_a_walk_in_name_with_a_nul_character_is_refused_on_the_page(client, city):
    response = _walk_in_page(client, city, applicant_name="李四\x00")
    assert "申请人姓名或名称含有不允许的字符（NUL）" in response.content.decode()
    assert not Case.objects.exists()
