"""一网通办 in Chromium: a citizen finds 食品经营许可 by searching 食品 and applies with a pre-filled
form; the window accepts; two departments approve in parallel, in either order; the citizen sees
the case approved. Also a 补正 round trip and a refusal."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

PASSWORD = "Browser-pass-1"


@pytest.fixture
def city(site, tmp_path):
    from tests import factories

    fire = factories.organisation("江澜市消防救援支队", parent=site["market"].parent)
    item = factories.service_item(site["market"], participants=[fire], name="食品经营许可（新办）",
                                  materials=[{"name": "食品经营许可申请书", "required": True}])  # fmt: skip
    factories.service_item(site["market"], name="特种设备使用登记")
    upload = tmp_path / "申请书.pdf"
    upload.write_bytes(b"%PDF-1.4 browser test")
    return {
        **site, "item": item, "fire": fire, "upload": upload,
        "clerk": factories.staff("clerk", site["market"], username="clerk", password=PASSWORD),
        "market_reviewer": factories.staff("reviewer", site["market"], username="market-reviewer", password=PASSWORD),
        "fire_reviewer": factories.staff("reviewer", fire, username="fire-reviewer", password=PASSWORD),
        "citizen": factories.user("citizen", password=PASSWORD, real_name="张三", id_number=factories.ric()),
    }  # fmt: skip


def apply_online(page, city) -> str:
    """The citizen searches, opens the guide, applies; returns the case number on the receipt."""
    sign_in(page, city["url"], "citizen")
    page.goto(city["url"] + "/")
    page.get_by_label("搜索办事事项").fill("食品")
    page.get_by_role("button", name="搜索").click()
    page.locator("table.items tbody").get_by_role("link", name="食品经营许可（新办）").click()
    page.get_by_role("link", name="在线申请").click()
    expect(page.get_by_label("申请人姓名")).to_have_value("张三")  # pre-filled from the account
    page.get_by_label("上传食品经营许可申请书").set_input_files(str(city["upload"]))
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("待受理")
    return re.search(r"办件 (\S+)", page.get_by_role("heading", level=1).inner_text()).group(1)


def as_user(page, city, username, path):
    page.context.clear_cookies()
    sign_in(page, city["url"], username)
    page.goto(city["url"] + path)


def approve(page, city, username, number):
    as_user(page, city, username, "/cases/tasks/")
    page.get_by_role("link", name=number, exact=True).click()
    page.get_by_label("审查意见").fill("符合条件")
    page.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator("#timeline")).to_contain_text("同意")


@pytest.mark.parametrize(
    "order", [("market-reviewer", "fire-reviewer"), ("fire-reviewer", "market-reviewer")]
)
def test_a_citizen_applies_and_two_departments_approve_in_either_order(page, city, order):
    number = apply_online(page, city)
    as_user(page, city, "clerk", "/cases/window/")
    page.get_by_role("link", name=number, exact=True).click()
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("审查中")
    expect(page.locator("#holders")).to_contain_text("江澜市消防救援支队")
    first, second = order
    approve(page, city, first, number)
    expect(page.locator("#case-status")).to_have_text("审查中")
    approve(page, city, second, number)
    as_user(page, city, "citizen", "/cases/mine/")
    expect(page.get_by_role("row").filter(has_text=number)).to_contain_text("准予")


def test_a_correction_round_trip_then_acceptance(page, city):
    number = apply_online(page, city)
    as_user(page, city, "clerk", f"/cases/{number}/")
    page.get_by_label("补正内容（每行一项，一次性告知）").fill(
        "申请书缺少法定代表人签字\n经营场所面积未填写"
    )
    page.get_by_role("button", name="一次性告知补正").click()
    expect(page.locator("#case-status")).to_have_text("待补正")
    as_user(page, city, "citizen", f"/cases/{number}/")
    expect(page.locator("#corrections")).to_contain_text("申请书缺少法定代表人签字")
    page.get_by_label("重新上传：食品经营许可申请书").set_input_files(str(city["upload"]))
    page.get_by_role("button", name="提交补正").click()
    expect(page.locator("#case-status")).to_have_text("待受理")
    as_user(page, city, "clerk", f"/cases/{number}/")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("审查中")


def test_a_refusal_is_shown_to_the_citizen_with_its_reason(page, city):
    number = apply_online(page, city)
    as_user(page, city, "clerk", f"/cases/{number}/")
    page.get_by_label("不予受理理由").fill("申请事项不属于本机关职权范围")
    page.get_by_role("button", name="不予受理").click()
    as_user(page, city, "citizen", f"/cases/{number}/")
    expect(page.locator("#case-status")).to_have_text("不予受理")
    expect(page.get_by_text("申请事项不属于本机关职权范围").first).to_be_visible()


def test_the_diagram_highlights_the_current_review_until_the_case_ends(page, city):
    from yiwang.cases import approval
    from yiwang.cases.models import CaseTask

    number = apply_online(page, city)
    as_user(page, city, "clerk", f"/cases/{number}/")
    page.get_by_role("button", name="受理", exact=True).click()
    as_user(page, city, "citizen", f"/cases/{number}/")
    current = page.locator(".bpmn-viewer[data-ready='1'] .djs-element.bpmn-current")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-element-id", "review")
    for task in CaseTask.objects.filter(case__number=number).select_related("organisation"):
        reviewer = (
            city["fire_reviewer"] if task.organisation == city["fire"] else city["market_reviewer"]
        )
        approval.complete_task(actor=reviewer, task=task, decision="approve", opinion="同意")
    page.reload()
    expect(page.locator("#case-status")).to_contain_text("准予")
    expect(page.locator(".bpmn-viewer[data-ready='1']")).to_have_count(1)
    expect(page.locator(".bpmn-viewer .bpmn-current")).to_have_count(0)


def test_a_reviewer_asks_for_a_correction_during_review_and_the_citizen_answers(page, city):
    number = apply_online(page, city)
    as_user(page, city, "clerk", f"/cases/{number}/")
    page.get_by_role("button", name="受理", exact=True).click()
    as_user(page, city, "fire-reviewer", f"/cases/{number}/")
    page.get_by_label("审查中要求补正（每行一项，一次性告知）").fill("消防平面图缺少疏散通道标注")
    page.get_by_role("button", name="一次性告知补正（暂停计时）").click()
    expect(page.locator("#clock-stop")).to_contain_text("暂停计时：补正")
    expect(page.get_by_text("等待申请人补正")).to_be_visible()
    as_user(page, city, "citizen", f"/cases/{number}/")
    expect(page.locator("#corrections")).to_contain_text("消防平面图缺少疏散通道标注")
    page.get_by_label("重新上传：食品经营许可申请书").set_input_files(str(city["upload"]))
    page.get_by_role("button", name="提交补正").click()
    expect(page.locator("#case-status")).to_have_text("审查中")
    expect(page.locator("#clock-stop")).to_have_count(0)
    approve(page, city, "fire-reviewer", number)


PHONE = {"width": 390, "height": 844}


def assert_no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 390 px phone"


def test_case_pages_fit_a_phone_with_long_numbers_and_an_unbroken_reason(page, city):
    """At 390 px nothing widens the page: 办件编号 in headings and lists, the 实施编码, and a
    特别程序 reason of the longest length typed without a space."""
    from django.utils import timezone

    from tests.cases.test_flow import uploads_for
    from yiwang.cases import approval, services, texts

    def submit():
        return services.submit_application(actor=city["citizen"], item=city["item"],
                                           form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip

    waiting, case = submit(), services.accept_case(actor=city["clerk"], case=submit())
    approval.start_special_procedure(
        actor=city["fire_reviewer"], case=case, kind="inspection",
        reason="X" * texts.SPECIAL_REASON_MAX, planned_end=timezone.localdate(),
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    for username, path, shown in [
        ("fire-reviewer", f"/cases/{case.number}/", case.number),
        ("fire-reviewer", "/cases/tasks/", case.number),
        ("citizen", "/cases/mine/", case.number),
        ("clerk", "/cases/window/", waiting.number),
        ("citizen", f"/services/items/{city['item'].pk}/", city["item"].code),
    ]:
        as_user(page, city, username, path)
        expect(page.get_by_text(shown).first).to_be_visible()
        assert_no_horizontal_scroll(page)
