"""The exchange's pages in Chromium: asking for data, deciding, grants, and 我的数据 for a citizen."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.catalog.conftest import make_resource
from tests.exchange.conftest import PEOPLE_FIELDS, a_year, person

PURPOSE = "医疗机构执业登记核验"


@pytest.fixture
def exchange(site, settings, tmp_path):
    """The `site` with 人口基本信息 (有条件共享) published and loaded by the market regulator,
    and the health commission's data officer with a registered system."""
    from tests import factories
    from yiwang.catalog import services as catalog
    from yiwang.core.models import Organisation
    from yiwang.registry import services as registry

    settings.VAR_DIR = tmp_path
    officer = site["people"]["officer"]
    people = make_resource(officer, site["market"], code="B0101/000001", name="人口基本信息",
                           base_registry="population", share_type="conditional", fields=PEOPLE_FIELDS)  # fmt: skip
    catalog.publish_resource(actor=officer, resource=people)
    registry.receive_batch(actor=officer, resource=people, rows=[person(i) for i in range(3)])
    health = Organisation.objects.get(name="江澜市卫生健康委员会")
    health_officer = factories.staff(
        "data_officer", health, username="health-officer", password="Browser-pass-1"
    )
    client = factories.api_client(health, "hospital-licensing")
    return {**site, "people_resource": people, "health_officer": health_officer, "client": client}


def test_a_request_for_a_conditional_resource_is_approved_with_fewer_fields_then_suspended(
    page, exchange
):
    url = exchange["url"]
    sign_in(page, url, "health-officer")
    page.get_by_role("link", name="工作台", exact=True).click()
    page.get_by_role("link", name="共享申请").click()
    page.get_by_role("link", name="申请共享").click()
    page.get_by_label("应用系统").select_option(label=f"测试系统（{exchange['client'].identity}）")
    page.get_by_label("信息资源").select_option(
        label="人口基本信息（江澜市市场监督管理局 · 有条件共享）"
    )
    for name in ("公民身份号码", "姓名", "住址"):
        page.get_by_label(name, exact=True).check()
    page.get_by_label("用途").fill(PURPOSE)
    page.get_by_label(re.compile("^依据")).fill("《医疗机构管理条例》第十五条")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("申请结果：待审核")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="人口基本信息")).to_contain_text("待审核")

    page.context.clear_cookies()
    sign_in(page, url, "officer")
    page.goto(f"{url}/exchange/requests/")
    pending = page.get_by_role("article", name="江澜市卫生健康委员会 申请「人口基本信息」")
    expect(pending).to_contain_text(PURPOSE)
    expect(pending).to_contain_text("公民身份号码（个人信息）、姓名（个人信息）、住址（个人信息）")
    pending.get_by_label("住址", exact=True).uncheck()
    pending.get_by_label("明文：姓名").check()
    pending.get_by_role("button", name="批准").click()
    expect(page.get_by_text("已批准，授权已生效")).to_be_visible()
    expect(page.get_by_role("heading", name="待我审核（0）")).to_be_visible()

    page.goto(f"{url}/exchange/grants/")
    grant = page.get_by_role("row").filter(has_text="人口基本信息")
    expect(grant).to_contain_text("生效中")
    expect(grant.locator('[data-label="信息项"]')).to_have_text("公民身份号码、姓名")
    expect(grant.locator('[data-label="明文项"]')).to_have_text("姓名")
    grant.get_by_label("暂停原因").fill("核查调用情况")
    grant.get_by_role("button", name="暂停").click()
    expect(page.get_by_text("授权已暂停")).to_be_visible()
    expect(grant).to_contain_text("已暂停：核查调用情况")
    expect(grant.get_by_role("button", name="恢复")).to_be_visible()


def test_a_citizen_sees_on_my_data_that_the_health_commission_read_their_record(page, exchange):
    from django.test import Client

    from tests import factories
    from yiwang.core import services as core_services
    from yiwang.exchange import services

    officer, health_officer = exchange["people"]["officer"], exchange["health_officer"]
    access = services.request_access(actor=health_officer, client=exchange["client"], purpose=PURPOSE,
                                     resource=exchange["people_resource"], legal_basis="《条例》", **a_year())  # fmt: skip
    services.decide_request(actor=officer, request=access, approve=True)
    secret = core_services.issue_api_key(actor=health_officer, client=exchange["client"]).secret
    ric = person(2)["id_number"]
    headers = {"Authorization": f"Bearer {secret}", "X-Purpose": quote(PURPOSE),
               "X-Case-Number": "9901001234567890202611220007"}  # fmt: skip
    lookup = f"/api/v1/exchange/resources/{exchange['people_resource'].pk}/records/{ric}"
    assert Client().get(lookup, headers=headers).status_code == 200
    factories.user("citizen", password="Browser-pass-1", id_number=ric)

    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, exchange["url"], "citizen")
    page.get_by_role("link", name="我的数据").click()
    expect(page.get_by_role("heading", name="我的数据使用记录")).to_be_visible()
    usage = page.locator("table.list tbody tr")
    expect(usage).to_have_count(1)
    expect(usage.locator('[data-label="使用部门"]')).to_have_text("江澜市卫生健康委员会")
    expect(usage.locator('[data-label="用途"]')).to_have_text(PURPOSE)
    expect(usage.locator('[data-label="办件编号"]')).to_have_text("9901001234567890202611220007")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 2


@pytest.fixture
def read_for_a_case(exchange):
    """The health commission's system granted 人口基本信息 and read one record for a case."""
    from django.test import Client

    from yiwang.core import services as core_services
    from yiwang.exchange import services

    officer, health_officer = exchange["people"]["officer"], exchange["health_officer"]
    access = services.request_access(actor=health_officer, client=exchange["client"], purpose=PURPOSE,
                                     resource=exchange["people_resource"], legal_basis="《条例》", **a_year())  # fmt: skip
    services.decide_request(
        actor=officer, request=access, approve=True, field_codes=["id_number", "name"]
    )
    secret = core_services.issue_api_key(actor=health_officer, client=exchange["client"]).secret
    headers = {
        "Authorization": f"Bearer {secret}",
        "X-Purpose": quote(PURPOSE),
        "X-Case-Number": CASE,
    }
    lookup = f"/api/v1/exchange/resources/{exchange['people_resource'].pk}/records/{person(1)['id_number']}"
    assert Client().get(lookup, headers=headers).status_code == 200
    return exchange


CASE = "9901001234567890202611220009"


def test_the_owner_sees_daily_calls_per_department_on_a_phone(page, read_for_a_case):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, read_for_a_case["url"], "officer")
    page.goto(f"{read_for_a_case['url']}/exchange/statistics/")
    page.get_by_label("统计维度").select_option(label="按部门")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="每日调用（按部门）")).to_be_visible()
    expect(page.locator("#exchange-dimension-chart svg")).to_be_visible()
    daily = page.locator("table.daily tbody tr")
    expect(daily).to_have_count(1)
    expect(daily.locator('[data-label="部门"]')).to_have_text("江澜市卫生健康委员会")
    expect(daily.locator('[data-label="调用"]')).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 2


def test_a_supervisor_finds_the_exchanges_of_a_case_in_the_exchange_log(page, read_for_a_case):
    sign_in(page, read_for_a_case["url"], "inspector")
    page.goto(f"{read_for_a_case['url']}/exchange/log/")
    page.get_by_label("办件编号").fill(CASE)
    page.get_by_role("button", name="查询").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator('[data-label="调用方"]')).to_contain_text("江澜市卫生健康委员会")
    expect(rows.locator('[data-label="资源"]')).to_have_text("人口基本信息")
    expect(rows.locator('[data-label="结果"]')).to_have_text("成功")


def test_the_resource_page_shows_who_uses_the_resource(page, read_for_a_case):
    sign_in(page, read_for_a_case["url"], "health-officer")
    page.goto(
        f"{read_for_a_case['url']}/catalog/resources/{read_for_a_case['people_resource'].pk}/"
    )
    panel = page.locator("section.exchange-users")
    expect(panel.get_by_role("heading", name="谁在使用（共享授权与需求）")).to_be_visible()
    grant = panel.locator("tbody tr").first
    expect(grant.locator('[data-label="使用部门"]')).to_have_text("江澜市卫生健康委员会")
    expect(grant.locator('[data-label="信息项"]')).to_have_text("公民身份号码、姓名")
