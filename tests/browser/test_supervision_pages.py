"""电子监察 and 好差评 in Chromium: a red card after the deadline, 督办 and its reply; a 差评
and its rectification loop. Time moves with time-machine (the live server runs in this process),
never by sleeping."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.cases.test_flow import uploads_for

PASSWORD = "Browser-pass-1"


@pytest.fixture
def city(site):
    """The `site` with an item of the market regulator reviewed with the fire brigade, its clerk
    and reviewers, and a citizen — all able to sign in."""
    from tests import factories

    fire = factories.organisation("江澜市消防救援支队", parent=site["market"].parent)
    item = factories.service_item(site["market"], participants=[fire], name="食品经营许可（新办）")
    people = {
        "clerk": factories.staff("clerk", site["market"], username="clerk", password=PASSWORD),
        "reviewer": factories.staff("reviewer", site["market"], username="reviewer", password=PASSWORD),
        "citizen": factories.user("citizen", password=PASSWORD, real_name="张三", id_number=factories.ric()),
    }  # fmt: skip
    return {**site, "item": item, "fire": fire, **people}


def submit(city):
    from yiwang.cases import services

    return services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]))  # fmt: skip


def test_a_red_card_appears_after_the_deadline_and_a_notice_is_answered(page, city, time_machine):
    from yiwang.cases import services
    from yiwang.supervision.tasks import sweep_deadlines

    case = services.accept_case(actor=city["clerk"], case=submit(city))
    url = city["url"]
    sign_in(page, url, "inspector")
    page.get_by_role("link", name="工作台", exact=True).click()
    page.get_by_role("link", name="监察看板").click()
    red_cards = page.locator("#red-cards")
    expect(red_cards).to_contain_text("没有未解除的红牌")

    # The clock runs past the deadline: two days after the due date, mid-morning in the city. The
    # server (live in this process) and the job see the new time; the sweep runs as the worker's
    # periodic job would (the test task backend runs it at once).
    time_machine.move_to(
        datetime.datetime.combine(case.due_date + datetime.timedelta(days=2), datetime.time(10),
                                  ZoneInfo("Asia/Shanghai"))
    )  # fmt: skip
    assert sweep_deadlines.enqueue().return_value["issued"] >= 1
    sign_in(page, url, "inspector")  # two days later: yesterday's session has expired
    page.goto(f"{url}/supervision/")
    row = red_cards.get_by_role("row").filter(has_text=case.number).filter(has_text="办件")
    expect(row).to_contain_text("红牌")
    expect(row).to_contain_text("江澜市市场监督管理局")
    expect(row.locator('[data-label="期限"]')).to_contain_text("已超期")
    expect(page.locator("#card-trend-chart svg")).to_be_visible()  # ECharts drew the trend
    row.get_by_role("link", name=re.compile("^督办")).click()

    expect(page.get_by_role("heading", name="发起督办")).to_be_visible()
    page.get_by_label("督办事项").fill("该件已超期，请说明原因并于三日内办结")
    page.get_by_label("回复期限").fill(
        f"{timezone.localdate() + datetime.timedelta(days=3):%Y-%m-%d}"
    )
    page.get_by_role("button", name="发出督办").click()
    expect(page.get_by_text("已向江澜市市场监督管理局发出督办")).to_be_visible()
    expect(page.locator("#open-notices")).to_contain_text("该件已超期")

    page.context.clear_cookies()
    sign_in(page, url, "reviewer")
    page.get_by_role("link", name="工作台", exact=True).click()
    page.get_by_role("link", name="本部门警示与督办").click()
    expect(page.locator("#my-cards")).to_contain_text(case.number)
    expect(page.locator("#my-cards")).to_contain_text("已逾期")
    notice = page.locator("article.notice").filter(has_text="该件已超期")
    notice.get_by_label("办理情况").fill("已联系申请人，明日完成现场核查后办结")
    notice.get_by_role("button", name="回复督办").click()
    expect(page.get_by_text("督办回复已提交")).to_be_visible()
    expect(notice.locator(".notice-status")).to_have_text("已回复")
    expect(notice).to_contain_text("已联系申请人")

    page.context.clear_cookies()
    sign_in(page, url, "inspector")
    page.goto(f"{url}/cases/{case.number}/")
    expect(page.locator("#clock-left")).to_contain_text("已超期")
    expect(page.locator("#clock-left")).not_to_contain_text("剩余")
    expect(page.locator("#case-cards")).to_contain_text("亮牌（红牌）")
    expect(page.locator("#timeline")).to_contain_text("监察督办")


def test_a_bad_review_opens_a_rectification_that_the_department_answers_and_the_citizen_confirms(
    page, city
):
    from yiwang.cases import services

    case = services.refuse_case(
        actor=city["clerk"], case=submit(city), reason="不属于本事项受理范围"
    )
    url = city["url"]
    sign_in(page, url, "citizen")
    page.get_by_role("link", name="我的办件").click()
    page.get_by_role("link", name=case.number, exact=True).click()
    rating = page.locator("#rate")
    rating.get_by_label("非常不满意").check()
    rating.get_by_label("服务态度").select_option(label="不满意")
    rating.get_by_label(re.compile("^评价内容")).fill("窗口没有一次性告知，白跑一趟")
    rating.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价，部门将在期限内整改并回复您")).to_be_visible()
    expect(page.locator("#rectification-status")).to_contain_text("待整改")

    page.context.clear_cookies()
    sign_in(page, url, "clerk")
    page.get_by_role("link", name="工作台", exact=True).click()
    page.get_by_role("link", name="差评整改").click()
    item = page.get_by_role("article", name=f"整改 {case.number}")
    expect(item).to_contain_text("白跑一趟")
    item.get_by_label("已整改").check()
    item.get_by_label("整改情况").fill("已在窗口张贴一次性告知清单，并电话致歉")
    item.get_by_role("button", name="提交整改回复").click()
    expect(page.get_by_text("整改回复已提交，待申请人确认")).to_be_visible()
    expect(item.locator(".rect-status")).to_have_text("已回复，待申请人确认")

    page.context.clear_cookies()
    sign_in(page, url, "citizen")
    page.goto(f"{url}/cases/{case.number}/")
    expect(page.locator("#rating")).to_contain_text("一次性告知清单")
    page.get_by_role("button", name="确认整改结果").click()
    expect(page.get_by_text("已确认整改结果")).to_be_visible()
    expect(page.locator("#rectification-status")).to_contain_text("申请人已确认")

    page.context.clear_cookies()
    page.goto(f"{url}/satisfaction/")
    expect(page.locator("#by-department")).to_contain_text("江澜市市场监督管理局")
    expect(page.get_by_text("白跑一趟")).to_have_count(0)


def test_the_applicant_rates_the_window_on_its_device_with_the_code_sent_to_them(page, city):
    from yiwang.cases import services

    case = services.accept_case(actor=city["clerk"], case=submit(city))
    url = city["url"]
    sign_in(page, url, "clerk")
    page.goto(f"{url}/cases/{case.number}/")
    device = page.locator("#window-rate")
    device.get_by_role("button", name="向申请人发送评价码").click()
    expect(page.get_by_text(re.compile("评价码已发送给申请人"))).to_be_visible()

    applicant = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = applicant.new_page()
    sign_in(phone, url, "citizen")
    phone.goto(f"{url}/cases/{case.number}/")
    code = phone.locator("#window-code-value").inner_text()
    applicant.close()

    device.get_by_label(re.compile("^评价码")).fill(code)
    device.get_by_label("非常满意").check()
    device.get_by_role("button", name="提交窗口评价").click()
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    expect(page.locator("#rating")).to_contain_text("服务评价（窗口评价器）")
    expect(page.locator("#window-rate")).to_have_count(0)


def test_a_supervisor_reads_the_dashboard_and_builds_a_weekly_report(
    page, city, settings, tmp_path
):
    from yiwang.cases import services

    settings.MEDIA_ROOT = tmp_path
    services.accept_case(actor=city["clerk"], case=submit(city))
    url = city["url"]
    sign_in(page, url, "inspector")
    page.goto(f"{url}/supervision/dashboard/")
    page.get_by_role("button", name="重新统计本期间").click()
    expect(page.get_by_text(re.compile("已重新统计"))).to_be_visible()
    row = page.locator("#kpi-table").get_by_role("row").filter(has_text="江澜市市场监督管理局")
    expect(row.locator('[data-label="受理"]')).to_have_text("1")
    expect(page.locator("#kpi-volume-chart svg")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="周通报").click()
    page.get_by_label("通报周（任选该周一天）").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role("button", name="生成周通报").click()
    expect(page.get_by_text(re.compile("已生成.*周通报"))).to_be_visible()
    expect(page.locator("#ranking")).to_contain_text("江澜市市场监督管理局")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_the_supervision_pages_fit_a_phone_and_draw_charts_under_the_csp(page, city):
    from yiwang.cases import services
    from yiwang.supervision.sweep import sweep_deadlines

    services.accept_case(actor=city["clerk"], case=submit(city))
    sweep_deadlines(today=timezone.localdate() + datetime.timedelta(days=30))
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, city["url"], "inspector")
    for path in ("/supervision/", "/supervision/dashboard/", "/satisfaction/"):
        page.goto(f"{city['url']}{path}")
        row = page.locator("table.list tbody tr").first
        assert row.evaluate("el => getComputedStyle(el).display") == "block", path
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.goto(f"{city['url']}/supervision/")
    expect(page.locator("#red-cards td[data-label='责任部门']").first).to_have_text(
        "江澜市市场监督管理局"
    )
    expect(page.locator("#card-trend-chart svg")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e]
