"""The supervision pages: the board, 督办, a department's view, the KPI dashboard, 周通报."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import services as cases
from yiwang.supervision import services
from yiwang.supervision.models import Card, DailyStats, SupervisionNotice, WeeklyReport
from yiwang.supervision.sweep import sweep_deadlines

pytestmark = pytest.mark.django_db


def later(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def supervisor():
    return factories.staff("supervisor", factories.organisation("江澜市政务服务管理办公室"))


@pytest.fixture
def late(city):
    """An accepted case of the market regulator swept a month later: red cards on it."""
    case = cases.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads=uploads_for(city["item"]))  # fmt: skip
    cases.accept_case(actor=city["clerk"], case=case)
    sweep_deadlines(today=later(30))
    return {**city, "case": case, "card": Card.objects.get(subject_kind="case")}


def test_anonymous_users_are_sent_to_log_in_from_every_staff_page(client):
    for name in ("board", "mine", "dashboard", "reports", "notice_new"):
        answer = client.get(reverse(f"supervision:{name}"))
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"], name


def test_the_board_shows_open_cards_by_department_and_item_and_the_red_ones(
    client, late, supervisor
):
    client.force_login(supervisor)
    page = client.get(reverse("supervision:board")).content.decode()
    assert "江澜市市场监督管理局" in page and "食品经营许可（新办）" in page
    assert late["case"].number in page and f"?card={late['card'].pk}" in page
    assert 'id="card-trend-data"' in page and "echarts.min.js" in page


def test_the_board_is_only_for_supervisors(client, late):
    client.force_login(late["reviewers"]["market"])
    assert client.get(reverse("supervision:board")).status_code == 403


def test_a_supervisor_sends_a_notice_about_a_red_card(client, late, supervisor):
    client.force_login(supervisor)
    url = f"{reverse('supervision:notice_new')}?card={late['card'].pk}"
    assert "江澜市市场监督管理局" in client.get(url).content.decode()
    answer = client.post(url, {"card": late["card"].pk, "organisation": late["market"].pk,
                               "message": "请说明超期原因并加快办理", "reply_due": later(3)})  # fmt: skip
    assert answer.status_code == 302
    notice = SupervisionNotice.objects.get()
    assert (notice.organisation, notice.card, notice.case) == (
        late["market"],
        late["card"],
        late["case"],
    )


def test_a_notice_with_a_past_deadline_or_no_message_is_refused_with_reasons(
    client, late, supervisor
):
    client.force_login(supervisor)
    url = reverse("supervision:notice_new")
    page = client.post(url, {"card": late["card"].pk, "organisation": late["market"].pk,
                             "message": "", "reply_due": later(-1)}).content.decode()  # fmt: skip
    assert "请写明督办事项" in page and "回复期限不能早于今天" in page
    page = client.post(url, {"card": late["card"].pk, "organisation": late["market"].pk,
                             "message": "请说明", "reply_due": "明天"}).content.decode()  # fmt: skip
    assert "回复期限应为日期" in page
    assert not SupervisionNotice.objects.exists()


def test_a_notice_with_a_deadline_too_far_ahead_is_refused_on_the_form(client, late, supervisor):
    client.force_login(supervisor)
    url = f"{reverse('supervision:notice_new')}?card={late['card'].pk}"
    answer = client.post(url, {"card": late["card"].pk, "organisation": late["market"].pk,
                               "message": "请说明超期原因", "reply_due": "9999-12-31"})  # fmt: skip
    assert answer.status_code == 200 and "回复期限最长为 30 个工作日" in answer.content.decode()
    assert not SupervisionNotice.objects.exists()


def test_a_notice_cannot_be_sent_to_a_department_other_than_the_cards(client, late, supervisor):
    client.force_login(supervisor)
    page = client.post(reverse("supervision:notice_new"), {
        "card": late["card"].pk, "organisation": late["fire"].pk, "message": "请说明超期原因",
        "reply_due": later(3)})  # fmt: skip
    assert page.status_code == 200 and not SupervisionNotice.objects.exists()


def test_a_notice_about_an_unknown_card_is_not_found(client, supervisor):
    client.force_login(supervisor)
    assert client.get(f"{reverse('supervision:notice_new')}?card=999999").status_code == 404
    assert client.get(reverse("supervision:notice_new")).status_code == 404


def test_a_supervisor_presses_a_department_from_the_case_page(client, late, supervisor):
    client.force_login(supervisor)
    url = f"{reverse('supervision:notice_new')}?case={late['case'].number}"
    page = client.get(url).content.decode()
    assert "江澜市消防救援支队" in page  # every department taking part may be pressed
    client.post(url, {"case": late["case"].number, "organisation": late["fire"].pk,
                      "message": "请加快现场核查", "reply_due": later(2)})  # fmt: skip
    assert SupervisionNotice.objects.get().organisation == late["fire"]


def test_the_department_sees_its_own_cards_and_replies_to_its_notice(client, late, supervisor):
    notice = services.send_notice(actor=supervisor, card=late["card"], organisation=late["market"],
                                  message="请说明超期原因", reply_due=later(2))  # fmt: skip
    client.force_login(late["reviewers"]["market"])
    page = client.get(reverse("supervision:mine")).content.decode()
    assert late["case"].number in page and "请说明超期原因" in page
    answer = client.post(reverse("supervision:notice_reply", args=[notice.pk]),
                         {"reply": "已安排专人加快办理"})  # fmt: skip
    assert answer.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "replied" and notice.reply == "已安排专人加快办理"


def test_a_too_short_reply_is_refused_with_a_message(client, late, supervisor):
    notice = services.send_notice(actor=supervisor, organisation=late["market"],
                                  message="请说明超期原因", reply_due=later(2))  # fmt: skip
    client.force_login(late["reviewers"]["market"])
    answer = client.post(
        reverse("supervision:notice_reply", args=[notice.pk]), {"reply": "好"}, follow=True
    )
    assert "请写明办理情况" in answer.content.decode()
    assert SupervisionNotice.objects.get().replied_at is None


def test_another_department_neither_sees_nor_answers_the_notice(client, late, supervisor):
    notice = services.send_notice(actor=supervisor, organisation=late["market"],
                                  message="请说明超期原因", reply_due=later(2))  # fmt: skip
    other = factories.staff("reviewer", factories.organisation("江澜市教育局"))
    client.force_login(other)
    page = client.get(reverse("supervision:mine")).content.decode()
    assert "请说明超期原因" not in page and late["case"].number not in page
    answer = client.post(
        reverse("supervision:notice_reply", args=[notice.pk]), {"reply": "冒名回复内容"}
    )
    assert answer.status_code == 404
    assert SupervisionNotice.objects.get().replied_at is None


def test_a_late_notice_is_marked_on_the_department_page(client, late, supervisor):
    services.send_notice(actor=supervisor, organisation=late["market"], message="请说明超期原因",
                         reply_due=timezone.localdate())  # fmt: skip
    sweep_deadlines(today=later(5))
    client.force_login(late["clerk"])
    page = client.get(reverse("supervision:mine")).content.decode()
    assert "逾期未回复（已升级）" in page and "late-notice" in page


def test_a_citizen_has_no_department_page(client, city):
    client.force_login(city["citizen"])
    assert client.get(reverse("supervision:mine")).status_code == 403
    assert client.get(reverse("supervision:dashboard")).status_code == 403


def test_the_dashboard_shows_kpis_of_the_period_from_the_daily_aggregates(
    client, activity, supervisor
):
    from yiwang.supervision import kpi

    kpi.refresh_daily(timezone.localdate(), timezone.localdate())
    client.force_login(supervisor)
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "江澜市市场监督管理局" in page and "按时办结率" in page and "承诺时限压缩比" in page
    assert "75.0%" in page  # promised 5 of statutory 20 working days
    assert 'id="kpi-data"' in page and "重新统计本期间" in page
    assert "预警率为其中亮过警示牌（黄牌或红牌）的比例" in page
    assert f"现有日统计最晚至 {timezone.localdate():%Y-%m-%d}" in page


def test_the_dashboard_by_item_and_filtered_by_department(client, activity, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:dashboard")
    page = client.get(url, {"by": "item", "organisation": activity["market"].pk}).content.decode()
    assert "食品经营许可（新办）" in page


def test_the_dashboard_refuses_a_reversed_or_too_long_period(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:dashboard")
    page = client.get(url, {"start": "2026-05-01", "end": "2026-04-01"}).content.decode()
    assert "开始日期不能晚于结束日期" in page
    page = client.get(url, {"start": "2020-01-01", "end": "2026-04-01"}).content.decode()
    assert "统计期间最长 366 天" in page
    assert client.get(url, {"start": "昨天"}).status_code == 200


def test_the_dashboard_refuses_a_period_outside_the_platforms_years(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:dashboard")
    for period in (
        {"end": "0001-01-01"},
        {"start": "1999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-03"},
    ):
        answer = client.get(url, period)
        assert (
            answer.status_code == 200 and "统计期间不能早于 2000-01-01" in answer.content.decode()
        )
    for period in ({"start": "9999-12-30", "end": "9999-12-31"}, {"end": later(32)}):
        answer = client.get(url, period)
        assert (
            answer.status_code == 200 and f"统计期间不能晚于 {later(31)}" in answer.content.decode()
        )
    assert "不能" not in client.get(url, {"start": "2000-01-01", "end": later(31)}).content.decode()


def test_the_default_period_of_an_early_end_starts_no_earlier_than_2000(client, supervisor):
    client.force_login(supervisor)
    answer = client.get(reverse("supervision:dashboard"), {"end": "2000-01-05"})
    assert answer.status_code == 200 and answer.context["start"] == datetime.date(2000, 1, 1)


def test_a_department_sees_only_its_own_figures_on_the_dashboard(client, activity):
    from yiwang.supervision import kpi

    kpi.refresh_daily(timezone.localdate(), timezone.localdate())
    client.force_login(activity["reviewers"]["fire"])
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "江澜市市场监督管理局" not in page and "重新统计本期间" not in page
    answer = client.get(reverse("supervision:dashboard"), {"organisation": activity["market"].pk})
    assert "江澜市市场监督管理局" not in answer.content.decode()  # not a choice: refused


def test_the_dashboard_table_downloads_as_xlsx(client, activity, supervisor):
    import io

    from openpyxl import load_workbook

    from yiwang.supervision import kpi

    kpi.refresh_daily(timezone.localdate(), timezone.localdate())
    client.force_login(supervisor)
    answer = client.get(reverse("supervision:dashboard"), {"format": "xlsx"})
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("部门", "收件", "受理")
    assert any(r[0] == "江澜市市场监督管理局" for r in rows[1:])


def test_a_supervisor_refreshes_the_daily_aggregates_of_the_period(client, activity, supervisor):
    client.force_login(supervisor)
    today = timezone.localdate()
    answer = client.post(reverse("supervision:dashboard_refresh"), {"start": today, "end": today})
    assert answer.status_code == 302 and f"start={today}" in answer["Location"]
    assert DailyStats.objects.filter(day=today).exists()


def test_a_refresh_of_a_department_filtered_dashboard_refreshes_and_keeps_the_filter(
    client, activity, supervisor
):
    client.force_login(supervisor)
    today, market = timezone.localdate(), activity["market"].pk
    answer = client.post(reverse("supervision:dashboard_refresh"),
                         {"start": today, "end": today, "organisation": market, "by": "item"})  # fmt: skip
    assert answer.status_code == 302 and f"organisation={market}" in answer["Location"]
    assert DailyStats.objects.filter(day=today).exists()


def test_a_refresh_of_a_period_outside_the_platforms_years_is_refused(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:dashboard_refresh")
    for period, reason in (({"start": "0001-01-01", "end": "0001-01-03"}, "统计期间不能早于 2000-01-01"),
                           ({"start": "9999-12-30", "end": "9999-12-31"}, "统计期间不能晚于")):  # fmt: skip
        answer = client.post(url, period, follow=True)
        assert answer.status_code == 200 and reason in answer.content.decode()
    assert not DailyStats.objects.exists()


def test_a_refresh_with_a_bad_date_or_department_says_which_field_is_wrong(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:dashboard_refresh")
    today = f"{timezone.localdate():%Y-%m-%d}"
    for sent, reason in (({"start": "2026-02-30", "end": today}, "开始日期："),
                         ({"start": today, "end": today, "organisation": "999999"}, "部门：")):  # fmt: skip
        page = client.post(url, sent, follow=True).content.decode()
        assert reason in page and "统计期间无效" not in page
    assert not DailyStats.objects.exists()


def test_a_department_cannot_refresh_the_aggregates(client, activity):
    client.force_login(activity["reviewers"]["fire"])
    today = timezone.localdate()
    answer = client.post(reverse("supervision:dashboard_refresh"), {"start": today, "end": today})
    assert answer.status_code == 403 and not DailyStats.objects.exists()


def test_a_supervisor_builds_a_weekly_report_and_staff_download_it(
    client, activity, supervisor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(supervisor)
    answer = client.post(reverse("supervision:report_build"), {"day": timezone.localdate()})
    report = WeeklyReport.objects.get()
    assert answer.status_code == 302 and report.week_start.weekday() == 0
    page = client.get(answer["Location"]).content.decode()
    assert "江澜市市场监督管理局" in page and "综合得分" in page
    client.force_login(activity["reviewers"]["fire"])
    assert (
        report.week_start.strftime("%Y-%m-%d")
        in client.get(reverse("supervision:reports")).content.decode()
    )
    for kind, start in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        download = client.get(reverse("supervision:report_file", args=[report.pk, kind]))
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(
            start
        )
    assert (
        client.get(reverse("supervision:report_file", args=[report.pk, "exe"])).status_code == 404
    )


def test_a_report_for_a_future_week_or_without_a_day_is_refused(client, supervisor):
    client.force_login(supervisor)
    answer = client.post(reverse("supervision:report_build"), {"day": later(14)}, follow=True)
    assert "不能为尚未开始的一周生成通报" in answer.content.decode()
    answer = client.post(reverse("supervision:report_build"), {"day": ""}, follow=True)
    assert "请选择通报周" in answer.content.decode()
    assert not WeeklyReport.objects.exists()


def test_a_report_for_a_week_before_2000_is_refused(client, supervisor):
    client.force_login(supervisor)
    for day in ("0001-01-01", "1900-01-01", "1999-12-31"):
        answer = client.post(reverse("supervision:report_build"), {"day": day}, follow=True)
        assert "通报周不能早于 2000-01-01" in answer.content.decode(), day
    assert not WeeklyReport.objects.exists()


def test_only_supervisors_build_reports_and_citizens_do_not_see_them(client, city):
    client.force_login(city["reviewers"]["market"])
    assert client.post(reverse("supervision:report_build"), {"day": later(-7)}).status_code == 403
    client.force_login(city["citizen"])
    assert client.get(reverse("supervision:reports")).status_code == 403


def test_the_case_page_shows_the_clock_and_the_cards_with_their_history(client, late, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("cases:detail", args=[late["case"].number])).content.decode()
    assert "办理时限" in page and "法定办结日期" in page and "剩余 " in page
    assert "警示牌" in page and "亮牌（红牌）" in page and "就此办件发起督办" in page


def test_the_applicant_sees_the_clock_but_not_the_cards(client, late):
    client.force_login(late["citizen"])
    page = client.get(reverse("cases:detail", args=[late["case"].number])).content.decode()
    assert "办理时限" in page and 'id="case-cards"' not in page and "就此办件发起督办" not in page


def test_the_clock_counts_working_days_overdue_once_the_due_date_has_passed(client, late):
    from yiwang.cases.models import Case

    Case.objects.filter(pk=late["case"].pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=14)
    )
    client.force_login(late["citizen"])
    page = client.get(reverse("cases:detail", args=[late["case"].number])).content.decode()
    assert "已超期 " in page and "个工作日" in page


def test_a_stopped_clock_says_so_and_lists_the_stop(client, late):
    from yiwang.cases import approval

    approval.start_special_procedure(actor=late["reviewers"]["fire"], case=late["case"], kind="inspection",
                                     reason="需要现场核查消防设施", planned_end=later(10))  # fmt: skip
    client.force_login(late["citizen"])
    page = client.get(reverse("cases:detail", args=[late["case"].number])).content.decode()
    assert "暂停计时中" in page and "需要现场核查消防设施" in page and "现场核查" in page


def test_the_dashboard_shows_the_busiest_rows_only_when_there_are_too_many(
    client, activity, supervisor, monkeypatch
):
    from yiwang.supervision import kpi, views

    kpi.refresh_daily(timezone.localdate(), timezone.localdate())
    factories.service_item(activity["fire"], name="消防安全检查")  # a second row, without cases
    monkeypatch.setattr(views, "MAX_ROWS", 1)
    client.force_login(supervisor)
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "页面只显示收件最多的 1 项" in page
    assert "江澜市市场监督管理局" in page and "江澜市消防救援支队</td>" not in page


def test_the_dashboard_by_item_shows_the_whole_kpi_list(client, activity, supervisor):
    from yiwang.supervision import kpi

    kpi.refresh_daily(timezone.localdate(), timezone.localdate())
    client.force_login(supervisor)
    page = client.get(reverse("supervision:dashboard"), {"by": "item"}).content.decode()
    for label in (
        "承诺时限压缩比",
        "最多跑一次",
        "零跑动",
        "要素完整率",
        "即办件占比",
        "平均环节天数",
    ):
        assert f"<th>{label}</th>" in page, label
    assert '<td data-label="承诺时限压缩比">75.0%</td>' in page  # 5 of 20 working days
    assert '<td data-label="最多跑一次">100.0%</td>' in page


def test_the_clock_of_a_case_finished_late_says_so(client, late):
    from yiwang.cases.models import Case

    Case.objects.filter(pk=late["case"].pk).update(
        status="approved", finished_at=timezone.now(), due_date=later(-7)
    )
    client.force_login(late["citizen"])
    page = client.get(reverse("cases:detail", args=[late["case"].number])).content.decode()
    assert "超期办结" in page and "剩余" not in page


def test_the_clock_of_a_case_finished_on_time_says_so(client, late):
    from yiwang.cases.models import Case

    Case.objects.filter(pk=late["case"].pk).update(status="approved", finished_at=timezone.now())
    client.force_login(late["citizen"])
    page = client.get(reverse("cases:detail", args=[late["case"].number])).content.decode()
    assert "按期办结" in page and "超期办结" not in page


@pytest.fixture
def anonymous_late(city):
    """An anonymous bad rating whose rectification ran late: a red card on the market."""
    from yiwang.reviews import services as reviews
    from yiwang.reviews.models import Rectification

    case = cases.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads=uploads_for(city["item"]))  # fmt: skip
    cases.refuse_case(actor=city["clerk"], case=case, reason="不属于受理范围")
    reviews.rate_case(actor=city["citizen"], case=case, level=1, comment="白跑一趟", anonymous=True)
    Rectification.objects.update(due_date=later(-1))
    sweep_deadlines()
    return {**city, "case": case}


def test_the_department_page_hides_the_case_of_an_anonymous_ratings_card(client, anonymous_late):
    client.force_login(anonymous_late["clerk"])
    page = client.get(reverse("supervision:mine")).content.decode()
    assert "差评整改" in page and "card-red" in page and "匿名评价" in page
    assert anonymous_late["case"].number not in page


def test_the_case_page_shows_the_department_no_card_of_an_anonymous_rating(
    client, anonymous_late, supervisor
):
    url = reverse("cases:detail", args=[anonymous_late["case"].number])
    client.force_login(anonymous_late["clerk"])
    assert "差评整改" not in client.get(url).content.decode()
    client.force_login(supervisor)
    assert "差评整改" in client.get(url).content.decode()  # supervisors follow it up


def test_a_notice_about_an_anonymous_ratings_card_does_not_tell_the_department_the_case(
    client, anonymous_late, supervisor
):
    card = Card.objects.get(subject_kind="rectification")
    client.force_login(supervisor)
    client.post(reverse("supervision:notice_new") + f"?card={card.pk}", {
        "card": card.pk, "organisation": anonymous_late["market"].pk,
        "message": "请尽快回复差评整改", "reply_due": timezone.localdate().isoformat(),
    })  # fmt: skip
    assert services.SupervisionNotice.objects.get().card == card
    client.force_login(anonymous_late["clerk"])
    page = client.get(reverse("supervision:mine")).content.decode()
    assert "请尽快回复差评整改" in page and anonymous_late["case"].number not in page
    url = reverse("cases:detail", args=[anonymous_late["case"].number])
    assert "请尽快回复差评整改" not in client.get(url).content.decode()


def test_the_board_marks_overdue_red_cards(client, late, supervisor):
    client.force_login(supervisor)
    Card.objects.update(due_date=later(-2))  # past its deadline today
    page = client.get(reverse("supervision:board")).content.decode()
    assert "（已超期）" in page


def test_a_notice_answered_late_no_longer_waits_on_the_board(client, late, supervisor):
    notice = services.send_notice(actor=supervisor, organisation=late["market"], message="请说明超期原因",
                                  reply_due=timezone.localdate())  # fmt: skip
    sweep_deadlines(today=later(5))  # escalated
    services.reply_notice(actor=late["reviewers"]["market"], notice=notice, reply="已说明超期原因")
    client.force_login(supervisor)
    page = client.get(reverse("supervision:board")).content.decode()
    assert "没有待回复的督办" in page


def test_the_board_lists_a_special_procedure_past_its_planned_end(client, late, supervisor):
    from yiwang.cases import approval
    from yiwang.cases.models import ClockStop

    approval.start_special_procedure(actor=late["reviewers"]["fire"], case=late["case"], kind="expert",
                                     reason="需要组织专家评审", planned_end=later(3))  # fmt: skip
    client.force_login(supervisor)
    board = reverse("supervision:board")
    assert late["case"].number not in _section(client.get(board), "overrun-special")
    ClockStop.objects.filter(case=late["case"]).update(planned_end=later(-2))  # days went by
    listed = _section(client.get(board), "overrun-special")
    assert late["case"].number in listed and "专家评审" in listed and "督办" in listed


def _section(answer, table_id: str) -> str:
    page = answer.content.decode()
    start = page.index(f'id="{table_id}"')
    return page[start : page.index("</table>", start)]


@pytest.mark.parametrize("card", ["²", "99999999999999999999999"])
def test_a_notice_about_a_card_that_is_no_id_is_not_found(client, supervisor, card):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:notice_new"), {"card": card})
    assert response.status_code == 404
