import datetime

import pytest
from django.utils import timezone

from tests.openapi import assert_matches_openapi
from yiwang.core import services
from yiwang.core.models import ApiKey, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(factory):
    root = factory.organisation("江澜市人民政府")
    market = factory.organisation("江澜市市场监督管理局", parent=root)
    health = factory.organisation("江澜市卫生健康委员会", parent=root)
    return root, market, health


@pytest.fixture
def market_key(factory, city):
    _root, market, _health = city
    admin = factory.superuser()
    client = factory.api_client(market, "approval")
    return services.issue_api_key(actor=admin, client=client).secret


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_the_openapi_document_is_served_with_every_foundation_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/organisations",
        "/api/v1/me",
        "/api/v1/clients/{client_id}/keys",
        "/api/v1/audit/events",
    ):
        assert path in paths


def test_the_openapi_document_has_no_duplicated_key(client):
    """Swagger UI refuses a document with a key twice in one object ("duplicated mapping key");
    an int and a str response code written by two layers would print as two "200"."""
    import json

    duplicated = []

    def pairs_hook(pairs):
        keys = [key for key, _value in pairs]
        duplicated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs_hook)
    assert duplicated == []


def test_anyone_can_list_active_organisations_paginated(client, city):
    response = client.get("/api/v1/organisations", {"page_size": 2})
    assert_matches_openapi(response, "get", "/api/v1/organisations")
    body = response.json()
    assert body["count"] == 3 and len(body["items"]) == 2


def test_organisations_filter_by_name_and_order(client, city):
    response = client.get("/api/v1/organisations", {"q": "卫生", "ordering": "-name"})
    assert [o["name"] for o in response.json()["items"]] == ["江澜市卫生健康委员会"]


def test_an_unknown_ordering_is_a_422_with_the_error_shape(client, city):
    response = client.get("/api/v1/organisations", {"ordering": "password"})
    assert response.status_code == 422
    assert_matches_openapi(response, "get", "/api/v1/organisations")
    assert response.json()["code"] == "validation_failed"


def test_a_missing_organisation_is_a_404_with_a_chinese_message(client):
    response = client.get("/api/v1/organisations/999999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "对象不存在或无权访问", "detail": {}}


def test_me_identifies_an_api_client_by_its_bearer_key(client, market_key, city):
    response = client.get("/api/v1/me", headers=bearer(market_key))
    assert_matches_openapi(response, "get", "/api/v1/me")
    assert response.json()["identity"] == f"{city[1].uscc}/approval"


def test_me_without_credentials_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "secret", ["", "yw_nothing", "yw_deadbeef_wrong", "Basic abc", "yw_" + "x" * 500]
)
def test_a_wrong_key_is_401(client, market_key, secret):
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_key_with_the_right_prefix_but_wrong_secret_is_401(client, market_key):
    forged = market_key[:-4] + "AAAA"
    assert client.get("/api/v1/me", headers=bearer(forged)).status_code == 401


def test_a_revoked_key_is_refused(client, factory, market_key):
    key = ApiKey.objects.get()
    services.revoke_api_key(actor=factory.superuser(), key=key)
    assert client.get("/api/v1/me", headers=bearer(market_key)).status_code == 401


def test_an_expired_key_is_refused(client, market_key):
    ApiKey.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(market_key)).status_code == 401


def test_a_key_of_a_deactivated_client_is_refused(client, market_key):
    ApiKey.objects.get().client.__class__.objects.update(is_active=False)
    assert client.get("/api/v1/me", headers=bearer(market_key)).status_code == 401


def test_keys_are_stored_only_as_digests(market_key):
    key = ApiKey.objects.get()
    assert market_key not in (key.digest, key.prefix)
    assert len(key.digest) == 64


def test_an_admin_of_the_city_creates_a_department_and_it_is_audited(client, factory, city):
    root = city[0]
    admin = factory.staff("admin", root)
    client.force_login(admin)
    payload = {
        "name": "江澜市数据资源中心",
        "uscc": factory.uscc("2"),
        "region_code": "990100",
        "kind": "public_institution",
        "level": "city",
        "parent_id": root.pk,
    }
    response = client.post("/api/v1/organisations", payload, content_type="application/json")
    assert_matches_openapi(response, "post", "/api/v1/organisations")
    assert response.status_code == 201
    assert AuditEvent.objects.filter(
        action="organisation.create", target_id=str(response.json()["id"])
    ).exists()


def test_creating_an_organisation_with_a_bad_uscc_is_a_400_naming_the_field(client, factory, city):
    client.force_login(factory.superuser())
    payload = {
        "name": "某局",
        "uscc": "91350100M000100Y44",
        "region_code": "990100",
        "kind": "department",
        "level": "city",
        "parent_id": city[0].pk,
    }
    response = client.post("/api/v1/organisations", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "校验位" in body["detail"]["fields"]["uscc"][0]


def test_a_duplicate_uscc_is_a_validation_error_not_a_500(client, factory, city):
    client.force_login(factory.superuser())
    payload = {
        "name": "重复局",
        "uscc": city[1].uscc,
        "region_code": "990100",
        "kind": "department",
        "level": "city",
        "parent_id": city[0].pk,
    }
    response = client.post("/api/v1/organisations", payload, content_type="application/json")
    assert response.status_code in (400, 409)
    assert_matches_openapi(response, "post", "/api/v1/organisations")


def test_a_department_admin_cannot_change_another_department(client, factory, city):
    _root, market, health = city
    client.force_login(factory.staff("admin", market))
    response = client.patch(
        f"/api/v1/organisations/{health.pk}", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 404
    health.refresh_from_db()
    assert health.name == "江澜市卫生健康委员会"


def test_an_organisation_cannot_become_its_own_ancestor(client, factory, city):
    root, market, _health = city
    client.force_login(factory.superuser())
    response = client.patch(
        f"/api/v1/organisations/{root.pk}",
        {"parent_id": market.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "organisation.cycle"


def test_anonymous_writes_are_401(client, city):
    response = client.post("/api/v1/organisations", {}, content_type="application/json")
    assert response.status_code == 401


def test_a_data_officer_registers_a_client_and_gets_a_key_shown_once(client, factory, city):
    market = city[1]
    client.force_login(factory.staff("data_officer", market))
    created = client.post(
        "/api/v1/clients",
        {"organisation_id": market.pk, "subsystem_code": "licence-sys", "name": "证照系统"},
        content_type="application/json",
    )
    assert_matches_openapi(created, "post", "/api/v1/clients")
    client_id = created.json()["id"]
    issued = client.post(
        f"/api/v1/clients/{client_id}/keys", {"label": "生产"}, content_type="application/json"
    )
    assert_matches_openapi(issued, "post", "/api/v1/clients/{client_id}/keys")
    secret = issued.json()["secret"]
    listing = client.get("/api/v1/clients")
    assert_matches_openapi(listing, "get", "/api/v1/clients")
    assert secret not in listing.content.decode()
    client.logout()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_a_data_officer_cannot_register_a_client_for_another_department(client, factory, city):
    _root, market, health = city
    client.force_login(factory.staff("data_officer", market))
    response = client.post(
        "/api/v1/clients",
        {"organisation_id": health.pk, "subsystem_code": "x-sys", "name": "别人的系统"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_reviewer_sees_no_clients_and_cannot_issue_keys(client, factory, city):
    market = city[1]
    api_client = factory.api_client(market)
    client.force_login(factory.staff("reviewer", market))
    assert client.get("/api/v1/clients").json()["count"] == 0
    response = client.post(
        f"/api/v1/clients/{api_client.pk}/keys", {}, content_type="application/json"
    )
    assert response.status_code == 404


def test_revoking_a_key_through_the_api(client, factory, city):
    market = city[1]
    officer = factory.staff("data_officer", market)
    api_client = factory.api_client(market)
    issued = services.issue_api_key(actor=officer, client=api_client)
    client.force_login(officer)
    response = client.post(f"/api/v1/clients/{api_client.pk}/keys/{issued.key.pk}/revoke")
    assert_matches_openapi(response, "post", "/api/v1/clients/{client_id}/keys/{key_id}/revoke")
    assert response.json()["revoked_at"] is not None


def test_identifier_validation_endpoint(client):
    ok = client.get("/api/v1/identifiers/validate", {"kind": "uscc", "value": "91350100M000100Y43"})
    assert_matches_openapi(ok, "get", "/api/v1/identifiers/validate")
    assert ok.json()["valid"] is True
    bad = client.get("/api/v1/identifiers/validate", {"kind": "ric", "value": "110105194912310021"})
    assert bad.json() == {
        "kind": "ric",
        "valid": False,
        "normalised": None,
        "code": "identifier.ric.checksum",
        "message": "公民身份号码校验位错误",
    }


def test_calendar_endpoints_count_working_days(client):
    response = client.get("/api/v1/calendar/add-working-days", {"start": "2026-02-13", "days": 2})
    assert_matches_openapi(response, "get", "/api/v1/calendar/add-working-days")
    assert response.json()["due"] == "2026-02-24"
    between = client.get(
        "/api/v1/calendar/working-days-between", {"start": "2026-02-13", "end": "2026-02-24"}
    )
    assert between.json()["working_days"] == 2


def test_calendar_refuses_absurd_dates_with_400(client):
    response = client.get(
        "/api/v1/calendar/add-working-days", {"start": "9999-12-31", "days": 3650}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "calendar.out_of_range"


def test_only_supervisors_read_audit_events(client, factory, city):
    market = city[1]
    services.update_organisation(
        actor=factory.superuser(), organisation=market, short_name="市场监管局"
    )
    client.force_login(factory.staff("reviewer", market))
    assert client.get("/api/v1/audit/events").json()["count"] == 0
    client.force_login(factory.staff("supervisor", city[0]))
    response = client.get("/api/v1/audit/events", {"action": "organisation.update"})
    assert_matches_openapi(response, "get", "/api/v1/audit/events")
    assert response.json()["count"] == 1


def test_malformed_json_is_a_4xx_not_a_500(client, factory):
    client.force_login(factory.superuser())
    response = client.post("/api/v1/organisations", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_me_lists_the_companies_a_user_may_act_for(client, factory):
    import datetime as dt

    from yiwang.core.models import CompanyAgent

    agent = factory.user("agent1")
    company = factory.uscc()
    CompanyAgent.objects.create(
        user=agent,
        company_uscc=company,
        company_name="江澜恒信餐饮管理有限公司",
        valid_from=dt.date(2026, 1, 1),
    )
    CompanyAgent.objects.create(
        user=agent,
        company_uscc=factory.uscc(),
        company_name="已过期授权公司",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    client.force_login(agent)
    response = client.get("/api/v1/me")
    assert_matches_openapi(response, "get", "/api/v1/me")
    assert [a["company_uscc"] for a in response.json()["agencies"]] == [company]


def test_a_session_write_without_the_csrf_token_is_a_clear_403(factory, city):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(factory.superuser())
    response = browser.post("/api/v1/organisations", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("/api/v1/organisations", "post", {"name": "数据\x00中心", "uscc": "{uscc}",
         "region_code": "990100", "kind": "department", "level": "city", "parent_id": "{root}"}),
        ("/api/v1/organisations/{market}", "patch", {"short_name": "市场\x00局"}),
        ("/api/v1/clients", "post",
         {"organisation_id": "{market}", "subsystem_code": "sys-a", "name": "证照\x00系统"}),
        ("/api/v1/clients/{client}/keys", "post", {"label": "生产\x00"}),
    ],
)  # fmt: skip
def test_a_foundation_write_carrying_nul_is_a_400_and_changes_nothing(
    client, factory, city, path, method, body
):
    import json

    root, market, _health = city
    api_client = factory.api_client(market, "approval")
    client.force_login(factory.superuser())
    ids = {"root": root.pk, "market": market.pk, "client": api_client.pk, "uscc": factory.uscc()}
    text = json.dumps(body).replace('"{root}"', str(root.pk)).replace('"{market}"', str(market.pk))
    response = getattr(client, method)(
        path.format(**ids), text.replace("{uscc}", ids["uscc"]), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "request.nul"
    assert not AuditEvent.objects.exists()


def test_a_key_label_carrying_nul_is_refused_on_the_clients_page(client, factory, city):
    market = city[1]
    api_client = factory.api_client(market, "approval")
    client.force_login(factory.staff("data_officer", market))
    response = client.post(f"/core/clients/{api_client.pk}/keys/", {"label": "生产\x00"})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_a_department_admin_cannot_detach_their_department_from_the_tree(client, factory, city):
    root, market, _health = city
    client.force_login(factory.staff("admin", market))
    response = client.patch(
        f"/api/v1/organisations/{market.pk}", {"parent_id": None}, content_type="application/json"
    )
    assert response.status_code == 403
    market.refresh_from_db()
    assert market.parent == root


def test_a_department_admin_cannot_move_their_department_under_a_body_they_do_not_run(
    client, factory, city
):
    root, market, health = city
    client.force_login(factory.staff("admin", market))
    response = client.patch(
        f"/api/v1/organisations/{market.pk}",
        {"parent_id": health.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    market.refresh_from_db()
    assert market.parent == root
