import pytest

from tests import factories
from yiwang.core.models import CompanyAgent

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_home_page_searches_service_items(client):
    assert 'action="/services/"' in text(client.get("/"))


def test_a_visitor_finds_an_item_by_a_two_character_word(client, food_item, city):
    factories.service_item(city["health"], name="母婴保健技术服务执业许可")
    page = text(client.get("/services/", {"q": "食品"}))
    assert "食品经营许可（新办）" in page
    assert "母婴保健" not in page


def test_a_more_used_item_ranks_above_an_equally_relevant_one(client, city):
    quiet = factories.service_item(city["market"], name="食品生产许可（变更）")
    busy = factories.service_item(city["market"], name="食品生产许可（延续）")
    from yiwang.services import search

    busy.use_count = 5000
    busy.save(update_fields=["use_count"])
    search.index_item(busy)
    page = text(client.get("/services/", {"q": "食品生产"}))
    assert page.index(busy.name) < page.index(quiet.name)


def test_a_draft_item_is_neither_found_nor_shown_to_visitors(client, city):
    draft = factories.service_item(city["market"], name="食品小作坊登记", publish=False)
    assert "食品小作坊登记" not in text(client.get("/services/", {"q": "食品"}))
    assert client.get(f"/services/items/{draft.pk}/").status_code == 404


def test_the_guide_marks_materials_the_platform_fetches_as_exempt(client, food_item):
    page = text(client.get(f"/services/items/{food_item.pk}/"))
    assert "办事指南" in page
    row = page.split("营业执照</td>")[0].rsplit("<tr", 1)[1]
    assert 'class="exempt"' in row
    assert page.count("免提交</span>") == 1


def test_the_guide_carries_the_process_diagram_for_the_viewer(client, food_item):
    page = text(client.get(f"/services/items/{food_item.pk}/"))
    assert 'data-source="guide-process"' in page
    assert '<script id="guide-process" type="application/json">' in page
    assert "vendor/bpmn-js/bpmn-viewer.production.min.js" in page
    assert "<script>" not in page  # CSP: no inline scripts


def test_the_guide_lists_participating_departments_and_the_compression_ratio(client, food_item):
    page = text(client.get(f"/services/items/{food_item.pk}/"))
    assert "江澜市卫生健康委员会" in page
    assert "压缩 75%" in page  # 5 promised of 20 statutory days


def test_items_are_listed_by_life_event_and_department(client, food_item, city):
    assert food_item.name in text(client.get("/services/life-events/startup/"))
    assert food_item.name not in text(client.get("/services/life-events/birth/"))
    assert client.get("/services/life-events/nonsense/").status_code == 404
    assert food_item.name in text(client.get(f"/services/departments/{city['market'].pk}/"))
    assert "江澜市市场监督管理局" in text(client.get("/services/departments/"))


def test_the_application_form_is_prefilled_for_a_company_agent(client, food_item):
    agent = factories.user(real_name="张三")
    CompanyAgent.objects.create(user=agent, company_uscc=factories.uscc(), company_name="江澜恒信餐饮有限公司",
                                valid_from="2026-01-01")  # fmt: skip
    client.force_login(agent)
    page = text(client.get(f"/services/items/{food_item.pk}/form/"))
    assert 'value="江澜恒信餐饮有限公司"' in page


def test_the_application_form_names_each_bad_field_in_chinese(client, food_item):
    response = client.post(f"/services/items/{food_item.pk}/form/",
                           {"company_name": "", "uscc": "123", "area": "很大", "category": "烧烤"})  # fmt: skip
    page = text(response)
    assert "请填写经营者名称" in page
    assert "经营场所面积（平方米）：应为数字" in page
    assert "经营项目：不是可选的值" in page
    assert "填写无误" not in page


def test_a_correct_application_form_is_accepted(client, food_item):
    response = client.post(f"/services/items/{food_item.pk}/form/", {
        "company_name": "江澜恒信餐饮有限公司", "uscc": factories.uscc(), "area": "85.5",
        "category": "热食类"})  # fmt: skip
    assert "申请表填写无误" in text(response)


@pytest.mark.parametrize("department", ["²", "①", "99999999999999999999999"])
def test_a_department_filter_that_is_no_id_lists_every_department(client, food_item, department):
    response = client.get("/services/", {"department": department})
    assert response.status_code == 200 and food_item.name in response.content.decode()


def test_the_department_list_leaves_out_a_deactivated_department(client, food_item, city):
    market = city["market"]
    market.is_active = False
    market.save(update_fields=["is_active"])
    page = text(client.get("/services/departments/"))
    assert f"/services/departments/{market.pk}/" not in page
    assert client.get(f"/services/departments/{market.pk}/").status_code == 404
