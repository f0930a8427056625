import datetime
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.catalog.conftest import city, make_resource, officer  # noqa: F401 — shared fixtures
from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.catalog import services as catalog
from yiwang.core import services as core_services
from yiwang.registry import services as registry

PEOPLE_FIELDS = [
    {
        "code": "id_number",
        "name": "公民身份号码",
        "data_type": "ric",
        "is_key": True,
        "is_personal": True,
    },
    {"code": "name", "name": "姓名", "data_type": "string", "is_personal": True},
    {"code": "address", "name": "住址", "data_type": "string", "is_personal": True},
    {"code": "region_code", "name": "户籍地", "data_type": "region"},
]


def person(i: int) -> dict:
    ric = company_row(i)["representative_id_number"]
    return {
        "id_number": ric,
        "name": f"张{i}明",
        "address": "江澜市东湖区滨江路1号",
        "region_code": "990102",
    }


@pytest.fixture
def people(officer, city, settings, tmp_path):  # noqa: F811
    settings.VAR_DIR = tmp_path
    resource = make_resource(officer, city["market"], code="B0101/000001", name="人口基本信息",
                             base_registry="population", share_type="conditional", fields=PEOPLE_FIELDS)  # fmt: skip
    catalog.publish_resource(actor=officer, resource=resource)
    registry.receive_batch(actor=officer, resource=resource, rows=[person(i) for i in range(5)])
    return resource


@pytest.fixture
def companies(officer, city, settings, tmp_path):  # noqa: F811
    settings.VAR_DIR = tmp_path
    resource = make_resource(officer, city["market"], code="B0201/000001", name="法人基本信息")
    catalog.publish_resource(actor=officer, resource=resource)
    registry.receive_file(
        actor=officer,
        resource=resource,
        upload=upload(csv_bytes([company_row(i) for i in range(5)])),
    )
    return resource


@pytest.fixture
def health(factory, city):  # noqa: F811
    """The health commission's data officer and its system with a key."""
    health_officer = factory.staff("data_officer", city["health"], username="health-officer")
    client = factory.api_client(city["health"], "hospital-licensing")
    secret = core_services.issue_api_key(actor=health_officer, client=client).secret
    return {"officer": health_officer, "client": client, "headers": {"Authorization": f"Bearer {secret}",
                                                              "X-Purpose": quote("医疗机构执业登记核验")}}  # fmt: skip


def a_year():
    today = datetime.date.today()
    return {"valid_from": today, "valid_until": today + datetime.timedelta(days=365)}


# --- GovStack callers --------------------------------------------------------------


def im_header(client) -> str:
    return f"{settings.GOVSTACK_INSTANCE}/GOV/{client.organisation.uscc}/{client.subsystem_code}"


def caller(client, secret: str, **extra) -> dict:
    return {
        "Information-Mediator-Client": im_header(client),
        "Authorization": f"Bearer {secret}",
        **extra,
    }


@pytest.fixture
def hospital(health):
    """The health commission's system, which may read granted registries."""
    return caller(
        health["client"],
        health["headers"]["Authorization"][7:],
        **{"X-Purpose": health["headers"]["X-Purpose"]},
    )


@pytest.fixture
def market_system(factory, city, officer):  # noqa: F811
    """The market regulator's own system: the owner of both registries."""
    client = factory.api_client(city["market"], "registry-sync")
    secret = core_services.issue_api_key(actor=officer, client=client).secret
    return {"client": client, "headers": caller(client, secret)}
