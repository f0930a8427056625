import pytest

from yiwang.core.models import AuditEvent, Organisation
from yiwang.demo import build
from yiwang.demo import services as demo_services
from yiwang.services import selectors
from yiwang.services.choices import ItemStatus
from yiwang.services.models import Material, ServiceItem, Theme
from yiwang.services.search import search_items


@pytest.fixture
def city(db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(
        build.SCALES, "small", {"people": 300, "companies": 120, "citizens": 5, "agents": 3}
    )
    return build.build(scale="small", seed=7)


def test_the_small_city_publishes_300_items_with_versions_and_an_index(city):
    assert (
        city.service_items == ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count() == 300
    )
    assert ServiceItem.objects.filter(versions__version=1).distinct().count() == 300
    assert AuditEvent.objects.filter(action="demo.service_items").count() == 1
    assert "食品经营许可（新办）" in [i.name for i in search_items("食品", limit=50)]


def test_a_few_drafts_give_the_completeness_page_something_to_report(city):
    from yiwang.core.models import User

    rows = selectors.completeness_by_department(User.objects.get(username="admin"))
    incomplete = {item.name: missing for row in rows for item, missing in row.incomplete}
    assert incomplete["网络餐饮服务第三方平台备案"] == ["办理地点", "咨询电话"]
    assert len(incomplete) == 3


def test_window_addresses_name_the_department_whole():
    from yiwang.demo.services import _window_address

    health = Organisation(name="江澜市卫生健康委员会", short_name="卫健委")
    county = Organisation(name="江澜市青山县卫生健康局", short_name="")
    assert _window_address(health) == "江澜市政务服务中心卫健委窗口"
    assert _window_address(county) == "江澜市政务服务中心青山县卫生健康局窗口"


def test_the_demo_items_windows_name_their_department_whole(city):
    def windows(organisation):
        items = ServiceItem.objects.filter(organisation__name=organisation)
        return set(items.values_list("window_address", flat=True))

    assert windows("江澜市卫生健康委员会") == {"江澜市政务服务中心卫健委窗口"}
    assert windows("江澜市青山县卫生健康局") == {"江澜市政务服务中心青山县卫生健康局窗口"}


def test_items_span_the_departments_and_some_have_parallel_reviewers(city):
    assert ServiceItem.objects.values("organisation").distinct().count() >= 30
    several = [
        i
        for i in ServiceItem.objects.prefetch_related("participants")
        if i.participants.count() >= 3
    ]
    assert several, "some items need 2–3 departments reviewing in parallel"


def test_every_demo_item_is_complete_and_its_form_is_valid(city):
    from yiwang.services import formdef
    from yiwang.services.services import missing_elements

    for item in ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).prefetch_related(
        "materials"
    ):
        assert missing_elements(item) == [], item.name
        assert formdef.check_definition(item.form_definition) == item.form_definition


def test_materials_are_replaced_by_licences_and_by_the_registries(city):
    assert Material.objects.exclude(licence_type="").exists()
    fetched = Material.objects.filter(resource__code="C1801/000001").values_list(
        "item__name", flat=True
    )
    assert "出生登记" in fetched


def test_the_restaurant_theme_bundles_four_items_and_asks_the_licence_once(city):
    theme = Theme.objects.get(code="open-restaurant")
    assert theme.status == ItemStatus.PUBLISHED
    assert [i.name for i in selectors.theme_items(theme)] == [
        "营业执照（设立登记）", "食品经营许可（新办）", "公众聚集场所投入使用营业前消防安全检查",
        "户外招牌设置审批（新办）",
    ]  # fmt: skip
    names = [m.name for m in selectors.theme_materials(theme)]
    assert names.count("营业执照") == 1 and Theme.objects.count() == 3


def test_the_city_scale_plan_is_deterministic_with_unique_codes(city):
    plan = [(b.number, v, q, o.uscc) for b, v, q, o in demo_services._plan(_orgs_by_key())]
    assert len(plan) >= demo_services.ITEM_COUNTS["city"]
    assert len({f"{n:04d}{v}{q}{uscc}" for n, v, q, uscc in plan}) == len(plan)
    assert plan == [(b.number, v, q, o.uscc) for b, v, q, o in demo_services._plan(_orgs_by_key())]


def _orgs_by_key():
    """The organisations under the keys build.py gives them."""
    from yiwang.core.models import Organisation
    from yiwang.demo import names

    by_name = {o.name: o for o in Organisation.objects.all()}
    orgs = {short: by_name[name] for name, short, _kind in names.CITY_DEPARTMENTS}
    for county in names.COUNTIES.values():
        for name, _kind in names.COUNTY_DEPARTMENTS:
            orgs[f"{county}{name}"] = by_name[f"{names.CITY_NAME}{county}{name}"]
    return orgs


def test_one_item_runs_its_own_two_stage_process_drawn_in_a_modeler(city):
    item = ServiceItem.objects.get(name="户外招牌设置审批（新办）", organisation__level="city")
    planning = item.process.user_tasks[1]["department"]
    assert [t["name"] for t in item.process.user_tasks] == ["初审", "规划复核"]
    assert planning == Organisation.objects.get(short_name="自然资源和规划局").uscc
    assert item.version == 2 and item.versions.get(version=2).note.startswith("更换审批流程")


def test_some_forms_are_prefilled_from_the_base_registries(city):
    prefilled = {
        item.name: field["prefill"]
        for item in ServiceItem.objects.filter(organisation__level="city")
        for field in item.form_definition
        if field["prefill"].startswith("registry:")
    }
    assert prefilled == {"失业保险金申领": "registry:B0101/000001.address",
                         "食品经营许可（新办）": "registry:B0201/000001.legal_representative"}  # fmt: skip
