import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.services.conftest import DEAD_END, NO_ROLE, bpmn_variant
from yiwang.core.models import AuditEvent
from yiwang.services.choices import ItemStatus
from yiwang.services.models import ServiceItem, Theme

pytestmark = pytest.mark.django_db

ITEM_POST = {
    "code": "11350100MB0000001X0001", "name": "户外招牌设置审批", "item_type": "licensing",
    "audience": "company", "life_event": "startup", "legal_basis": "《江澜市市容条例》第二十条",
    "conditions": "招牌设置符合规划", "case_kind": "promised", "statutory_days": "20",
    "promised_days": "5", "visits": "0", "online_depth": "4", "online": "on",
    "result_name": "户外招牌设置许可决定书", "window_address": "江澜市政务服务中心二楼",
    "office_hours": "工作日 9:00-17:00", "phone": "0999-12319",
    "m-TOTAL_FORMS": "2", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "100",
    "m-0-name": "招牌设计效果图", "m-0-required": "on", "m-0-form": "electronic", "m-0-copies": "1",
    "m-1-name": "", "m-1-form": "electronic", "m-1-copies": "1",
}  # fmt: skip
FORM_JSON = json.dumps(
    [{"code": "sign_text", "label": "招牌文字", "type": "text", "required": True}]
)


def text(response) -> str:
    return response.content.decode()


def test_an_admin_creates_an_item_with_materials_and_a_form_on_one_page(client, market_admin, city):
    client.force_login(market_admin)
    response = client.post("/services/manage/items/new/", {
        **ITEM_POST, "organisation": city["market"].pk, "participants": [city["market"].pk, city["fire"].pk],
        "form_json": FORM_JSON})  # fmt: skip
    item = ServiceItem.objects.get(code="11350100MB0000001X0001")
    assert response.status_code == 302 and response.url == f"/services/manage/items/{item.pk}/"
    assert [m.name for m in item.materials.all()] == ["招牌设计效果图"]
    assert item.form_definition[0]["code"] == "sign_text"
    assert set(item.participants.all()) == {city["market"], city["fire"]}
    assert AuditEvent.objects.filter(action="item.create", target_id=str(item.pk)).exists()


def test_a_form_definition_that_is_not_json_is_shown_as_an_error(client, market_admin, city):
    client.force_login(market_admin)
    response = client.post("/services/manage/items/new/", {
        **ITEM_POST, "organisation": city["market"].pk, "form_json": '[{"code": "x",'})  # fmt: skip
    assert response.status_code == 200
    assert "申请表定义不是有效的 JSON：第 1 行" in text(response)
    assert not ServiceItem.objects.exists()


def test_a_form_definition_with_a_bad_field_type_is_refused_in_chinese(client, market_admin, city):
    client.force_login(market_admin)
    bad = json.dumps([{"code": "size", "label": "面积", "type": "float"}])
    response = client.post("/services/manage/items/new/", {
        **ITEM_POST, "organisation": city["market"].pk, "form_json": bad})  # fmt: skip
    assert "申请表第 1 个字段（面积）的类型无效" in text(response)


def test_a_promise_beyond_the_statutory_limit_is_shown_beside_the_field(client, market_admin, city):
    client.force_login(market_admin)
    response = client.post("/services/manage/items/new/", {
        **ITEM_POST, "organisation": city["market"].pk, "promised_days": "30"})  # fmt: skip
    assert "承诺办结时限不能超过法定办结时限" in text(response)


def test_an_admin_edits_a_published_item_into_a_new_version(client, market_admin, food_item):
    client.force_login(market_admin)
    page = text(client.get(f"/services/manage/items/{food_item.pk}/edit/"))
    assert "食品经营许可申请书" in page and "company.uscc" in page
    form = {**ITEM_POST, "code": food_item.code, "name": "食品经营许可（新办，告知承诺）",
            "m-TOTAL_FORMS": "1", "m-0-name": "食品经营许可申请书", "form_json": "[]", "note": "告知承诺"}  # fmt: skip
    response = client.post(f"/services/manage/items/{food_item.pk}/edit/", form)
    assert response.status_code == 302
    food_item.refresh_from_db()
    assert food_item.version == 2 and food_item.versions.first().note == "告知承诺"


def test_an_admin_of_another_department_cannot_open_the_edit_page(client, health_admin, food_item):
    client.force_login(health_admin)
    assert client.get(f"/services/manage/items/{food_item.pk}/edit/").status_code == 404
    assert client.get(f"/services/manage/items/{food_item.pk}/").status_code == 404


def test_staff_without_the_admin_role_cannot_manage_items(client, city):
    client.force_login(factories.staff("reviewer", city["market"]))
    assert client.get("/services/manage/").status_code == 403
    assert client.get("/services/manage/items/new/").status_code == 403


def test_the_item_list_shows_only_the_admins_departments(client, market_admin, food_item, city):
    other = factories.service_item(city["health"], name="医疗机构执业登记")
    client.force_login(market_admin)
    page = text(client.get("/services/manage/"))
    assert food_item.name in page and other.name not in page


def test_publish_and_suspend_from_the_item_page(client, market_admin, city):
    item = factories.service_item(city["market"], publish=False)
    client.force_login(market_admin)
    client.post(f"/services/manage/items/{item.pk}/publish/", {"note": "首次发布"})
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    client.post(f"/services/manage/items/{item.pk}/suspend/", {"reason": "法规修订"})
    item.refresh_from_db()
    assert item.status == ItemStatus.SUSPENDED
    event = AuditEvent.objects.get(action="item.suspend", target_id=str(item.pk))
    assert event.after["reason"] == "法规修订"


def test_publishing_an_incomplete_item_names_what_is_missing(client, market_admin, city):
    item = factories.service_item(city["market"], publish=False, phone="")
    client.force_login(market_admin)
    response = client.post(f"/services/manage/items/{item.pk}/publish/", follow=True)
    assert "事项要素不完整，缺少：咨询电话" in text(response)


def _upload(client, item, xml: str):
    upload = SimpleUploadedFile("process.bpmn", xml.encode(), content_type="application/xml")
    return client.post(f"/services/manage/items/{item.pk}/process/", {"file": upload}, follow=True)


def test_an_uploaded_bpmn_process_becomes_the_items_process(client, market_admin, food_item):
    client.force_login(market_admin)
    page = text(_upload(client, food_item, bpmn_variant()))
    assert "审批流程已上传" in page and "审批流程：市场监管两级审查" in page
    food_item.refresh_from_db()
    assert food_item.process.name == "市场监管两级审查"
    assert AuditEvent.objects.filter(action="item.process", target_id=str(food_item.pk)).exists()


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<bpmn:definitions", "BPMN 文件不是有效的 XML"),
        (bpmn_variant(drop=NO_ROLE), "人工任务「部门审查」未指定办理岗位"),
        (bpmn_variant(extra=DEAD_END), "节点「归档」无法到达结束事件（死路）"),
    ],
    ids=["unparsable", "user-task-without-role", "dead-end"],
)
def test_a_bad_bpmn_upload_is_refused_with_its_reason(
    client, market_admin, food_item, xml, message
):
    client.force_login(market_admin)
    assert message in text(_upload(client, food_item, xml))
    food_item.refresh_from_db()
    assert food_item.process_id is None


def test_the_completeness_page_lists_incomplete_items_per_department(client, market_admin, city):
    factories.service_item(city["market"], name="完整事项")
    factories.service_item(city["market"], name="缺电话事项", publish=False, phone="")
    client.force_login(market_admin)
    page = text(client.get("/services/manage/completeness/"))
    assert "缺电话事项" in page and "咨询电话" in page
    assert "完整事项</a>" not in page
    assert "完整率 50%" in page


def test_an_admin_bundles_items_into_a_theme_and_publishes_it(
    client, market_admin, food_item, city
):
    licence = factories.service_item(city["market"], name="营业执照（设立登记）")
    client.force_login(market_admin)
    response = client.post("/services/manage/themes/new/", {
        "code": "open-restaurant", "name": "我要开餐馆", "audience": "company", "life_event": "startup",
        "lead": city["market"].pk, "items": [licence.pk, food_item.pk]})  # fmt: skip
    assert response.status_code == 302
    client.post("/services/manage/themes/open-restaurant/publish/")
    theme = Theme.objects.get(code="open-restaurant")
    assert theme.status == ItemStatus.PUBLISHED
    assert "我要开餐馆" in text(client.get("/services/themes/"))


def test_a_theme_of_one_item_is_refused(client, market_admin, food_item, city):
    client.force_login(market_admin)
    response = client.post("/services/manage/themes/new/", {
        "code": "solo", "name": "单事项", "audience": "company", "lead": city["market"].pk,
        "items": [food_item.pk]})  # fmt: skip
    assert "一件事至少包含两个不同的事项" in text(response)


def test_an_example_file_is_uploaded_kept_on_edit_and_downloaded_by_visitors(
    client, market_admin, food_item, settings, tmp_path
):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}  # fmt: skip
    client.force_login(market_admin)
    form = {**ITEM_POST, "code": food_item.code, "name": food_item.name, "m-TOTAL_FORMS": "1",
            "m-0-name": "食品经营许可申请书", "form_json": "[]"}  # fmt: skip
    sample = SimpleUploadedFile(
        "申请书样表.pdf", b"%PDF-1.4 sample", content_type="application/pdf"
    )
    client.post(f"/services/manage/items/{food_item.pk}/edit/", {**form, "m-0-example": sample})
    client.post(
        f"/services/manage/items/{food_item.pk}/edit/", {**form, "m-0-description": "加盖公章"}
    )
    material = food_item.materials.get()
    assert material.description == "加盖公章" and material.example
    client.logout()
    download = client.get(f"/services/materials/{material.pk}/example/")
    assert (
        download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 sample"
    )


def test_an_example_that_is_not_a_document_is_refused(client, market_admin, food_item):
    client.force_login(market_admin)
    form = {**ITEM_POST, "code": food_item.code, "name": food_item.name, "m-TOTAL_FORMS": "1",
            "m-0-name": "食品经营许可申请书", "form_json": "[]",
            "m-0-example": SimpleUploadedFile("run.exe", b"MZ")}  # fmt: skip
    response = client.post(f"/services/manage/items/{food_item.pk}/edit/", form)
    assert "示例样表只能是 PDF、图片、Word 或 Excel 文件" in text(response)


def test_the_workbench_offers_item_management_to_admins_only(client, market_admin, city):
    client.force_login(market_admin)
    assert 'href="/services/manage/"' in text(client.get("/core/workbench/"))
    client.force_login(factories.staff("clerk", city["market"]))
    assert 'href="/services/manage/"' not in text(client.get("/core/workbench/"))
    client.force_login(factories.staff("supervisor", city["root"]))
    page = text(client.get("/core/workbench/"))
    assert (
        'href="/services/manage/completeness/"' in page and 'href="/services/manage/"' not in page
    )
