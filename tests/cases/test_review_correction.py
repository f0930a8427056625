"""补正 during review: a department with an open task tells the applicant what to fix, all at once;
the clock stops and nobody decides until the applicant answers; the due dates then move."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.cases.test_api import assert_error, post_json
from tests.cases.test_flow import pdf, uploads_for
from yiwang.cases import approval, services
from yiwang.cases.choices import CaseStatus, TaskStatus
from yiwang.cases.models import Case, CaseTask, ClockStop
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.core.workdays import WorkCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(city):
    case = services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]))  # fmt: skip
    return services.accept_case(actor=city["clerk"], case=case)


def ask(city, case, who="fire"):
    return services.request_review_correction(actor=city["reviewers"][who], case=case,
                                              corrections=["消防平面图缺少疏散通道标注", "补充租赁合同"])  # fmt: skip


def fire_task(city, case) -> CaseTask:
    return CaseTask.objects.get(case=case, organisation=city["fire"])


def test_a_reviewer_asks_for_a_correction_and_the_clock_stops(city, in_review):
    case = ask(city, in_review)
    assert case.status == CaseStatus.ACCEPTED
    assert case.correction_notice == ["消防平面图缺少疏散通道标注", "补充租赁合同"]
    stop = ClockStop.objects.get(case=case)
    assert (stop.kind, stop.organisation, stop.ended_at) == ("correction", city["fire"], None)
    assert AuditEvent.objects.filter(
        action="case.review_correction", target_id=str(case.pk)
    ).exists()


def test_no_department_can_decide_while_the_applicant_corrects(city, in_review):
    ask(city, in_review)
    with pytest.raises(ServiceError) as caught:
        approval.complete_task(actor=city["reviewers"]["market"], task=CaseTask.objects.get(
            case=in_review, organisation=city["market"]), decision="approve", opinion="")  # fmt: skip
    assert caught.value.code == "cases.clock_stopped"
    assert caught.value.message.startswith("补正期间暂停计时")


def test_the_answer_resumes_the_clock_and_moves_the_due_dates_by_the_days_stopped(
    city, in_review, monkeypatch
):
    ask(city, in_review)
    promised = Case.objects.get(pk=in_review.pk).due_date
    started = ClockStop.objects.get().started_at
    a_week_later = timezone.now() + datetime.timedelta(days=7)
    monkeypatch.setattr(timezone, "now", lambda: a_week_later)
    letter = city["item"].materials.get()
    services.submit_correction(actor=city["citizen"], case=in_review, uploads={letter.pk: pdf()})
    case = Case.objects.get(pk=in_review.pk)
    calendar = WorkCalendar()
    stopped = calendar.working_days_between(
        timezone.localdate(started), timezone.localdate(a_week_later)
    )
    assert stopped > 0 and case.due_date == calendar.add_working_days(promised, stopped)
    assert fire_task(city, case).due_date == case.due_date
    assert case.status == CaseStatus.ACCEPTED and ClockStop.objects.get().ended_at is not None


def test_after_the_answer_the_reviewers_decide_again(city, in_review):
    ask(city, in_review)
    services.submit_correction(actor=city["citizen"], case=in_review, form_data={"name": "张三"})
    task = approval.complete_task(actor=city["reviewers"]["fire"], task=fire_task(city, in_review),
                                  decision="approve", opinion="已补正")  # fmt: skip
    assert task.status == TaskStatus.DONE


def test_a_reviewer_of_a_department_not_taking_part_cannot_ask(city, in_review):
    outsider = factories.staff("reviewer", factories.organisation())
    with pytest.raises(NotFound):
        services.request_review_correction(actor=outsider, case=in_review, corrections=["x"])


def test_a_department_whose_task_is_done_cannot_ask(city, in_review):
    approval.complete_task(actor=city["reviewers"]["fire"], task=fire_task(city, in_review),
                           decision="approve", opinion="")  # fmt: skip
    with pytest.raises(PermissionDenied):
        ask(city, in_review)


def test_a_correction_cannot_be_asked_twice_at_once(city, in_review):
    ask(city, in_review)
    with pytest.raises(ServiceError) as caught:
        ask(city, in_review, who="urban")
    assert caught.value.code == "cases.clock_stopped"


def test_a_correction_during_review_names_what_to_fix(city, in_review):
    with pytest.raises(ServiceError) as caught:
        services.request_review_correction(actor=city["reviewers"]["fire"], case=in_review,
                                           corrections=["", "  "])  # fmt: skip
    assert caught.value.code == "validation_failed"
    assert not ClockStop.objects.exists()


def test_the_reviewer_asks_and_the_applicant_answers_through_the_pages(client, city, in_review):
    client.force_login(city["reviewers"]["fire"])
    page = client.get(reverse("cases:detail", args=[in_review.number])).content.decode()
    assert "审查中要求补正" in page
    client.post(reverse("cases:review_correction", args=[in_review.number]),
                {"corrections": "消防平面图缺少疏散通道标注\n补充租赁合同"})  # fmt: skip
    assert ClockStop.objects.get().kind == "correction"
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[in_review.number])).content.decode()
    assert "需要补正" in page and "补充租赁合同" in page
    letter = city["item"].materials.get()
    client.post(reverse("cases:corrected", args=[in_review.number]),
                {"name": "张三", f"material_{letter.pk}": pdf()})  # fmt: skip
    assert ClockStop.objects.get().ended_at is not None


def test_the_api_lets_a_reviewer_ask_for_a_correction(client, city, in_review):
    client.force_login(city["reviewers"]["urban"])
    path = f"/{in_review.number}/review-correction"
    answer = post_json(
        client, path, {"corrections": ["补充租赁合同"]}, "/{number}/review-correction"
    )
    assert answer.status_code == 200
    assert answer.json()["clock_stops"][0]["kind"] == "correction"
    assert answer.json()["correction_notice"] == ["补充租赁合同"]


def test_the_api_refuses_the_applicant_asking_for_a_correction(client, city, in_review):
    client.force_login(city["citizen"])
    answer = post_json(client, f"/{in_review.number}/review-correction", {"corrections": ["x"]},
                       "/{number}/review-correction")  # fmt: skip
    assert_error(answer, 403, "permission_denied")
    assert not ClockStop.objects.exists()


def test_a_second_department_asking_during_a_special_procedure_is_told_what_holds_the_clock(
    city, in_review
):
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=in_review, kind="expert",
                                     reason="需要专家评审", planned_end=timezone.localdate())  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        ask(city, in_review, who="market")
    assert caught.value.code == "cases.clock_stopped"
    assert (
        caught.value.message
        == "办件正在专家评审（江澜市消防救援支队），暂停计时中；结束后才能再暂停计时"
    )
