"""A data officer's export holds every resource they may see, other departments' published ones
included: importing it back leaves those as they are, and refuses only a change to them —
naming the department that owns the resource, not calling it missing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.catalog.conftest import make_resource
from tests.openapi import assert_matches_openapi
from yiwang.catalog import services
from yiwang.catalog.models import Resource, ResourceVersion
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEALTH_CODE = "B0101/000001"


@pytest.fixture
def health_resource(factory, city):
    health_officer = factory.staff("data_officer", city["health"], username="health-officer")
    resource = make_resource(
        health_officer, city["health"], code=HEALTH_CODE, name="医疗机构基本信息"
    )
    return services.publish_resource(actor=health_officer, resource=resource)


@pytest.fixture
def both(officer, legal_persons, health_resource):
    """The market officer's own published resource and the health commission's."""
    return services.publish_resource(actor=officer, resource=legal_persons), health_resource


def _upload(data: bytes):
    return SimpleUploadedFile("catalog.xlsx", data, content_type="application/octet-stream")


def _export(client) -> bytes:
    return client.get("/catalog/export.xlsx").content


def _with_summary(data: bytes, code: str, summary: str) -> bytes:
    """The exported workbook with the 资源摘要 of `code`'s rows changed."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == code:
            row[header.index("资源摘要")].value = summary
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _untouched(resource) -> bool:
    resource.refresh_from_db()
    return (
        resource.version == 1
        and ResourceVersion.objects.filter(resource=resource).count() == 1
        and not AuditEvent.objects.filter(action="resource.update", target_id=str(resource.pk))
    )


def test_the_export_of_a_data_officer_holds_other_departments_published_resources(
    client, officer, both
):
    client.force_login(officer)
    codes = {row[0] for row in load_workbook(io.BytesIO(_export(client))).active.iter_rows(
        min_row=2, values_only=True)}  # fmt: skip
    assert codes == {both[0].code, HEALTH_CODE}


def test_reimporting_the_export_unchanged_lists_another_departments_resource_as_unchanged(
    client, officer, both
):
    client.force_login(officer)
    response = client.post("/api/v1/catalog/import", {"file": _upload(_export(client))})
    assert_matches_openapi(response, "post", "/api/v1/catalog/import")
    result = response.json()
    assert result["errors"] == [] and result["updated"] == []
    assert sorted(result["unchanged"]) == sorted([both[0].code, HEALTH_CODE])
    assert _untouched(both[1])


def test_reimporting_the_export_unchanged_on_the_page_succeeds(client, officer, both):
    client.force_login(officer)
    response = client.post("/catalog/import/", {"file": _upload(_export(client))})
    page = response.content.decode()
    assert "导入成功" in page and "2 个资源与目录一致、未变更" in page
    assert "不存在或无权访问" not in page


def test_own_changes_are_saved_beside_another_departments_unchanged_rows(client, officer, both):
    client.force_login(officer)
    data = _with_summary(_export(client), both[0].code, "企业法人登记信息（新）")
    result = client.post("/api/v1/catalog/import", {"file": _upload(data)}).json()
    assert (result["updated"], result["unchanged"], result["errors"]) == (
        [both[0].code], [HEALTH_CODE], []
    )  # fmt: skip
    assert Resource.objects.get(code=both[0].code).summary == "企业法人登记信息（新）"


def test_changing_another_departments_resource_is_refused_naming_its_owner(client, officer, both):
    client.force_login(officer)
    data = _with_summary(_export(client), HEALTH_CODE, "改过的摘要")
    response = client.post("/api/v1/catalog/import", {"file": _upload(data)})
    assert_matches_openapi(response, "post", "/api/v1/catalog/import")
    errors = response.json()["errors"]
    assert [e["message"] for e in errors] == [
        f"资源 {HEALTH_CODE} 属于江澜市卫生健康委员会，您无权修改"
    ]
    assert Resource.objects.get(code=HEALTH_CODE).summary != "改过的摘要"
    assert _untouched(both[1])


def test_changing_another_departments_resource_on_the_page_names_its_owner_and_saves_nothing(
    client, officer, both
):
    client.force_login(officer)
    data = _with_summary(_export(client), HEALTH_CODE, "改过的摘要")
    data = _with_summary(data, both[0].code, "企业法人登记信息（新）")
    page = client.post("/catalog/import/", {"file": _upload(data)}).content.decode()
    assert "导入未保存" in page
    assert f"资源 {HEALTH_CODE} 属于江澜市卫生健康委员会，您无权修改" in page
    assert Resource.objects.get(code=both[0].code).summary != "企业法人登记信息（新）"


def test_invalid_values_for_another_departments_resource_are_refused_as_a_change(
    client, officer, both
):
    client.force_login(officer)
    workbook = load_workbook(io.BytesIO(_export(client)))
    header = [c.value for c in workbook.active[1]]
    for row in workbook.active.iter_rows(min_row=2):
        if row[0].value == HEALTH_CODE:
            row[header.index("信息项名称")].value = ""
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = client.post("/api/v1/catalog/import", {"file": _upload(buffer.getvalue())}).json()
    assert [e["message"] for e in result["errors"]] == [
        f"资源 {HEALTH_CODE} 属于江澜市卫生健康委员会，您无权修改"
    ]


def test_reimporting_the_export_unchanged_keeps_an_own_retired_resource_unchanged(
    client, officer, both
):
    services.retire_resource(actor=officer, resource=both[0], reason="并入新资源")
    client.force_login(officer)
    result = client.post("/api/v1/catalog/import", {"file": _upload(_export(client))}).json()
    assert result["errors"] == []
    assert sorted(result["unchanged"]) == sorted([both[0].code, HEALTH_CODE])


def test_changing_an_own_retired_resource_in_an_import_is_still_refused(client, officer, both):
    services.retire_resource(actor=officer, resource=both[0], reason="并入新资源")
    client.force_login(officer)
    data = _with_summary(_export(client), both[0].code, "企业法人登记信息（新）")
    result = client.post("/api/v1/catalog/import", {"file": _upload(data)}).json()
    assert [e["message"] for e in result["errors"]] == [
        f"资源 {both[0].code}：已停用的资源不能修改"
    ]
