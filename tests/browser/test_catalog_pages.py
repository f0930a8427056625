"""The catalog's pages in Chromium: cataloguing, search, demands, XLSX export and import, phones."""

import re

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.catalog.conftest import make_resource

LICENCE_FIELDS = [
    {
        "code": "licence_no",
        "name": "许可证编号",
        "data_type": "string",
        "length": 30,
        "is_key": True,
    },
    {
        "code": "holder",
        "name": "经营者名称",
        "data_type": "string",
        "length": 200,
        "required": True,
    },
    {"code": "valid_until", "name": "有效期至", "data_type": "date"},
]


@pytest.fixture
def city(site):
    """The `site`, with the health commission and its data officer, and two published resources."""
    from tests import factories
    from yiwang.catalog import services
    from yiwang.core.models import Organisation

    health = Organisation.objects.get(name="江澜市卫生健康委员会")
    factories.staff("data_officer", health, username="health-officer", password="Browser-pass-1")
    officer = site["people"]["officer"]
    legal = make_resource(officer, site["market"])
    licences = make_resource(officer, site["market"], code="D0301/000002", name="食品经营许可证信息",
                             category="department", base_registry="", fields=LICENCE_FIELDS,
                             summary="食品经营许可证的编号、经营者和有效期。")  # fmt: skip
    for resource in (legal, licences):
        services.publish_resource(actor=officer, resource=resource)
    return {**site, "health": health, "legal": legal, "licences": licences}


def test_a_data_officer_catalogues_a_resource_and_publishes_version_1(page, site):
    sign_in(page, site["url"], "officer")
    page.get_by_role("link", name="资源目录").click()
    page.get_by_role("link", name="编目新资源").click()
    page.get_by_label("资源代码").fill("D0302/000010")
    page.get_by_label("资源名称").fill("餐饮服务单位名录")
    page.get_by_label("资源摘要").fill("全市持证餐饮服务单位的名称与地址。")
    page.get_by_label("资源提供方").select_option(label="江澜市市场监督管理局")
    page.get_by_label("资源分类").select_option(label="部门信息资源")
    page.get_by_label("更新周期").select_option(label="每月")
    page.get_by_label("共享类型").select_option(label="无条件共享")
    page.locator('[name="f-0-code"]').fill("licence_no")
    page.locator('[name="f-0-name"]').fill("许可证编号")
    page.locator('[name="f-0-is_key"]').check()
    page.locator('[name="f-1-code"]').fill("address")
    page.locator('[name="f-1-name"]').fill("经营地址")
    page.locator('[name="f-1-length"]').fill("200")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name=re.compile("餐饮服务单位名录"))).to_be_visible()
    expect(page.get_by_text("资源已编目（草稿）")).to_be_visible()
    expect(page.get_by_role("heading", name="信息项（2）")).to_be_visible()
    expect(page.get_by_role("cell", name="许可证编号")).to_be_visible()
    expect(page.get_by_role("cell", name="经营地址")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("草稿")
    page.get_by_role("button", name="发布", exact=True).click()

    expect(facts).to_contain_text("已发布（版本 1")
    expect(page.get_by_role("button", name="发布", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="版本历史")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=re.compile(r"^版本 1 · "))).to_contain_text(
        "首次发布"
    )


def test_searching_a_two_character_word_finds_only_the_matching_resource(page, city):
    sign_in(page, city["url"], "health-officer")
    page.goto(f"{city['url']}/catalog/")
    table = page.locator("table.list tbody")
    expect(table.get_by_role("link", name="法人基本信息")).to_be_visible()
    page.get_by_label("检索资源").fill("许可")
    page.get_by_role("button", name="检索").click()
    expect(page).to_have_url(re.compile(r"q=%E8%AE%B8%E5%8F%AF"))
    expect(table.get_by_role("link", name="食品经营许可证信息")).to_be_visible()
    expect(table.get_by_role("link", name="法人基本信息")).to_have_count(0)
    expect(page.get_by_text("共 1 个资源")).to_be_visible()


def test_another_department_states_a_demand_and_the_owner_answers_it_met(page, city):
    url, health, market = city["url"], city["health"], city["market"]
    sign_in(page, url, "health-officer")
    page.goto(f"{url}/catalog/resources/{city['legal'].pk}/")
    page.get_by_role("link", name="提出数据需求").click()
    page.get_by_label("需求部门").select_option(label="江澜市卫生健康委员会")
    expect(page.get_by_label("所需资源")).to_have_value(str(city["legal"].pk))
    page.get_by_label("用途").fill("医疗机构执业登记时核验举办单位")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("数据需求已登记")).to_be_visible()
    expect(page).to_have_url(f"{url}/catalog/departments/{health.pk}/")
    demand_row = page.get_by_role("row").filter(has_text="医疗机构执业登记时核验举办单位")
    expect(demand_row).to_contain_text("待满足")

    page.context.clear_cookies()
    sign_in(page, url, "officer")
    page.goto(f"{url}/catalog/departments/{market.pk}/")
    incoming = page.get_by_role("row").filter(has_text="江澜市卫生健康委员会")
    expect(incoming).to_contain_text("待满足")
    incoming.locator('select[name="status"]').select_option(label="已满足")
    incoming.locator('input[name="reason"]').fill("已开通接口")
    incoming.get_by_role("button", name="答复").click()
    expect(page.get_by_text("需求已答复")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="江澜市卫生健康委员会")).to_contain_text(
        "已满足：已开通接口"
    )

    page.context.clear_cookies()
    sign_in(page, url, "health-officer")
    page.goto(f"{url}/catalog/departments/{health.pk}/")
    expect(demand_row).to_contain_text("已满足")
    expect(page.get_by_text("1 项，已满足 1 项")).to_be_visible()


def test_the_catalog_exports_as_an_xlsx_template(page, city, tmp_path):
    sign_in(page, city["url"], "health-officer")
    page.goto(f"{city['url']}/catalog/")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出目录（XLSX）").click()
    download = info.value
    assert download.suggested_filename == "catalog.xlsx"
    target = tmp_path / "catalog.xlsx"
    download.save_as(target)
    rows = list(load_workbook(target, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "资源代码" and "信息项代码" in rows[0]
    assert {r[0] for r in rows[1:]} == {"B0201/000001", "D0301/000002"}


def _catalog_xlsx(path, owner_uscc):
    from yiwang.catalog.spreadsheet import COLUMNS

    resource = {
        "code": "D0303/000020", "name": "特种设备使用登记", "summary": "电梯、锅炉等特种设备的使用登记。",
        "owner_uscc": owner_uscc, "category": "部门信息资源", "base_registry": "", "format": "数据库",
        "update_cycle": "每日", "share_type": "无条件共享", "share_method": "接口", "open_type": "不予开放",
    }  # fmt: skip
    items = [
        {
            "field_code": "device_no",
            "field_name": "设备编号",
            "data_type": "字符串",
            "is_key": "是",
        },
        {"field_code": "user_name", "field_name": "使用单位", "data_type": "文本"},  # not a type
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([label for _key, label in COLUMNS])
    for item in items:
        cells = {**resource, **item}
        sheet.append([cells.get(key, "") for key, _label in COLUMNS])
    workbook.save(path)


def test_an_import_with_a_bad_data_type_names_the_row_and_saves_nothing(page, site, tmp_path):
    from yiwang.catalog.models import Resource

    upload = tmp_path / "catalog.xlsx"
    _catalog_xlsx(upload, site["market"].uscc)
    sign_in(page, site["url"], "officer")
    page.goto(f"{site['url']}/catalog/")
    page.get_by_role("link", name="导入目录").click()
    page.get_by_label("目录模板（XLSX）").set_input_files(upload)
    page.get_by_role("button", name="导入").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("导入未保存")
    expect(alert).to_contain_text("第 3 行：「文本」不是有效的数据类型")
    expect(alert.get_by_role("listitem")).to_have_count(1)
    assert not Resource.objects.filter(code="D0303/000020").exists()


@pytest.mark.parametrize("who", ["officer", "health-officer"])
def test_a_resource_page_fits_a_phone_without_scrolling_sideways(page, city, who):
    sign_in(page, city["url"], who)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{city['url']}/catalog/resources/{city['legal'].pk}/")
    expect(page.get_by_role("heading", name="信息项（7）")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 2


def test_the_owner_lists_a_resource_as_unshared_and_later_shares_it_again(page, city):
    sign_in(page, city["url"], "officer")
    page.goto(f"{city['url']}/catalog/resources/{city['licences'].pk}/")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("无条件共享")
    page.get_by_label("法律依据").fill("《食品安全法》第一百一十八条")
    page.get_by_role("button", name="列入负面清单").click()
    expect(page.get_by_text("已列入负面清单")).to_be_visible()
    expect(facts).to_contain_text("不予共享，依据：《食品安全法》第一百一十八条")
    expect(facts).to_contain_text("已发布（版本 2")

    page.get_by_label("恢复后的共享类型").select_option(label="有条件共享")
    page.get_by_label("共享条件").fill("仅用于食品安全监管")
    page.get_by_label("移出理由").fill("依据条款已修订")
    page.get_by_role("button", name="移出负面清单").click()
    expect(page.get_by_text("已移出负面清单，资源恢复共享")).to_be_visible()
    expect(facts).to_contain_text("有条件共享：仅用于食品安全监管")
    expect(facts).not_to_contain_text("负面清单")
    expect(page.get_by_role("listitem").filter(has_text="版本 3")).to_contain_text(
        "移出负面清单：依据条款已修订"
    )


def test_a_negative_listed_resource_page_fits_a_phone(page, city):
    from yiwang.catalog import services

    services.add_to_negative_list(actor=city["people"]["officer"], resource=city["legal"],
                                  legal_basis="《保守国家秘密法》第九条")  # fmt: skip
    sign_in(page, city["url"], "officer")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{city['url']}/catalog/resources/{city['legal'].pk}/")
    expect(page.get_by_role("button", name="移出负面清单")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 2
