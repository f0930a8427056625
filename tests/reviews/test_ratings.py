import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import services as case_services
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.workdays import add_working_days
from yiwang.reviews import services
from yiwang.reviews.models import Rectification
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
