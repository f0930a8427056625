"""The GovStack Digital Registries API 1.3.0 adaptor: answers checked against the spec's YAML."""

import datetime
import importlib
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches

from tests.exchange.conftest import person
from tests.exchange.test_gateway import granted
from tests.registry.conftest import company_row
from yiwang.core import identifiers
from yiwang.core.models import AuditEvent
from yiwang.exchange.gateway import subject_hash
from yiwang.exchange.govstack.database import json_schema
from yiwang.exchange.models import ExchangeLog
from yiwang.registry.models import Load, LoadError, Record

pytestmark = pytest.mark.django_db(transaction=True)

SPECS = (
    Path(__file__).resolve().parent / "govstack_spec"
)  # copied from shared/specs with its licence

PEOPLE, COMPANIES = "data/B0101-000001/1.0", "data/B0201-000001/1.0"


# --- the spec ------------------------------------------------------------------------


def _nullable(node):
    """OpenAPI 3.0 `nullable` / Swagger `x-nullable` as JSON Schema."""
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if (node.pop("x-nullable", False) or node.pop("nullable", False)) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    return [_nullable(v) for v in node] if isinstance(node, list) else node


@cache
def _spec(api: str) -> dict | None:
    path = SPECS / f"GovStack_Digital_registries_BB_{api}_API_template-1.3.0.yaml"
    if not path.exists():
        return None
    document = _nullable(yaml.safe_load(path.read_text(encoding="utf-8")))
    schemas = document["components"]["schemas"]
    # The Database YAML refers to `DatabaseInfo` and `DatabasesSchema` but defines them in lower case.
    for name in list(schemas):
        schemas.setdefault(name[0].upper() + name[1:], schemas[name])
    return document


def assert_fits_spec(response, api: str, path: str, method: str) -> None:
    """The answer's JSON fits the response schema the spec gives for its status."""
    document = _spec(api)
    assert document is not None, f"GovStack specs not found under {SPECS}"

    operation = document["paths"][path][method]
    content = operation["responses"][str(response.status_code)].get("content")
    if content:
        schema = {**content["application/json"]["schema"], "components": document["components"]}
        jsonschema.validate(response.json(), schema, cls=jsonschema.Draft202012Validator)


# --- callers -------------------------------------------------------------------------


def url(path: str) -> str:
    return settings.GOVSTACK_PREFIX + path


def get(http, path, headers, **params):
    return http.get(url(path), params, headers=headers)


def send(http, method, path, headers, body):
    return getattr(http, method)(url(path), body, content_type="application/json", headers=headers)


def query(**content) -> dict:
    return {"query": {"content": content}}


def ric(i: int) -> str:
    return person(i)["id_number"]


ABSENT = identifiers.make_ric(region="990102", born=datetime.date(1990, 1, 1), sequence=1, sex="M")


# --- identity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        (None, 400, "govstack.client_missing"),
        ("CN-YIWANG/GOV/only-three", 400, "govstack.client_malformed"),
        ("OTHER/GOV/{uscc}/hospital-licensing", 403, "govstack.client_mismatch"),
        ("{instance}/COM/{uscc}/hospital-licensing", 403, "govstack.client_mismatch"),
        ("{instance}/GOV/{uscc}/unknown-system", 403, "govstack.client_mismatch"),
    ],
)
def test_the_information_mediator_header_must_name_the_keys_own_system(
    client, health, hospital, header, status, code
):
    headers = {k: v for k, v in hospital.items() if k != "Information-Mediator-Client"}
    if header:
        uscc = health["client"].organisation.uscc
        headers["Information-Mediator-Client"] = header.format(
            instance=settings.GOVSTACK_INSTANCE, uscc=uscc
        )
    response = get(client, "databases", headers)
    assert response.status_code == status and response.json()["code"] == code
    assert set(response.json()) >= {"detail", "code", "message"}


def test_the_header_alone_is_not_proof_of_identity(client, health, hospital):
    response = get(
        client,
        "databases",
        {"Information-Mediator-Client": hospital["Information-Mediator-Client"]},
    )
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    unknown = {**hospital, "Authorization": "Bearer yw_00000000_not-a-key"}
    assert get(client, "databases", unknown).status_code == 401


def test_a_key_of_another_system_does_not_match_the_header(client, hospital, market_system):
    headers = {**hospital, "Authorization": market_system["headers"]["Authorization"]}
    response = get(client, "databases", headers)
    assert response.status_code == 403 and response.json()["code"] == "govstack.client_mismatch"


# --- reads ---------------------------------------------------------------------------


def test_list_answers_a_filtered_page_of_masked_records(
    client, health, officer, companies, hospital
):
    granted(health, officer, companies)
    response = get(client, COMPANIES, hospital, **{"query.region_code": "990102", "pageSize": "2"})
    assert response.status_code == 200
    assert_fits_spec(response, "Data", "/data/{registryName}/{versionNumber}", "get")
    body = response.json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["previous"] is None
    assert body["next"].startswith("http") and "page=2" in body["next"]
    first = body["results"][0]
    assert first["uscc"] == company_row(0)["uscc"] and first["legal_representative"] == "张*"
    jsonschema.validate(first, json_schema(companies), cls=jsonschema.Draft202012Validator)
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count) == ("filter", 200, 2)


def test_list_searches_text_and_orders_by_key(client, health, officer, companies, hospital):
    granted(health, officer, companies)
    params = {
        "search": "9901",
        "filter": "region_code",
        "ordering": "descending",
        "page": "2",
        "pageSize": "3",
    }
    body = get(client, COMPANIES, hospital, **params).json()
    keys = sorted(company_row(i)["uscc"] for i in range(5))
    assert body["count"] == 5 and [r["uscc"] for r in body["results"]] == keys[::-1][3:]
    assert body["next"] is None and "page=1" in body["previous"]


def test_a_registry_with_personal_fields_is_not_listed_without_a_condition(
    client, health, officer, companies, hospital
):
    granted(health, officer, companies)
    response = get(client, COMPANIES, hospital)
    assert response.status_code == 400 and response.json()["code"] == "govstack.condition_required"
    assert ExchangeLog.objects.get().status == 400


def test_queries_may_not_name_fields_the_owner_did_not_declare_filterable(
    client, health, officer, companies, hospital
):
    granted(health, officer, companies)
    response = get(client, COMPANIES, hospital, **{"query.legal_representative": "张三"})
    assert response.status_code == 400 and response.json()["code"] == "govstack.not_filterable"
    response = send(
        client,
        "post",
        f"{COMPANIES}/exists",
        hospital,
        query(name="江澜测试1有限公司"),
    )
    assert response.status_code == 400 and ExchangeLog.objects.filter(status=400).count() == 2


def test_read_answers_the_record_masked_and_logs_whose_it_is(
    client, health, officer, people, hospital
):
    granted(health, officer, people, fields=["id_number", "name", "address"])
    body = query(id_number=ric(1))
    response = send(client, "post", f"{PEOPLE}/read", hospital, body)
    assert response.status_code == 200
    assert_fits_spec(response, "Data", "/data/{registryName}/{versionNumber}/read", "post")
    content = response.json()["content"]
    assert content == {
        "id_number": ric(1)[:6] + "********" + ric(1)[-4:],
        "name": "张**",
        "address": "江澜市东湖区****",
    }
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.purpose) == ("lookup", 200, "医疗机构执业登记核验")
    assert log.subjects.get().subject_hash == subject_hash(ric(1))


def test_read_of_a_missing_record_answers_no_record_found(
    client, health, officer, people, hospital
):
    granted(health, officer, people)
    response = send(client, "post", f"{PEOPLE}/read", hospital, query(id_number=ABSENT))
    assert response.status_code == 404 and response.json()["detail"] == "no record found"
    assert_fits_spec(response, "Data", "/data/{registryName}/{versionNumber}/read", "post")
    assert ExchangeLog.objects.get().status == 404


def test_read_by_the_key_and_a_condition_the_record_fails_finds_no_record(
    client, health, officer, companies, hospital
):
    granted(health, officer, companies)
    uscc = company_row(1)["uscc"]  # its region is 990102
    body = query(uscc=uscc, region_code="990103")
    response = send(client, "post", f"{COMPANIES}/read", hospital, body)
    assert response.status_code == 404 and response.json()["detail"] == "no record found"
    assert (
        send(client, "post", f"{COMPANIES}/exists", hospital, body).json()["answer"]["status"]
        is False
    )


def test_a_version_never_published_is_not_found(client, health, officer, people, hospital):
    granted(health, officer, people)
    body = query(id_number=ric(1))
    response = send(client, "post", "data/B0101-000001/2.0/read", hospital, body)
    assert response.status_code == 404 and response.json()["code"] == "govstack.no_version"
    assert send(client, "post", "data/B0101-000001/1/read", hospital, body).status_code == 200
    assert list(ExchangeLog.objects.order_by("occurred_at").values_list("status", flat=True)) == [
        404,
        200,
    ]


@pytest.fixture
def people_v2(health, officer, people):
    """人口基本信息 republished as version 2 with a 民族 field, granted in full afterwards."""
    from tests.exchange.conftest import PEOPLE_FIELDS
    from yiwang.catalog import services as catalog

    fields = [*PEOPLE_FIELDS, {"code": "nation", "name": "民族", "data_type": "string"}]
    catalog.update_resource(actor=officer, resource=people, fields=fields, note="增加民族")
    record = Record.objects.get(resource=people, key=ric(1))
    Record.objects.filter(pk=record.pk).update(data={**record.data, "nation": "汉族"})
    granted(health, officer, people)
    people.refresh_from_db()
    return people


def test_the_current_version_answers_every_granted_field(client, people_v2, hospital):
    assert people_v2.version == 2
    response = send(client, "post", "data/B0101-000001/2.0/read", hospital, query(id_number=ric(1)))
    assert response.status_code == 200 and response.json()["content"]["nation"] == "汉族"


def test_an_earlier_version_answers_the_records_projected_onto_its_fields(
    client, people_v2, hospital
):
    response = send(client, "post", "data/B0101-000001/1.0/read", hospital, query(id_number=ric(1)))
    assert response.status_code == 200
    assert_fits_spec(response, "Data", "/data/{registryName}/{versionNumber}/read", "post")
    content = response.json()["content"]
    assert set(content) == {"id_number", "name", "address", "region_code"}
    assert content["name"] == "张**"  # masked as the current definition says
    assert ExchangeLog.objects.get().field_codes == ["id_number", "name", "address", "region_code"]


def test_an_earlier_version_does_not_answer_a_field_it_did_not_have(client, people_v2, hospital):
    response = client.get(
        url(f"data/B0101-000001/1.0/{ric(1)}/readValue/nation.json"), headers=hospital
    )
    assert response.status_code == 404 and response.json()["code"] == "govstack.unknown_field"


def test_writing_to_an_earlier_version_is_refused_as_superseded(client, people_v2, market_system):
    row = {**person(7), "nation": "汉族"}
    response = send(client, "post", "data/B0101-000001/1.0/create", market_system["headers"],
                    {"write": {"content": row}})  # fmt: skip
    assert response.status_code == 409 and response.json()["code"] == "govstack.version_superseded"
    assert not Record.objects.filter(key=row["id_number"]).exists()


def test_a_field_dropped_from_the_resource_is_never_answered_in_clear(
    client, health, officer, companies, hospital
):
    from tests.catalog.conftest import LEGAL_PERSON_FIELDS
    from yiwang.catalog import services as catalog

    granted(health, officer, companies)
    kept = [f for f in LEGAL_PERSON_FIELDS if f["code"] != "legal_representative"]
    catalog.update_resource(actor=officer, resource=companies, fields=kept, note="删除法定代表人")
    response = send(
        client, "post", "data/B0201-000001/1.0/read", hospital, query(uscc=company_row(1)["uscc"])
    )
    assert response.json()["content"]["legal_representative"] == "***"


def test_a_system_without_a_grant_gets_the_same_refusal_for_any_key(client, people, hospital):
    existing = send(client, "post", f"{PEOPLE}/read", hospital, query(id_number=ric(1)))
    missing = send(client, "post", f"{PEOPLE}/read", hospital, query(id_number=ABSENT))
    assert existing.status_code == missing.status_code == 403 and existing.json() == missing.json()
    assert ExchangeLog.objects.filter(status=403, error_code="exchange.no_grant").count() == 2


def test_exists_answers_without_values(client, health, officer, people, hospital):
    granted(health, officer, people)
    path = f"{PEOPLE}/exists"
    found = send(client, "post", path, hospital, query(id_number=ric(2)))
    assert_fits_spec(found, "Data", "/data/{registryName}/{versionNumber}/exists", "post")
    assert found.json()["answer"]["status"] is True and ric(2) not in found.content.decode()
    absent = send(client, "post", path, hospital, query(id_number=ABSENT))
    assert absent.json()["answer"]["status"] is False
    assert list(
        ExchangeLog.objects.values_list("operation", "record_count").order_by("occurred_at")
    ) == [
        ("verify", 1),
        ("verify", 0),
    ]


def test_exists_is_logged_as_using_only_the_queried_fields(
    client, health, officer, people, hospital
):
    granted(health, officer, people, fields=["id_number", "name", "address"])
    found = send(client, "post", f"{PEOPLE}/exists", hospital, query(id_number=ric(2)))
    assert found.json()["answer"]["status"] is True
    assert ExchangeLog.objects.get().field_codes == ["id_number"]


@pytest.mark.parametrize("method", ["readValue", "read-value"])
def test_read_value_answers_one_granted_field_and_logs_only_it(
    client, health, officer, people, hospital, method
):
    granted(health, officer, people, fields=["id_number", "name"], clear=["name"])
    response = get(client, f"{PEOPLE}/{ric(3)}/{method}/name.json", hospital)
    assert response.status_code == 200 and response.json() == {"value": "张3明"}
    assert_fits_spec(
        response,
        "Data",
        "/data/{registryName}/{versionNumber}/{uuid}/readValue/{field}.{ext}",
        "get",
    )
    assert get(client, f"{PEOPLE}/{ric(3)}/{method}/姓名.json", hospital).json() == {
        "value": "张3明"
    }
    assert ExchangeLog.objects.filter(status=200).first().field_codes == ["name"]


def test_read_value_of_a_field_outside_the_grant_is_refused(
    client, health, officer, people, hospital
):
    granted(health, officer, people, fields=["id_number", "name"])
    response = get(client, f"{PEOPLE}/{ric(3)}/readValue/address.json", hospital)
    assert response.status_code == 403 and response.json()["code"] == "exchange.field_not_granted"
    assert ExchangeLog.objects.get().status == 403


def test_every_read_is_in_the_exchange_log(client, health, officer, companies, hospital):
    granted(health, officer, companies)
    uscc = company_row(1)["uscc"]
    answers = [
        get(client, COMPANIES, hospital, **{"query.region_code": "990102"}),
        send(client, "post", f"{COMPANIES}/read", hospital, query(uscc=uscc)),
        send(client, "post", f"{COMPANIES}/exists", hospital, query(uscc=uscc)),
        get(client, f"{COMPANIES}/{uscc}/readValue/name.json", hospital),
    ]
    assert [a.status_code for a in answers] == [200] * 4
    assert ExchangeLog.objects.filter(status=200, client=health["client"]).count() == 4


# --- writes --------------------------------------------------------------------------


def test_the_owner_creates_a_record_through_the_load_pipeline(client, people, market_system):
    new = person(10)
    response = send(
        client, "post", f"{PEOPLE}/create", market_system["headers"], {"write": {"content": new}}
    )
    assert response.status_code == 200
    assert_fits_spec(response, "Data", "/data/{registryName}/{versionNumber}/create", "post")
    assert response.json()["content"]["id_number"] == new["id_number"]
    record = Record.objects.get(resource=people, key=new["id_number"])
    assert (
        record.data["name"] == new["name"]
        and Load.objects.get(pk=record.load_id).client == market_system["client"]
    )
    assert AuditEvent.objects.filter(
        action="load.succeeded", target_id=str(record.load_id)
    ).exists()


@pytest.mark.parametrize("field", ["name", "id_number"])
def test_a_write_holding_a_lone_surrogate_is_a_400_not_a_500(client, people, market_system, field):
    new = dict(person(12), **{field: "张\ud800三"})  # JSON carries it as a lone \\ud800 escape
    response = send(
        client, "post", f"{PEOPLE}/create", market_system["headers"], {"write": {"content": new}}
    )
    assert response.status_code == 400 and response.json()["code"] == "govstack.bad_json"
    assert Record.objects.filter(resource=people).count() == 5  # the fixture's five


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "exists", {"query": {"content": {"id_number": "9901\ud800"}}}),
        ("post", "read", {"query": {"content": {"nam\ud800e": "x"}}}),
        ("put", "update", {"query": {"content": {"name": "张\ud800"}}, "write": {"content": {"name": "x"}}}),
    ],
)  # fmt: skip
def test_a_query_holding_a_lone_surrogate_is_a_400_not_a_500(
    client, health, officer, people, hospital, market_system, method, path, body
):
    granted(health, officer, people)
    headers = market_system["headers"] if method == "put" else hospital
    response = send(client, method, f"{PEOPLE}/{path}", headers, body)
    assert response.status_code == 400 and response.json()["code"] == "govstack.bad_json"


def test_a_schema_holding_a_lone_surrogate_is_a_400_not_a_500(client, companies, market_system):
    schema = current_schema(client, companies, market_system["headers"])
    schema["properties"]["name"]["title"] = "企业\ud800名称"
    response = modify(client, market_system["headers"], schema)
    assert response.status_code == 400 and response.json()["code"] == "govstack.bad_json"
    assert companies.fields.get(code="name").name == "企业名称"


def test_creating_an_existing_key_is_a_conflict(client, people, market_system):
    response = send(
        client,
        "post",
        f"{PEOPLE}/create",
        market_system["headers"],
        {"write": {"content": person(1)}},
    )
    assert response.status_code == 409 and response.json()["code"] == "row.key_exists"


def test_a_bad_row_is_quarantined_and_answered_with_its_code(client, people, market_system):
    good = ric(11)
    bad = {**person(11), "id_number": good[:17] + ("1" if good[17] == "0" else "0")}
    response = send(
        client, "post", f"{PEOPLE}/create", market_system["headers"], {"write": {"content": bad}}
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "identifier.ric.checksum"
    assert "校验位" in body["message"] and body["errors"][0]["field"] == "id_number"
    assert LoadError.objects.filter(load_id=body["load"], code="identifier.ric.checksum").exists()
    assert not Record.objects.filter(resource=people, key=bad["id_number"]).exists()


def test_a_system_of_another_department_cannot_write(client, health, officer, people, hospital):
    granted(health, officer, people)
    response = send(
        client, "post", f"{PEOPLE}/create", hospital, {"write": {"content": person(12)}}
    )
    assert response.status_code == 403 and response.json()["code"] == "govstack.not_owner"
    assert not Record.objects.filter(resource=people, key=ric(12)).exists()


def test_update_merges_the_written_fields_into_the_record(client, people, market_system):
    body = {"query": {"content": {"id_number": ric(1)}}, "write": {"content": {"name": "张一明"}}}
    response = send(client, "put", f"{PEOPLE}/update", market_system["headers"], body)
    assert response.status_code == 200 and response.json()["content"] == {
        "id_number": ric(1),
        "name": "张一明",
    }
    data = Record.objects.get(resource=people, key=ric(1)).data
    assert data["name"] == "张一明" and data["address"] == person(1)["address"]


def test_update_cannot_change_the_key(client, people, market_system):
    body = {
        "query": {"content": {"id_number": ric(1)}},
        "write": {"content": {"id_number": ric(13)}},
    }
    response = send(client, "put", f"{PEOPLE}/update", market_system["headers"], body)
    assert response.status_code == 400 and response.json()["code"] == "govstack.key_change"


def test_update_cannot_empty_the_key(client, people, market_system):
    body = {"query": {"content": {"id_number": ric(1)}}, "write": {"content": {"id_number": None}}}
    response = send(client, "put", f"{PEOPLE}/update", market_system["headers"], body)
    assert response.status_code == 400 and response.json()["code"] == "govstack.key_change"


@pytest.mark.parametrize("method", ["updateEntries", "update-entries"])
def test_update_entries_updates_every_matching_record(client, companies, market_system, method):
    body = {
        "query": {"content": {"region_code": "990102"}},
        "write": {"content": {"registered_capital": "200"}},
    }
    response = send(client, "put", f"{COMPANIES}/{method}", market_system["headers"], body)
    assert response.status_code == 200 and response.json() == {"count": 5}
    assert {r.data["registered_capital"] for r in Record.objects.filter(resource=companies)} == {
        "200"
    }


@pytest.mark.parametrize("method", ["updateOrCreate", "update-or-create"])
def test_update_or_create_creates_then_updates(client, people, market_system, method):
    path, query = f"{PEOPLE}/{method}", {"id_number": ric(14)}
    created = send(
        client,
        "post",
        path,
        market_system["headers"],
        {"query": {"content": query}, "write": {"content": {"name": "李四"}}},
    )
    assert created.status_code == 200
    assert_fits_spec(created, "Data", "/data/{registryName}/{versionNumber}/updateOrCreate", "post")
    send(
        client,
        "post",
        path,
        market_system["headers"],
        {"query": {"content": query}, "write": {"content": {"name": "李五"}}},
    )
    assert Record.objects.get(resource=people, key=ric(14)).data["name"] == "李五"


def test_delete_removes_the_record_with_an_audit_event(client, people, market_system):
    response = client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=market_system["headers"])
    assert response.status_code == 204
    assert not Record.objects.filter(resource=people, key=ric(2)).exists()
    event = AuditEvent.objects.get(action="record.delete")
    assert event.actor_label == market_system["client"].identity and ric(2) not in str(event.before)
    again = client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=market_system["headers"])
    assert again.status_code == 404 and again.json()["detail"] == "no record found"


def test_delete_finds_a_credit_code_written_in_lowercase(client, companies, market_system):
    uscc = company_row(0)["uscc"]  # ends in a letter
    response = client.delete(
        url(f"{COMPANIES}/{uscc.lower()}/delete"), headers=market_system["headers"]
    )
    assert response.status_code == 204
    assert not Record.objects.filter(resource=companies, key=uscc).exists()


# --- my personal data usage ----------------------------------------------------------


@pytest.mark.parametrize("path", ["data/myPersonalDataUsage", "data/MyPersonalDataUsage/1.0"])
def test_a_person_sees_who_read_their_record(
    client, health, officer, people, hospital, market_system, path
):
    granted(health, officer, people)
    headers = {**hospital, "X-Case-Number": "9901001234567890202611220001"}
    send(client, "post", f"{PEOPLE}/read", headers, query(id_number=ric(1)))
    portal = market_system["client"]
    with override_settings(GOVSTACK_USAGE_CLIENTS=[portal.identity]):
        response = get(
            client, path, market_system["headers"], userId=ric(1), databaseId="B0101-000001"
        )
    assert response.status_code == 200
    assert_fits_spec(response, "Data", "/data/myPersonalDataUsage", "get")
    [entry] = response.json()
    assert (
        entry["readerInstitutionName"] == "江澜市卫生健康委员会"
        and entry["purpose"] == "医疗机构执业登记核验"
    )
    assert entry["refrences"] == [{"ReferenceID": "9901001234567890202611220001"}]
    assert AuditEvent.objects.filter(action="exchange.usage_read").exists()


def test_personal_data_usage_is_refused_to_systems_not_trusted_to_ask_for_the_person(
    client, people, hospital
):
    response = get(
        client, "data/myPersonalDataUsage", hospital, userId=ric(1), databaseId="B0101-000001"
    )
    assert (
        response.status_code == 403 and response.json()["code"] == "govstack.usage_not_authorised"
    )


@pytest.mark.parametrize(("params", "code"), [
    ({"userId": "...", "databaseId": "B0101-000001"}, "govstack.user_id"),
    ({"userId": "RIC", "databaseId": "..."}, "govstack.database_id"),
])  # fmt: skip
def test_personal_data_usage_needs_a_valid_person_and_registry(
    client, people, market_system, params, code
):
    params = {k: ric(1) if v == "RIC" else v for k, v in params.items()}
    with override_settings(GOVSTACK_USAGE_CLIENTS=[market_system["client"].identity]):
        response = get(client, "data/myPersonalDataUsage", market_system["headers"], **params)
    assert response.status_code == 400 and response.json()["code"] == code


# --- the database API ----------------------------------------------------------------


def test_databases_lists_the_registries_with_their_schemas(
    client, health, officer, people, companies, hospital
):
    granted(health, officer, companies)
    response = get(client, "databases", hospital)
    assert response.status_code == 200
    assert_fits_spec(response, "Database", "/databases", "get")
    databases = {d["name"]: d for d in response.json()["databases"]}
    assert set(databases) == {"B0101-000001", "B0201-000001"}
    services = {s["name"]: s["isVisible"] for s in databases["B0201-000001"]["genericServices"]}
    assert services["data-read"] is True and services["data-create"] is False
    assert databases["B0101-000001"]["fieldsUniques"] == [["id_number"]]


def test_a_database_is_read_with_a_json_schema_of_its_fields(client, companies, hospital):
    response = get(client, f"database/{companies.pk}", hospital)
    assert response.status_code == 200
    assert_fits_spec(response, "Database", "/database/{id}", "get")
    schema = response.json()["schema"]
    assert (
        schema["required"] == ["uscc", "name"]
        and schema["properties"]["uscc"]["primaryKey"] is True
    )
    assert schema["properties"]["established"] == {
        "type": "string",
        "format": "date",
        "title": "成立日期",
        "x-dataType": "date",
    }
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate({**company_row(1), "registered_capital": "100.50"}, schema)
    assert get(client, "database/999999", hospital).status_code == 404


def modify(client, headers, schema, code="B0201-000001"):
    return send(client, "post", "database/modify", headers, {"code": code, "schema": schema})


def current_schema(client, resource, headers) -> dict:
    return get(client, f"database/{resource.pk}", headers).json()["schema"]


def test_the_owners_system_modifies_the_fields_through_the_catalog(
    client, companies, market_system
):
    schema = current_schema(client, companies, market_system["headers"])
    schema["properties"]["name"]["title"] = "企业（字号）名称"
    schema["properties"]["industry"] = {
        "type": "string",
        "title": "行业",
        "maxLength": 40,
        "x-filterable": True,
    }
    response = modify(client, market_system["headers"], schema)
    assert response.status_code == 200
    assert_fits_spec(response, "Database", "/database/modify", "post")
    answered = response.json()["properties"]
    assert answered["industry"] == {"type": "string", "title": "行业", "maxLength": 40, "x-filterable": True,
                                    "x-dataType": "string"}  # fmt: skip
    companies.refresh_from_db()
    fields = {f.code: f for f in companies.fields.all()}
    assert companies.version == 2 and fields["name"].name == "企业（字号）名称"
    assert (
        fields["representative_id_number"].data_type == "ric"
        and fields["representative_id_number"].is_personal
    )
    assert fields["legal_representative"].description == ""  # the masking note is not a description


def test_a_modification_is_audited_as_the_owners_system_and_versioned(
    client, companies, market_system
):
    schema = current_schema(client, companies, market_system["headers"])
    schema["properties"]["industry"] = {"type": "string", "title": "行业"}
    response = modify(client, market_system["headers"], schema)
    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get(action="resource.update")
    assert event.actor_label == market_system["client"].identity
    assert companies.versions.get(version=2).note.startswith("GovStack database/modify")


def test_a_new_fields_type_is_inferred_from_its_json_schema(client, companies, market_system):
    schema = current_schema(client, companies, market_system["headers"])
    schema["properties"]["approved"] = {"type": "string", "format": "date", "title": "核准日期"}
    schema["properties"]["contact_id"] = {
        "type": "string",
        "pattern": r"^\d{17}[0-9X]$",
        "title": "联系人身份号码",
    }
    schema["properties"]["staff"] = {"type": "integer", "title": "从业人数"}
    assert modify(client, market_system["headers"], schema).status_code == 200
    types = dict(companies.fields.values_list("code", "data_type"))
    assert (types["approved"], types["contact_id"], types["staff"]) == ("date", "ric", "integer")


def test_the_key_of_a_published_registry_cannot_be_modified(client, companies, market_system):
    schema = current_schema(client, companies, market_system["headers"])
    schema["properties"]["uscc"]["primaryKey"] = False
    schema["properties"]["name"]["primaryKey"] = True
    response = modify(client, market_system["headers"], schema)
    assert response.status_code == 400 and response.json()["code"] == "catalog.key_changed"


def test_a_system_of_another_department_cannot_modify_a_registry(client, companies, hospital):
    schema = current_schema(client, companies, hospital)
    schema["properties"]["industry"] = {"type": "string", "title": "行业"}
    response = modify(client, hospital, schema)
    assert response.status_code == 403 and response.json()["code"] == "govstack.not_owner"
    assert not companies.fields.filter(code="industry").exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"schema": {"properties": {"a": {}}}}, "govstack.code_missing"),
        ({"code": "B0201-000001"}, "govstack.schema_missing"),
        (
            {"code": "B0201-000001", "schema": {"properties": {"a": "text"}}},
            "govstack.schema_invalid",
        ),
        (
            {"code": "B0201-000001", "schema": {"properties": {"a": {"x-dataType": "blob"}}}},
            "govstack.schema_invalid",
        ),
    ],
)
def test_a_malformed_modification_is_a_400(client, companies, market_system, body, code):
    response = send(client, "post", "database/modify", market_system["headers"], body)
    assert response.status_code == 400 and response.json()["code"] == code


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("enum", "abc"), ("enum", {"a": 1}), ("maxLength", 10.5), ("maxLength", True),
     ("title", {"zh": "行业"}), ("description", ["说明"])],
)  # fmt: skip
def test_a_schema_keyword_of_the_wrong_json_type_is_refused_not_coerced(
    client, companies, market_system, keyword, value
):
    schema = current_schema(client, companies, market_system["headers"])
    schema["properties"]["industry"] = {"type": "string", "title": "行业", keyword: value}
    response = modify(client, market_system["headers"], schema)
    assert response.status_code == 400 and response.json()["code"] == "govstack.schema_invalid"
    assert not companies.fields.filter(code="industry").exists()


def test_modifying_an_unknown_registry_is_not_found(client, market_system):
    response = modify(client, market_system["headers"], {"properties": {"a": {}}}, code="MCR")
    assert response.status_code == 404 and response.json()["code"] == "govstack.no_database"


def test_deleting_a_database_retires_the_resource_with_an_audit_event(
    client, health, officer, companies, market_system, hospital
):
    granted(health, officer, companies)
    response = client.delete(url(f"database/{companies.pk}"), headers=market_system["headers"])
    assert response.status_code == 200 and response.json() == "Success"
    assert_fits_spec(response, "Database", "/database/{id}", "delete")
    companies.refresh_from_db()
    assert companies.status == "retired"
    assert (
        AuditEvent.objects.get(action="resource.retire").actor_label
        == market_system["client"].identity
    )
    read = send(client, "post", f"{COMPANIES}/read", hospital, query(uscc=company_row(1)["uscc"]))
    assert read.status_code == 404 and read.json()["code"] == "govstack.no_registry"


def test_a_system_of_another_department_cannot_delete_a_database(client, companies, hospital):
    response = client.delete(url(f"database/{companies.pk}"), headers=hospital)
    assert response.status_code == 403 and response.json()["code"] == "govstack.not_owner"
    companies.refresh_from_db()
    assert companies.status == "published"


def test_a_wrong_method_is_answered_with_the_allowed_ones(client, hospital):
    response = client.get(url("database/modify"), headers=hospital)
    assert response.status_code == 405 and response["Allow"] == "POST"


# --- mounting ------------------------------------------------------------------------


def test_the_api_can_be_mounted_at_the_root_without_hiding_the_site(client, health, hospital):
    import yiwang.urls

    try:
        with override_settings(GOVSTACK_PREFIX="/"):
            importlib.reload(yiwang.urls)
            clear_url_caches()
            assert client.get("/databases", headers=hospital).status_code == 200
            assert client.get("/healthz").status_code == 200
    finally:
        importlib.reload(yiwang.urls)
        clear_url_caches()
    assert client.get(url("databases"), headers=hospital).status_code == 200


def test_the_purpose_is_required_for_conditional_registries(
    client, health, officer, people, hospital
):
    granted(health, officer, people)
    headers = {k: v for k, v in hospital.items() if k != "X-Purpose"}
    response = send(client, "post", f"{PEOPLE}/read", headers, query(id_number=ric(1)))
    assert response.status_code == 400 and response.json()["code"] == "exchange.purpose_required"
