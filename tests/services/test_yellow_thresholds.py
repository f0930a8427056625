"""An item's own yellow-card thresholds (黄牌预警比例, 黄牌预警天数): set on the item page, through the
API and in the XLSX template; empty means the global setting."""

import pytest

from tests.openapi import assert_matches_openapi
from tests.services.test_manage_pages import FORM_JSON, ITEM_POST
from tests.services.test_spreadsheet import rows_of, workbook
from yiwang.core.errors import ServiceError
from yiwang.services import services, spreadsheet
from yiwang.services.models import ServiceItem

pytestmark = pytest.mark.django_db
ITEM = "/api/v1/services/items/{item_id}"


def test_the_item_page_saves_the_items_thresholds(client, market_admin, city):
    client.force_login(market_admin)
    client.post("/services/manage/items/new/", {**ITEM_POST, "organisation": city["market"].pk,
                "form_json": FORM_JSON, "yellow_ratio": "0.3", "yellow_days": "2"})  # fmt: skip
    item = ServiceItem.objects.get()
    assert (item.yellow_ratio, item.yellow_days) == (0.3, 2)


def test_the_item_page_refuses_a_ratio_above_one(client, market_admin, city):
    client.force_login(market_admin)
    page = client.post("/services/manage/items/new/", {**ITEM_POST, "organisation": city["market"].pk,
                       "form_json": FORM_JSON, "yellow_ratio": "20"})  # fmt: skip
    assert "黄牌预警比例应在 0 到 1 之间" in page.content.decode()
    assert not ServiceItem.objects.exists()


def test_the_api_sets_and_answers_the_thresholds_and_a_change_is_a_new_version(
    client, market_admin, food_item
):
    client.force_login(market_admin)
    path = ITEM.format(item_id=food_item.pk)
    answer = client.patch(
        path, {"yellow_ratio": 0.25, "yellow_days": 3}, content_type="application/json"
    )
    assert_matches_openapi(answer, "patch", "/api/v1/services" + "/items/{item_id}")
    body = answer.json()
    assert (body["yellow_ratio"], body["yellow_days"], body["version"]) == (0.25, 3, 2)
    cleared = client.patch(path, {"yellow_days": None}, content_type="application/json").json()
    assert cleared["yellow_days"] is None and cleared["yellow_ratio"] == 0.25


def test_the_api_refuses_a_negative_ratio(client, market_admin, food_item):
    client.force_login(market_admin)
    answer = client.patch(
        ITEM.format(item_id=food_item.pk), {"yellow_ratio": -0.1}, content_type="application/json"
    )
    assert answer.status_code == 422
    assert ServiceItem.objects.get(pk=food_item.pk).yellow_ratio is None


def test_the_service_refuses_a_ratio_above_one(market_admin, food_item):
    with pytest.raises(ServiceError) as caught:
        services.update_item(actor=market_admin, item=food_item, yellow_ratio=1.5)
    assert caught.value.code == "validation_failed"


def test_the_xlsx_export_carries_the_thresholds_and_an_import_reads_them_back(
    market_admin, food_item
):
    services.update_item(actor=market_admin, item=food_item, yellow_ratio=0.3, yellow_days=2)
    rows = rows_of(spreadsheet.export_items(ServiceItem.objects.all()))
    ratio, days = rows[0].index("黄牌预警比例"), rows[0].index("黄牌预警天数")
    assert (rows[1][ratio], rows[1][days]) == (0.3, 2)
    changed = [list(rows[0])] + [[*r[:ratio], "25%", 4, *r[days + 1 :]] for r in rows[1:]]
    result = spreadsheet.import_items(actor=market_admin, data=workbook(changed))
    assert result.errors == []
    item = ServiceItem.objects.get(pk=food_item.pk)
    assert (item.yellow_ratio, item.yellow_days) == (0.25, 4)


def test_an_xlsx_row_with_a_bad_ratio_is_reported_with_its_row(market_admin, food_item):
    rows = rows_of(spreadsheet.export_items(ServiceItem.objects.all()))
    ratio = rows[0].index("黄牌预警比例")
    changed = [list(rows[0])] + [[*r[:ratio], "很高", *r[ratio + 1 :]] for r in rows[1:]]
    result = spreadsheet.import_items(actor=market_admin, data=workbook(changed))
    assert result.errors[0]["row"] == 2 and result.errors[0]["column"] == "yellow_ratio"
    assert "黄牌预警比例应为 0 到 1 之间" in result.errors[0]["message"]


def test_an_item_without_thresholds_follows_the_global_setting(food_item, settings):
    from yiwang.cases.clock import yellow_threshold

    settings.YIWANG = {**settings.YIWANG, "YELLOW_RATIO": 0.2, "YELLOW_DAYS": 1}
    food_item.promised_days = 20
    assert yellow_threshold(food_item) == 4
    food_item.yellow_ratio, food_item.yellow_days = 0.5, 0
    assert yellow_threshold(food_item) == 10
