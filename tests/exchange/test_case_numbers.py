"""X-Case-Number: the shape of a 办件编号, and who sees the exchanges linked to a case."""

import pytest

from tests.exchange.test_gateway import get, granted
from tests.registry.conftest import company_row
from yiwang.exchange import selectors
from yiwang.exchange.case_numbers import is_case_number
from yiwang.exchange.models import ExchangeLog

pytestmark = pytest.mark.django_db(transaction=True)

CASE = "9901001234567890" + "20261122" + "0001"  # 实施编码 + yyyymmdd + sequence
OTHER_CASE = "9901001234567890" + "20261122" + "0002"


@pytest.mark.parametrize(
    "number",
    [
        "9901001234567890202611220001",
        "11350100MB0000000X000012345620261231" + "9999",
    ],
)
def test_a_case_number_is_an_item_code_a_date_and_four_digits(number):
    assert is_case_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "990100-20261122-0001",  # separators
        "99010012345678902026112201",  # sequence too short
        "9901001234567890202613220001",  # month 13
        "9901001234567890202602300001",  # 30 February
        "99010020261122" + "0001",  # item code too short
        "9901001234567890２０２６11220001",  # full-width digits
        "abcdefghijkl202611220001",  # lower case
        "",
    ],
)
def test_malformed_case_numbers_are_not_case_numbers(number):
    assert not is_case_number(number)


def test_a_malformed_case_number_header_is_refused_with_400_and_logged(
    client, health, officer, companies
):
    granted(health, officer, companies)
    headers = {**health["headers"], "X-Case-Number": "990100-20261122-0001"}
    response = get(client, companies, company_row(1)["uscc"], headers)
    assert response.status_code == 400 and response.json()["code"] == "exchange.case_number"
    log = ExchangeLog.objects.get()
    assert (log.status, log.error_code, log.record_count) == (400, "exchange.case_number", 0)


def test_a_well_formed_case_number_is_kept_with_the_exchange(client, health, officer, companies):
    granted(health, officer, companies)
    response = get(
        client, companies, company_row(1)["uscc"], {**health["headers"], "X-Case-Number": CASE}
    )
    assert response.status_code == 200 and ExchangeLog.objects.get().case_number == CASE


@pytest.fixture
def case_exchanges(client, health, officer, companies):
    """Two reads for CASE and one for another case, by the health commission's system."""
    granted(health, officer, companies)
    for number in (CASE, CASE, OTHER_CASE):
        get(
            client,
            companies,
            company_row(1)["uscc"],
            {**health["headers"], "X-Case-Number": number},
        )
    return ExchangeLog.objects.filter(case_number=CASE)


def test_a_supervisor_sees_the_exchanges_of_a_case(factory, city, case_exchanges):
    supervisor = factory.staff("supervisor", city["root"])
    assert set(selectors.exchanges_for_case(CASE, supervisor)) == set(case_exchanges)


def test_a_department_taking_part_in_the_case_sees_its_exchanges(factory, city, case_exchanges):
    reviewer = factory.staff("reviewer", city["health"])
    assert selectors.exchanges_for_case(CASE, reviewer).count() == 2


def test_the_owner_of_the_resource_read_for_the_case_sees_its_exchanges(officer, case_exchanges):
    assert selectors.exchanges_for_case(CASE, officer).count() == 2


def test_a_department_outside_the_case_sees_none_of_its_exchanges(factory, city, case_exchanges):
    police = factory.staff("data_officer", city["police"])
    assert not selectors.exchanges_for_case(CASE, police).exists()


def test_a_department_named_by_a_registered_resolver_sees_the_cases_exchanges(
    factory, city, case_exchanges, monkeypatch
):
    police = factory.staff("reviewer", city["police"])
    monkeypatch.setattr(selectors, "_CASE_DEPARTMENTS", [])
    selectors.register_case_departments(
        lambda number: {city["police"].pk} if number == CASE else set()
    )
    assert selectors.exchanges_for_case(CASE, police).count() == 2
    assert not selectors.exchanges_for_case(OTHER_CASE, police).exists()


def test_a_malformed_number_matches_nothing(factory, city, case_exchanges):
    supervisor = factory.staff("supervisor", city["root"])
    assert not selectors.exchanges_for_case("990100-20261122-0001", supervisor).exists()


def test_the_exchange_log_page_filters_by_case_number(client, factory, city, case_exchanges):
    client.force_login(factory.staff("supervisor", city["root"]))
    page = client.get("/exchange/log/", {"case": CASE})
    assert page.status_code == 200
    assert {log.case_number for log in page.context["page"]} == {CASE}
    assert len(page.context["page"]) == 2 and "江澜市卫生健康委员会" in page.content.decode()
    assert len(client.get("/exchange/log/").context["page"]) == 3


def test_the_exchange_log_page_explains_a_malformed_case_number(
    client, factory, city, case_exchanges
):
    client.force_login(factory.staff("supervisor", city["root"]))
    page = client.get("/exchange/log/", {"case": "990100-0001"}, follow=True)
    assert page.status_code == 200 and len(page.context["page"]) == 0
    assert "实施编码 + 受理日期" in page.content.decode()


def test_the_exchange_log_page_shows_nothing_of_a_case_to_an_outside_department(
    client, factory, city, case_exchanges
):
    client.force_login(factory.staff("data_officer", city["police"]))
    page = client.get("/exchange/log/", {"case": CASE})
    assert page.status_code == 200 and len(page.context["page"]) == 0
