import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_a_visitor_finds_a_department_in_the_directory(page, site):
    page.goto(site["url"])
    expect(page.get_by_role("heading", name="一网通办 · 数据共享")).to_be_visible()
    # The home page's search box finds service items; the directory has its own.
    page.locator("header nav").get_by_role("link", name="部门目录").click()
    page.get_by_label("部门名称").fill("市场")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("cell", name="江澜市市场监督管理局")).to_be_visible()
    expect(page.get_by_text("江澜市卫生健康委员会")).to_have_count(0)


def test_a_data_officer_registers_a_system_gets_a_key_once_and_revokes_it(page, site):
    sign_in(page, site["url"], "officer")
    page.get_by_role("link", name="工作台", exact=True).click()
    page.get_by_role("link", name=re.compile("应用系统与密钥")).click()
    page.get_by_label("所属部门").select_option(label="江澜市市场监督管理局")
    page.get_by_label("子系统代码").fill("food-licence")
    page.get_by_label("系统名称").fill("食品经营许可系统")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("应用系统已登记")).to_be_visible()
    page.get_by_role("button", name="签发新密钥").click()
    secret = page.locator("#secret").inner_text()
    assert secret.startswith("yw_")
    page.get_by_role("link", name="返回应用系统列表").click()
    expect(page.get_by_text(secret)).to_have_count(0)
    expect(page.get_by_text("有效", exact=True)).to_be_visible()
    page.get_by_role("button", name="吊销").click()
    expect(page.get_by_text("已吊销", exact=True)).to_be_visible()


def test_a_supervisor_verifies_the_audit_log_and_watches_the_job_finish(page, site):
    from yiwang.core import services

    officer = site["people"]["officer"]
    services.create_api_client(
        actor=officer, organisation=site["market"], subsystem_code="sys-a", name="系统甲"
    )
    sign_in(page, site["url"], "inspector")
    page.goto(f"{site['url']}/core/audit/")
    expect(page.get_by_role("cell", name="api_client.create")).to_be_visible()
    page.get_by_role("button", name=re.compile("校验审计日志")).click()
    expect(page.locator("[data-status]")).to_have_text("已完成")
    expect(page.get_by_text("校验结果：通过")).to_be_visible()


def test_repeated_wrong_passwords_lock_the_login(page, site):
    for _ in range(5):
        sign_in(page, site["url"], "officer", password="wrong-password")
    expect(page.get_by_text("用户名或密码不正确")).to_have_count(0)
    expect(page.get_by_role("heading", name="登录已暂时锁定")).to_be_visible()


def test_lists_stack_into_cards_on_a_phone(page, site):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{site['url']}/organisations/")
    row = page.locator("table.list tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_job_log_wraps_on_a_phone(page, site):
    from yiwang.core.models import Job

    officer = site["people"]["officer"]
    line = "[10:00:00] 已提交：有效 1000000 行，问题 0 行，入库 1000000 行，用时 120 秒，平均每秒 8333 行\n"
    job = Job.objects.create(kind="x", title="归集", created_by=officer, status="succeeded",
                             log=line * 3)  # fmt: skip
    sign_in(page, site["url"], "officer")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{site['url']}/core/jobs/{job.pk}/")
    expect(page.get_by_role("heading", name="日志")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_api_docs_render_from_local_files_under_the_csp(page, site):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{site['url']}/api/v1/docs")
    expect(page.get_by_text("一网 Yiwang API").first).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e]
