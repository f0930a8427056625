"""GovStack writes, schema reads and usage lookups are in the exchange log like data reads: one
row per call, answered or refused, naming whose records were written or whose usage was asked
for, so that owners, statistics and the people concerned see them."""

from urllib.parse import quote

import pytest
from django.test import override_settings

from tests.exchange.conftest import person
from tests.exchange.test_gateway import granted
from tests.exchange.test_govstack import COMPANIES, PEOPLE, get, query, ric, send, url
from tests.registry.conftest import company_row
from yiwang.core.models import AuditEvent
from yiwang.exchange.gateway import subject_hash
from yiwang.exchange.models import ExchangeLog
from yiwang.registry.models import Record

pytestmark = pytest.mark.django_db(transaction=True)


def subjects_of(log: ExchangeLog) -> set[str]:
    return set(log.subjects.values_list("subject_hash", flat=True))


def hashed(*identifiers: str) -> set[str]:
    return {subject_hash(i) for i in identifiers}


# --- answered writes ---------------------------------------------------------------------


def test_a_create_is_logged_with_the_new_records_subject(client, people, market_system):
    response = send(client, "post", f"{PEOPLE}/create", market_system["headers"],
                    {"write": {"content": person(10)}})  # fmt: skip
    assert response.status_code == 200
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count) == ("govstack.create", 200, 1)
    assert (log.client, log.organisation, log.resource) == (
        market_system["client"], market_system["client"].organisation, people,
    )  # fmt: skip
    assert log.key_hashes == [subject_hash(ric(10))[:32]]
    assert sorted(log.field_codes) == sorted(person(10))
    assert subjects_of(log) == hashed(ric(10))


def test_an_update_is_logged_with_the_fields_it_wrote(client, people, market_system):
    body = {"query": {"content": {"id_number": ric(1)}}, "write": {"content": {"name": "张一明"}}}
    assert (
        send(client, "put", f"{PEOPLE}/update", market_system["headers"], body).status_code == 200
    )
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count) == ("govstack.update", 200, 1)
    assert log.field_codes == ["name"] and log.key_hashes == [subject_hash(ric(1))[:32]]
    assert subjects_of(log) == hashed(ric(1))


def test_an_update_of_whose_record_it_is_names_both_the_old_and_the_new_subject(
    client, companies, market_system
):
    uscc, new_representative = company_row(1)["uscc"], person(30)["id_number"]
    body = {"query": {"content": {"uscc": uscc}},
            "write": {"content": {"representative_id_number": new_representative}}}  # fmt: skip
    assert (
        send(client, "put", f"{COMPANIES}/update", market_system["headers"], body).status_code
        == 200
    )
    assert subjects_of(ExchangeLog.objects.get()) == hashed(
        uscc, company_row(1)["representative_id_number"], new_representative
    )


@pytest.mark.parametrize("method", ["updateEntries", "update-entries"])
def test_update_entries_is_one_row_naming_every_record_it_wrote(
    client, companies, market_system, method
):
    body = {"query": {"content": {"region_code": "990102"}},
            "write": {"content": {"registered_capital": "200"}}}  # fmt: skip
    assert send(client, "put", f"{COMPANIES}/{method}", market_system["headers"], body).json() == {
        "count": 5
    }
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count) == ("govstack.updateEntries", 200, 5)
    assert log.field_codes == ["registered_capital"] and len(log.key_hashes) == 5
    rows = [company_row(i) for i in range(5)]
    assert subjects_of(log) == hashed(
        *[r["uscc"] for r in rows], *[r["representative_id_number"] for r in rows]
    )


def test_update_or_create_is_logged_when_it_creates_and_when_it_updates(
    client, people, market_system
):
    path = f"{PEOPLE}/updateOrCreate"
    for name in ("李四", "李五"):
        body = {"query": {"content": {"id_number": ric(14)}}, "write": {"content": {"name": name}}}
        assert send(client, "post", path, market_system["headers"], body).status_code == 200
    logs = list(ExchangeLog.objects.order_by("occurred_at", "id"))
    assert [(g.operation, g.status, g.record_count) for g in logs] == [
        ("govstack.updateOrCreate", 200, 1)
    ] * 2
    assert all(subjects_of(g) == hashed(ric(14)) for g in logs)


def test_a_write_is_logged_with_its_purpose_and_case_number(client, people, market_system):
    headers = {**market_system["headers"], "X-Purpose": quote("户籍迁入登记"),
               "X-Case-Number": "9901001234567890202611220001"}  # fmt: skip
    body = {"query": {"content": {"id_number": ric(1)}}, "write": {"content": {"address": "新址"}}}
    assert send(client, "put", f"{PEOPLE}/update", headers, body).status_code == 200
    log = ExchangeLog.objects.get()
    assert (log.purpose, log.case_number) == ("户籍迁入登记", "9901001234567890202611220001")


def test_a_write_with_a_malformed_case_number_is_refused_and_logged_as_a_read_is(
    client, people, market_system
):
    headers = {**market_system["headers"], "X-Case-Number": "990100-20261122-0001"}
    body = {"query": {"content": {"id_number": ric(1)}}, "write": {"content": {"address": "新址"}}}
    response = send(client, "put", f"{PEOPLE}/update", headers, body)
    assert response.status_code == 400 and response.json()["code"] == "exchange.case_number"
    assert Record.objects.get(resource=people, key=ric(1)).data["address"] != "新址"
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.error_code) == (
        "govstack.update", 400, "exchange.case_number",
    )  # fmt: skip


def test_a_delete_is_logged_with_the_removed_records_subject(client, people, market_system):
    response = client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=market_system["headers"])
    assert response.status_code == 204
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count) == ("govstack.delete", 204, 1)
    assert log.key_hashes == [subject_hash(ric(2))[:32]] and subjects_of(log) == hashed(ric(2))
    assert AuditEvent.objects.filter(action="record.delete").count() == 1


def test_a_database_modification_is_logged_with_its_fields(client, companies, market_system):
    schema = get(client, f"database/{companies.pk}", market_system["headers"]).json()["schema"]
    schema["properties"]["industry"] = {"type": "string", "title": "行业"}
    response = send(client, "post", "database/modify", market_system["headers"],
                    {"code": "B0201-000001", "schema": schema})  # fmt: skip
    assert response.status_code == 200
    log = ExchangeLog.objects.get(operation="govstack.database.modify")
    assert (log.status, log.resource, log.record_count) == (200, companies, 0)
    assert "industry" in log.field_codes and not subjects_of(log)


def test_a_database_deletion_is_logged(client, companies, market_system):
    response = client.delete(url(f"database/{companies.pk}"), headers=market_system["headers"])
    assert response.status_code == 200
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.resource) == ("govstack.database.delete", 200, companies)


def test_the_audit_of_a_write_is_kept_beside_its_log_row(client, people, market_system):
    send(client, "post", f"{PEOPLE}/create", market_system["headers"],
         {"write": {"content": person(10)}})  # fmt: skip
    assert AuditEvent.objects.filter(action="load.succeeded").exists()
    assert ExchangeLog.objects.filter(operation="govstack.create").count() == 1


# --- refused writes ----------------------------------------------------------------------


def test_a_write_by_a_system_that_does_not_own_the_registry_is_logged_as_refused(
    client, people, hospital
):
    response = send(client, "post", f"{PEOPLE}/create", hospital, {"write": {"content": person(9)}})
    assert response.status_code == 403
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.error_code, log.resource) == (
        "govstack.create", 403, "govstack.not_owner", people,
    )  # fmt: skip
    assert log.record_count == 0 and not subjects_of(log)


def test_a_quarantined_write_is_logged_with_the_loaders_code(client, people, market_system):
    good = ric(11)
    bad = {**person(11), "id_number": good[:17] + ("1" if good[17] == "0" else "0")}
    response = send(client, "post", f"{PEOPLE}/create", market_system["headers"],
                    {"write": {"content": bad}})  # fmt: skip
    assert response.status_code == 400 and response.json()["load"]  # the answer keeps its detail
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.error_code, log.record_count) == (
        "govstack.create", 400, "identifier.ric.checksum", 0,
    )  # fmt: skip
    assert log.resource == people and not subjects_of(log)


def test_a_write_with_a_malformed_body_is_logged_as_refused(client, people, market_system):
    response = client.put(url(f"{PEOPLE}/update"), b"{not json", content_type="application/json",
                          headers=market_system["headers"])  # fmt: skip
    assert response.status_code == 400
    log = ExchangeLog.objects.get()
    assert (log.operation, log.error_code, log.client) == (
        "govstack.update", "govstack.bad_json", market_system["client"],
    )  # fmt: skip


def test_a_write_without_a_valid_key_is_logged_without_a_client(client, people, market_system):
    headers = {**market_system["headers"], "Authorization": "Bearer yw_00000000_not-a-key"}
    response = client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=headers)
    assert response.status_code == 401
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.client, log.resource) == (
        "govstack.delete", 401, None, people,
    )  # fmt: skip


def test_deleting_a_missing_record_is_logged_as_not_found(client, people, market_system):
    response = client.delete(url(f"{PEOPLE}/{ric(40)}/delete"), headers=market_system["headers"])
    assert response.status_code == 404
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count) == ("govstack.delete", 404, 0)


def test_a_refused_database_deletion_is_logged_as_one(client, companies, hospital):
    response = client.delete(url(f"database/{companies.pk}"), headers=hospital)
    assert response.status_code == 403
    log = ExchangeLog.objects.get()
    assert (log.operation, log.error_code) == ("govstack.database.delete", "govstack.not_owner")


# --- the people concerned see writes -----------------------------------------------------


def update_name(client, market_system, i: int):
    body = {"query": {"content": {"id_number": ric(i)}}, "write": {"content": {"name": "张一明"}}}
    assert (
        send(client, "put", f"{PEOPLE}/update", market_system["headers"], body).status_code == 200
    )


def test_a_citizen_sees_on_my_data_that_a_department_changed_their_record(
    client, factory, people, market_system
):
    update_name(client, market_system, 1)
    client.force_login(factory.user("citizen1", id_number=ric(1)))
    page = client.get("/exchange/my-data/").content.decode()
    assert market_system["client"].organisation.name in page and "修改记录" in page
    assert "姓名" in page and "暂无记录" not in page


def test_a_citizen_sees_a_deletion_of_their_record_through_the_api(
    client, factory, people, market_system
):
    client.delete(url(f"{PEOPLE}/{ric(2)}/delete"), headers=market_system["headers"])
    client.force_login(factory.user("citizen2", id_number=ric(2)))
    (usage,) = client.get("/api/v1/exchange/my-data-usage").json()["items"]
    assert (usage["operation"], usage["operation_label"]) == ("govstack.delete", "删除记录")


def test_personal_data_usage_lists_a_write_with_its_chinese_label(client, people, market_system):
    update_name(client, market_system, 3)
    with override_settings(GOVSTACK_USAGE_CLIENTS=[market_system["client"].identity]):
        response = get(client, "data/myPersonalDataUsage", market_system["headers"],
                       userId=ric(3), databaseId="B0101-000001")  # fmt: skip
    [entry] = response.json()
    assert (entry["operation"], entry["operationName"]) == ("govstack.update", "修改记录")
    assert entry["readerInstitutionName"] == market_system["client"].organisation.name


def test_a_write_refused_after_storing_some_rows_still_names_them(
    client, factory, companies, market_system
):
    # A record stored before its field's rules tightened: rewriting it is quarantined, the others go.
    stale = Record.objects.get(resource=companies, key=company_row(0)["uscc"])
    stale.data = {**stale.data, "representative_id_number": "990102198001010000"}
    stale.save(update_fields=["data"])
    body = {"query": {"content": {"region_code": "990102"}},
            "write": {"content": {"registered_capital": "200"}}}  # fmt: skip
    response = send(client, "put", f"{COMPANIES}/updateEntries", market_system["headers"], body)
    assert response.status_code == 400 and response.json()["written"] == 4
    log = ExchangeLog.objects.get()
    assert (log.status, log.record_count) == (400, 4)
    assert subject_hash(company_row(1)["uscc"]) in subjects_of(log)
    assert subject_hash(company_row(0)["uscc"]) not in subjects_of(log)
    client.force_login(factory.user("representative1", id_number=ric(1)))
    (usage,) = client.get("/api/v1/exchange/my-data-usage").json()["items"]
    assert usage["operation_label"] == "批量修改记录"


# --- schema reads and usage lookups ------------------------------------------------------


def look_up_usage(client, market_system, i: int):
    """myPersonalDataUsage of person `i` in the people registry, asked by the market's system."""
    with override_settings(GOVSTACK_USAGE_CLIENTS=[market_system["client"].identity]):
        return get(client, "data/myPersonalDataUsage", market_system["headers"],
                   userId=ric(i), databaseId="B0101-000001")  # fmt: skip


def test_a_registry_listing_is_logged_with_the_number_of_registries_listed(
    client, people, companies, health, hospital
):
    assert len(get(client, "databases", hospital).json()["databases"]) == 2
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count, log.error_code) == ("schema", 200, 2, "")
    assert (log.client, log.organisation, log.resource) == (
        health["client"], health["client"].organisation, None,
    )  # fmt: skip
    assert log.purpose == "医疗机构执业登记核验" and not subjects_of(log)


def test_a_database_read_is_logged_against_its_registry(client, companies, health, hospital):
    assert get(client, f"database/{companies.pk}", hospital).status_code == 200
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.record_count) == ("schema", 200, 1)
    assert (log.client, log.resource) == (health["client"], companies) and not subjects_of(log)


def test_a_database_read_of_an_unknown_id_is_one_refused_row(client, companies, hospital):
    assert get(client, "database/987654", hospital).status_code == 404
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.error_code, log.resource) == (
        "schema", 404, "govstack.no_database", None,
    )  # fmt: skip


def test_a_usage_lookup_is_logged_with_the_person_as_its_subject(
    client, health, officer, people, hospital, market_system
):
    granted(health, officer, people)
    send(client, "post", f"{PEOPLE}/read", hospital, query(id_number=ric(1)))
    assert len(look_up_usage(client, market_system, 1).json()) == 1
    log = ExchangeLog.objects.get(operation="usage")
    assert (log.status, log.record_count, log.error_code) == (200, 1, "")
    assert (log.client, log.organisation, log.resource) == (
        market_system["client"], market_system["client"].organisation, people,
    )  # fmt: skip
    assert subjects_of(log) == hashed(ric(1))
    assert ric(1) not in str(log.key_hashes) + str(subjects_of(log))  # the keyed hash only


def test_a_later_usage_lookup_lists_the_earlier_one(client, people, market_system):
    assert look_up_usage(client, market_system, 2).json() == []
    [entry] = look_up_usage(client, market_system, 2).json()
    assert (entry["operation"], entry["operationName"]) == ("usage", "使用记录查询")
    assert entry["readerApplicationName"] == market_system["client"].name


def test_a_citizen_sees_on_my_data_that_a_system_looked_up_their_usage(
    client, factory, people, market_system
):
    look_up_usage(client, market_system, 4)
    client.force_login(factory.user("citizen4", id_number=ric(4)))
    page = client.get("/exchange/my-data/").content.decode()
    assert market_system["client"].organisation.name in page and "使用记录查询" in page
    (usage,) = client.get("/api/v1/exchange/my-data-usage").json()["items"]
    assert (usage["operation"], usage["resource"]) == ("usage", "人口基本信息")


def test_a_usage_lookup_by_an_untrusted_system_is_one_refused_row_without_a_subject(
    client, people, hospital
):
    response = get(client, "data/myPersonalDataUsage", hospital,
                   userId=ric(1), databaseId="B0101-000001")  # fmt: skip
    assert response.status_code == 403
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.error_code) == (
        "usage", 403, "govstack.usage_not_authorised",
    )  # fmt: skip
    assert not subjects_of(log)


@pytest.mark.parametrize(("user_id", "database_id", "code"), [
    ("not-an-id", "B0101-000001", "govstack.user_id"),
    ("RIC", "B9999-000001", "govstack.database_id"),
])  # fmt: skip
def test_a_usage_lookup_with_bad_parameters_is_one_refused_row_without_a_subject(
    client, people, market_system, user_id, database_id, code
):
    with override_settings(GOVSTACK_USAGE_CLIENTS=[market_system["client"].identity]):
        response = get(client, "data/myPersonalDataUsage", market_system["headers"],
                       userId=ric(1) if user_id == "RIC" else user_id, databaseId=database_id)  # fmt: skip
    assert response.status_code == 400
    log = ExchangeLog.objects.get()
    assert (log.operation, log.status, log.error_code, log.record_count) == ("usage", 400, code, 0)
    assert not subjects_of(log)
