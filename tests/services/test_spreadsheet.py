import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from tests import factories
from yiwang.core.errors import ServiceError
from yiwang.services import spreadsheet
from yiwang.services.models import ServiceItem

pytestmark = pytest.mark.django_db


def rows_of(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.values)


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_export_writes_one_row_per_material(food_item):
    rows = rows_of(spreadsheet.export_items(ServiceItem.objects.all()))
    assert rows[0][0] == "实施编码" and len(rows) == 1 + 3
    header = rows[0]
    licence = rows[2][header.index("可由电子证照替代（证照类型代码）")]
    assert rows[2][header.index("材料名称")] == "营业执照" and licence


def test_formula_like_text_is_exported_as_text(city):
    factories.service_item(city["market"], name='=HYPERLINK("http://x")办理')
    rows = rows_of(spreadsheet.export_items(ServiceItem.objects.all()))
    assert rows[1][1].startswith("'=")


def test_an_export_imports_back_and_updates_the_items(market_admin, food_item):
    data = spreadsheet.export_items(ServiceItem.objects.all())
    rows = rows_of(data)
    name_column = rows[0].index("事项名称")
    changed = [list(rows[0])] + [
        [*r[:name_column], "食品经营许可（新办，导入）", *r[name_column + 1 :]] for r in rows[1:]
    ]
    result = spreadsheet.import_items(actor=market_admin, data=workbook(changed))
    assert result.errors == [] and result.updated == [food_item.code]
    food_item.refresh_from_db()
    assert food_item.name == "食品经营许可（新办，导入）" and food_item.version == 2
    assert (
        food_item.materials.count() == 3 and food_item.form_definition[0]["code"] == "company_name"
    )


def test_an_import_creates_a_new_item_as_a_draft(market_admin, food_item):
    rows = [list(r) for r in rows_of(spreadsheet.export_items(ServiceItem.objects.all()))]
    code = rows[0].index("实施编码")
    for row in rows[1:]:
        row[code] = "11350100MB0000001X0009"
    result = spreadsheet.import_items(actor=market_admin, data=workbook(rows))
    assert result.created == ["11350100MB0000001X0009"]
    assert ServiceItem.objects.get(code="11350100MB0000001X0009").status == "draft"


def test_bad_cells_are_reported_with_row_numbers_and_nothing_is_saved(market_admin, food_item):
    rows = [list(r) for r in rows_of(spreadsheet.export_items(ServiceItem.objects.all()))]
    header = rows[0]
    rows[1][header.index("事项类型")] = "行政审批"
    rows[1][header.index("法定办结时限（工作日）")] = "二十"
    rows[3][header.index("材料形式")] = "扫描件"
    rows[1][header.index("事项名称")] = "不应保存"
    result = spreadsheet.import_items(actor=market_admin, data=workbook(rows))
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (2, "「行政审批」不是有效的事项类型"),
        (2, "法定办结时限（工作日）应为非负整数，而不是「二十」"),
        (4, "「扫描件」不是有效的材料形式"),
    ]
    food_item.refresh_from_db()
    assert food_item.name == "食品经营许可（新办）"


def test_a_number_cell_with_digits_int_cannot_read_is_reported_not_a_crash(market_admin, food_item):
    rows = [list(r) for r in rows_of(spreadsheet.export_items(ServiceItem.objects.all()))]
    header = rows[0]
    rows[1][header.index("法定办结时限（工作日）")] = "2²"
    rows[1][header.index("承诺办结时限（工作日）")] = "１５"  # full-width digits are a number
    result = spreadsheet.import_items(actor=market_admin, data=workbook(rows))
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (2, "法定办结时限（工作日）应为非负整数，而不是「2²」"),
    ]


def test_a_bad_form_definition_in_a_row_is_reported(market_admin, food_item):
    rows = [list(r) for r in rows_of(spreadsheet.export_items(ServiceItem.objects.all()))]
    rows[1][rows[0].index("申请表（JSON）")] = json.dumps(
        [{"code": "x", "label": "甲", "type": "blob"}]
    )
    result = spreadsheet.import_items(actor=market_admin, data=workbook(rows))
    assert result.errors[0]["row"] == 2 and "类型无效" in result.errors[0]["message"]


def test_an_admin_cannot_import_into_another_departments_item(health_admin, food_item):
    data = spreadsheet.export_items(ServiceItem.objects.all())
    result = spreadsheet.import_items(actor=health_admin, data=data)
    assert result.errors[0]["row"] == 2 and "事项不存在或无权访问" in result.errors[0]["message"]


def test_a_file_that_is_not_xlsx_is_refused_in_chinese(market_admin):
    with pytest.raises(ServiceError) as caught:
        spreadsheet.import_items(actor=market_admin, data=b"code,name\n1,2\n")
    assert caught.value.message == "无法读取该文件：请上传 XLSX 格式的事项模板"


def test_a_template_missing_columns_names_them(market_admin):
    with pytest.raises(ServiceError) as caught:
        spreadsheet.import_items(actor=market_admin, data=workbook([["实施编码", "事项名称"]]))
    assert caught.value.code == "header.missing_field" and "事项类型" in caught.value.message


def test_the_import_page_shows_row_errors(client, market_admin, food_item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [list(r) for r in rows_of(spreadsheet.export_items(ServiceItem.objects.all()))]
    rows[2][rows[0].index("实施主体统一社会信用代码")] = ""
    rows[1][rows[0].index("实施主体统一社会信用代码")] = "91990100MA0000000X"
    client.force_login(market_admin)
    upload = SimpleUploadedFile("items.xlsx", workbook(rows))
    page = client.post("/services/manage/import/", {"file": upload}).content.decode()
    assert "第 2 行：找不到统一社会信用代码为 91990100MA0000000X 的单位" in page
    bad = client.post("/services/manage/import/", {"file": SimpleUploadedFile("x.xlsx", b"nope")})
    assert "无法读取该文件" in bad.content.decode()


def test_text_the_export_kept_from_running_as_a_formula_imports_back_unchanged(
    market_admin, food_item
):
    from yiwang.services import services

    services.update_item(actor=market_admin, item=food_item, summary="-申请人须年满十八周岁",
                         conditions="=依法取得营业执照")  # fmt: skip
    result = spreadsheet.import_items(
        actor=market_admin, data=spreadsheet.export_items(ServiceItem.objects.all())
    )
    assert result.errors == [] and result.updated == [food_item.code]
    food_item.refresh_from_db()
    assert (food_item.summary, food_item.conditions) == (
        "-申请人须年满十八周岁",
        "=依法取得营业执照",
    )
    assert food_item.version == 2  # the import changed nothing: no new version


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("份数", "100", "份数不能超过 99"),
        ("填报须知", "须" * 2001, "填报须知不能超过 2000 字"),
    ],
)
def test_a_material_beyond_what_the_api_answers_is_reported(
    market_admin, food_item, column, value, message
):
    rows = [list(r) for r in rows_of(spreadsheet.export_items(ServiceItem.objects.all()))]
    rows[2][rows[0].index(column)] = value
    result = spreadsheet.import_items(actor=market_admin, data=workbook(rows))
    assert [e["message"] for e in result.errors] == [f"事项 {food_item.code}：{message}"]
