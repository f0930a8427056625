"""谁在使用: the exchange's panel on the catalog's resource page."""

import pytest

from tests.exchange.test_gateway import granted
from yiwang.catalog import services as catalog
from yiwang.catalog.models import Resource
from yiwang.exchange import services

pytestmark = pytest.mark.django_db(transaction=True)


def page_of(client, resource) -> str:
    response = client.get(f"/catalog/resources/{resource.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_another_department_sees_who_holds_a_grant_on_the_resource(
    client, factory, city, health, officer, companies
):
    grant = granted(health, officer, companies, fields=["uscc", "name"])
    client.force_login(factory.staff("reviewer", city["police"]))
    page = page_of(client, companies)
    assert "谁在使用" in page and "江澜市卫生健康委员会" in page and health["client"].name in page
    assert "统一社会信用代码、企业名称" in page and grant.valid_until.isoformat() in page


def test_grants_not_in_force_are_not_listed(client, factory, city, health, officer, companies):
    grant = granted(health, officer, companies)
    services.set_grant_status(actor=officer, grant=grant, status="suspended", reason="核查")
    client.force_login(factory.staff("reviewer", city["police"]))
    page = page_of(client, companies)
    assert "目前没有生效中的共享授权" in page and "江澜市卫生健康委员会" not in page


def test_the_demands_for_the_resource_are_listed_with_their_fields_and_status(
    client, factory, city, health, companies
):
    catalog.create_demand(actor=health["officer"], requester=city["health"], resource=companies,
                          purpose="医疗机构设置审批", field_codes=["uscc", "legal_representative"])  # fmt: skip
    client.force_login(factory.staff("reviewer", city["police"]))
    page = page_of(client, companies)
    assert (
        "医疗机构设置审批" in page and "统一社会信用代码、法定代表人" in page and "待满足" in page
    )


def test_the_public_does_not_see_who_uses_an_open_resource(
    client, factory, health, officer, companies
):
    Resource.objects.filter(pk=companies.pk).update(open_type="open")
    granted(health, officer, companies)
    client.force_login(factory.user("citizen7"))
    page = page_of(client, companies)
    assert "谁在使用" not in page and "江澜市卫生健康委员会" not in page


def test_a_retired_resource_lists_no_grant_in_force(client, health, officer, companies):
    granted(health, officer, companies)
    catalog.retire_resource(actor=officer, resource=companies, reason="数据并入新资源")
    client.force_login(officer)
    page = page_of(client, companies)
    assert "目前没有生效中的共享授权" in page and health["client"].name not in page
