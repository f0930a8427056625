"""交换统计: calls, records and errors per day, in all and per resource, department and system,
on the page (chart and table per dimension) and in the XLSX export (a sheet per dimension)."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.exchange.test_gateway import get, granted
from tests.registry.conftest import company_row
from yiwang.core import services as core_services
from yiwang.exchange import selectors, services
from yiwang.exchange.models import ExchangeLog

pytestmark = pytest.mark.django_db(transaction=True)

MISSING = "91350100M000100Y43"


@pytest.fixture
def police(factory, city, companies):
    """The police's system, granted the companies registry (无条件共享), with its key."""
    officer = factory.staff("data_officer", city["police"], username="police-officer")
    client = factory.api_client(city["police"], "case-handling")
    services.request_access(actor=officer, client=client, resource=companies, purpose="办案核查",
                            legal_basis="《人民警察法》", field_codes=["uscc", "name"])  # fmt: skip
    secret = core_services.issue_api_key(actor=officer, client=client).secret
    return {"client": client, "headers": {"Authorization": f"Bearer {secret}"}}


@pytest.fixture
def two_days(client, health, officer, companies, police):
    """Yesterday: the health commission read one company. Today: it read one and missed one,
    and the police read one."""
    granted(health, officer, companies)
    get(client, companies, company_row(1)["uscc"], health["headers"])
    yesterday = timezone.localtime().replace(hour=12) - datetime.timedelta(days=1)
    ExchangeLog.objects.update(occurred_at=yesterday)
    get(client, companies, company_row(2)["uscc"], health["headers"])
    get(client, companies, MISSING, health["headers"])
    get(client, companies, company_row(3)["uscc"], police["headers"])
    return {"yesterday": yesterday.date(), "today": timezone.localdate()}


def measures(rows, *keys):
    return {tuple(r[k] for k in keys): (r["calls"], r["records"], r["errors"]) for r in rows}


def test_daily_figures_per_resource(officer, two_days):
    rows = selectors.daily_by(officer, "resource", days=7)
    assert measures(rows, "day", "resource__name") == {
        (two_days["yesterday"], "法人基本信息"): (1, 1, 0),
        (two_days["today"], "法人基本信息"): (3, 2, 1),
    }


def test_daily_figures_per_department(officer, two_days):
    rows = selectors.daily_by(officer, "department", days=7)
    assert measures(rows, "day", "organisation__name") == {
        (two_days["yesterday"], "江澜市卫生健康委员会"): (1, 1, 0),
        (two_days["today"], "江澜市卫生健康委员会"): (2, 1, 1),
        (two_days["today"], "江澜市公安局"): (1, 1, 0),
    }


def test_daily_figures_per_client(officer, two_days):
    rows = selectors.daily_by(officer, "client", days=7)
    assert measures(rows, "day", "client__subsystem_code") == {
        (two_days["yesterday"], "hospital-licensing"): (1, 1, 0),
        (two_days["today"], "hospital-licensing"): (2, 1, 1),
        (two_days["today"], "case-handling"): (1, 1, 0),
    }


def test_a_department_sees_only_the_figures_of_the_exchanges_it_may_see(health, two_days):
    rows = selectors.daily_by(health["officer"], "department", days=7)
    assert {r["organisation__name"] for r in rows} == {"江澜市卫生健康委员会"}


def test_the_page_charts_and_tables_the_chosen_dimension_per_day(client, officer, two_days):
    client.force_login(officer)
    page = client.get("/exchange/statistics/", {"by": "department", "days": "7"})
    assert page.context["totals"] == {"calls": 4, "records": 3, "errors": 1}
    chart = page.context["chart"]
    assert chart["days"] == [two_days["yesterday"].isoformat(), two_days["today"].isoformat()]
    assert chart["calls"] == [1, 3] and chart["errors"] == [0, 1]
    assert {s["name"]: s["calls"] for s in chart["series"]} == {
        "江澜市卫生健康委员会": [1, 2],
        "江澜市公安局": [0, 1],
    }
    table = [(r["day"], r["label"], r["calls"]) for r in page.context["daily"]]
    assert table[-1] == (two_days["yesterday"], "江澜市卫生健康委员会", 1)  # newest day first
    assert len(table) == 3 and "江澜市公安局" in page.content.decode()


def test_the_xlsx_has_a_sheet_per_dimension_with_a_row_per_day_and_key(client, officer, two_days):
    client.force_login(officer)
    export = client.get("/exchange/statistics/", {"format": "xlsx", "days": "7"})
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames == ["每日", "按资源", "按部门", "按应用系统"]
    yesterday, today = two_days["yesterday"].isoformat(), two_days["today"].isoformat()

    def rows(sheet):
        return [list(r) for r in workbook[sheet].iter_rows(min_row=2, values_only=True)]

    assert rows("每日") == [[yesterday, 1, 1, 0], [today, 3, 2, 1]]
    assert rows("按资源") == [
        [yesterday, "B0201/000001", "法人基本信息", 1, 1, 0],
        [today, "B0201/000001", "法人基本信息", 3, 2, 1],
    ]
    assert sorted(rows("按部门")) == sorted([
        [yesterday, "江澜市卫生健康委员会", 1, 1, 0],
        [today, "江澜市卫生健康委员会", 2, 1, 1],
        [today, "江澜市公安局", 1, 1, 0],
    ])  # fmt: skip
    clients = {(r[0], r[2]): r[4:] for r in rows("按应用系统")}
    assert clients == {
        (yesterday, "hospital-licensing"): [1, 1, 0],
        (today, "hospital-licensing"): [2, 1, 1],
        (today, "case-handling"): [1, 1, 0],
    }


def test_refused_calls_without_a_client_are_counted_and_named(client, officer, two_days, companies):
    client.get(f"/api/v1/exchange/resources/{companies.pk}/records/x")  # no key: 401, logged
    client.force_login(officer)
    page = client.get("/exchange/statistics/", {"by": "client", "days": "7"})
    labels = {r["label"]: r["errors"] for r in page.context["dimension_totals"]}
    assert labels["（未认证的调用）"] == 1
