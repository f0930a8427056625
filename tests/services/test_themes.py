import pytest

from tests import factories
from tests.catalog.conftest import make_resource
from tests.services.conftest import LICENCE_TYPE
from yiwang.services import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def restaurant(city, market_admin, food_item):
    """我要开餐馆 with three items sharing 营业执照 (by licence type), 场所平面图 (by name), and
    a registry record (by resource)."""
    officer = factories.staff("data_officer", city["market"])
    legal_persons = make_resource(officer, city["market"])
    licence = factories.service_item(city["market"], name="营业执照（设立登记）", materials=[
        {"name": "公司登记（备案）申请书", "required": True},
        {"name": "企业登记信息", "required": False, "resource": legal_persons},
    ], form_definition=[
        {"code": "company_name", "label": "企业名称", "type": "text", "required": False},
        {"code": "capital", "label": "注册资本（万元）", "type": "decimal", "required": True},
    ])  # fmt: skip
    fire = factories.service_item(city["fire"], name="公众聚集场所投入使用营业前消防安全检查", materials=[
        {"name": "营业执照副本", "required": False, "licence_type": LICENCE_TYPE},
        {"name": "场所平面图", "required": True},
        {"name": "法人信息", "required": True, "resource": legal_persons},
    ], form_definition=[
        {"code": "company_name", "label": "单位名称", "type": "text", "required": True},
    ])  # fmt: skip
    sign = factories.service_item(city["market"], name="户外招牌设置审批",
                                  materials=[{"name": " 场所平面图", "required": False}])  # fmt: skip
    return services.create_theme(actor=market_admin, lead=city["market"], code="open-restaurant",
                                 name="我要开餐馆", audience="company",
                                 items=[licence, food_item, fire, sign])  # fmt: skip


def test_a_document_shared_by_several_items_is_asked_once(restaurant):
    names = [m.name for m in selectors.theme_materials(restaurant)]
    assert names == [
        "公司登记（备案）申请书", "企业登记信息", "食品经营许可申请书", "营业执照",
        "法定代表人身份证明", "场所平面图",
    ]  # fmt: skip


def test_a_merged_document_lists_its_items_and_is_required_if_any_item_requires_it(restaurant):
    by_name = {m.name: m for m in selectors.theme_materials(restaurant)}
    registry = by_name["企业登记信息"]
    assert registry.required and registry.replaceable
    assert registry.items == ["营业执照（设立登记）", "公众聚集场所投入使用营业前消防安全检查"]
    assert by_name["营业执照"].required  # 食品经营许可 requires it, 消防 does not
    assert len(by_name["场所平面图"].items) == 2  # names compared without surrounding spaces


def test_the_joint_form_merges_fields_by_code(restaurant):
    fields = {f["code"]: f for f in selectors.theme_form(restaurant)}
    assert list(fields) == ["company_name", "capital", "uscc", "area", "category", "name"]
    assert fields["company_name"]["label"] == "企业名称"  # the first item's label wins
    assert fields["company_name"]["required"] is True  # 消防 requires it
    assert len(fields["company_name"]["items"]) == 3


def test_the_theme_page_shows_one_set_of_materials_and_one_form(client, restaurant):
    services.publish_theme(actor=factories.superuser(), theme=restaurant)
    page = client.get("/services/themes/open-restaurant/").content.decode()
    assert "一套材料（已合并重复材料，共 6 份）" in page
    assert page.count("免提交</span>") == 2


def test_a_draft_theme_is_hidden_from_visitors(client, restaurant):
    assert client.get("/services/themes/open-restaurant/").status_code == 404


def test_a_field_code_defined_as_two_kinds_of_field_is_refused_when_building_the_theme(
    city, market_admin, food_item
):
    from yiwang.core.errors import ServiceError
    from yiwang.services.models import Theme

    other = factories.service_item(city["market"], name="户外招牌设置审批", form_definition=[
        {"code": "area", "label": "招牌面积", "type": "text"}])  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        services.create_theme(actor=market_admin, lead=city["market"], code="shop", name="我要开店",
                              audience="company", items=[food_item, other])  # fmt: skip
    assert caught.value.code == "services.theme_form_conflict"
    assert "area" in caught.value.message and "户外招牌设置审批" in caught.value.message
    assert not Theme.objects.exists()


def test_a_choice_with_other_options_under_the_same_code_is_refused(city, market_admin, food_item):
    from yiwang.core.errors import ServiceError

    other = factories.service_item(city["market"], name="户外招牌设置审批", form_definition=[
        {"code": "category", "label": "经营项目", "type": "select", "options": ["零售"]}])  # fmt: skip
    with pytest.raises(ServiceError, match="category"):
        services.create_theme(actor=market_admin, lead=city["market"], code="shop", name="我要开店",
                              audience="company", items=[food_item, other])  # fmt: skip


def test_the_same_field_in_two_items_is_merged_into_one(city, market_admin, food_item):
    other = factories.service_item(city["market"], name="户外招牌设置审批", form_definition=[
        {"code": "area", "label": "面积", "type": "decimal", "required": False}])  # fmt: skip
    theme = services.create_theme(actor=market_admin, lead=city["market"], code="shop", name="我要开店",
                                  audience="company", items=[food_item, other])  # fmt: skip
    [area] = [f for f in selectors.theme_form(theme) if f["code"] == "area"]
    assert area["required"] is True and len(area["items"]) == 2
