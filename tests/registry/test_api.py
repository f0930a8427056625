import pytest

from tests.openapi import assert_matches_openapi
from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.core import services as core_services
from yiwang.registry.models import Record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def market_key(factory, city):
    client = factory.api_client(city["market"], "market-registry")
    return {
        "Authorization": f"Bearer {core_services.issue_api_key(actor=factory.superuser(), client=client).secret}"
    }


def test_the_owners_system_pushes_a_batch_and_follows_the_load(client, published, market_key):
    rows = [company_row(1), company_row(2), {"uscc": "91350100M000100Y44", "name": "坏数据"}]
    response = client.post(f"/api/v1/registry/resources/{published.pk}/batches", {"mode": "upsert", "rows": rows},
                           content_type="application/json", headers=market_key)  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/registry/resources/{resource_id}/batches")
    load = response.json()
    assert (load["status"], load["rows_written"], load["rows_invalid"]) == ("succeeded", 2, 1)
    status = client.get(f"/api/v1/registry/loads/{load['id']}", headers=market_key)
    assert_matches_openapi(status, "get", "/api/v1/registry/loads/{load_id}")
    errors = client.get(f"/api/v1/registry/loads/{load['id']}/errors", headers=market_key)
    assert_matches_openapi(errors, "get", "/api/v1/registry/loads/{load_id}/errors")
    assert errors.json()["items"][0]["code"] == "identifier.uscc.checksum"


def test_another_departments_system_cannot_push_to_the_resource(client, factory, city, published):
    other = factory.api_client(city["health"], "health-sys")
    secret = core_services.issue_api_key(actor=factory.superuser(), client=other).secret
    response = client.post(f"/api/v1/registry/resources/{published.pk}/batches", {"rows": [company_row(1)]},
                           content_type="application/json", headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert response.status_code == 404
    assert not Record.objects.exists()


def test_a_data_officer_uploads_a_file_through_the_api(client, officer, published):
    client.force_login(officer)
    response = client.post(f"/api/v1/registry/resources/{published.pk}/loads",
                           {"file": upload(csv_bytes([company_row(1)])), "mode": "replace"})  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/registry/resources/{resource_id}/loads")
    assert response.status_code == 201 and response.json()["mode"] == "replace"
    listing = client.get(f"/api/v1/registry/resources/{published.pk}/loads")
    assert_matches_openapi(listing, "get", "/api/v1/registry/resources/{resource_id}/loads")
    quality = client.get(f"/api/v1/registry/resources/{published.pk}/quality")
    assert_matches_openapi(quality, "get", "/api/v1/registry/resources/{resource_id}/quality")
    assert quality.json()["timeliness"] == 1.0


def test_a_batch_over_the_row_limit_is_refused(client, published, market_key, settings):
    settings.REGISTRY_API_BATCH_ROWS = 2
    response = client.post(f"/api/v1/registry/resources/{published.pk}/batches",
                           {"rows": [company_row(i) for i in range(3)]}, content_type="application/json",
                           headers=market_key)  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "batch.too_large"


def test_an_empty_batch_is_a_validation_error(client, published, market_key):
    response = client.post(f"/api/v1/registry/resources/{published.pk}/batches", {"rows": []},
                           content_type="application/json", headers=market_key)  # fmt: skip
    assert response.status_code == 422


def test_loads_of_other_departments_are_not_found(client, factory, city, officer, published):
    client.force_login(officer)
    load_id = client.post(f"/api/v1/registry/resources/{published.pk}/loads",
                          {"file": upload(csv_bytes([company_row(1)]))}).json()["id"]  # fmt: skip
    client.force_login(factory.staff("data_officer", city["health"]))
    assert client.get(f"/api/v1/registry/loads/{load_id}").status_code == 404
    assert client.get(f"/api/v1/registry/loads/{load_id}/errors.csv").status_code == 404
    client.force_login(factory.staff("supervisor", city["root"]))
    assert client.get(f"/api/v1/registry/loads/{load_id}").status_code == 200


def test_the_records_page_masks_personal_fields(client, officer, published):
    client.force_login(officer)
    client.post(
        f"/api/v1/registry/resources/{published.pk}/loads",
        {"file": upload(csv_bytes([company_row(1)]))},
    )
    page = client.get(f"/registry/resources/{published.pk}/records/").content.decode()
    ric = company_row(1)["representative_id_number"]
    assert ric not in page and ric[:6] + "********" + ric[-4:] in page
    assert "张*" in page


def test_the_quality_page_and_its_xlsx_export(client, officer, published):
    client.force_login(officer)
    client.post(
        f"/api/v1/registry/resources/{published.pk}/loads",
        {"file": upload(csv_bytes([company_row(1)]))},
    )
    page = client.get("/registry/quality/").content.decode()
    assert "江澜市市场监督管理局" in page and 'id="quality-data"' in page
    export = client.get("/registry/quality/", {"format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_load_status_fragment_reloads_the_page_when_the_load_ends(client, officer, published):
    client.force_login(officer)
    load_id = client.post(f"/api/v1/registry/resources/{published.pk}/loads",
                          {"file": upload(csv_bytes([company_row(1)]))}).json()["id"]  # fmt: skip
    fragment = client.get(f"/registry/loads/{load_id}/status/", headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"


def test_a_request_body_over_the_limit_is_a_413_not_a_500(client, published, market_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(f"/api/v1/registry/resources/{published.pk}/batches",
                           {"rows": [company_row(i) for i in range(20)]}, content_type="application/json",
                           headers=market_key)  # fmt: skip
    assert response.status_code == 413 and response.json()["code"] == "request.too_large"
