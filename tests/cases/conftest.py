import pytest

from tests import factories


@pytest.fixture
def city():
    """An item of 市场监管 reviewed in parallel with 消防 and 城管, a clerk, reviewers, a citizen."""
    market = factories.organisation("江澜市市场监督管理局")
    fire = factories.organisation("江澜市消防救援支队")
    urban = factories.organisation("江澜市城市管理局")
    item = factories.service_item(market, participants=[fire, urban], name="食品经营许可（新办）")
    citizen = factories.user(real_name="张三", id_number=factories.ric(), phone="13900000001")
    return {
        "item": item, "market": market, "fire": fire, "urban": urban, "citizen": citizen,
        "clerk": factories.staff("clerk", market),
        "reviewers": {
            "market": factories.staff("reviewer", market),
            "fire": factories.staff("reviewer", fire),
            "urban": factories.staff("reviewer", urban),
        },
    }  # fmt: skip


@pytest.fixture
def population(city, settings, tmp_path, django_capture_on_commit_callbacks):
    """人口基本信息 (B0101/000001), a published base registry holding the citizen's record."""
    from tests.catalog.conftest import make_resource
    from tests.exchange.conftest import PEOPLE_FIELDS
    from yiwang.catalog import services as catalog
    from yiwang.registry import services as registry

    settings.VAR_DIR = tmp_path
    officer = factories.staff("data_officer", city["market"])
    resource = make_resource(officer, city["market"], code="B0101/000001", name="人口基本信息",
                             base_registry="population", fields=PEOPLE_FIELDS)  # fmt: skip
    catalog.publish_resource(actor=officer, resource=resource)
    row = {"id_number": city["citizen"].id_number, "name": "张三", "address": "江澜市东湖区滨江路8号",
           "region_code": "990102"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the load runs after its commit
        registry.receive_batch(actor=officer, resource=resource, rows=[row])
    return resource
