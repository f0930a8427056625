import pytest

from tests import factories
from tests.openapi import assert_matches_openapi
from tests.services.conftest import bpmn_variant
from yiwang.core.models import AuditEvent
from yiwang.services.models import ServiceItem

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/services/items"
NEW_ITEM = {
    "code": "11350100MB0000001X0002", "name": "公众聚集场所投入使用营业前消防安全检查",
    "item_type": "licensing", "audience": "company", "life_event": "startup",
    "legal_basis": "《中华人民共和国消防法》第十五条", "conditions": "场所已竣工并符合消防技术标准",
    "case_kind": "promised", "statutory_days": 10, "promised_days": 3, "online": True,
    "online_depth": "4", "result_name": "消防安全检查合格证", "window_address": "江澜市政务服务中心",
    "office_hours": "工作日 9:00-17:00", "phone": "0999-96119",
    "materials": [{"name": "消防安全检查申报表", "required": True}],
    "form_definition": [{"code": "venue", "label": "场所名称", "type": "text", "required": True}],
}  # fmt: skip


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_anyone_lists_published_items_with_a_chinese_search(client, food_item, city):
    factories.service_item(city["health"], name="医疗机构执业登记")
    response = client.get(ITEMS, {"q": "食品"})
    assert_matches_openapi(response, "get", "/api/v1/services/items")
    assert [i["name"] for i in response.json()["items"]] == ["食品经营许可（新办）"]


def test_items_are_filtered_by_department_life_event_and_audience(client, food_item, city):
    factories.service_item(
        city["health"], name="出生医学证明办理", life_event="birth", audience="person"
    )
    assert client.get(ITEMS, {"life_event": "birth"}).json()["count"] == 1
    assert client.get(ITEMS, {"audience": "company"}).json()["items"][0]["name"] == food_item.name
    assert client.get(ITEMS, {"organisation_id": city["market"].pk}).json()["count"] == 1
    assert client.get(ITEMS, {"life_event": "nonsense"}).status_code == 422


def test_the_item_detail_carries_materials_form_and_participants(client, food_item, city):
    response = client.get(f"{ITEMS}/{food_item.pk}")
    assert_matches_openapi(response, "get", "/api/v1/services/items/{item_id}")
    body = response.json()
    assert [m["replaceable"] for m in body["materials"]] == [False, True, False]
    assert body["form_definition"][1]["prefill"] == "company.uscc"
    assert body["participant_ids"] == sorted([city["market"].pk, city["health"].pk])


def test_an_item_whose_field_has_the_longest_length_the_service_takes_is_answered(client, city):
    field = {"code": "plan", "label": "经营方案", "type": "text", "max_length": 100_000}
    item = factories.service_item(city["market"], form_definition=[field])
    response = client.get(f"{ITEMS}/{item.pk}")
    assert_matches_openapi(response, "get", "/api/v1/services/items/{item_id}")
    assert response.json()["form_definition"][0]["max_length"] == 100_000


def test_a_draft_is_not_found_by_anonymous_callers(client, city):
    draft = factories.service_item(city["market"], publish=False)
    response = client.get(f"{ITEMS}/{draft.pk}")
    assert_matches_openapi(response, "get", "/api/v1/services/items/{item_id}")
    assert response.status_code == 404


def test_a_draft_is_visible_to_its_own_admin_and_not_to_another_departments(
    client, market_admin, health_admin, city
):
    draft = factories.service_item(city["market"], publish=False)
    client.force_login(market_admin)
    own = client.get(f"{ITEMS}/{draft.pk}")
    assert_matches_openapi(own, "get", "/api/v1/services/items/{item_id}")
    assert own.json()["status"] == "draft"
    assert client.get(ITEMS, {"status": "draft"}).json()["count"] == 1
    client.force_login(health_admin)
    assert client.get(f"{ITEMS}/{draft.pk}").status_code == 404
    assert client.get(ITEMS, {"status": "draft"}).json()["count"] == 0


# --- writes: anonymous / admin of another department / own admin ----------------


def test_anonymous_callers_cannot_create_an_item(client, city):
    response = post(client, ITEMS, {**NEW_ITEM, "organisation_id": city["fire"].pk})
    assert_matches_openapi(response, "post", "/api/v1/services/items")
    assert response.status_code == 401


def test_an_admin_cannot_create_an_item_for_another_department(client, market_admin, city):
    client.force_login(market_admin)
    response = post(client, ITEMS, {**NEW_ITEM, "organisation_id": city["fire"].pk})
    assert_matches_openapi(response, "post", "/api/v1/services/items")
    assert response.status_code == 403
    assert not ServiceItem.objects.exists()


def test_an_admin_creates_publishes_and_suspends_an_item_of_their_department(client, city):
    admin = factories.staff("admin", city["fire"])
    client.force_login(admin)
    created = post(client, ITEMS, {**NEW_ITEM, "organisation_id": city["fire"].pk,
                                   "participant_ids": [city["fire"].pk, city["market"].pk]})  # fmt: skip
    assert_matches_openapi(created, "post", "/api/v1/services/items")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    item_id = created.json()["id"]
    published = post(client, f"{ITEMS}/{item_id}/publish", {"note": "首次发布"})
    assert_matches_openapi(published, "post", "/api/v1/services/items/{item_id}/publish")
    assert published.json()["status"] == "published" and published.json()["version"] == 1
    suspended = post(client, f"{ITEMS}/{item_id}/suspend", {"reason": "场所标准修订"})
    assert_matches_openapi(suspended, "post", "/api/v1/services/items/{item_id}/suspend")
    assert suspended.json()["status"] == "suspended"
    actions = set(
        AuditEvent.objects.filter(target_id=str(item_id)).values_list("action", flat=True)
    )
    assert {"item.create", "item.publish", "item.suspend"} <= actions


def test_a_duplicate_code_is_a_conflict(client, market_admin, food_item, city):
    client.force_login(market_admin)
    response = post(
        client, ITEMS, {**NEW_ITEM, "code": food_item.code, "organisation_id": city["market"].pk}
    )
    assert_matches_openapi(response, "post", "/api/v1/services/items")
    assert response.status_code == 409 and response.json()["code"] == "conflict"


def test_a_bad_form_definition_is_refused_with_a_chinese_message(client, market_admin, city):
    client.force_login(market_admin)
    bad = [{"code": "Bad Code", "label": "名称", "type": "text"}]
    response = post(
        client, ITEMS, {**NEW_ITEM, "organisation_id": city["market"].pk, "form_definition": bad}
    )
    assert_matches_openapi(response, "post", "/api/v1/services/items")
    assert response.status_code == 400 and response.json()["code"] == "services.form_invalid"
    assert "代码无效或重复" in response.json()["message"]


@pytest.mark.parametrize(
    ("action", "body"),
    [("patch", {"name": "改名"}), ("publish", {"note": "再发布"}), ("suspend", {"reason": "暂停受理"}),
     ("process", {"bpmn_xml": bpmn_variant()})],
)  # fmt: skip
def test_writes_to_an_item_by_anonymous_and_other_admins_are_refused(
    client, health_admin, food_item, action, body
):
    path = f"{ITEMS}/{food_item.pk}" + ("" if action == "patch" else f"/{action}")
    send = (lambda: client.patch(path, body, content_type="application/json")) if action == "patch" else (
        lambda: post(client, path, body))  # fmt: skip
    template = "/api/v1/services/items/{item_id}" + ("" if action == "patch" else f"/{action}")
    method = "patch" if action == "patch" else "post"
    anonymous = send()
    assert_matches_openapi(anonymous, method, template)
    assert anonymous.status_code == 401
    client.force_login(health_admin)
    other = send()
    assert_matches_openapi(other, method, template)
    assert other.status_code == 404  # another department's item is not theirs to change
    food_item.refresh_from_db()
    assert food_item.name == "食品经营许可（新办）" and food_item.status == "published"


def test_the_own_admin_updates_an_item_into_a_new_version(client, market_admin, food_item):
    client.force_login(market_admin)
    response = client.patch(f"{ITEMS}/{food_item.pk}", {"promised_days": 3, "note": "压缩时限"},
                            content_type="application/json")  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/services/items/{item_id}")
    assert response.json()["promised_days"] == 3 and response.json()["version"] == 2


def test_a_text_element_patched_to_null_is_cleared(client, market_admin, food_item):
    client.force_login(market_admin)
    food_item.summary, food_item.fee = "经营食品须先取得许可", "不收费"
    food_item.save(update_fields=["summary", "fee"])
    response = client.patch(f"{ITEMS}/{food_item.pk}", {"summary": None, "fee": None},
                            content_type="application/json")  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/services/items/{item_id}")
    assert (response.json()["summary"], response.json()["fee"]) == ("", "")


def test_the_own_admin_uploads_a_process_and_a_bad_one_is_refused(client, market_admin, food_item):
    client.force_login(market_admin)
    path = f"{ITEMS}/{food_item.pk}/process"
    good = post(client, path, {"name": "两级审查", "bpmn_xml": bpmn_variant()})
    assert_matches_openapi(good, "post", "/api/v1/services/items/{item_id}/process")
    assert good.json()["user_tasks"][0]["department"] == "participant"
    bad = post(client, path, {"bpmn_xml": "not xml"})
    assert_matches_openapi(bad, "post", "/api/v1/services/items/{item_id}/process")
    assert bad.status_code == 400 and bad.json()["code"] == "services.bpmn_invalid"


# --- themes --------------------------------------------------------------------


def test_themes_are_created_by_the_lead_admin_and_read_by_anyone(
    client, market_admin, food_item, city
):
    licence = factories.service_item(city["market"], name="营业执照（设立登记）")
    body = {"code": "open-restaurant", "name": "我要开餐馆", "audience": "company", "lead_id": city["market"].pk,
            "item_ids": [licence.pk, food_item.pk]}  # fmt: skip
    assert post(client, "/api/v1/services/themes", body).status_code == 401
    client.force_login(factories.staff("admin", city["health"]))
    refused = post(client, "/api/v1/services/themes", body)
    assert_matches_openapi(refused, "post", "/api/v1/services/themes")
    assert refused.status_code == 403
    client.force_login(market_admin)
    created = post(client, "/api/v1/services/themes", body)
    assert_matches_openapi(created, "post", "/api/v1/services/themes")
    theme_id = created.json()["id"]
    published = post(client, f"/api/v1/services/themes/{theme_id}/publish", {})
    assert_matches_openapi(published, "post", "/api/v1/services/themes/{theme_id}/publish")
    client.logout()
    listing = client.get("/api/v1/services/themes")
    assert_matches_openapi(listing, "get", "/api/v1/services/themes")
    theme = listing.json()["items"][0]
    assert theme["name"] == "我要开餐馆" and len(theme["items"]) == 2
    assert [f["code"] for f in theme["form"]][:2] == ["name", "company_name"]


def test_another_admin_cannot_publish_a_theme_they_do_not_lead(
    client, market_admin, health_admin, food_item, city
):
    from yiwang.services import services

    licence = factories.service_item(city["market"], name="营业执照（设立登记）")
    theme = services.create_theme(actor=market_admin, lead=city["market"], items=[licence, food_item],
                                  code="open-restaurant", name="我要开餐馆", audience="company")  # fmt: skip
    anonymous = post(client, f"/api/v1/services/themes/{theme.pk}/publish", {})
    assert_matches_openapi(anonymous, "post", "/api/v1/services/themes/{theme_id}/publish")
    assert anonymous.status_code == 401
    client.force_login(health_admin)
    response = post(client, f"/api/v1/services/themes/{theme.pk}/publish", {})
    assert_matches_openapi(response, "post", "/api/v1/services/themes/{theme_id}/publish")
    assert response.status_code == 404


def test_a_theme_summary_patched_to_null_is_cleared(client, market_admin, food_item, city):
    from yiwang.services import services

    licence = factories.service_item(city["market"], name="营业执照（设立登记）")
    theme = services.create_theme(actor=market_admin, lead=city["market"], items=[licence, food_item],
                                  code="open-restaurant", name="我要开餐馆", audience="company",
                                  summary="开餐馆一次办")  # fmt: skip
    client.force_login(market_admin)
    response = client.patch(f"/api/v1/services/themes/{theme.pk}", {"summary": None},
                            content_type="application/json")  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/services/themes/{theme_id}")
    assert response.json()["summary"] == ""


def test_a_themes_materials_are_answered_with_the_id_to_upload_each_under(
    client, market_admin, food_item, city
):
    """An API client applies for a theme with one file per material, named material_<id>."""
    from yiwang.services import services
    from yiwang.services.selectors import theme_materials

    licence = factories.service_item(city["market"], name="营业执照（设立登记）")
    theme = services.create_theme(actor=market_admin, lead=city["market"], items=[licence, food_item],
                                  code="open-restaurant", name="我要开餐馆", audience="company")  # fmt: skip
    client.force_login(market_admin)
    response = client.get(f"/api/v1/services/themes/{theme.pk}")
    assert_matches_openapi(response, "get", "/api/v1/services/themes/{theme_id}")
    answered = [m["id"] for m in response.json()["materials"]]
    assert answered == [entry.material.pk for entry in theme_materials(theme)]
