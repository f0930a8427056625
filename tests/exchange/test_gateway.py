import datetime

import pytest
from django.utils import timezone

from tests.exchange.conftest import a_year, person
from tests.openapi import assert_matches_openapi
from tests.registry.conftest import company_row
from yiwang.exchange import services
from yiwang.exchange.gateway import subject_hash
from yiwang.exchange.models import ExchangeLog, Grant
from yiwang.registry import services as registry

pytestmark = pytest.mark.django_db(transaction=True)

LOOKUP = "/api/v1/exchange/resources/{resource_id}/records/{key}"


def granted(health, officer, resource, fields=None, clear=()):
    request = services.request_access(actor=health["officer"], client=health["client"], resource=resource,
                                      purpose="核验", legal_basis="依据", field_codes=fields, **a_year())  # fmt: skip
    if request.status == "pending":
        services.decide_request(
            actor=officer, request=request, approve=True, clear_fields=list(clear)
        )
    return Grant.objects.get(request=request)


def get(client, resource, key, headers):
    return client.get(f"/api/v1/exchange/resources/{resource.pk}/records/{key}", headers=headers)


def test_a_granted_system_reads_only_granted_fields_with_personal_ones_masked(
    client, health, officer, people
):
    granted(health, officer, people, fields=["id_number", "name", "address"])
    ric = person(1)["id_number"]
    response = get(client, people, ric, health["headers"])
    assert_matches_openapi(response, "get", LOOKUP)
    body = response.json()
    assert set(body) == {"id_number", "name", "address"}
    assert body["id_number"] == ric[:6] + "********" + ric[-4:]
    assert body["name"] == "张**" and body["address"].endswith("****")


def test_a_grant_may_allow_clear_values_for_chosen_personal_fields(client, health, officer, people):
    granted(health, officer, people, fields=["id_number", "name"], clear=["name"])
    assert get(client, people, person(2)["id_number"], health["headers"]).json()["name"] == "张2明"


def test_every_answer_is_logged_with_hashed_keys_and_subjects(client, health, officer, people):
    granted(health, officer, people)
    ric = person(3)["id_number"]
    get(client, people, ric, health["headers"])
    log = ExchangeLog.objects.get()
    assert (log.status, log.record_count, log.purpose) == (200, 1, "医疗机构执业登记核验")
    assert ric not in str(log.key_hashes) and log.subjects.get().subject_hash == subject_hash(ric)


def test_a_system_without_a_grant_gets_the_same_answer_for_existing_and_missing_keys(
    client, health, people
):
    existing = get(client, people, person(1)["id_number"], health["headers"])
    missing = get(client, people, "990102199001010000", health["headers"])
    assert existing.status_code == missing.status_code == 403
    assert existing.json() == missing.json()
    assert ExchangeLog.objects.filter(status=403).count() == 2


@pytest.mark.parametrize("change", ["suspended", "revoked", "expired", "future"])
def test_a_grant_not_in_force_gives_nothing(client, health, officer, companies, change):
    grant = granted(health, officer, companies)
    if change in ("suspended", "revoked"):
        services.set_grant_status(actor=officer, grant=grant, status=change, reason="核查")
    else:
        today = timezone.localdate()
        days = datetime.timedelta(days=10)
        Grant.objects.filter(pk=grant.pk).update(**({"valid_until": today - days} if change == "expired"
                                                    else {"valid_from": today + days}))  # fmt: skip
    response = get(client, companies, company_row(1)["uscc"], health["headers"])
    assert response.status_code == 403 and response.json()["code"] == "exchange.no_grant"


def test_a_grant_on_one_resource_gives_nothing_on_another(
    client, health, officer, people, companies
):
    granted(health, officer, companies)
    assert get(client, people, person(1)["id_number"], health["headers"]).status_code == 403


def test_a_conditional_resource_needs_a_purpose(client, health, officer, people):
    granted(health, officer, people)
    headers = {"Authorization": health["headers"]["Authorization"]}
    response = get(client, people, person(1)["id_number"], headers)
    assert response.status_code == 400 and response.json()["code"] == "exchange.purpose_required"


def test_an_unknown_key_with_a_grant_is_a_404_and_logged(client, health, officer, companies):
    granted(health, officer, companies)
    response = get(client, companies, "91350100M000100Y43", health["headers"])
    assert response.status_code == 404
    assert ExchangeLog.objects.get().status == 404


def test_batch_lookup_returns_found_and_missing(client, health, officer, companies):
    granted(health, officer, companies, fields=["uscc", "name"])
    keys = [company_row(1)["uscc"], company_row(2)["uscc"], "91350100M000100Y43"]
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/batch", {"keys": keys},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/exchange/resources/{resource_id}/batch")
    body = response.json()
    assert set(body["records"]) == set(keys[:2]) and body["missing"] == keys[2:]
    assert ExchangeLog.objects.get().record_count == 2


def test_a_batch_over_1000_keys_is_refused(client, health, officer, companies):
    granted(health, officer, companies)
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/batch",
                           {"keys": [str(i) for i in range(1001)]}, content_type="application/json",
                           headers=health["headers"])  # fmt: skip
    assert response.status_code == 422


def test_verification_answers_match_per_field_without_returning_values(
    client, health, officer, companies
):
    granted(health, officer, companies, fields=["uscc", "name", "legal_representative"])
    row = company_row(1)
    claims = {"name": row["name"], "legal_representative": "李四"}
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/verify", {"key": row["uscc"], "claims": claims},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/exchange/resources/{resource_id}/verify")
    assert response.json() == {
        "found": True,
        "matches": {"name": True, "legal_representative": False},
    }
    assert row["name"] not in response.content.decode()


def test_verification_matches_a_claim_written_in_another_notation_a_load_accepts(
    client, health, officer, companies
):
    granted(health, officer, companies)
    row = company_row(1)  # registered_capital "100.50", established "2015-06-01"
    claims = {"registered_capital": "100.5", "established": "2015/6/1",
              "representative_id_number": row["representative_id_number"].lower(), "name": "别家公司"}  # fmt: skip
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/verify", {"key": row["uscc"], "claims": claims},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert response.json()["matches"] == {
        "registered_capital": True,
        "established": True,
        "representative_id_number": True,
        "name": False,
    }


def test_verification_of_an_empty_field_matches_no_claim_not_even_none(
    client, health, officer, companies
):
    row = company_row(40, established="")
    registry.receive_batch(actor=officer, resource=companies, rows=[row])
    granted(health, officer, companies, fields=["uscc", "established"])
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/verify",
                           {"key": row["uscc"], "claims": {"established": "None"}},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert response.json() == {"found": True, "matches": {"established": False}}


def test_a_batch_key_holding_a_lone_surrogate_is_a_400_not_a_500(
    client, health, officer, companies
):
    granted(health, officer, companies)
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/batch", '{"keys": ["91\\ud800"]}',
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "request.bad_unicode"


def test_verification_of_ungranted_fields_is_refused(client, health, officer, companies):
    granted(health, officer, companies, fields=["uscc"])
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/verify",
                           {"key": company_row(1)["uscc"], "claims": {"name": "x"}},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert response.status_code == 400


def test_a_citizen_sees_who_read_their_record(client, factory, health, officer, people):
    granted(health, officer, people)
    ric = person(4)["id_number"]
    get(client, people, ric, {**health["headers"], "X-Case-Number": "9901001234567890202611220001"})
    citizen = factory.user("citizen4", id_number=ric)
    client.force_login(citizen)
    response = client.get("/api/v1/exchange/my-data-usage")
    assert_matches_openapi(response, "get", "/api/v1/exchange/my-data-usage")
    (usage,) = response.json()["items"]
    assert (
        usage["organisation"] == "江澜市卫生健康委员会"
        and usage["purpose"] == "医疗机构执业登记核验"
    )
    assert usage["case_number"] == "9901001234567890202611220001" and "name" in usage["fields"]
    client.force_login(factory.user("someone-else", id_number=person(0)["id_number"]))
    assert client.get("/api/v1/exchange/my-data-usage").json()["count"] == 0


def test_a_company_agent_sees_who_read_the_companys_record(
    client, factory, health, officer, companies
):
    from yiwang.core.models import CompanyAgent

    granted(health, officer, companies)
    uscc = company_row(2)["uscc"]
    get(client, companies, uscc, health["headers"])
    agent = factory.user("agent2")
    CompanyAgent.objects.create(
        user=agent, company_uscc=uscc, company_name="测试公司", valid_from=datetime.date(2020, 1, 1)
    )
    client.force_login(agent)
    assert client.get("/api/v1/exchange/my-data-usage").json()["count"] == 1


def test_the_owner_decides_requests_through_the_api(client, health, officer, people):
    client.force_login(health["officer"])
    created = client.post("/api/v1/exchange/requests", {"client_id": health["client"].pk, "resource_id": people.pk,
                          "purpose": "核验", "legal_basis": "《条例》"}, content_type="application/json")  # fmt: skip
    assert_matches_openapi(created, "post", "/api/v1/exchange/requests")
    assert created.json()["status"] == "pending"
    client.force_login(officer)
    pending = client.get("/api/v1/exchange/requests", {"status": "pending"})
    assert pending.json()["count"] == 1
    decided = client.post(f"/api/v1/exchange/requests/{created.json()['id']}/decision", {"approve": True},
                          content_type="application/json")  # fmt: skip
    assert_matches_openapi(decided, "post", "/api/v1/exchange/requests/{request_id}/decision")
    grants = client.get("/api/v1/exchange/grants")
    assert_matches_openapi(grants, "get", "/api/v1/exchange/grants")
    assert grants.json()["count"] == 1


def test_a_client_over_its_minute_quota_gets_429_with_retry_after(
    client, health, officer, companies
):
    from yiwang.exchange import gateway

    granted(health, officer, companies)
    gateway._counts.clear()
    health["client"].__class__.objects.filter(pk=health["client"].pk).update(quota_per_minute=3)
    statuses = [get(client, companies, company_row(1)["uscc"], health["headers"]) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[-1].json()["code"] == "exchange.quota_minute"
    assert 1 <= int(statuses[-1]["Retry-After"]) <= 61
    assert ExchangeLog.objects.filter(status=429).count() == 1


def test_a_client_over_its_day_quota_gets_429_until_tomorrow(client, health, officer, companies):
    from yiwang.exchange import gateway

    granted(health, officer, companies)
    gateway._counts.clear()
    health["client"].__class__.objects.filter(pk=health["client"].pk).update(quota_per_day=2)
    statuses = [
        get(client, companies, company_row(1)["uscc"], health["headers"]).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_filtered_listing_on_a_filterable_granted_field(client, health, officer, companies):
    from django.db import connection

    granted(health, officer, companies)
    url = f"/api/v1/exchange/resources/{companies.pk}/records"
    response = client.get(
        url, {"f.region_code": "990102", "page_size": 2}, headers=health["headers"]
    )
    assert_matches_openapi(response, "get", "/api/v1/exchange/resources/{resource_id}/records")
    body = response.json()
    assert (
        body["count"] == 5
        and len(body["items"]) == 2
        and body["items"][0]["region_code"] == "990102"
    )
    assert (
        client.get(url, {"f.region_code": "990199"}, headers=health["headers"]).json()["count"] == 0
    )
    names = [
        i.name
        for i in connection.introspection.get_table_description(
            connection.cursor(), "registry_record"
        )
    ]
    assert "data" in names  # the table the partial indexes sit on
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "registry_record")
    assert f"registry_record_f{companies.pk}_region_code" in constraints


def test_filter_values_are_compared_as_a_load_stores_them_on_every_database(
    client, health, officer, city
):
    from tests.catalog.conftest import make_resource
    from yiwang.catalog import services as catalog

    fields = [
        {"code": "seq", "name": "序号", "data_type": "string", "is_key": True, "length": 20},
        {"code": "active", "name": "有效", "data_type": "boolean", "filterable": True},
        {"code": "count", "name": "数量", "data_type": "integer", "filterable": True},
    ]
    resource = make_resource(officer, city["market"], code="B0301/000001", name="许可名录", fields=fields)  # fmt: skip
    catalog.publish_resource(actor=officer, resource=resource)
    registry.receive_batch(actor=officer, resource=resource,
                           rows=[{"seq": "a", "active": True, "count": 3}, {"seq": "b", "active": False}])  # fmt: skip
    granted(health, officer, resource)
    url = f"/api/v1/exchange/resources/{resource.pk}/records"
    found = {
        value: [i["seq"] for i in client.get(url, {"f.active": value}, headers=health["headers"]).json()["items"]]
        for value in ("true", "false", "1", "是", "maybe")
    }  # fmt: skip
    assert found == {"true": ["a"], "false": ["b"], "1": ["a"], "是": ["a"], "maybe": []}
    as_written = client.get(url, {"f.count": "03"}, headers=health["headers"]).json()["items"]
    assert [i["seq"] for i in as_written] == ["a"]


def test_filtering_on_a_field_not_declared_filterable_is_refused(
    client, health, officer, companies
):
    granted(health, officer, companies)
    url = f"/api/v1/exchange/resources/{companies.pk}/records"
    response = client.get(url, {"f.name": "x"}, headers=health["headers"])
    assert response.status_code == 400 and response.json()["code"] == "exchange.filter_field"
    assert client.get(url, headers=health["headers"]).status_code == 400


def test_filter_values_cannot_inject_sql(client, health, officer, companies):
    granted(health, officer, companies)
    url = f"/api/v1/exchange/resources/{companies.pk}/records"
    response = client.get(url, {"f.region_code": "990102' OR '1'='1"}, headers=health["headers"])
    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_legal_representative_sees_reads_of_the_company_record_holding_their_id_number(
    client, factory, health, officer, companies
):
    granted(health, officer, companies, fields=["uscc", "name"])
    row = company_row(2)
    get(client, companies, row["uscc"], health["headers"])
    representative = factory.user("rep2", id_number=row["representative_id_number"])
    client.force_login(representative)
    (usage,) = client.get("/api/v1/exchange/my-data-usage").json()["items"]
    assert usage["resource"] == "法人基本信息" and usage["fields"] == ["uscc", "name"]


def test_every_identifier_of_a_record_read_is_recorded_as_a_subject_in_one_log_row(
    client, health, officer, companies
):
    granted(health, officer, companies)
    rows = [company_row(1), company_row(2)]
    client.post(f"/api/v1/exchange/resources/{companies.pk}/batch", {"keys": [r["uscc"] for r in rows]},
                content_type="application/json", headers=health["headers"])  # fmt: skip
    log = ExchangeLog.objects.get()
    expected = {subject_hash(r[c]) for r in rows for c in ("uscc", "representative_id_number")}
    assert set(log.subjects.values_list("subject_hash", flat=True)) == expected


def test_verification_never_returns_values_even_of_fields_the_grant_masks(
    client, health, officer, companies
):
    granted(
        health,
        officer,
        companies,
        fields=["uscc", "legal_representative", "representative_id_number"],
    )
    row = company_row(3)
    claims = {"legal_representative": row["legal_representative"],
              "representative_id_number": row["representative_id_number"]}  # fmt: skip
    response = client.post(f"/api/v1/exchange/resources/{companies.pk}/verify", {"key": row["uscc"], "claims": claims},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    body = response.json()
    assert body == {
        "found": True,
        "matches": {"legal_representative": True, "representative_id_number": True},
    }
    text = response.content.decode()
    assert all(value not in text for value in (*claims.values(), row["uscc"]))
    log = ExchangeLog.objects.get()
    assert all(value not in str(log.__dict__) for value in claims.values())


def test_the_platforms_prefill_read_of_a_company_is_seen_by_its_legal_representative(
    city, companies
):
    from yiwang.exchange.platform import read_own_record

    row = company_row(4)
    read_own_record(organisation=city["market"], resource_code=companies.code, subject_code=row["uscc"],
                    field_codes=["name"], purpose="申请预填")  # fmt: skip
    subjects = set(ExchangeLog.objects.get().subjects.values_list("subject_hash", flat=True))
    assert subjects == {subject_hash(row["uscc"]), subject_hash(row["representative_id_number"])}


def test_a_request_through_the_api_for_a_period_that_has_ended_is_refused(client, health, people):
    client.force_login(health["officer"])
    response = client.post("/api/v1/exchange/requests", {"client_id": health["client"].pk, "resource_id": people.pk,
                           "purpose": "核验", "legal_basis": "《条例》", "valid_from": "2020-01-01",
                           "valid_until": "2020-12-31"}, content_type="application/json")  # fmt: skip
    assert_matches_openapi(response, "post", "/api/v1/exchange/requests")
    assert response.status_code == 400 and response.json()["code"] == "exchange.period_ended"


def test_a_verification_is_logged_as_using_only_the_compared_fields(
    client, factory, health, officer, people
):
    granted(health, officer, people, fields=["id_number", "name", "address"])
    row = person(2)
    response = client.post(f"/api/v1/exchange/resources/{people.pk}/verify",
                           {"key": row["id_number"], "claims": {"name": row["name"]}},
                           content_type="application/json", headers=health["headers"])  # fmt: skip
    assert response.json() == {"found": True, "matches": {"name": True}}
    log = ExchangeLog.objects.get()
    assert log.field_codes == ["name"] and log.key_hashes == [subject_hash(row["id_number"])[:32]]
    client.force_login(factory.user("citizen2", id_number=row["id_number"]))
    (usage,) = client.get("/api/v1/exchange/my-data-usage").json()["items"]
    assert usage["fields"] == ["name"]
