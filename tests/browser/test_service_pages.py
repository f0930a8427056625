"""Service items in Chromium: a visitor's search → guide path, the process diagram, phones, and an
admin's item page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

LICENCE_TYPE = "123501007045829876001"


@pytest.fixture
def items(site):
    from tests import factories

    market = site["market"]
    food = factories.service_item(market, name="食品经营许可（新办）", materials=[
        {"name": "食品经营许可申请书", "required": True, "form": "original"},
        {"name": "营业执照", "required": True, "licence_type": LICENCE_TYPE},
    ])  # fmt: skip
    factories.service_item(market, name="特种设备使用登记")
    factories.staff("admin", market, username="market-admin", password="Browser-pass-1")
    return {**site, "food": food}


def test_a_visitor_searches_food_opens_the_guide_and_sees_exempt_materials(page, items):
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(items["url"] + "/")
    page.get_by_label("搜索办事事项").fill("食品")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/services/\?q=%E9%A3%9F%E5%93%81"))
    results = page.locator("table.items tbody")
    expect(results.get_by_role("link", name="特种设备使用登记")).to_have_count(0)
    results.get_by_role("link", name="食品经营许可（新办）").click()

    expect(page.get_by_role("heading", name=re.compile("食品经营许可（新办）"))).to_be_visible()
    licence_row = page.get_by_role("row").filter(has_text="营业执照")
    expect(licence_row).to_contain_text("免提交")
    expect(page.get_by_role("row").filter(has_text="食品经营许可申请书")).to_contain_text(
        "申请人提交"
    )
    diagram = page.locator(".bpmn-viewer[data-ready='1']")
    expect(diagram.locator("svg").first).to_be_visible()
    expect(diagram.get_by_text("部门审查")).to_be_visible()
    assert csp_errors == []


def test_the_guide_reads_on_a_phone_without_sideways_scrolling(browser, items):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{items['url']}/services/items/{items['food'].pk}/")
    expect(page.get_by_role("row").filter(has_text="营业执照")).to_contain_text("免提交")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    context.close()


def test_an_admin_sees_a_bad_form_definition_explained_and_publishes_a_draft(page, items):
    from tests import factories

    draft = factories.service_item(items["market"], name="户外招牌设置审批", publish=False)
    sign_in(page, items["url"], "market-admin")
    page.goto(f"{items['url']}/services/manage/items/{draft.pk}/edit/")
    page.get_by_label("申请表定义（JSON）").fill(
        '[{"code": "sign", "label": "招牌", "type": "colour"}]'
    )
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="类型无效")).to_be_visible()
    page.goto(f"{items['url']}/services/manage/items/{draft.pk}/")
    expect(page.locator(".bpmn-viewer[data-ready='1'] svg").first).to_be_visible()
    # The snippet highlights element ids it is given: here the user tasks.
    expect(
        page.locator(".bpmn-viewer .djs-element.bpmn-current[data-element-id='review']")
    ).to_have_count(1)
    expect(page.get_by_text("人工任务「部门审查」：各参与部门并行的审批人员办理")).to_be_visible()
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("事项已发布。")).to_be_visible()
