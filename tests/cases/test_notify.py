"""Notifications: a site message with each step, and an SMS/email through the configured sender,
sent after the change commits as a background task; a failing sender breaks nothing."""

import logging

import pytest
from django.urls import reverse

from tests.cases.test_flow import uploads_for
from yiwang.cases import approval, services
from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import Case, CaseTask, Notification
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


class RecordingSender:
    """A sender that keeps what it was given (named in settings by its path)."""

    sent: list[dict] = []

    def send(self, *, phone, email, subject, body):
        RecordingSender.sent.append(
            {"phone": phone, "email": email, "subject": subject, "body": body}
        )


class FailingSender:
    """An SMS gateway that is down."""

    def send(self, **message):
        raise ConnectionError("短信网关无响应")


def use_sender(settings, cls) -> None:
    settings.YIWANG = {**settings.YIWANG, "NOTIFY_SENDER": f"{__name__}.{cls.__name__}"}


@pytest.fixture
def sent(settings):
    use_sender(settings, RecordingSender)
    RecordingSender.sent.clear()
    return RecordingSender.sent


@pytest.fixture
def submitted(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                           uploads=uploads_for(city["item"]))  # fmt: skip


def bodies(sent) -> list[str]:
    return [m["body"] for m in sent]


def test_the_applicant_gets_an_sms_when_the_case_is_accepted(
    city, sent, submitted, django_capture_on_commit_callbacks
):
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = services.accept_case(actor=city["clerk"], case=submitted)
    assert sent == [{"phone": "13900000001", "email": "", "subject": f"办件 {case.number}",
                     "body": f"您的办件 {case.number} 已受理，承诺于 {case.due_date} 前办结。"}]  # fmt: skip


def test_the_applicant_gets_an_sms_listing_what_to_correct(
    city, sent, submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_correction(
            actor=city["clerk"], case=submitted, corrections=["申请书未签字", "缺少照片"]
        )
    assert bodies(sent)[-1] == f"您的办件 {submitted.number} 需要补正：申请书未签字；缺少照片"


def test_the_applicant_gets_an_sms_when_the_case_is_finished(
    city, sent, submitted, django_capture_on_commit_callbacks
):
    case = services.accept_case(actor=city["clerk"], case=submitted)
    for key in ("market", "fire", "urban"):
        with django_capture_on_commit_callbacks(execute=True):
            approval.complete_task(actor=city["reviewers"][key], task=CaseTask.objects.get(
                case=case, organisation=city[key]), decision="approve", opinion="")  # fmt: skip
    assert bodies(sent)[-1] == f"您的办件 {case.number} 已办结：准予。"


def test_nothing_is_sent_before_the_change_commits(
    city, sent, submitted, django_capture_on_commit_callbacks
):
    sent.clear()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.accept_case(actor=city["clerk"], case=submitted)
    assert sent == [] and len(pending) == 1


def test_the_site_messages_list_shows_each_step(client, city, submitted):
    services.request_correction(actor=city["clerk"], case=submitted, corrections=["申请书未签字"])
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:mine")).content.decode()
    assert f"您的申请已提交，办件编号 {submitted.number}" in page
    assert f"您的办件 {submitted.number} 需要补正：申请书未签字" in page
    assert "2 条未读" in page


def test_the_applicant_marks_their_messages_read(client, city, submitted):
    client.force_login(city["citizen"])
    client.post(reverse("cases:messages_read"))
    assert not Notification.objects.filter(user=city["citizen"], read_at__isnull=True).exists()
    assert "条未读" not in client.get(reverse("cases:mine")).content.decode()
    assert AuditEvent.objects.get(action="notification.read").after == {"count": 1}


def test_a_failing_sender_does_not_break_the_action_and_the_site_message_stays(
    client, city, settings, submitted, caplog, django_capture_on_commit_callbacks
):
    use_sender(settings, FailingSender)
    client.force_login(city["clerk"])
    with (
        caplog.at_level(logging.ERROR, logger="yiwang.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = client.post(reverse("cases:accept", args=[submitted.number]))
    assert answer.status_code == 302
    assert Case.objects.get().status == CaseStatus.ACCEPTED
    assert Notification.objects.filter(case=submitted, message__contains="已受理").exists()
    assert any("notify failed" in r.getMessage() for r in caplog.records)


def test_a_failing_sender_gives_no_500_through_the_api_either(
    client, city, settings, submitted, django_capture_on_commit_callbacks
):
    use_sender(settings, FailingSender)
    client.force_login(city["clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/api/v1/cases/{submitted.number}/accept", {}, content_type="application/json"
        )
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
