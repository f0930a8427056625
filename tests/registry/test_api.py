import csv
import io
import json

import pytest

from tests.openapi import assert_matches_openapi
from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.core import services as core_services
from yiwang.registry.loading import raw_path
from yiwang.registry.models import Load, Record

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


def test_a_batch_row_with_a_lone_surrogate_is_kept_and_quarantined(client, published, market_key):
    """JSON lets a lone \\ud800 escape through; the row is kept in the raw file and quarantined,
    and the rest of the batch is loaded (it was a 500)."""
    bad = '{"uscc": "' + company_row(2)["uscc"] + '", "name": "有限\\ud800公司"}'
    body = '{"rows": [' + json.dumps(company_row(1)) + ", " + bad + "]}"
    response = client.post(f"/api/v1/registry/resources/{published.pk}/batches", body,
                           content_type="application/json", headers=market_key)  # fmt: skip
    assert response.status_code == 201, response.content
    load = response.json()
    assert (load["status"], load["rows_written"], load["rows_invalid"]) == ("succeeded", 1, 1)
    errors = client.get(f"/api/v1/registry/loads/{load['id']}/errors", headers=market_key).json()
    assert [(e["row"], e["code"]) for e in errors["items"]] == [(2, "row.bad_json")]
    assert b"\\ud800" in raw_path(Load.objects.get(pk=load["id"])).read_bytes()  # nothing lost


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


def test_the_records_page_finds_a_credit_code_typed_in_lowercase(client, officer, published):
    client.force_login(officer)
    client.post(
        f"/api/v1/registry/resources/{published.pk}/loads",
        {"file": upload(csv_bytes([company_row(0), company_row(1)]))},
    )
    uscc = company_row(0)["uscc"]  # ends in a letter
    page = client.get(
        f"/registry/resources/{published.pk}/records/", {"key": f" {uscc[:-1]}{uscc[-1].lower()}"}
    ).content.decode()
    assert company_row(0)["name"] in page and company_row(1)["name"] not in page


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


def upload_through_the_api(client, resource, rows, mode="upsert") -> dict:
    response = client.post(f"/api/v1/registry/resources/{resource.pk}/loads",
                           {"file": upload(csv_bytes(rows)), "mode": mode})  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def test_a_loads_quality_report_is_read_through_the_api(client, officer, published):
    client.force_login(officer)
    rows = [company_row(i) for i in range(4)] + [company_row(1)]
    load = upload_through_the_api(client, published, rows)
    response = client.get(f"/api/v1/registry/loads/{load['id']}/quality")
    assert_matches_openapi(response, "get", "/api/v1/registry/loads/{load_id}/quality")
    report = response.json()
    assert (report["load_id"], report["rows"], report["uniqueness"]) == (load["id"], 5, 0.8)
    assert report["error_counts"] == {"row.duplicate_key": 1}
    assert report["field_completeness"]["uscc"] == 1.0


def test_a_failed_load_has_no_quality_report(client, officer, published):
    client.force_login(officer)
    load = upload_through_the_api(client, published, [company_row(1, uscc="bad")])
    response = client.get(f"/api/v1/registry/loads/{load['id']}/quality")
    assert_matches_openapi(response, "get", "/api/v1/registry/loads/{load_id}/quality")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_another_departments_officer_cannot_read_a_loads_quality_report(
    client, factory, city, officer, published
):
    client.force_login(officer)
    load = upload_through_the_api(client, published, [company_row(1)])
    client.force_login(factory.staff("data_officer", city["health"]))
    assert client.get(f"/api/v1/registry/loads/{load['id']}/quality").status_code == 404


def test_the_quality_overview_scores_departments_and_resources(
    client, factory, city, officer, published
):
    from tests.catalog.conftest import make_resource
    from yiwang.catalog import services as catalog_services

    client.force_login(officer)
    upload_through_the_api(client, published, [company_row(i) for i in range(3)])
    draft = make_resource(officer, city["market"], code="B0201/000002", name="草稿资源")
    other = make_resource(officer, city["market"], code="B0201/000003", name="尚未归集")
    catalog_services.publish_resource(actor=officer, resource=other)
    client.force_login(factory.staff("data_officer", city["health"]))
    response = client.get("/api/v1/registry/quality")
    assert_matches_openapi(response, "get", "/api/v1/registry/quality")
    body = response.json()
    assert body["departments"] == [{"organisation_id": city["market"].pk, "name": city["market"].name,
                                    "score": 100.0, "resources": 1}]  # fmt: skip
    rows = {r["code"]: r for r in body["resources"]}
    assert set(rows) == {published.code, other.code}  # the draft is not theirs to see
    assert draft.code not in rows
    assert rows[published.code]["score"] == 100.0 and rows[published.code]["timeliness"] == 1.0
    assert rows[other.code]["score"] is None and rows[other.code]["load_id"] is None


def test_the_quality_overview_needs_a_signed_in_caller(client):
    response = client.get("/api/v1/registry/quality")
    assert response.status_code == 401


def test_the_quality_page_and_its_export_need_a_signed_in_user_like_the_api(client, published):
    for query in ({}, {"format": "xlsx"}):
        response = client.get("/registry/quality/", query)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_a_load_is_rerun_through_the_api(client, officer, published):
    client.force_login(officer)
    first = upload_through_the_api(client, published, [company_row(1), company_row(2)])
    response = client.post(f"/api/v1/registry/loads/{first['id']}/rerun", {"mode": "replace"},
                           content_type="application/json")  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/registry/loads/{load_id}/rerun")
    second = response.json()
    assert response.status_code == 201 and second["id"] != first["id"]
    assert (second["mode"], second["status"], second["rows_written"]) == ("replace", "succeeded", 2)


def test_another_departments_officer_cannot_rerun_a_load(client, factory, city, officer, published):
    client.force_login(officer)
    first = upload_through_the_api(client, published, [company_row(1)])
    client.force_login(factory.staff("data_officer", city["health"]))
    response = client.post(
        f"/api/v1/registry/loads/{first['id']}/rerun", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Load.objects.count() == 1


def test_a_supervisor_who_may_see_a_load_still_cannot_rerun_it(
    client, factory, city, officer, published
):
    client.force_login(officer)
    first = upload_through_the_api(client, published, [company_row(1)])
    client.force_login(factory.staff("supervisor", city["root"]))
    response = client.post(
        f"/api/v1/registry/loads/{first['id']}/rerun", {}, content_type="application/json"
    )
    assert_matches_openapi(response, "post", "/api/v1/registry/loads/{load_id}/rerun")
    assert response.status_code == 404 and Load.objects.count() == 1


def test_the_load_page_offers_rerunning_only_to_who_may_load(
    client, factory, city, officer, published
):
    client.force_login(officer)
    load = upload_through_the_api(client, published, [company_row(1)])
    rerun = f"/registry/loads/{load['id']}/rerun/"
    assert rerun in client.get(f"/registry/loads/{load['id']}/").content.decode()
    client.force_login(factory.staff("supervisor", city["root"]))
    response = client.get(f"/registry/loads/{load['id']}/")
    assert response.status_code == 200 and rerun not in response.content.decode()


def test_the_quarantine_csv_is_streamed_with_a_bom_and_formula_safe_cells(
    client, officer, published
):
    from tests.registry.conftest import HEADER

    client.force_login(officer)
    formula = '=HYPERLINK("http://evil.example","x")'
    rows = [dict(company_row(i, established="bad"), **{formula: "1"}) for i in range(3)]
    data = csv_bytes([dict(company_row(9), **{formula: "1"}), *rows], header=[formula, *HEADER])
    response = client.post(
        f"/api/v1/registry/resources/{published.pk}/loads", {"file": upload(data)}
    )
    response = client.get(f"/api/v1/registry/loads/{response.json()['id']}/errors.csv")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff行号,信息项,错误代码,说明,原始数据\r\n".encode())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    assert [line[:3] for line in lines] == [
        [str(n), "established", "value.not_date"] for n in (3, 4, 5)
    ]
    assert all(line[4].startswith("'=HYPERLINK") for line in lines)


def test_the_quarantine_csv_of_the_load_page_is_streamed_too(client, officer, published):
    client.force_login(officer)
    load = upload_through_the_api(
        client, published, [company_row(1, established="bad"), company_row(2)]
    )
    response = client.get(f"/registry/loads/{load['id']}/errors.csv")
    assert response.streaming
    assert "value.not_date" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_resource_page_shows_the_quality_score_and_its_dimensions(client, officer, published):
    import re

    from yiwang.registry.models import QualityReport

    client.force_login(officer)
    rows = [company_row(i) for i in range(4)] + [company_row(1)]
    upload_through_the_api(client, published, rows)
    report = QualityReport.objects.get()
    page = client.get(f"/catalog/resources/{published.pk}/").content.decode()
    text = re.sub(r"<[^>]+>|\s+", "", page)
    assert (
        f"质量得分{report.score}（完整性100%，有效性80%，唯一性80%，一致性100%，及时性100%）"
        in text
    )
    assert "已入库4条记录" in text


def test_the_resource_page_says_when_there_is_no_quality_report_yet(client, officer, published):
    client.force_login(officer)
    page = client.get(f"/catalog/resources/{published.pk}/").content.decode()
    assert "尚无质量报告" in page


def test_every_cell_of_the_load_page_is_labelled_for_a_phone(client, officer, published):
    import re

    client.force_login(officer)
    load = upload_through_the_api(client, published, [company_row(1), company_row(2, uscc="bad")])
    page = client.get(f"/registry/loads/{load['id']}/").content.decode()
    cells = re.findall(r"<td[^>]*>", page)
    assert cells and all("data-label=" in cell for cell in cells)  # a phone hides the header row


def test_the_loads_page_reaches_every_load_a_page_at_a_time(client, officer, published):
    import datetime

    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(days=100)
    loads = Load.objects.bulk_create(
        Load(resource=published, resource_version=published.version, organisation=published.owner, mode="upsert",
             source="api", file_name=f"batch-{i}.jsonl", file_path=f"loads/x/{i}.jsonl")
        for i in range(120)
    )  # fmt: skip
    for i, load in enumerate(loads):  # created_at is set on save; age them in order
        Load.objects.filter(pk=load.pk).update(created_at=start + datetime.timedelta(hours=i))
    client.force_login(officer)
    first = client.get(f"/registry/resources/{published.pk}/loads/").content.decode()
    assert "batch-119.jsonl" in first and "下一页" in first
    last = client.get(f"/registry/resources/{published.pk}/loads/", {"page": 3}).content.decode()
    assert "batch-0.jsonl" in last
