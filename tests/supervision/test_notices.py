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
