"""The registry's pages in Chromium: uploading a file, following the load, records, quality."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.catalog.conftest import make_resource
from tests.registry.conftest import company_row, csv_bytes


def _with_bad_rows(count=10) -> list[dict]:
    """Company rows where row 5 of the file has a wrong USCC check digit and row 7 no name."""
    rows = [company_row(i) for i in range(count)]
    uscc = rows[3]["uscc"]
    rows[3]["uscc"] = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    rows[5]["name"] = ""
    return rows


@pytest.fixture
def registry(site, settings, tmp_path):
    """The `site` with 法人基本信息 published by the market regulator, uploads kept under tmp_path."""
    from yiwang.catalog import services

    settings.VAR_DIR = tmp_path
    officer = site["people"]["officer"]
    resource = make_resource(officer, site["market"])
    services.publish_resource(actor=officer, resource=resource)
    return {**site, "resource": resource, "rows": _with_bad_rows()}


@pytest.fixture
def loaded(registry):
    """The resource after one finished load of the rows (two of them bad)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yiwang.registry import services

    upload = SimpleUploadedFile("companies.csv", csv_bytes(registry["rows"]))
    load = services.receive_file(
        actor=registry["people"]["officer"], resource=registry["resource"], upload=upload
    )
    return {**registry, "load": load}


def test_a_data_officer_uploads_a_csv_and_sees_the_quarantined_rows(page, registry, tmp_path):
    source = tmp_path / "companies.csv"
    source.write_bytes(csv_bytes(registry["rows"]))
    sign_in(page, registry["url"], "officer")
    page.goto(f"{registry['url']}/catalog/resources/{registry['resource'].pk}/")
    page.get_by_role("link", name=re.compile("归集数据")).click()
    expect(page.get_by_role("heading", name="上传数据文件")).to_be_visible()
    page.get_by_label("数据文件").set_input_files(source)
    page.get_by_label("归集方式").select_option(label="新增或更新")
    page.get_by_role("button", name="开始归集").click()

    expect(page).to_have_url(re.compile(r"/registry/loads/[0-9a-f-]{36}/$"))
    expect(page.locator("[data-status]")).to_have_text("已完成")
    expect(page.locator("#load-status")).to_contain_text("已读 10 行，有效 8，问题 2，入库 8")
    expect(page.get_by_role("heading", name=re.compile(r"质量报告 · 得分 \d+"))).to_be_visible()
    problems = page.locator("table.list").filter(has=page.get_by_role("columnheader", name="行号"))
    expect(problems.locator("tbody tr")).to_have_count(2)
    checksum = problems.get_by_role("row").filter(has_text="identifier.uscc.checksum")
    expect(checksum.locator("td").first).to_have_text("5")
    expect(checksum).to_contain_text(re.compile("统一社会信用代码「[0-9A-Z]{18}」校验位错误"))
    missing = problems.get_by_role("row").filter(has_text="value.required")
    expect(missing.locator("td").first).to_have_text("7")
    expect(missing).to_contain_text("不能为空")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载问题数据（CSV）").click()
    target = tmp_path / "errors.csv"
    info.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "行号,信息项,错误代码,说明,原始数据"
    assert "identifier.uscc.checksum" in text and "value.required" in text


def test_rerunning_a_load_opens_a_new_load_page(page, loaded):
    first = f"{loaded['url']}/registry/loads/{loaded['load'].pk}/"
    sign_in(page, loaded["url"], "officer")
    page.goto(first)
    expect(page.locator("[data-status]")).to_have_text("已完成")
    page.get_by_role("button", name="重新归集").click()
    expect(page).not_to_have_url(first)
    expect(page).to_have_url(re.compile(r"/registry/loads/[0-9a-f-]{36}/$"))
    expect(page.locator("[data-status]")).to_have_text("已完成")
    expect(page.locator("#load-status")).to_contain_text("有效 8，问题 2")
    page.get_by_role("link", name="全部归集记录").click()
    expect(page.locator("table.list tbody tr")).to_have_count(2)


def test_the_records_page_masks_the_representatives_id_number(page, loaded):
    sign_in(page, loaded["url"], "officer")
    page.goto(f"{loaded['url']}/catalog/resources/{loaded['resource'].pk}/")
    expect(page.get_by_text("已入库 8 条记录")).to_be_visible()
    page.get_by_role("link", name="查看记录").click()
    expect(page.get_by_text("共 8 条")).to_be_visible()
    ids = page.locator('td[data-label="法定代表人身份号码"]')
    expect(ids).to_have_count(8)
    expect(ids.first).to_contain_text("********")
    clear = loaded["rows"][0]["representative_id_number"]
    expect(page.get_by_text(clear)).to_have_count(0)


def test_the_quality_page_charts_the_departments_and_exports_xlsx(page, loaded, tmp_path):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, loaded["url"], "officer")
    page.goto(f"{loaded['url']}/registry/quality/")
    row = page.get_by_role("row").filter(has_text="江澜市市场监督管理局").first
    expect(row).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text(re.compile(r"^\d+(\.\d)?$"))
    expect(page.locator("#quality-chart svg")).to_have_count(1)
    assert not [e for e in errors if "Content Security Policy" in e]

    with page.expect_download() as info:
        page.get_by_role("link", name="导出质量报告（XLSX）").click()
    target = tmp_path / "quality.xlsx"
    info.value.save_as(target)
    workbook = load_workbook(target, read_only=True)
    assert workbook.sheetnames == ["资源质量", "部门得分"]
    rows = list(workbook["资源质量"].iter_rows(values_only=True))
    assert rows[0][:4] == ("资源代码", "资源名称", "提供方", "得分")
    assert rows[1][0] == "B0201/000001"


def test_a_reviewer_of_the_department_cannot_upload(page, registry):
    from tests import factories

    factories.staff("reviewer", registry["market"], username="reviewer", password="Browser-pass-1")
    sign_in(page, registry["url"], "reviewer")
    page.goto(f"{registry['url']}/catalog/resources/{registry['resource'].pk}/")
    expect(page.get_by_role("heading", name="数据归集与质量")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("归集数据"))).to_have_count(0)
    page.goto(f"{registry['url']}/registry/resources/{registry['resource'].pk}/loads/")
    expect(page.get_by_role("heading", name=re.compile("归集记录"))).to_be_visible()
    expect(page.get_by_role("heading", name="上传数据文件")).to_have_count(0)
    expect(page.locator('input[type="file"]')).to_have_count(0)
