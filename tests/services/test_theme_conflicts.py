"""一件事: conflicts between the items' form fields are refused when a theme is made or changed,
and when an item of a published theme changes its form, so an applicant's joint form never breaks."""

import json

import pytest
from django.core.management import call_command

from tests import factories
from tests.openapi import assert_matches_openapi
from tests.services.test_spreadsheet import rows_of, workbook
from yiwang.core.errors import ServiceError
from yiwang.core.models import AuditEvent
from yiwang.services import selectors, services, spreadsheet
from yiwang.services.choices import ItemStatus
from yiwang.services.models import ServiceItem, ServiceItemVersion, Theme

pytestmark = pytest.mark.django_db

SIGN_AREA_AS_TEXT = [{"code": "area", "label": "招牌面积", "type": "text", "required": True}]
SIGN_AREA_AS_DECIMAL = [{"code": "area", "label": "招牌所在场所面积", "type": "decimal"}]


@pytest.fixture
def sign_item(city):
    return factories.service_item(city["market"], name="户外招牌设置审批",
                                  form_definition=SIGN_AREA_AS_DECIMAL)  # fmt: skip


@pytest.fixture
def clashing_item(city):
    """An item whose `area` is text where 食品经营许可 has a number."""
    return factories.service_item(city["market"], name="户外广告设置审批",
                                  form_definition=SIGN_AREA_AS_TEXT)  # fmt: skip


@pytest.fixture
def published_theme(market_admin, city, food_item, sign_item):
    theme = services.create_theme(actor=market_admin, lead=city["market"], code="shop",
                                  name="我要开店", audience="company", items=[food_item, sign_item])  # fmt: skip
    return services.publish_theme(actor=market_admin, theme=theme)


def make_theme(actor, city, items, code="shop"):
    return services.create_theme(actor=actor, lead=city["market"], code=code, name="我要开店",
                                 audience="company", items=items)  # fmt: skip


def form_of(theme) -> dict:
    return {f["code"]: f for f in selectors.theme_form(theme)}


# --- what conflicts and what merges --------------------------------------------


def test_one_field_code_of_two_types_is_refused_naming_the_code_the_items_and_the_types(
    market_admin, city, food_item, clashing_item
):
    with pytest.raises(ServiceError) as caught:
        make_theme(market_admin, city, [food_item, clashing_item])
    error = caught.value
    assert error.code == "services.theme_form_conflict"
    assert error.message.startswith(
        "申请表字段 area 在「食品经营许可（新办）」与「户外广告设置审批」中类型分别为「金额/小数」和「文本」"
    )
    assert error.detail == {"code": "area", "items": [food_item.pk, clashing_item.pk],
                            "difference": "类型分别为「金额/小数」和「文本」"}  # fmt: skip
    assert not Theme.objects.exists()


def test_one_field_code_prefilled_from_two_sources_means_two_things_and_is_refused(
    market_admin, city, food_item
):
    person = factories.service_item(city["market"], name="个体工商户登记", form_definition=[
        {"code": "company_name", "label": "经营者姓名", "type": "text", "prefill": "applicant.name"}
    ])  # fmt: skip
    with pytest.raises(
        ServiceError, match=r"company_name.*预填来源分别为 company\.name 和 applicant\.name"
    ):
        make_theme(market_admin, city, [food_item, person])


def test_the_same_choices_in_another_order_are_merged(market_admin, city, food_item):
    other = factories.service_item(city["market"], name="户外招牌设置审批", form_definition=[
        {"code": "category", "label": "经营类别", "type": "select", "options": ["冷食类", "热食类"]}
    ])  # fmt: skip
    theme = make_theme(market_admin, city, [food_item, other])
    assert form_of(theme)["category"]["options"] == ["热食类", "冷食类"]


def test_compatible_definitions_merge_into_the_strictest_field(market_admin, city, food_item):
    other = factories.service_item(city["market"], name="户外招牌设置审批", form_definition=[
        {"code": "company_name", "label": "单位名称", "type": "text", "required": False,
         "max_length": 30},
        {"code": "area", "label": "面积", "type": "decimal", "required": False},
    ])  # fmt: skip
    theme = make_theme(market_admin, city, [other, food_item])
    fields = form_of(theme)
    assert fields["company_name"]["label"] == "单位名称"  # the first item's wording
    assert fields["company_name"]["required"] is True  # 食品经营许可 requires it
    assert fields["company_name"]["max_length"] == 30  # what both items accept
    assert fields["company_name"]["prefill"] == "company.name"  # from the item that has one
    assert fields["area"]["items"] == ["户外招牌设置审批", "食品经营许可（新办）"]


# --- changing a theme ------------------------------------------------------------


def test_a_draft_theme_changes_its_name_and_items_with_an_audit_row(
    market_admin, city, food_item, sign_item
):
    theme = make_theme(market_admin, city, [food_item, sign_item])
    licence = factories.service_item(city["market"], name="营业执照（设立登记）")
    services.update_theme(actor=market_admin, theme=theme, name="我要开餐馆",
                          items=[licence, food_item, sign_item])  # fmt: skip
    theme.refresh_from_db()
    assert theme.name == "我要开餐馆"
    assert [i.name for i in selectors.theme_items(theme)] == [
        "营业执照（设立登记）", "食品经营许可（新办）", "户外招牌设置审批"]  # fmt: skip
    event = AuditEvent.objects.filter(action="theme.update").get()
    assert event.before["items"] == [food_item.pk, sign_item.pk]
    assert event.after["items"] == [licence.pk, food_item.pk, sign_item.pk]


def test_adding_an_item_whose_form_conflicts_is_refused_and_changes_nothing(
    market_admin, city, food_item, sign_item, clashing_item
):
    theme = make_theme(market_admin, city, [food_item, sign_item])
    with pytest.raises(ServiceError) as caught:
        services.update_theme(actor=market_admin, theme=theme, name="改名",
                              items=[food_item, sign_item, clashing_item])  # fmt: skip
    assert caught.value.code == "services.theme_form_conflict"
    assert "「食品经营许可（新办）」与「户外广告设置审批」" in caught.value.message
    theme.refresh_from_db()
    assert theme.name == "我要开店" and len(selectors.theme_items(theme)) == 2
    assert not AuditEvent.objects.filter(action="theme.update").exists()


def test_the_items_of_a_published_theme_cannot_be_changed(
    market_admin, city, published_theme, food_item
):
    licence = factories.service_item(city["market"], name="营业执照（设立登记）")
    with pytest.raises(ServiceError, match="已发布的一件事不能调整所含事项"):
        services.update_theme(actor=market_admin, theme=published_theme, items=[licence, food_item])
    summary = services.update_theme(actor=market_admin, theme=published_theme, summary="一次办好")
    assert summary.summary == "一次办好"


def test_another_departments_admin_cannot_change_a_theme(health_admin, published_theme):
    with pytest.raises(ServiceError) as caught:
        services.update_theme(actor=health_admin, theme=published_theme, name="改名")
    assert caught.value.status == 404


def test_a_draft_theme_whose_items_came_to_conflict_is_not_published(
    market_admin, city, food_item, sign_item
):
    theme = make_theme(market_admin, city, [food_item, sign_item])
    services.update_item(actor=market_admin, item=sign_item, form_definition=SIGN_AREA_AS_TEXT)
    with pytest.raises(ServiceError) as caught:
        services.publish_theme(actor=market_admin, theme=theme)
    assert caught.value.code == "services.theme_form_conflict"
    theme.refresh_from_db()
    assert theme.status == ItemStatus.DRAFT


# --- a new version of an item of a published theme -----------------------------


def test_a_new_version_whose_form_conflicts_with_a_published_theme_is_refused(
    market_admin, published_theme, sign_item
):
    with pytest.raises(ServiceError) as caught:
        services.update_item(actor=market_admin, item=sign_item, form_definition=SIGN_AREA_AS_TEXT)
    error = caught.value
    assert error.code == "services.theme_form_conflict"
    assert "已发布的一件事「我要开店」" in error.message
    assert (
        "申请表字段 area 在「食品经营许可（新办）」与「户外招牌设置审批」中类型分别为「金额/小数」和「文本」"
        in (error.message)
    )
    assert error.detail["theme"] == published_theme.pk
    sign_item.refresh_from_db()
    assert sign_item.version == 1 and sign_item.form_definition[0]["type"] == "decimal"
    assert ServiceItemVersion.objects.filter(item=sign_item).count() == 1


def test_a_suspended_item_of_a_published_theme_cannot_take_a_conflicting_form(
    market_admin, published_theme, sign_item
):
    services.suspend_item(actor=market_admin, item=sign_item, reason="法规修订")
    with pytest.raises(ServiceError, match="我要开店"):
        services.update_item(actor=market_admin, item=sign_item, form_definition=SIGN_AREA_AS_TEXT)


def test_a_compatible_new_version_of_an_item_of_a_published_theme_is_published(
    market_admin, published_theme, sign_item
):
    wider = [{**SIGN_AREA_AS_DECIMAL[0], "required": True},
             {"code": "sign_text", "label": "招牌文字", "type": "text"}]  # fmt: skip
    services.update_item(actor=market_admin, item=sign_item, form_definition=wider)
    sign_item.refresh_from_db()
    assert sign_item.version == 2
    assert "sign_text" in form_of(published_theme)


def test_an_item_of_a_draft_theme_may_change_its_form(market_admin, city, food_item, sign_item):
    make_theme(market_admin, city, [food_item, sign_item])
    services.update_item(actor=market_admin, item=sign_item, form_definition=SIGN_AREA_AS_TEXT)
    sign_item.refresh_from_db()
    assert sign_item.form_definition[0]["type"] == "text"


def test_an_item_changing_other_elements_is_not_held_up_by_its_theme(
    market_admin, published_theme, sign_item
):
    services.update_item(actor=market_admin, item=sign_item, promised_days=3)
    sign_item.refresh_from_db()
    assert sign_item.promised_days == 3 and sign_item.version == 2


# --- what the applicant sees ------------------------------------------------------


def test_the_applicant_keeps_the_working_joint_form_after_a_refused_change(
    client, market_admin, published_theme, sign_item
):
    with pytest.raises(ServiceError):
        services.update_item(actor=market_admin, item=sign_item, form_definition=SIGN_AREA_AS_TEXT)
    client.force_login(factories.user(real_name="张三", id_number=factories.ric()))
    page = client.get("/cases/apply/theme/shop/")
    assert page.status_code == 200
    assert 'name="area"' in page.content.decode()
    assert form_of(published_theme)["area"]["type"] == "decimal"


def test_an_applicant_is_not_shown_a_joint_form_whose_items_conflict(
    client, published_theme, sign_item
):
    # A theme made before conflicts were checked, whose items were changed behind its back.
    ServiceItem.objects.filter(pk=sign_item.pk).update(form_definition=SIGN_AREA_AS_TEXT)
    client.force_login(factories.user(real_name="张三", id_number=factories.ric()))
    response = client.get("/cases/apply/theme/shop/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/services/themes/shop/"
    assert "暂不受理在线申请" in page and 'name="area"' not in page


def test_a_joint_application_against_conflicting_items_is_refused(published_theme, sign_item):
    from yiwang.cases import services as case_services

    ServiceItem.objects.filter(pk=sign_item.pk).update(form_definition=SIGN_AREA_AS_TEXT)
    applicant = factories.user(real_name="张三", id_number=factories.ric())
    with pytest.raises(ServiceError, match="暂不受理在线申请"):
        case_services.submit_theme_application(actor=applicant, theme=published_theme,
                                               form_data={"area": "12"})  # fmt: skip


# --- pages -------------------------------------------------------------------------


def theme_post(city, items, **extra) -> dict:
    return {"code": "shop", "name": "我要开店", "audience": "company", "life_event": "startup",
            "lead": city["market"].pk, "items": [i.pk for i in items], **extra}  # fmt: skip


def test_the_new_theme_page_names_the_conflict(
    client, market_admin, city, food_item, clashing_item
):
    client.force_login(market_admin)
    response = client.post(
        "/services/manage/themes/new/", theme_post(city, [food_item, clashing_item])
    )
    assert response.status_code == 200
    assert (
        "申请表字段 area 在「食品经营许可（新办）」与「户外广告设置审批」中类型分别为「金额/小数」和「文本」"
        in (response.content.decode())
    )
    assert not Theme.objects.exists()


def test_the_theme_edit_page_changes_a_draft_and_names_a_conflict(
    client, market_admin, city, food_item, sign_item, clashing_item
):
    theme = make_theme(market_admin, city, [food_item, sign_item])
    client.force_login(market_admin)
    assert "修改一件事" in client.get("/services/manage/themes/shop/edit/").content.decode()
    refused = client.post("/services/manage/themes/shop/edit/",
                          theme_post(city, [food_item, sign_item, clashing_item]))  # fmt: skip
    assert (
        "「食品经营许可（新办）」与「户外广告设置审批」中类型分别为「金额/小数」和「文本」"
        in refused.content.decode()
    )
    saved = client.post("/services/manage/themes/shop/edit/",
                        theme_post(city, [food_item, sign_item], name="我要开小店"))  # fmt: skip
    assert saved.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "我要开小店" and theme.code == "shop"


def test_the_theme_edit_page_changes_a_published_themes_wording_and_keeps_its_items(
    client, market_admin, city, food_item, sign_item
):
    # In another order than the list box's (by code), which sends the items back as a set.
    theme = make_theme(market_admin, city, [sign_item, food_item])
    services.publish_theme(actor=market_admin, theme=theme)
    client.force_login(market_admin)
    response = client.post("/services/manage/themes/shop/edit/",
                           theme_post(city, [sign_item, food_item], summary="开店一次办好"))  # fmt: skip
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.summary == "开店一次办好"
    assert [i.pk for i in selectors.theme_items(theme)] == [sign_item.pk, food_item.pk]


def test_the_theme_edit_page_is_not_found_for_another_department(
    client, health_admin, published_theme
):
    client.force_login(health_admin)
    assert client.get("/services/manage/themes/shop/edit/").status_code == 404


def test_the_item_edit_page_refuses_a_form_that_breaks_a_published_theme(
    client, market_admin, published_theme, sign_item
):
    from tests.services.test_manage_pages import ITEM_POST

    client.force_login(market_admin)
    response = client.post(f"/services/manage/items/{sign_item.pk}/edit/", {
        **ITEM_POST, "code": sign_item.code, "name": sign_item.name, "organisation": sign_item.organisation_id,
        "participants": [sign_item.organisation_id], "form_json": json.dumps(SIGN_AREA_AS_TEXT)})  # fmt: skip
    assert response.status_code == 200
    assert "已发布的一件事「我要开店」" in response.content.decode()
    sign_item.refresh_from_db()
    assert sign_item.version == 1


# --- API -----------------------------------------------------------------------------

THEMES = "/api/v1/services/themes"


def test_the_api_refuses_a_theme_whose_items_conflict(
    client, market_admin, city, food_item, clashing_item
):
    client.force_login(market_admin)
    response = client.post(THEMES, {
        "code": "shop", "name": "我要开店", "audience": "company", "lead_id": city["market"].pk,
        "item_ids": [food_item.pk, clashing_item.pk]}, content_type="application/json")  # fmt: skip
    assert_matches_openapi(response, "post", THEMES)
    assert response.status_code == 400
    assert response.json()["code"] == "services.theme_form_conflict"
    assert "area" in response.json()["message"]


def test_the_api_changes_a_draft_theme_and_refuses_a_conflicting_item(
    client, market_admin, city, food_item, sign_item, clashing_item
):
    theme = make_theme(market_admin, city, [food_item, sign_item])
    client.force_login(market_admin)
    path = f"{THEMES}/{theme.pk}"
    refused = client.patch(path, {"item_ids": [food_item.pk, sign_item.pk, clashing_item.pk]},
                           content_type="application/json")  # fmt: skip
    assert_matches_openapi(refused, "patch", THEMES + "/{theme_id}")
    assert refused.status_code == 400 and refused.json()["code"] == "services.theme_form_conflict"
    changed = client.patch(path, {"name": "我要开小店", "item_ids": [sign_item.pk, food_item.pk]},
                           content_type="application/json")  # fmt: skip
    assert_matches_openapi(changed, "patch", THEMES + "/{theme_id}")
    assert changed.status_code == 200 and changed.json()["name"] == "我要开小店"
    assert [i["id"] for i in changed.json()["items"]] == [sign_item.pk, food_item.pk]


def test_the_api_refuses_an_item_version_that_breaks_a_published_theme(
    client, market_admin, published_theme, sign_item
):
    client.force_login(market_admin)
    response = client.patch(f"/api/v1/services/items/{sign_item.pk}",
                            {"form_definition": SIGN_AREA_AS_TEXT, "note": "改为文字"},
                            content_type="application/json")  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/services/items/{item_id}")
    assert response.status_code == 400
    assert response.json()["code"] == "services.theme_form_conflict"


# --- XLSX import of items --------------------------------------------------------------


def test_an_imported_item_version_that_breaks_a_published_theme_is_a_row_error(
    market_admin, published_theme, sign_item
):
    rows = [
        list(r)
        for r in rows_of(spreadsheet.export_items(ServiceItem.objects.filter(pk=sign_item.pk)))
    ]
    rows[1][rows[0].index("申请表（JSON）")] = json.dumps(SIGN_AREA_AS_TEXT)
    result = spreadsheet.import_items(actor=market_admin, data=workbook(rows))
    assert result.updated == [] and result.errors[0]["row"] == 2
    assert "已发布的一件事「我要开店」" in result.errors[0]["message"]
    sign_item.refresh_from_db()
    assert sign_item.form_definition == [
        {**SIGN_AREA_AS_DECIMAL[0], "required": False, "max_length": 200, "options": [],
         "help": "", "prefill": ""}]  # fmt: skip


# --- yiwang doctor -----------------------------------------------------------------


def test_doctor_names_a_published_theme_whose_items_came_to_conflict(
    published_theme, sign_item, capsys
):
    call_command("doctor")
    assert "1 个已发布主题的表单均可合并" in capsys.readouterr().out
    ServiceItem.objects.filter(pk=sign_item.pk).update(form_definition=SIGN_AREA_AS_TEXT)
    call_command("doctor")
    line = next(x for x in capsys.readouterr().out.splitlines() if "一件事联合申请表" in x)
    assert line.startswith("!") and "我要开店（shop）" in line and "暂不受理在线申请" in line
