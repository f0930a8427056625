import io

import pytest
from openpyxl import load_workbook

from tests.catalog.conftest import LEGAL_PERSON_FIELDS
from tests.openapi import assert_matches_openapi
from yiwang.catalog import services
from yiwang.catalog.models import Resource

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "code": "B0201/000009", "name": "法人基本信息", "owner_id": None, "category": "base",
    "base_registry": "legal_person", "update_cycle": "daily", "share_type": "unconditional",
    "fields": LEGAL_PERSON_FIELDS,
}  # fmt: skip


def test_a_data_officer_creates_publishes_and_reads_a_resource_through_the_api(
    client, officer, city
):
    client.force_login(officer)
    created = client.post("/api/v1/catalog/resources", {**PAYLOAD, "owner_id": city["market"].pk},
                          content_type="application/json")  # fmt: skip
    assert_matches_openapi(created, "post", "/api/v1/catalog/resources")
    assert created.status_code == 201
    rid = created.json()["id"]
    published = client.post(f"/api/v1/catalog/resources/{rid}/publish", {"note": "首次发布"},
                            content_type="application/json")  # fmt: skip
    assert published.json()["status"] == "published"
    listing = client.get("/api/v1/catalog/resources", {"q": "法人"})
    assert_matches_openapi(listing, "get", "/api/v1/catalog/resources")
    assert [r["code"] for r in listing.json()["items"]] == ["B0201/000009"]
    versions = client.get(f"/api/v1/catalog/resources/{rid}/versions")
    assert_matches_openapi(versions, "get", "/api/v1/catalog/resources/{resource_id}/versions")
    assert versions.json()[0]["version"] == 1


def test_an_officer_of_another_department_cannot_write_the_resource(
    client, factory, officer, city, legal_persons
):
    client.force_login(factory.staff("data_officer", city["health"]))
    response = client.patch(f"/api/v1/catalog/resources/{legal_persons.pk}", {"summary": "改"},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 404  # a draft of another department is not even visible


def test_an_api_client_sees_published_resources_only(client, factory, officer, city, legal_persons):
    from yiwang.core import services as core_services

    api_client = factory.api_client(city["health"])
    secret = core_services.issue_api_key(actor=factory.superuser(), client=api_client).secret
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/catalog/resources", headers=headers).json()["count"] == 0
    services.publish_resource(actor=officer, resource=legal_persons)
    assert client.get("/api/v1/catalog/resources", headers=headers).json()["count"] == 1


def test_demands_and_decisions_through_the_api(client, factory, officer, city, legal_persons):
    services.publish_resource(actor=officer, resource=legal_persons)
    client.force_login(factory.staff("data_officer", city["health"]))
    created = client.post("/api/v1/catalog/demands", {"requester_id": city["health"].pk,
                          "resource_id": legal_persons.pk, "purpose": "核验医疗机构"},
                          content_type="application/json")  # fmt: skip
    assert_matches_openapi(created, "post", "/api/v1/catalog/demands")
    client.force_login(officer)
    decided = client.post(f"/api/v1/catalog/demands/{created.json()['id']}/decision", {"status": "met"},
                          content_type="application/json")  # fmt: skip
    assert_matches_openapi(decided, "post", "/api/v1/catalog/demands/{demand_id}/decision")
    assert decided.json()["status"] == "met"


def test_export_then_import_round_trips_the_catalog(client, officer, city, legal_persons):
    client.force_login(officer)
    exported = client.get("/catalog/export.xlsx")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "资源代码" and len(rows) == 1 + len(LEGAL_PERSON_FIELDS)
    # change the name and re-import
    workbook = load_workbook(io.BytesIO(exported.content))
    for row in workbook.active.iter_rows(min_row=2):
        row[1].value = "法人基本信息（新）"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post("/api/v1/catalog/import", {"file": _upload(buffer.getvalue())})
    assert_matches_openapi(response, "post", "/api/v1/catalog/import")
    assert response.json()["updated"] == ["B0201/000001"]
    assert Resource.objects.get().name == "法人基本信息（新）"


def test_an_import_with_errors_saves_nothing_and_names_the_rows(
    client, officer, city, legal_persons
):
    client.force_login(officer)
    workbook = load_workbook(io.BytesIO(client.get("/catalog/export.xlsx").content))
    workbook.active["S3"] = "不存在的类型"  # data_type of the second field row
    workbook.active["A4"] = "B0202/000001"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = client.post("/api/v1/catalog/import", {"file": _upload(buffer.getvalue())}).json()
    assert result["created"] == [] and result["updated"] == []
    assert any(e["row"] == 3 and "不存在的类型" in e["message"] for e in result["errors"])
    assert Resource.objects.count() == 1


def test_a_file_that_is_not_xlsx_is_refused_clearly(client, officer):
    client.force_login(officer)
    response = client.post(
        "/api/v1/catalog/import", {"file": _upload(b"name,code\n1,2\n", "x.xlsx")}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file.format"


def test_formula_like_values_are_exported_as_text(client, officer, city):
    fields = [dict(LEGAL_PERSON_FIELDS[0], description="=cmd|' /C calc'!A0")]
    services.create_resource(actor=officer, owner=city["market"], code="C0303/000001", name="@SUM(1+1)",
                             category="department", update_cycle="daily", share_type="unconditional",
                             fields=fields)  # fmt: skip
    client.force_login(officer)
    sheet = load_workbook(io.BytesIO(client.get("/catalog/export.xlsx").content)).active
    values = [c.value for c in sheet[2]]
    assert "'@SUM(1+1)" in values and "'=cmd|' /C calc'!A0" in values
    assert all(c.data_type != "f" for c in sheet[2])


def test_the_browse_page_searches_and_links_to_the_department(client, officer, city, legal_persons):
    services.publish_resource(actor=officer, resource=legal_persons)
    client.force_login(officer)
    page = client.get("/catalog/", {"q": "法人"}).content.decode()
    assert "法人基本信息" in page and f"/catalog/departments/{city['market'].pk}/" in page


def test_the_resource_page_shows_fields_and_publish_button_to_the_owner(
    client, officer, legal_persons
):
    client.force_login(officer)
    page = client.get(f"/catalog/resources/{legal_persons.pk}/").content.decode()
    assert "法定代表人身份号码" in page and "发布" in page


def test_the_edit_page_creates_a_resource_with_fields(client, officer, city):
    client.force_login(officer)
    data = {
        "code": "C0304/000001", "name": "餐饮服务许可", "summary": "", "owner": city["market"].pk,
        "category": "department", "base_registry": "", "format": "数据库", "update_cycle": "monthly",
        "share_type": "unconditional", "share_condition": "", "share_method": "api", "open_type": "not_open",
        "open_condition": "", "f-TOTAL_FORMS": "2", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0",
        "f-MAX_NUM_FORMS": "500", "f-0-code": "licence_no", "f-0-name": "许可证编号", "f-0-data_type": "string",
        "f-0-length": "30", "f-0-is_key": "on", "f-1-code": "", "f-1-name": "", "f-1-data_type": "string",
    }  # fmt: skip
    response = client.post("/catalog/resources/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    resource = Resource.objects.get(code="C0304/000001")
    assert [f.code for f in resource.fields.all()] == ["licence_no"]


def test_the_department_page_shows_overdue_duties(client, factory, officer, city, legal_persons):
    services.assign_responsibility(actor=factory.staff("admin", city["root"]), organisation=city["market"],
                                   resource=legal_persons, cadence="daily")  # fmt: skip
    client.force_login(officer)
    page = client.get(f"/catalog/departments/{city['market'].pk}/").content.decode()
    assert "逾期 1 项" in page


def _upload(data: bytes, name: str = "catalog.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_paging_the_catalog_keeps_the_filters(client, officer, city):
    from tests.catalog.conftest import make_resource

    for i in range(31):
        make_resource(officer, city["market"], code=f"C0401/{i:06d}", name=f"部门资源{i}", category="department",
                      base_registry="")  # fmt: skip
    client.force_login(officer)
    page = client.get("/catalog/", {"category": "department"}).content.decode()
    assert "?category=department&amp;page=2" in page


def test_only_people_who_can_file_a_demand_are_offered_the_link(
    client, factory, officer, city, legal_persons
):
    services.publish_resource(actor=officer, resource=legal_persons)
    client.force_login(factory.staff("reviewer", city["health"]))
    assert (
        "提出数据需求" not in client.get(f"/catalog/resources/{legal_persons.pk}/").content.decode()
    )
    client.force_login(factory.staff("data_officer", city["health"]))
    assert "提出数据需求" in client.get(f"/catalog/resources/{legal_persons.pk}/").content.decode()


def fact(page: str, label: str) -> str:
    """The text of the resource page's fact `label` (its <dd>), tags removed."""
    import re

    match = re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", page, re.S)
    assert match, f"no fact {label}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_resource_page_shows_the_share_type_and_its_condition(client, officer, city):
    from tests.catalog.conftest import make_resource

    resource = make_resource(
        officer, city["market"], share_type="conditional", share_condition="仅用于行政审批核验"
    )
    client.force_login(officer)
    page = client.get(f"/catalog/resources/{resource.pk}/").content.decode()
    assert fact(page, "共享类型") == "有条件共享：仅用于行政审批核验"


def test_the_resource_page_shows_the_legal_basis_of_an_unshared_resource(
    client, officer, legal_persons
):
    services.add_to_negative_list(
        actor=officer, resource=legal_persons, legal_basis="《保守国家秘密法》第九条"
    )
    client.force_login(officer)
    page = client.get(f"/catalog/resources/{legal_persons.pk}/").content.decode()
    assert fact(page, "共享类型") == "不予共享"
    assert fact(page, "负面清单") == "不予共享，依据：《保守国家秘密法》第九条"


def test_the_resource_page_shows_the_last_load(client, officer, legal_persons):
    import datetime

    from django.utils import timezone

    client.force_login(officer)
    page = client.get(f"/catalog/resources/{legal_persons.pk}/").content.decode()
    assert fact(page, "最近归集") == "尚未归集"
    loaded = timezone.make_aware(datetime.datetime(2026, 2, 3, 10, 30))
    services.note_resource_loaded(resource=legal_persons, at=loaded)
    page = client.get(f"/catalog/resources/{legal_persons.pk}/").content.decode()
    assert fact(page, "最近归集") == "2026-02-03 10:30"


def test_the_owner_takes_a_resource_off_the_negative_list_on_its_page(
    client, officer, legal_persons
):
    services.add_to_negative_list(
        actor=officer, resource=legal_persons, legal_basis="《保守国家秘密法》第九条"
    )
    client.force_login(officer)
    response = client.post(f"/catalog/resources/{legal_persons.pk}/negative/remove/",
                           {"share_type": "unconditional", "reason": "已解密"}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "已移出负面清单" in page and fact(page, "共享类型") == "无条件共享"


def test_taking_a_resource_off_the_list_on_its_page_without_a_reason_says_why(
    client, officer, legal_persons
):
    services.add_to_negative_list(
        actor=officer, resource=legal_persons, legal_basis="《保守国家秘密法》第九条"
    )
    client.force_login(officer)
    response = client.post(f"/catalog/resources/{legal_persons.pk}/negative/remove/",
                           {"share_type": "unconditional", "reason": ""}, follow=True)  # fmt: skip
    assert response.status_code == 200
    assert fact(response.content.decode(), "共享类型") == "不予共享"


def test_another_departments_officer_cannot_take_a_resource_off_the_list_on_its_page(client, factory, city, officer,
                                                                                      legal_persons):  # fmt: skip
    services.add_to_negative_list(
        actor=officer, resource=legal_persons, legal_basis="《保守国家秘密法》第九条"
    )
    services.publish_resource(actor=officer, resource=legal_persons)
    client.force_login(factory.staff("data_officer", city["health"]))
    client.post(f"/catalog/resources/{legal_persons.pk}/negative/remove/",
                {"share_type": "unconditional", "reason": "已解密"})  # fmt: skip
    assert Resource.objects.get(pk=legal_persons.pk).share_type == "none"


@pytest.mark.parametrize("owner", ["²", "١", "99999999999999999999999", "-1", "0", "abc"])
def test_a_browse_owner_that_is_not_an_id_is_ignored(client, officer, legal_persons, owner):
    client.force_login(officer)
    response = client.get("/catalog/", {"owner": owner})
    assert response.status_code == 200 and "法人基本信息" in response.content.decode()


def test_browsing_by_owner_keeps_that_owners_resources(client, officer, city, legal_persons):
    client.force_login(officer)
    assert (
        "法人基本信息"
        in client.get("/catalog/", {"owner": str(city["market"].pk)}).content.decode()
    )
    assert (
        "法人基本信息"
        not in client.get("/catalog/", {"owner": str(city["health"].pk)}).content.decode()
    )


def _with_length(client, length) -> bytes:
    workbook = load_workbook(io.BytesIO(client.get("/catalog/export.xlsx").content))
    workbook.active["T2"] = length  # 长度 of the first 信息项
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("length", ["²", "0", "18.5", "-3", "1e3", "100001"])
def test_an_import_with_a_bad_length_names_the_row_through_the_api(
    client, officer, legal_persons, length
):
    client.force_login(officer)
    response = client.post(
        "/api/v1/catalog/import", {"file": _upload(_with_length(client, length))}
    )
    assert_matches_openapi(response, "post", "/api/v1/catalog/import")
    result = response.json()
    assert result["updated"] == [] and [(e["row"], e["column"]) for e in result["errors"]] == [
        (2, "length")
    ]
    assert length in result["errors"][0]["message"]


def test_an_import_with_a_bad_length_names_the_row_on_the_page(client, officer, legal_persons):
    client.force_login(officer)
    response = client.post("/catalog/import/", {"file": _upload(_with_length(client, "²"))})
    assert response.status_code == 200
    assert "第 2 行：「²」不是有效的长度" in response.content.decode()


@pytest.mark.parametrize(("cell", "length"), [(18, 18), (18.0, 18), ("18.0", 18), ("", None)])
def test_an_import_reads_the_length_as_excel_writes_it(
    client, officer, legal_persons, cell, length
):
    client.force_login(officer)
    result = client.post(
        "/api/v1/catalog/import", {"file": _upload(_with_length(client, cell))}
    ).json()
    assert result["errors"] == []
    assert legal_persons.fields.get(code="uscc").length == length


def test_a_damaged_workbook_is_refused_clearly(client, officer, legal_persons):
    import zipfile

    client.force_login(officer)
    good = _with_length(client, 18)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut the sheet's XML in the middle
            target.writestr(item, data)
    response = client.post("/api/v1/catalog/import", {"file": _upload(damaged.getvalue())})
    assert response.status_code == 400 and response.json()["code"] == "file.format"


def test_an_import_reports_the_errors_of_every_resource_not_only_the_first(
    client, officer, city, legal_persons
):
    from tests.catalog.conftest import make_resource

    make_resource(officer, city["market"], code="B0201/000002", name="法人分支机构")
    client.force_login(officer)
    workbook = load_workbook(io.BytesIO(client.get("/catalog/export.xlsx").content))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "B0201/000001" and row[16].value == "uscc":
            row[18].value = "文本"  # 数据类型: not a type
        if row[0].value == "B0201/000002":
            row[21].value = "否"  # 主键: the second resource loses its key
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = client.post("/api/v1/catalog/import", {"file": _upload(buffer.getvalue())}).json()
    messages = [e["message"] for e in result["errors"]]
    assert len(messages) == 2
    assert "「文本」不是有效的数据类型" in messages[0] and "至少需要一个主键信息项" in messages[1]


def test_a_retire_reason_or_legal_basis_carrying_nul_is_refused_on_the_page(
    client, officer, legal_persons
):
    from yiwang.catalog.models import NegativeEntry

    services.publish_resource(actor=officer, resource=legal_persons)
    client.force_login(officer)
    response = client.post(f"/catalog/resources/{legal_persons.pk}/retire/",
                           {"reason": "并入\x00新资源"}, follow=True)  # fmt: skip
    assert "NUL" in response.content.decode()
    assert Resource.objects.get(pk=legal_persons.pk).status == "published"
    response = client.post(f"/catalog/resources/{legal_persons.pk}/negative/",
                           {"legal_basis": "《保守国家秘密法》\x00第九条"}, follow=True)  # fmt: skip
    assert "NUL" in response.content.decode() and not NegativeEntry.objects.exists()


def test_an_edit_note_carrying_nul_is_refused_on_the_page(client, officer, legal_persons):
    services.publish_resource(actor=officer, resource=legal_persons)
    client.force_login(officer)
    page = client.get(f"/catalog/resources/{legal_persons.pk}/edit/")
    form, formset = page.context["form"], page.context["formset"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(owner=legal_persons.owner_id, summary="新的摘要", note="改\x00摘要")
    data.update({f"f-{k}": v for k, v in formset.management_form.initial.items()})
    data["f-TOTAL_FORMS"] = len(formset.initial)
    for i, row in enumerate(formset.initial):
        data.update({f"f-{i}-{k}": v for k, v in row.items() if v not in (None, False)})
    response = client.post(f"/catalog/resources/{legal_persons.pk}/edit/", data)
    assert response.status_code == 200 and "NUL" in response.content.decode()
    assert Resource.objects.get(pk=legal_persons.pk).version == 1
