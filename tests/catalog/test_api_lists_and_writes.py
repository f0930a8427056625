"""The catalog API beyond reading: edits, retiring, the three lists, XLSX export; who may write."""

import io

import pytest
from openpyxl import load_workbook

from tests.catalog.conftest import make_resource
from tests.openapi import assert_matches_openapi
from yiwang.catalog import services
from yiwang.catalog.models import NegativeEntry, Resource, Responsibility
from yiwang.core import services as core_services

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def published(officer, legal_persons):
    return services.publish_resource(actor=officer, resource=legal_persons)


@pytest.fixture
def bureau(factory, city):
    """The 数据局's administrator: an admin of the city government, above every department."""
    return factory.staff("admin", city["root"])


@pytest.fixture
def unshared(officer, city):
    """A draft resource of the market regulator, 不予共享, on the 负面清单."""
    resource = make_resource(officer, city["market"], code="C0301/000001", name="执法记录", category="department",
                             base_registry="", share_type="none")  # fmt: skip
    services.add_to_negative_list(
        actor=officer, resource=resource, legal_basis="《行政处罚法》第五十条"
    )
    return resource


def bearer(factory, organisation) -> dict:
    secret = core_services.issue_api_key(
        actor=factory.superuser(), client=factory.api_client(organisation)
    ).secret
    return {"Authorization": f"Bearer {secret}"}


# --- PATCH and retire -------------------------------------------------------


def test_the_owner_patches_a_published_resource_into_version_two(client, officer, published):
    client.force_login(officer)
    response = client.patch(f"/api/v1/catalog/resources/{published.pk}",
                            {"summary": "新的摘要", "share_type": "conditional", "share_condition": "用于审批核验",
                             "note": "改为有条件共享"}, content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/catalog/resources/{resource_id}")
    body = response.json()
    assert response.status_code == 200
    assert (body["summary"], body["share_type"], body["version"]) == ("新的摘要", "conditional", 2)
    assert published.versions.get(version=2).note == "改为有条件共享"


def test_a_patch_that_breaks_a_rule_is_a_400_with_the_fields_named(client, officer, published):
    client.force_login(officer)
    response = client.patch(f"/api/v1/catalog/resources/{published.pk}",
                            {"share_type": "conditional", "share_condition": ""}, content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/catalog/resources/{resource_id}")
    assert response.status_code == 400 and "share_condition" in response.json()["detail"]["fields"]


def test_another_departments_officer_cannot_patch_a_published_resource(
    client, factory, city, published
):
    client.force_login(factory.staff("data_officer", city["health"]))
    response = client.patch(
        f"/api/v1/catalog/resources/{published.pk}", {"summary": "改"}, content_type=JSON
    )
    assert_matches_openapi(response, "patch", "/api/v1/catalog/resources/{resource_id}")
    assert response.status_code == 404
    assert Resource.objects.get(pk=published.pk).summary != "改"


def test_the_owner_retires_a_published_resource_through_the_api(client, officer, published):
    client.force_login(officer)
    response = client.post(f"/api/v1/catalog/resources/{published.pk}/retire", {"reason": "并入新资源"},
                           content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/catalog/resources/{resource_id}/retire")
    assert response.status_code == 200 and response.json()["status"] == "retired"


def test_another_departments_officer_cannot_retire_the_resource(client, factory, city, published):
    client.force_login(factory.staff("data_officer", city["health"]))
    response = client.post(f"/api/v1/catalog/resources/{published.pk}/retire", {"reason": "并入新资源"},
                           content_type=JSON)  # fmt: skip
    assert response.status_code == 404
    assert Resource.objects.get(pk=published.pk).status == "published"


def test_an_api_client_cannot_write_the_catalog(client, factory, city, published):
    response = client.post(f"/api/v1/catalog/resources/{published.pk}/retire", {"reason": "并入新资源"},
                           content_type=JSON, headers=bearer(factory, city["market"]))  # fmt: skip
    assert response.status_code == 401
    assert Resource.objects.get(pk=published.pk).status == "published"


# --- 责任清单 -----------------------------------------------------------------


def test_the_bureau_assigns_a_responsibility_and_it_is_listed_overdue(
    client, bureau, city, published
):
    client.force_login(bureau)
    response = client.post("/api/v1/catalog/responsibilities", {"organisation_id": city["market"].pk,
                           "resource_id": published.pk, "cadence": "weekly", "note": "每周一前"},
                           content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/catalog/responsibilities")
    assert response.status_code == 201 and response.json()["overdue"] is True  # never loaded
    listing = client.get("/api/v1/catalog/responsibilities", {"organisation_id": city["market"].pk})
    assert_matches_openapi(listing, "get", "/api/v1/catalog/responsibilities")
    assert [(r["resource_id"], r["cadence"], r["overdue"]) for r in listing.json()["items"]] == [
        (published.pk, "weekly", True)
    ]


def test_a_data_officer_cannot_assign_responsibilities(client, officer, city, published):
    client.force_login(officer)
    response = client.post("/api/v1/catalog/responsibilities", {"organisation_id": city["market"].pk,
                           "resource_id": published.pk, "cadence": "daily"}, content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/catalog/responsibilities")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Responsibility.objects.exists()


def test_the_responsibility_list_does_not_show_another_departments_draft(
    client, factory, bureau, city, legal_persons
):
    services.assign_responsibility(
        actor=bureau, organisation=city["market"], resource=legal_persons, cadence="daily"
    )
    client.force_login(factory.staff("data_officer", city["health"]))
    assert client.get("/api/v1/catalog/responsibilities").json()["count"] == 0
    client.force_login(factory.staff("reviewer", city["market"]))
    assert client.get("/api/v1/catalog/responsibilities").json()["count"] == 1


def test_the_responsibility_list_needs_a_caller(client):
    assert client.get("/api/v1/catalog/responsibilities").status_code == 401


# --- 负面清单 -----------------------------------------------------------------


def test_the_owner_puts_a_published_resource_on_the_negative_list(client, officer, published):
    client.force_login(officer)
    response = client.post("/api/v1/catalog/negative-list", {"resource_id": published.pk,
                           "legal_basis": "《保守国家秘密法》第九条"}, content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/catalog/negative-list")
    assert response.status_code == 201 and response.json()["resource_name"] == "法人基本信息"
    published.refresh_from_db()
    assert (published.share_type, published.version) == ("none", 2)
    listing = client.get("/api/v1/catalog/negative-list")
    assert_matches_openapi(listing, "get", "/api/v1/catalog/negative-list")
    assert [e["legal_basis"] for e in listing.json()["items"]] == ["《保守国家秘密法》第九条"]


def test_another_departments_officer_cannot_negative_list_a_resource(
    client, factory, city, published
):
    client.force_login(factory.staff("data_officer", city["health"]))
    response = client.post("/api/v1/catalog/negative-list", {"resource_id": published.pk,
                           "legal_basis": "《保守国家秘密法》第九条"}, content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/catalog/negative-list")
    assert response.status_code == 404 and not NegativeEntry.objects.exists()


def test_the_negative_list_does_not_show_another_departments_draft(
    client, factory, city, officer, unshared
):
    client.force_login(factory.staff("data_officer", city["health"]))
    assert client.get("/api/v1/catalog/negative-list").json()["count"] == 0
    client.force_login(officer)
    assert client.get("/api/v1/catalog/negative-list").json()["count"] == 1


def test_the_owner_takes_a_resource_off_the_negative_list_through_the_api(
    client, officer, unshared
):
    client.force_login(officer)
    response = client.post(f"/api/v1/catalog/negative-list/{unshared.pk}/remove",
                           {"share_type": "conditional", "share_condition": "用于执法协查", "reason": "依据已废止"},
                           content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/catalog/negative-list/{resource_id}/remove")
    assert response.status_code == 200
    assert (response.json()["share_type"], response.json()["share_condition"]) == (
        "conditional",
        "用于执法协查",
    )
    assert not NegativeEntry.objects.exists()


def test_taking_a_resource_off_the_list_to_no_sharing_is_refused(client, officer, unshared):
    client.force_login(officer)
    response = client.post(f"/api/v1/catalog/negative-list/{unshared.pk}/remove",
                           {"share_type": "none", "reason": "依据已废止"}, content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/catalog/negative-list/{resource_id}/remove")
    assert response.status_code == 400 and NegativeEntry.objects.exists()


def test_another_departments_officer_cannot_take_a_resource_off_the_list(
    client, factory, city, officer, unshared
):
    services.publish_resource(actor=officer, resource=unshared)
    client.force_login(factory.staff("data_officer", city["health"]))
    response = client.post(f"/api/v1/catalog/negative-list/{unshared.pk}/remove",
                           {"share_type": "unconditional", "reason": "依据已废止"}, content_type=JSON)  # fmt: skip
    assert response.status_code == 404 and NegativeEntry.objects.exists()


def test_a_patch_cannot_share_a_negative_listed_resource(client, officer, unshared):
    client.force_login(officer)
    response = client.patch(f"/api/v1/catalog/resources/{unshared.pk}", {"share_type": "unconditional"},
                            content_type=JSON)  # fmt: skip
    assert_matches_openapi(response, "patch", "/api/v1/catalog/resources/{resource_id}")
    assert response.status_code == 400 and response.json()["code"] == "catalog.negative_listed"


def test_a_patch_cannot_make_a_published_resource_unshared_without_a_listing(
    client, officer, published
):
    client.force_login(officer)
    response = client.patch(
        f"/api/v1/catalog/resources/{published.pk}", {"share_type": "none"}, content_type=JSON
    )
    assert response.status_code == 400 and response.json()["code"] == "catalog.negative_missing"
    assert Resource.objects.get(pk=published.pk).share_type == "unconditional"


# --- export -------------------------------------------------------------------


def test_an_api_client_exports_the_published_catalog_as_xlsx(
    client, factory, city, officer, published
):
    make_resource(officer, city["market"], code="B0201/000002", name="草稿资源")
    response = client.get("/api/v1/catalog/export.xlsx", headers=bearer(factory, city["health"]))
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:2] == ("资源代码", "资源名称")
    assert {r[0] for r in rows[1:]} == {"B0201/000001"}  # the draft stays with its owner


def test_the_owner_exports_its_drafts_too(client, officer, city, published):
    make_resource(officer, city["market"], code="B0201/000002", name="草稿资源")
    client.force_login(officer)
    rows = list(
        load_workbook(io.BytesIO(client.get("/api/v1/catalog/export.xlsx").content)).active.values
    )
    assert {r[0] for r in rows[1:]} == {"B0201/000001", "B0201/000002"}


def test_the_api_export_needs_a_caller(client):
    response = client.get("/api/v1/catalog/export.xlsx")
    assert_matches_openapi(response, "get", "/api/v1/catalog/export.xlsx")
    assert response.status_code == 401


# --- NUL: PostgreSQL text cannot hold it ------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("/api/v1/catalog/resources/{id}", "patch", {"summary": "新的\x00摘要"}),
        ("/api/v1/catalog/resources/{id}", "patch",
         {"fields": [{"code": "uscc", "name": "代码\x00", "data_type": "uscc", "is_key": True}]}),
        ("/api/v1/catalog/negative-list", "post", {"resource_id": "{id}", "legal_basis": "《条例》\x00第五条"}),
        ("/api/v1/catalog/demands", "post",
         {"requester_id": "{org}", "resource_id": "{id}", "purpose": "审批\x00核验"}),
        ("/api/v1/catalog/resources/{id}/retire", "post", {"reason": "并入\x00新资源"}),
    ],
)  # fmt: skip
def test_a_catalog_write_carrying_nul_is_a_400_and_changes_nothing(
    client, officer, city, published, path, method, body
):
    import json

    from yiwang.catalog.models import Demand

    client.force_login(officer)
    text = (
        json.dumps(body)
        .replace('"{id}"', str(published.pk))
        .replace('"{org}"', str(city["market"].pk))
    )
    response = getattr(client, method)(
        path.replace("{id}", str(published.pk)), text, content_type=JSON
    )
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    stored = Resource.objects.get(pk=published.pk)
    assert (stored.version, stored.status) == (1, "published")
    assert not NegativeEntry.objects.exists() and not Demand.objects.exists()
