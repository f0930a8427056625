"""我的数据使用记录 reaches back over the whole history, a page at a time: a company read a few
times a day has thousands of usages, and the oldest are as much its right to know."""

import datetime

import pytest
from django.utils import timezone

from tests.exchange.conftest import person
from yiwang.exchange.gateway import subject_hash
from yiwang.exchange.models import ExchangeLog, ExchangeSubject

pytestmark = pytest.mark.django_db

USAGES = 1010


@pytest.fixture
def citizen(factory, health, people):
    ric = person(2)["id_number"]
    start = timezone.now() - datetime.timedelta(days=400)
    logs = ExchangeLog.objects.bulk_create(
        ExchangeLog(occurred_at=start + datetime.timedelta(hours=i), client=health["client"],
                    organisation=health["client"].organisation, resource=people, operation="lookup",
                    purpose=f"核验{i}", field_codes=["name"], record_count=1, status=200)
        for i in range(USAGES)
    )  # fmt: skip
    ExchangeSubject.objects.bulk_create(
        ExchangeSubject(log=log, subject_hash=subject_hash(ric)) for log in logs
    )
    return factory.user("citizen2", id_number=ric)


def test_the_api_counts_and_pages_every_usage(client, citizen):
    client.force_login(citizen)
    first = client.get("/api/v1/exchange/my-data-usage", {"page_size": 50}).json()
    assert first["count"] == USAGES and first["items"][0]["purpose"] == f"核验{USAGES - 1}"
    last = client.get("/api/v1/exchange/my-data-usage", {"page_size": 50, "page": 21}).json()
    assert [u["purpose"] for u in last["items"]] == [f"核验{i}" for i in range(9, -1, -1)]


def test_the_page_shows_the_oldest_usages_on_its_last_page(client, citizen):
    client.force_login(citizen)
    page = client.get("/exchange/my-data/").content.decode()
    assert "核验1009" in page and "下一页" in page
    last = client.get("/exchange/my-data/", {"page": 21}).content.decode()
    assert "核验0<" in last and "姓名" in last


def test_fields_are_named_by_the_resource_that_was_read_not_by_one_with_the_same_name(
    client, factory, health, officer, city, people
):
    from tests.catalog.conftest import make_resource

    make_resource(officer, city["market"], code="B0101/000002", name=people.name, share_type="conditional",
                  fields=[{"code": "id_number", "name": "户主身份号码", "data_type": "ric", "is_key": True},
                          {"code": "name", "name": "户主姓名", "data_type": "string"}])  # fmt: skip
    ric = person(3)["id_number"]
    log = ExchangeLog.objects.create(occurred_at=timezone.now(), client=health["client"],
                                     organisation=health["client"].organisation, resource=people,
                                     operation="lookup", purpose="核验", field_codes=["name"], record_count=1,
                                     status=200)  # fmt: skip
    ExchangeSubject.objects.create(log=log, subject_hash=subject_hash(ric))
    client.force_login(factory.user("citizen3", id_number=ric))
    page = client.get("/exchange/my-data/").content.decode()
    assert "户主姓名" not in page and ">姓名<" in page
