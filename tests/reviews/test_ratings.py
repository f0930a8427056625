import datetime
import re

import pytest
from django.utils import timezone

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import services as case_services
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.core.workdays import add_working_days
from yiwang.reviews import services
from yiwang.reviews.models import Rating, RatingCode, Rectification
from yiwang.supervision.models import Card
from yiwang.supervision.sweep import sweep_deadlines

pytestmark = pytest.mark.django_db


def test_a_good_rating_is_recorded_without_a_rectification(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=5, comment="很快")
    assert rating.get_level_display() == "非常满意" and rating.organisation == city["market"]
    assert not Rectification.objects.exists()


def test_a_bad_rating_opens_a_rectification_due_in_five_working_days(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=1, comment="窗口态度差")
    rectification = rating.rectification
    assert rectification.organisation == city["market"] and rectification.status == "open"
    assert rectification.due_date == add_working_days(timezone.localdate(rating.created_at), 5)


def test_a_bad_rating_without_a_reason_is_refused(city, finished):
    with pytest.raises(ServiceError):
        services.rate_case(actor=city["citizen"], case=finished, level=2, comment="")


def test_one_rating_per_case_and_channel(city, finished):
    services.rate_case(actor=city["citizen"], case=finished, level=4)
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["citizen"], case=finished, level=5)
    assert caught.value.code == "reviews.already_rated"
    assert (
        services.rate_case(actor=city["citizen"], case=finished, level=5, channel="sms").level == 5
    )


def test_an_open_case_cannot_be_rated_online_yet(city):
    case = case_services.submit_application(actor=city["citizen"], item=city["item"],
                                            form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["citizen"], case=case, level=5)
    assert caught.value.code == "reviews.too_early"


def test_an_application_withdrawn_before_anyone_served_it_cannot_be_rated(city):
    case = case_services.submit_application(actor=city["citizen"], item=city["item"],
                                            form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    case_services.withdraw_case(actor=city["citizen"], case=case, reason="填错了事项")
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["citizen"], case=case, level=1, comment="我自己撤回的")
    assert caught.value.code == "reviews.not_served" and "撤回" in caught.value.message
    assert not Rectification.objects.exists()


def test_an_application_withdrawn_after_the_window_accepted_it_can_be_rated(city):
    case = case_services.submit_application(actor=city["citizen"], item=city["item"],
                                            form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    case_services.accept_case(actor=city["clerk"], case=case)
    case_services.withdraw_case(actor=city["citizen"], case=case, reason="等得太久")
    rating = services.rate_case(actor=city["citizen"], case=case, level=2, comment="审查太慢")
    assert rating.rectification.status == "open"


def test_someone_else_cannot_rate_the_case(city, finished):
    with pytest.raises(NotFound):
        services.rate_case(
            actor=factories.user(id_number=factories.ric()), case=finished, level=1, comment="捣乱"
        )
    with pytest.raises(PermissionDenied):
        services.rate_case(actor=city["reviewers"]["fire"], case=finished, level=1, comment="自评")


def test_an_anonymous_rating_keeps_the_flag(city, finished):
    assert services.rate_case(
        actor=city["citizen"], case=finished, level=3, anonymous=True
    ).anonymous


def test_the_rectification_loop_completes_when_the_applicant_confirms(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=2, comment="等了很久")
    fixed = services.reply_rectification(actor=city["clerk"], rectification=rating.rectification,
                                         kind="fixed", reply="已增设窗口，缩短等候时间")  # fmt: skip
    assert fixed.status == "replied"
    done = services.confirm_rectification(
        actor=city["citizen"], rectification=fixed, satisfied=True
    )
    assert done.status == "confirmed" and done.closed_at is not None


def test_a_contested_rectification_goes_back_to_the_department(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=1, comment="理由不成立")
    replied = services.reply_rectification(actor=city["clerk"], rectification=rating.rectification,
                                           kind="explained", reply="依法不予受理，已说明依据")  # fmt: skip
    contested = services.confirm_rectification(actor=city["citizen"], rectification=replied,
                                               satisfied=False, note="说明不清楚")  # fmt: skip
    assert contested.status == "contested"
    again = services.reply_rectification(actor=city["clerk"], rectification=contested, kind="explained",
                                         reply="已电话沟通并书面说明")  # fmt: skip
    assert again.status == "replied"


def test_another_department_cannot_answer_a_rectification(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=1, comment="服务很差")
    with pytest.raises(NotFound):
        services.reply_rectification(actor=city["reviewers"]["urban"], rectification=rating.rectification,
                                     kind="fixed", reply="不是我们的事")  # fmt: skip


def test_a_late_rectification_gets_a_red_card_closed_by_the_answer(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=1, comment="服务很差")
    due = rating.rectification.due_date
    assert sweep_deadlines(today=due + datetime.timedelta(days=1)).rectifications_late == 1
    card = Card.objects.get(subject_kind="rectification")
    assert (card.level, card.status, card.organisation) == ("red", "open", city["market"])
    services.reply_rectification(actor=city["clerk"], rectification=rating.rectification, kind="fixed",
                                 reply="已整改完毕")  # fmt: skip
    card.refresh_from_db()
    assert card.status == "closed" and card.level == "red"


def test_a_contested_rectification_that_runs_late_again_gets_its_card_back_with_the_new_deadline(
    city, finished
):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=1, comment="服务很差")
    first_due = rating.rectification.due_date
    sweep_deadlines(today=first_due + datetime.timedelta(days=1))
    replied = services.reply_rectification(actor=city["clerk"], rectification=rating.rectification,
                                           kind="explained", reply="已书面说明依据")  # fmt: skip
    contested = services.confirm_rectification(actor=city["citizen"], rectification=replied,
                                               satisfied=False, note="仍不认可")  # fmt: skip
    sweep_deadlines(today=contested.due_date + datetime.timedelta(days=1))
    card = Card.objects.get(subject_kind="rectification")
    assert card.status == "open" and card.due_date == contested.due_date
    assert list(card.events.values_list("kind", flat=True)) == ["issued", "closed", "reissued"]


# --- the window's rating device needs the applicant's one-time code (评价码) -------------------


def code_sent_to(citizen, case) -> str:
    """The code as the applicant reads it in their site message."""
    from yiwang.cases.models import Notification

    message = Notification.objects.filter(
        user=citizen, case=case, message__contains="评价码"
    ).first()
    return re.search(r"评价码为 (\d{6})", message.message).group(1)


def walk_in(city, phone="13900000002"):
    """An application registered at the window for someone without an account: still submitted."""
    return case_services.register_walk_in(
        actor=city["clerk"], item=city["item"], applicant_kind="person", applicant_name="李四",
        applicant_code=factories.ric(), form_data={"name": "李四"}, phone=phone,
        paper_materials=[m.pk for m in city["item"].materials.all()],
    )  # fmt: skip


def test_the_clerk_cannot_give_the_window_rating_without_the_applicants_code(city):
    case = walk_in(city)
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["clerk"], case=case, level=5, channel="window")
    assert caught.value.code == "reviews.code_required"
    services.send_rating_code(actor=city["clerk"], case=case)
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["clerk"], case=case, level=5, channel="window", code="")
    assert caught.value.code == "reviews.wrong_code" and not Rating.objects.exists()


def test_the_code_goes_to_the_applicant_by_sms_and_the_device_takes_it(
    city, django_capture_on_commit_callbacks
):
    from yiwang.cases.notify import ConsoleSender

    case = walk_in(city, phone="13900000077")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_rating_code(actor=city["clerk"], case=case)
    sms = [m for m in ConsoleSender.sent if m["phone"] == "13900000077" and "评价码" in m["body"]]
    code = re.search(r"评价码为 (\d{6})", sms[-1]["body"]).group(1)
    rating = services.rate_case(
        actor=city["clerk"], case=case, level=5, channel="window", code=code
    )
    assert (rating.channel, rating.level, rating.rater) == ("window", 5, None)
    assert RatingCode.objects.get(case=case).used_at is not None


def test_the_code_never_shows_in_the_audit_log(city, finished):
    services.send_rating_code(actor=city["clerk"], case=finished)
    code = code_sent_to(city["citizen"], finished)
    assert not AuditEvent.objects.filter(after__icontains=code).exists()


def test_a_code_rates_once(city, finished):
    services.send_rating_code(actor=city["clerk"], case=finished)
    code = code_sent_to(city["citizen"], finished)
    services.rate_case(actor=city["clerk"], case=finished, level=4, channel="window", code=code)
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["clerk"], case=finished, level=5, channel="window", code=code)
    assert caught.value.code == "reviews.code_expired"


def test_wrong_codes_are_counted_though_refused_and_five_void_the_code(city, finished):
    services.send_rating_code(actor=city["clerk"], case=finished)
    code = code_sent_to(city["citizen"], finished)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(services.MAX_CODE_FAILURES):
        with pytest.raises(ServiceError) as caught:
            services.rate_case(
                actor=city["clerk"], case=finished, level=5, channel="window", code=wrong
            )
        assert caught.value.code == "reviews.wrong_code"
    assert RatingCode.objects.get().failures == services.MAX_CODE_FAILURES
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["clerk"], case=finished, level=5, channel="window", code=code)
    assert caught.value.code == "reviews.code_expired" and not Rating.objects.exists()


def test_a_code_that_is_not_ascii_is_a_wrong_code_and_counted(city, finished):
    services.send_rating_code(actor=city["clerk"], case=finished)
    with pytest.raises(ServiceError) as caught:
        services.rate_case(
            actor=city["clerk"], case=finished, level=5, channel="window", code="١٢٣٤٥٦"
        )
    assert caught.value.code == "reviews.wrong_code"
    assert RatingCode.objects.get().failures == 1


def test_a_code_expires_after_a_day(city, finished, time_machine):
    services.send_rating_code(actor=city["clerk"], case=finished)
    code = code_sent_to(city["citizen"], finished)
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=25))
    with pytest.raises(ServiceError) as caught:
        services.rate_case(actor=city["clerk"], case=finished, level=5, channel="window", code=code)
    assert caught.value.code == "reviews.code_expired"


def test_sending_again_replaces_the_code_at_most_three_times(city, finished):
    for _ in range(services.MAX_CODE_SENDS):
        services.send_rating_code(actor=city["clerk"], case=finished)
    with pytest.raises(ServiceError) as caught:
        services.send_rating_code(actor=city["clerk"], case=finished)
    assert caught.value.code == "reviews.code_limit"


def online_application(city):
    return case_services.submit_application(actor=city["citizen"], item=city["item"],
                                            form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip


def test_no_code_before_the_window_served_the_applicant(city):
    online = online_application(city)
    with pytest.raises(ServiceError) as caught:
        services.send_rating_code(actor=city["clerk"], case=online)
    assert caught.value.code == "reviews.too_early"


def test_no_code_for_an_online_application_withdrawn_before_the_window_saw_it(city):
    online = online_application(city)
    case_services.withdraw_case(actor=city["citizen"], case=online, reason="填错了事项")
    with pytest.raises(ServiceError) as caught:
        services.send_rating_code(actor=city["clerk"], case=online)
    assert caught.value.code == "reviews.too_early"


def test_a_code_for_an_application_withdrawn_after_a_correction_was_asked(city):
    online = online_application(city)
    case_services.request_correction(actor=city["clerk"], case=online, corrections=["申请书未签字"])
    case_services.withdraw_case(actor=city["citizen"], case=online)
    assert services.send_rating_code(actor=city["clerk"], case=online).code


def test_only_the_window_sends_a_code(city, finished):
    with pytest.raises(PermissionDenied):
        services.send_rating_code(actor=city["reviewers"]["market"], case=finished)
    stranger = factories.staff("clerk", factories.organisation("江澜市教育局"))
    with pytest.raises(NotFound):
        services.send_rating_code(actor=stranger, case=finished)


def test_a_code_cannot_be_sent_to_someone_the_platform_cannot_reach(city):
    with pytest.raises(ServiceError) as caught:
        services.send_rating_code(actor=city["clerk"], case=walk_in(city, phone=""))
    assert caught.value.code == "reviews.no_contact"


def test_a_code_goes_to_the_agent_of_a_company_registered_at_the_window_without_a_phone(city):
    from tests.cases.test_visibility import company_walk_in

    case = company_walk_in(city)
    assert not case.contact_phone
    services.send_rating_code(actor=city["clerk"], case=case)
    assert code_sent_to(city["citizen"], case)


def test_a_code_goes_to_the_real_name_account_of_a_person_registered_at_the_window_without_a_phone(
    city,
):
    case = case_services.register_walk_in(
        actor=city["clerk"], item=city["item"], applicant_kind="person", applicant_name="张三",
        applicant_code=city["citizen"].id_number, form_data={"name": "张三"}, phone="",
        paper_materials=[m.pk for m in city["item"].materials.all()],
    )  # fmt: skip
    services.send_rating_code(actor=city["clerk"], case=case)
    assert code_sent_to(city["citizen"], case)


# --- a window rating's rectification is the applicant's to confirm ------------------------------


def test_the_applicant_confirms_the_rectification_of_a_window_rating(city, finished):
    services.send_rating_code(actor=city["clerk"], case=finished)
    rating = services.rate_case(actor=city["clerk"], case=finished, level=1, channel="window",
                                comment="窗口态度差", code=code_sent_to(city["citizen"], finished))  # fmt: skip
    assert rating.rater is None
    assert (
        Rectification.objects.restrict(city["citizen"]).filter(pk=rating.rectification.pk).exists()
    )
    replied = services.reply_rectification(actor=city["clerk"], rectification=rating.rectification,
                                           kind="fixed", reply="已对窗口人员批评教育")  # fmt: skip
    done = services.confirm_rectification(
        actor=city["citizen"], rectification=replied, satisfied=True
    )
    assert done.status == "confirmed"


def test_a_stranger_does_not_see_the_window_ratings_rectification(city, finished):
    services.send_rating_code(actor=city["clerk"], case=finished)
    services.rate_case(actor=city["clerk"], case=finished, level=1, channel="window",
                       comment="窗口态度差", code=code_sent_to(city["citizen"], finished))  # fmt: skip
    stranger = factories.user(id_number=factories.ric())
    assert not Rectification.objects.restrict(stranger).exists()


def test_an_anonymous_rating_leaves_no_trace_in_the_case_timeline(city, finished):
    services.rate_case(
        actor=city["citizen"], case=finished, level=2, comment="太慢", anonymous=True
    )
    assert not finished.events.filter(kind="rating").exists()
    services.rate_case(actor=city["citizen"], case=finished, level=4, channel="sms")
    assert finished.events.filter(kind="rating").count() == 1
