"""An edit that changes nothing leaves a resource as it was: no new version, no version-history
row, no audit row claiming a change — through the service, the API and the XLSX import."""

import io

import pytest
from openpyxl import load_workbook

from tests.catalog.conftest import LEGAL_PERSON_FIELDS
from tests.openapi import assert_matches_openapi
from yiwang.catalog import services
from yiwang.catalog.models import Resource, ResourceVersion
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SUMMARY = "全市企业法人登记信息，含统一社会信用代码、名称、法定代表人。"  # make_resource's


@pytest.fixture
def published(officer, legal_persons):
    return services.publish_resource(actor=officer, resource=legal_persons)


def _updates(resource) -> int:
    return AuditEvent.objects.filter(action="resource.update", target_id=str(resource.pk)).count()


def _state(resource) -> tuple[int, int, int]:
    """(version, version-history rows, resource.update audit rows) of the resource."""
    resource.refresh_from_db()
    return (
        resource.version,
        ResourceVersion.objects.filter(resource=resource).count(),
        _updates(resource),
    )


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("catalog.xlsx", data, content_type="application/octet-stream")


def test_saving_a_published_resource_with_its_own_values_makes_no_version(officer, published):
    services.update_resource(
        actor=officer, resource=published, fields=LEGAL_PERSON_FIELDS, note="无变化",
        name=published.name, summary=published.summary, share_type=published.share_type,
    )  # fmt: skip
    assert _state(published) == (1, 1, 0)


def test_an_empty_change_to_a_published_resource_makes_no_version(officer, published):
    services.update_resource(actor=officer, resource=published)
    assert _state(published) == (1, 1, 0)


def test_a_change_to_one_field_still_makes_a_version_and_an_audit_row(officer, published):
    fields = [dict(f) for f in LEGAL_PERSON_FIELDS]
    fields[1]["description"] = "营业执照上的名称"
    services.update_resource(
        actor=officer, resource=published, fields=fields, summary=published.summary
    )
    assert _state(published) == (2, 2, 1)
    assert published.fields.get(code="name").description == "营业执照上的名称"


def test_saving_a_draft_with_its_own_values_writes_no_audit_row(officer, legal_persons):
    services.update_resource(
        actor=officer, resource=legal_persons, fields=LEGAL_PERSON_FIELDS, name=legal_persons.name
    )
    assert _state(legal_persons) == (1, 0, 0)


def test_an_unchanged_edit_is_still_refused_to_another_department(factory, city, published):
    from yiwang.core.errors import NotFound

    with pytest.raises(NotFound):
        services.update_resource(
            actor=factory.staff("data_officer", city["health"]), resource=published,
            name=published.name,
        )  # fmt: skip


def test_a_patch_that_changes_nothing_makes_no_version_through_the_api(client, officer, published):
    client.force_login(officer)
    response = client.patch(
        f"/api/v1/catalog/resources/{published.pk}",
        {"name": published.name, "update_cycle": published.update_cycle, "fields": LEGAL_PERSON_FIELDS},
        content_type="application/json",
    )  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/catalog/resources/{resource_id}")
    assert response.status_code == 200 and response.json()["version"] == 1
    assert _state(published) == (1, 1, 0)
    assert len(client.get(f"/api/v1/catalog/resources/{published.pk}/versions").json()) == 1


def test_a_patch_that_changes_the_name_makes_version_two_through_the_api(
    client, officer, published
):
    client.force_login(officer)
    response = client.patch(f"/api/v1/catalog/resources/{published.pk}", {"name": "法人登记信息"},
                            content_type="application/json")  # fmt: skip
    assert response.json()["version"] == 2
    assert _state(published) == (2, 2, 1)


def test_reimporting_the_exported_catalog_unchanged_makes_no_version(client, officer, published):
    client.force_login(officer)
    exported = client.get("/catalog/export.xlsx").content
    response = client.post("/api/v1/catalog/import", {"file": _upload(exported)})
    assert_matches_openapi(response, "post", "/api/v1/catalog/import")
    result = response.json()
    assert (result["updated"], result["unchanged"], result["errors"]) == ([], [published.code], [])
    assert _state(published) == (1, 1, 0)


def test_an_import_that_changes_a_field_still_makes_a_version(client, officer, published):
    client.force_login(officer)
    workbook = load_workbook(io.BytesIO(client.get("/catalog/export.xlsx").content))
    header = [c.value for c in workbook.active[1]]
    workbook.active.cell(row=3, column=header.index("信息项说明") + 1, value="营业执照上的名称")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = client.post("/api/v1/catalog/import", {"file": _upload(buffer.getvalue())}).json()
    assert (result["updated"], result["unchanged"]) == ([published.code], [])
    assert _state(published) == (2, 2, 1)
    assert Resource.objects.get().fields.get(code="name").description == "营业执照上的名称"


def _edit_form(resource, **overrides) -> dict:
    """The edit page's form as it comes filled in for `resource`."""
    data = {
        "code": resource.code, "name": resource.name, "summary": resource.summary, "owner": resource.owner_id,
        "category": resource.category, "base_registry": resource.base_registry, "format": resource.format,
        "update_cycle": resource.update_cycle, "share_type": resource.share_type,
        "share_condition": resource.share_condition, "share_method": resource.share_method,
        "open_type": resource.open_type, "open_condition": resource.open_condition,
        "f-TOTAL_FORMS": str(resource.fields.count()), "f-INITIAL_FORMS": str(resource.fields.count()),
        "f-MIN_NUM_FORMS": "0",
        "f-MAX_NUM_FORMS": "500",
    }  # fmt: skip
    for n, f in enumerate(resource.fields.all()):
        data.update({f"f-{n}-code": f.code, f"f-{n}-name": f.name, f"f-{n}-data_type": f.data_type,
                     f"f-{n}-length": f.length or "", f"f-{n}-enum_values": "、".join(f.enum_values or []),
                     f"f-{n}-description": f.description})  # fmt: skip
        data.update({f"f-{n}-{flag}": "on" for flag in ("required", "is_key", "is_personal", "filterable")
                     if getattr(f, flag)})  # fmt: skip
    data.update(overrides)
    return data


def test_saving_the_edit_page_unchanged_makes_no_version(client, officer, published):
    client.force_login(officer)
    response = client.post(
        f"/catalog/resources/{published.pk}/edit/", _edit_form(published), follow=True
    )
    assert "内容没有变化，未产生新版本。" in response.content.decode()
    assert _state(published) == (1, 1, 0)


def test_changing_the_summary_on_the_edit_page_makes_version_two(client, officer, published):
    client.force_login(officer)
    response = client.post(
        f"/catalog/resources/{published.pk}/edit/",
        _edit_form(published, summary="新的摘要内容"),
        follow=True,
    )
    assert "资源已保存。" in response.content.decode()
    assert _state(published) == (2, 2, 1)
    event = AuditEvent.objects.get(action="resource.update")
    assert (event.before["summary"], event.after["summary"]) == (SUMMARY, "新的摘要内容")


def test_the_edit_page_cannot_make_a_published_resource_not_shared_without_the_negative_list(
    client, officer, published
):
    """The form writes its input into the resource before the service sees it: the service checks
    the change against the stored share type, not against the form's."""
    client.force_login(officer)
    response = client.post(
        f"/catalog/resources/{published.pk}/edit/",
        _edit_form(published, share_type="none", share_condition=""),
        follow=True,
    )
    assert "已发布资源改为不予共享，须列入负面清单并写明法律依据" in response.content.decode()
    published.refresh_from_db()
    assert published.share_type != "none" and _state(published) == (1, 1, 0)
