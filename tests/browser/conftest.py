"""Browser tests in Debian's headless Chromium (Playwright cannot download its own here)."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    items = [item for item in items if here in Path(item.fspath).parents]
    for item in items:
        item.add_marker(pytest.mark.browser)
    if items and not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(
                "CI=true but /usr/bin/chromium is missing: browser tests cannot run"
            )
        # Outside CI only: a developer machine without Chromium skips these, and says so.
        skip = pytest.mark.skip(reason="/usr/bin/chromium not installed (apt-get install chromium)")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
    # for their fixtures are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with a small city: a government, two departments and their staff."""
    from tests import factories

    root = factories.organisation("江澜市人民政府", kind="government")
    market = factories.organisation("江澜市市场监督管理局", parent=root)
    factories.organisation("江澜市卫生健康委员会", parent=root)
    people = {
        "officer": factories.staff(
            "data_officer", market, username="officer", password="Browser-pass-1"
        ),
        "supervisor": factories.staff(
            "supervisor", root, username="inspector", password="Browser-pass-1"
        ),
    }
    return {"url": live_server.url, "market": market, "people": people}


def sign_in(page, url, username, password="Browser-pass-1"):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
