import datetime

import pytest
from django.utils import timezone

from tests import factories
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.supervision import services
from yiwang.supervision.models import Card
from yiwang.supervision.sweep import sweep_deadlines

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return factories.staff("supervisor", factories.organisation("江澜市政务服务管理办公室"))


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def test_a_supervisor_sends_a_notice_and_the_department_replies(city, supervisor):
    notice = services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明超期原因",
                                  reply_due=tomorrow())  # fmt: skip
    replied = services.reply_notice(
        actor=city["reviewers"]["fire"], notice=notice, reply="已安排专人加快办理"
    )
    assert replied.status == "replied" and replied.replied_by == city["reviewers"]["fire"]
    assert AuditEvent.objects.filter(action="notice.reply", target_id=str(notice.pk)).exists()


def test_only_a_supervisor_sends_notices(city):
    with pytest.raises(PermissionDenied):
        services.send_notice(actor=city["reviewers"]["market"], organisation=city["fire"],
                             message="请说明原因", reply_due=tomorrow())  # fmt: skip


def test_a_notice_with_a_past_deadline_is_refused(city, supervisor):
    with pytest.raises(ServiceError):
        services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                             reply_due=timezone.localdate() - datetime.timedelta(days=1))  # fmt: skip


def test_a_notice_may_give_at_most_thirty_working_days_to_reply(city, supervisor):
    from yiwang.core.workdays import add_working_days

    latest = add_working_days(timezone.localdate(), 30)
    with pytest.raises(ServiceError, match="回复期限最长为 30 个工作日"):
        services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                             reply_due=latest + datetime.timedelta(days=1))  # fmt: skip
    with pytest.raises(ServiceError, match="回复期限最长为 30 个工作日"):
        services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                             reply_due=datetime.date(9999, 12, 31))  # fmt: skip
    notice = services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                                  reply_due=latest)  # fmt: skip
    assert notice.reply_due == latest


def test_another_department_cannot_reply_or_even_see_the_notice(city, supervisor):
    notice = services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                                  reply_due=tomorrow())  # fmt: skip
    with pytest.raises(NotFound):
        services.reply_notice(actor=city["reviewers"]["urban"], notice=notice, reply="与我无关哦")


def test_a_late_reply_escalates_the_notice_to_the_parent_and_cards_it_red(city, supervisor):
    parent = factories.organisation("江澜市人民政府")
    city["fire"].parent = parent
    city["fire"].save()
    notice = services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                                  reply_due=tomorrow())  # fmt: skip
    result = sweep_deadlines(today=tomorrow() + datetime.timedelta(days=1))
    notice.refresh_from_db()
    assert result.notices_overdue == 1
    assert (notice.status, notice.escalated_to) == ("overdue", parent)
    card = Card.objects.get(subject_kind="notice", subject_id=notice.pk)
    assert card.level == "red" and card.status == "open"
    services.reply_notice(
        actor=city["reviewers"]["fire"], notice=notice, reply="迟到的回复，已整改"
    )
    notice.refresh_from_db()
    card.refresh_from_db()
    assert notice.status == "overdue" and card.status == "closed"


def test_a_reply_closes_the_notices_card_and_says_so_in_its_history(city, supervisor):
    parent = factories.organisation("江澜市人民政府")
    city["fire"].parent = parent
    city["fire"].save()
    notice = services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                                  reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=tomorrow() + datetime.timedelta(days=1))
    services.reply_notice(actor=city["reviewers"]["fire"], notice=notice, reply="已说明情况")
    card = Card.objects.get(subject_kind="notice")
    assert list(card.events.values_list("kind", flat=True)) == ["issued", "closed"]


def test_a_notice_about_a_card_must_go_to_the_cards_department(city, supervisor):
    from yiwang.supervision.models import Card as CardModel

    card = CardModel.objects.create(subject_kind="case", subject_id=1, organisation=city["fire"], level="red",
                                    due_date=timezone.localdate(), issued_at=timezone.now())  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        services.send_notice(actor=supervisor, organisation=city["urban"], message="请说明原因",
                             reply_due=tomorrow(), card=card)  # fmt: skip
    assert "责任部门" in caught.value.message


# --- a late 督办 goes up: to the department's parent, or to the supervisors --------------------


@pytest.fixture
def escalated(city, supervisor):
    """A 督办 to the fire brigade, under the city government, left unanswered past its deadline."""
    parent = factories.organisation("江澜市应急管理局")
    city["fire"].parent = parent
    city["fire"].save()
    notice = services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                                  reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=tomorrow() + datetime.timedelta(days=1))
    notice.refresh_from_db()
    return {**city, "notice": notice, "parent": parent,
            "parent_staff": factories.staff("admin", parent)}  # fmt: skip


def test_the_parents_staff_see_the_escalated_notice_but_do_not_answer_it(escalated):
    from yiwang.supervision.models import SupervisionNotice

    staff = escalated["parent_staff"]
    assert SupervisionNotice.objects.restrict(staff).get() == escalated["notice"]
    with pytest.raises(PermissionDenied):
        services.reply_notice(actor=staff, notice=escalated["notice"], reply="替下级回复一下")


def test_the_parents_department_page_lists_the_escalated_notice(client, escalated):
    from django.urls import reverse

    client.force_login(escalated["parent_staff"])
    page = client.get(reverse("supervision:mine")).content.decode()
    assert "升级至本单位的督办" in page and "江澜市消防救援支队" in page and "请说明原因" in page
    assert "逾期未回复" in page


def test_another_department_does_not_see_an_escalated_notice(escalated):
    from yiwang.supervision.models import SupervisionNotice

    other = factories.staff("admin", factories.organisation("江澜市教育局"))
    assert not SupervisionNotice.objects.restrict(other).exists()


def test_a_late_notice_of_a_department_without_a_parent_goes_to_the_supervisors(
    client, city, supervisor
):
    from django.urls import reverse

    notice = services.send_notice(actor=supervisor, organisation=city["urban"], message="请说明原因",
                                  reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=tomorrow() + datetime.timedelta(days=1))
    notice.refresh_from_db()
    assert (notice.status, notice.escalated_to, notice.escalated_to_label) == (
        "overdue",
        None,
        "监察人员",
    )
    assert AuditEvent.objects.get(action="notice.escalate").after["to"] == "监察人员"
    client.force_login(supervisor)
    page = client.get(reverse("supervision:board")).content.decode()
    assert "已升级至监察人员" in page


def test_the_escalation_of_a_notice_about_a_case_shows_in_its_timeline(city, supervisor):
    from tests.cases.test_flow import uploads_for
    from yiwang.cases import services as cases

    case = cases.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads=uploads_for(city["item"]))  # fmt: skip
    cases.accept_case(actor=city["clerk"], case=case)
    services.send_notice(actor=supervisor, organisation=city["urban"], case=case,
                         message="请加快现场核查", reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=tomorrow() + datetime.timedelta(days=1))
    assert case.events.filter(kind="notice", message__contains="已升级至监察人员").exists()


def test_the_parents_staff_get_a_message_not_an_error_when_they_try_to_reply(client, escalated):
    from django.urls import reverse

    client.force_login(escalated["parent_staff"])
    answer = client.post(reverse("supervision:notice_reply", args=[escalated["notice"].pk]),
                         {"reply": "替下级回复一下"}, follow=True)  # fmt: skip
    assert "只有被督办部门的工作人员可以回复" in answer.content.decode()
    escalated["notice"].refresh_from_db()
    assert escalated["notice"].replied_at is None
