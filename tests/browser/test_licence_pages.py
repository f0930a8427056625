"""E-licence pages in Chromium: public verification of a valid then revoked licence, and the
holder's wallet with the 照面 (its QR scanned from the screen) and the PDF download."""

import datetime
import io

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.licences.conftest import BUSINESS_DATA, BUSINESS_FACE, BUSINESS_FIELDS


@pytest.fixture
def licensed(site, settings, tmp_path):
    """The `site` with a seal and 营业执照 at the market regulator, and a company agent holding one."""
    from tests import factories
    from yiwang.core.models import CompanyAgent
    from yiwang.licences import services

    settings.VAR_DIR = tmp_path
    market = site["market"]
    admin = factories.staff("admin", market, username="market-admin", password="Browser-pass-1")
    services.create_seal(actor=admin, organisation=market, name="市场监管局电子证照专用章",
                         valid_until=datetime.date.today() + datetime.timedelta(days=365))  # fmt: skip
    business = services.create_licence_type(actor=admin, defining_org=market, code_suffix="001", name="营业执照",
                                            holder_code_types=["001"], fields=BUSINESS_FIELDS, face_layout=BUSINESS_FACE)  # fmt: skip
    agent = factories.user(
        username="agent", password="Browser-pass-1", real_name="李经办", id_number=factories.ric()
    )
    uscc = factories.uscc()
    CompanyAgent.objects.create(user=agent, company_uscc=uscc, company_name="江澜味道食品有限公司",
                                valid_from=datetime.date.today())  # fmt: skip
    licence = services.issue_licence(actor=admin, licence_type=business, holder_name="江澜味道食品有限公司",
                                     holder_code=uscc, holder_code_type="001", data=BUSINESS_DATA)  # fmt: skip
    return {**site, "admin": admin, "licence": licence}


def test_the_verify_page_shows_valid_from_the_qr_link_then_revoked_when_pasted(page, licensed):
    from yiwang.licences import publication, services

    licence = licensed["licence"]
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{licensed['url']}/licences/verify/?id={licence.identifier}")
    verdict = page.locator("section.verdict")
    expect(verdict.get_by_role("heading", name="有效")).to_be_visible()
    expect(verdict).to_contain_text("江澜市市场监督管理局")
    expect(verdict).to_contain_text("江*******")
    services.set_licence_status(
        actor=licensed["admin"], licence=licence, status="revoked", reason="以欺骗手段取得登记"
    )
    page.goto(f"{licensed['url']}/licences/verify/")
    page.get_by_label("电子证照标识、二维码内容或签名 JSON").fill(licence.identifier)
    page.get_by_role("button", name="核验").click()
    expect(verdict.get_by_role("heading", name="已吊销")).to_be_visible()
    expect(verdict).to_contain_text("原因：以欺骗手段取得登记")
    expect(page.locator("#platform-fingerprint")).to_have_attribute(
        "data-fingerprint", publication.platform_fingerprint()
    )


def test_the_holder_opens_the_wallet_sees_the_face_and_downloads_the_pdf(page, licensed, tmp_path):
    from yiwang.licences import documents

    url = licensed["url"]
    sign_in(page, url, "agent")
    page.get_by_role("link", name="我的证照").click()
    page.get_by_role("link", name="营业执照").click()
    face = page.get_by_role("article", name="照面")
    expect(face).to_contain_text("江澜味道食品有限公司")
    expect(face).to_contain_text("食品销售")
    qr = face.get_by_role("img", name="核验二维码")
    expect(qr).to_be_visible()
    # Draw the SVG large enough to scan, then read what the screen shows.
    qr.evaluate("img => { img.style.width = img.style.height = '330px'; }")
    scanned = [
        found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    ]
    assert scanned == [documents.verification_url(licensed["licence"].identifier)]
    expect(face.get_by_role("img", name="江澜市市场监督管理局电子印章")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    path = tmp_path / "licence.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    expect(page.get_by_text("暂无用证记录")).to_be_visible()


def test_the_issuers_staff_suspend_a_licence_with_a_reason(page, licensed):
    number = licensed["licence"].number
    sign_in(page, licensed["url"], "market-admin")
    page.get_by_role("link", name="工作台", exact=True).click()
    page.get_by_role("link", name="证照管理").click()
    page.get_by_placeholder("证照编号、电子证照标识或持证主体代码").fill(number)
    page.get_by_role("button", name="查询").click()
    row = page.get_by_role("row", name=number)
    row.get_by_label(f"新状态：{number}").select_option(label="已暂停")
    row.get_by_label(f"原因：{number}").fill("涉嫌违法经营，立案调查")
    row.get_by_role("button", name="提交").click()
    expect(page.get_by_text(f"证照 {number} 已改为「已暂停」。")).to_be_visible()
    expect(page.get_by_role("row", name=number)).to_contain_text("涉嫌违法经营，立案调查")
