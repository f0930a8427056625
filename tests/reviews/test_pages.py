"""The 好差评 pages: rating on the case page, rectifications, confirmation, public satisfaction."""

import re

import pytest
from django.urls import reverse

from tests import factories
from yiwang.reviews import services
from yiwang.reviews.models import Rating, Rectification

pytestmark = pytest.mark.django_db


def rate_url(case):
    return reverse("reviews:rate", args=[case.number])


def test_the_applicant_of_a_finished_case_sees_the_rating_form(client, city, finished):
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert "评价本次服务" in page and "非常不满意" in page
    assert "服务态度" in page and "办事效率" in page and "匿名评价" in page


def test_no_rating_form_for_an_application_withdrawn_before_anyone_served_it(client, city):
    from tests.cases.test_flow import uploads_for
    from yiwang.cases import services as case_services

    case = case_services.submit_application(actor=city["citizen"], item=city["item"],
                                            form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    case_services.withdraw_case(actor=city["citizen"], case=case, reason="填错了事项")
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "评价本次服务" not in page


def test_the_rating_form_states_the_configured_rectification_deadline(
    client, city, finished, settings
):
    settings.YIWANG = {**settings.YIWANG, "RECTIFY_DAYS": 3}
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert "部门须在 3 个工作日内整改并回复您" in page


def test_staff_do_not_get_the_rating_form(client, city, finished):
    client.force_login(city["clerk"])
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert "评价本次服务" not in page


def test_the_applicant_rates_with_dimensions_anonymously(client, city, finished):
    client.force_login(city["citizen"])
    answer = client.post(rate_url(finished), {"level": "4", "dim_attitude": "5", "dim_efficiency": "3",
                                              "dim_guide": "", "comment": "窗口很耐心", "anonymous": "on"})  # fmt: skip
    assert answer.status_code == 302
    rating = Rating.objects.get()
    assert (rating.level, rating.anonymous, rating.channel) == (4, True, "online")
    assert rating.dimensions == {"attitude": 5, "efficiency": 3}
    page = client.get(answer["Location"]).content.decode()
    assert "满意（匿名）" in page and "评价本次服务" not in page


def test_a_bad_rating_without_a_reason_is_refused_with_the_services_message(client, city, finished):
    client.force_login(city["citizen"])
    answer = client.post(rate_url(finished), {"level": "1", "comment": ""}, follow=True)
    assert "差评请写明不满意的原因" in answer.content.decode()
    assert not Rating.objects.exists()


def test_a_rating_with_an_unknown_level_or_dimension_is_refused(client, city, finished):
    client.force_login(city["citizen"])
    answer = client.post(rate_url(finished), {"level": "9"}, follow=True)
    assert "评价等级无效" in answer.content.decode()
    answer = client.post(rate_url(finished), {"level": "5", "dim_attitude": "7"}, follow=True)
    assert "服务态度的评价无效" in answer.content.decode()
    assert not Rating.objects.exists()


def test_a_second_rating_is_refused(client, city, finished):
    client.force_login(city["citizen"])
    client.post(rate_url(finished), {"level": "5"})
    answer = client.post(rate_url(finished), {"level": "1", "comment": "改主意了"}, follow=True)
    assert "该办件已通过此渠道评价" in answer.content.decode()
    assert Rating.objects.get().level == 5


def test_a_stranger_cannot_rate_the_case(client, city, finished):
    client.force_login(factories.user(id_number=factories.ric()))
    assert client.post(rate_url(finished), {"level": "1", "comment": "捣乱"}).status_code == 404
    assert not Rating.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_to_rate(client, finished):
    answer = client.post(rate_url(finished), {"level": "5"})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


@pytest.fixture
def bad(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=1, comment="白跑一趟")
    return {**city, "case": finished, "rectification": rating.rectification}


def test_the_department_sees_and_answers_its_rectification(client, bad):
    client.force_login(bad["clerk"])
    page = client.get(reverse("reviews:rectifications")).content.decode()
    assert bad["case"].number in page and "白跑一趟" in page and "张三（实名）" in page
    answer = client.post(reverse("reviews:reply", args=[bad["rectification"].pk]),
                         {"kind": "explained", "reply": "已电话说明受理范围并致歉"})  # fmt: skip
    assert answer.status_code == 302
    rectification = Rectification.objects.get()
    assert (rectification.status, rectification.reply_kind) == ("replied", "explained")


def test_a_reply_without_a_kind_or_text_is_refused(client, bad):
    client.force_login(bad["clerk"])
    url = reverse("reviews:reply", args=[bad["rectification"].pk])
    answer = client.post(url, {"kind": "", "reply": "已电话说明"}, follow=True)
    assert "请选择整改方式" in answer.content.decode()
    answer = client.post(url, {"kind": "fixed", "reply": "好"}, follow=True)
    assert "请写明整改情况" in answer.content.decode()
    assert Rectification.objects.get().status == "open"


def test_another_department_gets_not_found_for_the_rectification(client, bad):
    other = factories.staff("clerk", factories.organisation("江澜市教育局"))
    client.force_login(other)
    assert bad["case"].number not in client.get(reverse("reviews:rectifications")).content.decode()
    answer = client.post(reverse("reviews:reply", args=[bad["rectification"].pk]),
                         {"kind": "fixed", "reply": "冒名回复内容"})  # fmt: skip
    assert answer.status_code == 404 and Rectification.objects.get().status == "open"


def test_an_anonymous_rating_does_not_show_the_name_to_the_department(client, city, finished):
    services.rate_case(
        actor=city["citizen"], case=finished, level=2, comment="太慢", anonymous=True
    )
    client.force_login(city["clerk"])
    page = client.get(reverse("reviews:rectifications")).content.decode()
    assert "匿名" in page and "张三（实名）" not in page


def test_a_citizen_has_no_rectification_list(client, city):
    client.force_login(city["citizen"])
    assert client.get(reverse("reviews:rectifications")).status_code == 403


def test_the_applicant_confirms_the_answer_on_the_case_page(client, bad):
    services.reply_rectification(actor=bad["clerk"], rectification=bad["rectification"], kind="fixed",
                                 reply="已优化窗口指引")  # fmt: skip
    client.force_login(bad["citizen"])
    page = client.get(reverse("cases:detail", args=[bad["case"].number])).content.decode()
    assert "已回复，待申请人确认" in page and "已优化窗口指引" in page and "确认整改结果" in page
    client.post(reverse("reviews:confirm", args=[bad["rectification"].pk]), {"satisfied": "1"})
    assert Rectification.objects.get().status == "confirmed"


def test_a_contest_needs_a_reason_and_reopens_the_rectification(client, bad):
    services.reply_rectification(actor=bad["clerk"], rectification=bad["rectification"], kind="fixed",
                                 reply="已优化窗口指引")  # fmt: skip
    client.force_login(bad["citizen"])
    url = reverse("reviews:confirm", args=[bad["rectification"].pk])
    answer = client.post(url, {"satisfied": "0", "note": ""}, follow=True)
    assert "请写明异议" in answer.content.decode()
    client.post(url, {"satisfied": "0", "note": "问题没有解决"})
    assert Rectification.objects.get().status == "contested"


def test_confirming_before_the_department_answers_is_refused(client, bad):
    client.force_login(bad["citizen"])
    url = reverse("reviews:confirm", args=[bad["rectification"].pk])
    answer = client.post(url, {"satisfied": "1"}, follow=True)
    assert "部门尚未回复" in answer.content.decode()
    assert client.post(url, {"satisfied": "maybe"}).status_code == 302
    assert Rectification.objects.get().status == "open"


def test_someone_else_cannot_confirm(client, bad):
    client.force_login(factories.user(id_number=factories.ric()))
    url = reverse("reviews:confirm", args=[bad["rectification"].pk])
    assert client.post(url, {"satisfied": "1"}).status_code == 404


def test_the_public_page_shows_aggregates_without_login_and_never_single_ratings(client, bad):
    page = client.get(reverse("reviews:satisfaction")).content.decode()
    assert "江澜市市场监督管理局" in page and "食品经营许可（新办）" in page
    assert "评价不足 3 条" in page  # one rating: no rate shown yet
    assert "白跑一趟" not in page and "张三" not in page


def test_the_public_page_shows_rates_once_there_are_enough_ratings(client, city):
    from tests.cases.test_flow import uploads_for
    from yiwang.cases import services as cases

    for level in (5, 4, 1):
        case = cases.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                        uploads=uploads_for(city["item"]))  # fmt: skip
        cases.refuse_case(actor=city["clerk"], case=case, reason="不属于受理范围")
        services.rate_case(actor=city["citizen"], case=case, level=level, comment="原因说明")
    page = client.get(reverse("reviews:satisfaction"), {"days": "90"}).content.decode()
    assert "66.7%" in page and "原因说明" not in page  # as the KPI dashboard shows it
    assert client.get(reverse("reviews:satisfaction"), {"days": "abc"}).status_code == 200


def test_a_late_rectification_is_marked_and_carded_on_the_department_pages(client, bad):
    import datetime

    from django.utils import timezone

    from yiwang.supervision.sweep import sweep_deadlines

    past = timezone.localdate() - datetime.timedelta(days=1)
    Rectification.objects.update(due_date=past)  # the deadline has passed
    sweep_deadlines()
    client.force_login(bad["clerk"])
    page = client.get(reverse("reviews:rectifications")).content.decode()
    assert "已逾期" in page and "late-box" in page
    page = client.get(reverse("supervision:mine")).content.decode()
    assert "差评整改" in page and bad["case"].number in page and "card-red" in page


def code_in_messages(citizen):
    from yiwang.cases.models import Notification

    note = Notification.objects.filter(user=citizen, message__contains="评价码").first()
    return re.search(r"评价码为 (\d{6})", note.message).group(1)


def test_after_window_service_the_applicant_rates_on_the_window_device_with_their_code(
    client, city, finished
):
    client.force_login(city["clerk"])
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert "窗口评价器" in page and "向申请人发送评价码" in page and "提交窗口评价" not in page
    client.post(reverse("reviews:send_code", args=[finished.number]))
    code = code_in_messages(city["citizen"])
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert "提交窗口评价" in page and code not in page  # the clerk never sees the code
    answer = client.post(rate_url(finished), {"channel": "window", "window-level": "5",
                                              "window-code": code})  # fmt: skip
    assert answer.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.rater) == ("window", 5, None)
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert "提交窗口评价" not in page and "服务评价（窗口评价器）" in page  # one per channel


def test_the_applicant_sees_the_window_code_on_the_case_page(client, city, finished):
    services.send_rating_code(actor=city["clerk"], case=finished)
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert "窗口评价码" in page and code_in_messages(city["citizen"]) in page


def test_a_clerk_without_the_code_is_refused_at_the_window_device(client, city, finished):
    client.force_login(city["clerk"])
    client.post(reverse("reviews:send_code", args=[finished.number]))
    answer = client.post(
        rate_url(finished), {"channel": "window", "window-level": "5"}, follow=True
    )
    assert "请申请人输入评价码" in answer.content.decode()
    answer = client.post(rate_url(finished), {"channel": "window", "window-level": "5",
                                              "window-code": "12ab56"}, follow=True)  # fmt: skip
    assert "评价码应为 6 位数字" in answer.content.decode()
    wrong = f"{(int(code_in_messages(city['citizen'])) + 1) % 10**6:06d}"
    answer = client.post(rate_url(finished), {"channel": "window", "window-level": "5",
                                              "window-code": wrong}, follow=True)  # fmt: skip
    assert "评价码不正确" in answer.content.decode() and not Rating.objects.exists()


def test_the_window_device_takes_a_code_typed_in_fullwidth_digits(client, city, finished):
    client.force_login(city["clerk"])
    client.post(reverse("reviews:send_code", args=[finished.number]))
    fullwidth = code_in_messages(city["citizen"]).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    answer = client.post(rate_url(finished), {"channel": "window", "window-level": "5",
                                              "window-code": fullwidth})  # fmt: skip
    assert answer.status_code == 302 and Rating.objects.get().channel == "window"


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "²²²²²²", "𝟏𝟐𝟑𝟒𝟓𝟔"])
def test_a_code_in_other_digits_is_refused_as_not_six_digits(client, city, finished, typed):
    client.force_login(city["clerk"])
    client.post(reverse("reviews:send_code", args=[finished.number]))
    answer = client.post(rate_url(finished), {"channel": "window", "window-level": "5",
                                              "window-code": typed}, follow=True)  # fmt: skip
    assert answer.status_code == 200 and "评价码应为 6 位数字" in answer.content.decode()
    assert not Rating.objects.exists()


def test_the_window_device_is_not_offered_before_the_window_served_anyone(client, city):
    from tests.cases.test_flow import uploads_for
    from yiwang.cases import services as cases

    case = cases.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads=uploads_for(city["item"]))  # fmt: skip
    client.force_login(city["clerk"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "窗口评价器" not in page
    answer = client.post(reverse("reviews:send_code", args=[case.number]), follow=True)
    assert "窗口服务尚未发生" in answer.content.decode()
    answer = client.post(rate_url(case), {"channel": "window", "window-level": "5",
                                          "window-code": "123456"}, follow=True)  # fmt: skip
    assert "窗口服务尚未发生" in answer.content.decode() and not Rating.objects.exists()


def test_the_applicant_confirms_a_window_ratings_rectification_on_the_case_page(
    client, city, finished
):
    services.send_rating_code(actor=city["clerk"], case=finished)
    rating = services.rate_case(actor=city["clerk"], case=finished, level=1, channel="window",
                                comment="窗口态度差", code=code_in_messages(city["citizen"]))  # fmt: skip
    services.reply_rectification(actor=city["clerk"], rectification=rating.rectification,
                                 kind="fixed", reply="已对窗口人员批评教育")  # fmt: skip
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[finished.number])).content.decode()
    assert (
        "服务评价（窗口评价器）" in page
        and "已对窗口人员批评教育" in page
        and "确认整改结果" in page
    )
    client.post(reverse("reviews:confirm", args=[rating.rectification.pk]), {"satisfied": "1"})
    assert Rectification.objects.get().status == "confirmed"


# --- anonymous ratings: the department does not learn who gave them ----------------------------


@pytest.fixture
def anonymous(city, finished):
    rating = services.rate_case(actor=city["citizen"], case=finished, level=1, comment="等太久",
                                anonymous=True)  # fmt: skip
    return {**city, "case": finished, "rectification": rating.rectification}


def test_the_department_sees_an_anonymous_rectification_without_the_case_or_applicant(
    client, anonymous
):
    client.force_login(anonymous["clerk"])
    page = client.get(reverse("reviews:rectifications")).content.decode()
    assert "等太久" in page and "匿名评价" in page
    assert anonymous["case"].number not in page and "张三" not in page


def test_a_supervisor_follows_every_rectification_with_the_case_and_applicant(client, anonymous):
    supervisor = factories.staff("supervisor", factories.organisation("江澜市政务服务管理办公室"))
    client.force_login(supervisor)
    page = client.get(reverse("reviews:rectifications")).content.decode()
    assert anonymous["case"].number in page and "张三" in page and "等太久" in page
    assert "提交整改回复" not in page  # supervisors follow; the department answers


def test_the_department_does_not_see_an_anonymous_rating_on_the_case_page(client, anonymous):
    client.force_login(anonymous["clerk"])
    page = client.get(reverse("cases:detail", args=[anonymous["case"].number])).content.decode()
    assert "等太久" not in page and "服务评价" not in page
    client.force_login(anonymous["citizen"])
    page = client.get(reverse("cases:detail", args=[anonymous["case"].number])).content.decode()
    assert "等太久" in page and "非常不满意（匿名）" in page


def test_the_public_page_shows_rates_to_a_tenth_of_a_percent_like_the_dashboard(
    client, monkeypatch
):
    from yiwang.reviews import selectors

    row = {"name": "江澜市市场监督管理局", "ratings": 200, "satisfaction_rate": 0.995,
           "rectifications": 1, "rectification_rate": 0.0, "enough": True}  # fmt: skip
    monkeypatch.setattr(selectors, "public_satisfaction", lambda start, end: {
        "departments": [row], "items": [],
    })  # fmt: skip
    page = client.get(reverse("reviews:satisfaction")).content.decode()
    assert "99.5%" in page and "100%" not in page  # one of 200 was not satisfied
