"""A late 督办 is told, not only filed: when the sweep escalates it, the organisation it goes up
to (the parent's 部门负责人, else all its staff; or the supervisors) and the department that did not reply get a site
message and an SMS/email, once; a late reply is told to the same people."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import services as cases
from yiwang.cases.models import Notification
from yiwang.cases.notify import ConsoleSender
from yiwang.supervision import services
from yiwang.supervision.sweep import sweep_deadlines

pytestmark = pytest.mark.django_db

PUBLIC = "http://127.0.0.1:8000"


@pytest.fixture
def supervisor():
    return factories.staff(
        "supervisor", factories.organisation("江澜市政务服务管理办公室"), phone="13900000020"
    )


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def after_the_deadline():
    return tomorrow() + datetime.timedelta(days=1)


def told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


@pytest.fixture
def under_parent(city, settings):
    """The fire brigade under the emergency bureau, whose admin and reviewer have phones/emails."""
    settings.YIWANG = {**settings.YIWANG, "PUBLIC_URL": PUBLIC}
    parent = factories.organisation("江澜市应急管理局")
    city["fire"].parent = parent
    city["fire"].save()
    staff = [
        factories.staff("admin", parent, phone="13900000011"),
        factories.staff("reviewer", parent, email="shenpi@yjj.example.cn"),
    ]
    return {**city, "parent": parent, "parent_staff": staff}


@pytest.fixture
def accepted_case(city):
    case = cases.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads=uploads_for(city["item"]))  # fmt: skip
    return cases.accept_case(actor=city["clerk"], case=case)


def test_the_parents_staff_are_told_which_case_department_and_deadline_and_where_to_look(
    under_parent, supervisor, accepted_case
):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], case=accepted_case,
                         message="请说明现场核查超期原因", reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    expected = (
        f"督办逾期未回复：江澜市消防救援支队未在回复期限 {tomorrow()} 前回复"
        f"办件 {accepted_case.number} 的督办「请说明现场核查超期原因」，已升级至本单位"
        "（江澜市应急管理局）并亮红牌。请督促其回复并办理，详见「本部门警示与督办」页面 "
        f"{PUBLIC}/supervision/mine/"
    )
    for staff in under_parent["parent_staff"]:
        assert told(staff) == [expected]


def test_the_department_that_did_not_reply_is_told_it_was_escalated_to_its_parent(
    under_parent, supervisor, accepted_case
):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], case=accepted_case,
                         message="请说明现场核查超期原因", reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    assert told(under_parent["reviewers"]["fire"]) == [
        f"江澜市消防救援支队收到的办件 {accepted_case.number} 的督办「请说明现场核查超期原因」"
        f"已过回复期限 {tomorrow()} 仍未回复，已升级至江澜市应急管理局并亮红牌。"
        f"请尽快在「本部门警示与督办」页面回复 {PUBLIC}/supervision/mine/"
    ]


def test_no_one_outside_the_parent_and_the_department_is_told(under_parent, supervisor):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    told_users = set(Notification.objects.values_list("user", flat=True))
    assert told_users == {u.pk for u in under_parent["parent_staff"]} | {
        under_parent["reviewers"]["fire"].pk
    }
    assert not told(supervisor) and not told(under_parent["reviewers"]["urban"])


def test_a_parent_with_a_head_tells_its_heads_and_not_all_its_staff(under_parent, supervisor):
    head = factories.staff("head", under_parent["parent"], phone="13900000012")
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    assert told(head) and told(head)[0].endswith(f"{PUBLIC}/supervision/mine/")
    assert not any(told(staff) for staff in under_parent["parent_staff"])
    assert told(under_parent["reviewers"]["fire"])  # the department that must still reply


def test_a_head_of_the_late_department_is_told_with_its_staff(under_parent, supervisor):
    head = factories.staff("head", under_parent["fire"])
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    assert told(head) == told(under_parent["reviewers"]["fire"]) != []


def test_an_inactive_head_leaves_the_escalation_to_all_the_parent_s_staff(under_parent, supervisor):
    factories.staff("head", under_parent["parent"], is_active=False)
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    assert all(told(staff) for staff in under_parent["parent_staff"])


def test_the_supervisors_are_told_when_the_department_has_no_parent(city, supervisor, settings):
    settings.YIWANG = {**settings.YIWANG, "PUBLIC_URL": PUBLIC}
    colleague = factories.staff("supervisor", factories.organisation("江澜市纪委监委派驻组"))
    factories.staff("supervisor", factories.organisation("江澜市审计局"), is_active=False)
    services.send_notice(actor=supervisor, organisation=city["urban"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    expected = (
        f"督办逾期未回复：江澜市城市管理局未在回复期限 {tomorrow()} 前回复督办「请说明原因」，"
        f"该部门没有上级单位，已升级至监察人员并亮红牌。详见「监察看板」页面 {PUBLIC}/supervision/"
    )
    assert told(supervisor) == [expected] and told(colleague) == [expected]
    assert told(city["reviewers"]["urban"]) == [
        f"江澜市城市管理局收到的督办「请说明原因」已过回复期限 {tomorrow()} 仍未回复，"
        f"已升级至监察人员并亮红牌。请尽快在「本部门警示与督办」页面回复 {PUBLIC}/supervision/mine/"
    ]
    assert Notification.objects.count() == 3  # not the inactive supervisor, not other departments


def test_a_second_sweep_does_not_tell_anyone_again(under_parent, supervisor):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    first = Notification.objects.count()
    sweep_deadlines(today=after_the_deadline() + datetime.timedelta(days=1), full=True)
    assert first == 3 and Notification.objects.count() == first


def test_a_notice_answered_in_time_sends_no_message(under_parent, supervisor):
    notice = services.send_notice(actor=supervisor, organisation=under_parent["fire"],
                                  message="请说明原因", reply_due=tomorrow())  # fmt: skip
    services.reply_notice(
        actor=under_parent["reviewers"]["fire"], notice=notice, reply="已安排专人加快办理"
    )
    sweep_deadlines(today=after_the_deadline())
    assert not Notification.objects.exists()


def test_a_parent_without_staff_still_takes_the_notice_and_the_department_is_told(city, supervisor):
    city["fire"].parent = factories.organisation("江澜市应急管理局")
    city["fire"].save()
    notice = services.send_notice(actor=supervisor, organisation=city["fire"], message="请说明原因",
                                  reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    notice.refresh_from_db()
    assert notice.status == "overdue" and notice.escalated_to == city["fire"].parent
    assert list(Notification.objects.values_list("user", flat=True)) == [
        city["reviewers"]["fire"].pk
    ]


# --- the SMS/email goes out through the sender, after the sweep commits -----------------------


def test_the_sms_and_email_reach_the_console_sender_once_the_sweep_commits(
    under_parent, supervisor, django_capture_on_commit_callbacks
):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    ConsoleSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines(today=after_the_deadline())
    admin, reviewer = under_parent["parent_staff"]
    addressed = {(m["phone"], m["email"], m["subject"]) for m in ConsoleSender.sent}
    assert addressed == {
        ("13900000011", "", "督办逾期未回复：江澜市消防救援支队"),
        ("", "shenpi@yjj.example.cn", "督办逾期未回复：江澜市消防救援支队"),
    }  # the fire reviewer has neither phone nor email: the site message only
    assert [m["body"] for m in ConsoleSender.sent] == told(admin) * 2 == told(reviewer) * 2


def test_nothing_is_sent_before_the_sweep_commits(
    under_parent, supervisor, django_capture_on_commit_callbacks
):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    ConsoleSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        sweep_deadlines(today=after_the_deadline())
    assert ConsoleSender.sent == [] and len(pending) == 2


def test_a_second_sweep_sends_no_second_sms(
    under_parent, supervisor, django_capture_on_commit_callbacks
):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines(today=after_the_deadline())
    ConsoleSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True) as second:
        sweep_deadlines(today=after_the_deadline() + datetime.timedelta(days=1), full=True)
    assert second == [] and ConsoleSender.sent == []


# --- a late reply is told to whom the notice went up ----------------------------------------


def test_a_late_reply_tells_the_parents_staff_that_the_department_has_now_replied(
    under_parent, supervisor, django_capture_on_commit_callbacks
):
    notice = services.send_notice(actor=supervisor, organisation=under_parent["fire"],
                                  message="请说明原因", reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    ConsoleSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        replied = services.reply_notice(
            actor=under_parent["reviewers"]["fire"], notice=notice, reply="迟到的回复，已整改"
        )
    assert replied.status == "overdue" and replied.replied_at is not None
    expected = (
        "江澜市消防救援支队已在逾期后回复督办「请说明原因」：迟到的回复，已整改。"
        f"详见「本部门警示与督办」页面 {PUBLIC}/supervision/mine/"
    )
    for staff in under_parent["parent_staff"]:
        assert told(staff)[0] == expected  # newest first
    assert {m["subject"] for m in ConsoleSender.sent} == {"逾期督办已回复：江澜市消防救援支队"}
    assert len(told(under_parent["reviewers"]["fire"])) == 1  # the escalation only


def test_a_late_reply_to_a_notice_escalated_to_the_supervisors_tells_them(city, supervisor):
    notice = services.send_notice(actor=supervisor, organisation=city["urban"], message="请说明原因",
                                  reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    services.reply_notice(actor=city["reviewers"]["urban"], notice=notice, reply="已完成现场核查")
    assert (
        told(supervisor)[0] == "江澜市城市管理局已在逾期后回复督办「请说明原因」：已完成现场核查。"
    )


def test_a_long_notice_is_shortened_in_the_message(under_parent, supervisor):
    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请" * 100,
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    assert f"「{'请' * 39}…」" in told(under_parent["reviewers"]["fire"])[0]


def test_the_parents_staff_find_the_message_with_a_link_to_their_department_page(
    client, under_parent, supervisor
):
    from django.urls import reverse

    services.send_notice(actor=supervisor, organisation=under_parent["fire"], message="请说明原因",
                         reply_due=tomorrow())  # fmt: skip
    sweep_deadlines(today=after_the_deadline())
    client.force_login(under_parent["parent_staff"][0])
    page = client.get(reverse("cases:mine")).content.decode()
    assert "督办逾期未回复：江澜市消防救援支队" in page and "1 条未读" in page
    assert f'<a href="{PUBLIC}/supervision/mine/"' in page
