"""The licences API, every answer checked against the OpenAPI document."""

import pytest

from tests.licences.conftest import BUSINESS_DATA
from tests.openapi import assert_matches_openapi
from yiwang.core import services as core_services
from yiwang.core.models import AuditEvent
from yiwang.licences import documents, services
from yiwang.licences.models import Licence

pytestmark = pytest.mark.django_db
BASE = "/api/v1/licences"


def key_for(factory, organisation, code="licensing"):
    client = factory.api_client(organisation, code)
    secret = core_services.issue_api_key(actor=factory.superuser(), client=client).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def issue_body(types, company, **extra):
    return {"licence_type_code": types["business"].code, "holder_name": company["name"],
            "holder_code": company["uscc"], "holder_code_type": "001", "data": BUSINESS_DATA,
            "case_number": "CASE-1", **extra}  # fmt: skip


def post(client, path, body, **headers):
    return client.post(f"{BASE}{path}", body, content_type="application/json", **headers)


def test_a_legacy_system_of_the_issuer_issues_by_api_key(client, factory, city, types, company):
    response = post(
        client, "/licences", issue_body(types, company), **key_for(factory, city["market"])
    )
    assert response.status_code == 201, response.json()
    assert_matches_openapi(response, "post", "/api/v1/licences/licences")
    body = response.json()
    assert (
        body["signed"]["proof"]["type"] == "SM2SignatureSM3"
        and body["signed"]["proof"]["signer_id"] == "1234567812345678"
    )
    assert body["verification_url"].endswith(body["identifier"]) and body["case_number"] == "CASE-1"
    licence = Licence.objects.get(identifier=body["identifier"])
    assert AuditEvent.objects.filter(
        action="licence.issue", target_id=str(licence.pk), actor_kind="client"
    ).exists()


def test_a_system_of_another_organisation_cannot_issue(client, factory, city, types, company):
    response = post(
        client, "/licences", issue_body(types, company), **key_for(factory, city["health"])
    )
    assert response.status_code == 403 and response.json()["code"] in {
        "permission_denied",
        "licence.not_issuer",
    }
    assert_matches_openapi(response, "post", "/api/v1/licences/licences")
    assert not Licence.objects.exists()


def test_issuing_without_credentials_is_401(client, types, company):
    response = post(client, "/licences", issue_body(types, company))
    assert response.status_code == 401
    assert_matches_openapi(response, "post", "/api/v1/licences/licences")


def test_bad_issue_input_is_a_400_with_a_chinese_message(client, factory, city, types, company):
    headers = key_for(factory, city["market"])
    response = post(client, "/licences", issue_body(types, company, data={"scope": "x"}), **headers)
    assert response.status_code == 400 and "缺少必填信息项" in response.json()["message"]
    assert_matches_openapi(response, "post", "/api/v1/licences/licences")
    unknown = post(
        client, "/licences", issue_body(types, company, licence_type_code="1" * 21), **headers
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "licence.type_unknown"


def test_anyone_verifies_by_identifier_and_sees_the_holder_masked(
    client, business_licence, company
):
    response = client.get(
        f"{BASE}/verify", {"q": documents.verification_url(business_licence.identifier)}
    )
    assert response.status_code == 200
    assert_matches_openapi(response, "get", "/api/v1/licences/verify")
    body = response.json()
    assert (body["state"], body["valid"], body["licence"]["issuer"]) == (
        "valid",
        True,
        "江澜市市场监督管理局",
    )
    assert company["uscc"] not in response.content.decode()


def test_verifying_garbage_answers_malformed_with_no_licence(client):
    response = client.get(f"{BASE}/verify", {"q": "not-an-identifier"})
    assert response.status_code == 200 and response.json()["state"] == "malformed"
    assert response.json()["licence"] is None
    assert_matches_openapi(response, "get", "/api/v1/licences/verify")


def test_a_presented_tampered_document_is_signature_invalid(client, business_licence):
    document = documents.wrapped(business_licence)
    document["licence"]["number"] = "FORGED"
    response = post(client, "/verify", {"document": document})
    assert response.status_code == 200 and response.json()["state"] == "signature_invalid"
    assert_matches_openapi(response, "post", "/api/v1/licences/verify")


def test_the_key_set_and_status_lists_are_public(client, business_licence):
    keys = client.get(f"{BASE}/keys")
    assert keys.status_code == 200 and {k["use"] for k in keys.json()["keys"]} == {
        "licence",
        "platform",
    }
    assert_matches_openapi(keys, "get", "/api/v1/licences/keys")
    listing = client.get(f"{BASE}/status-lists/revocation")
    assert (
        listing.status_code == 200
        and listing.json()["credentialSubject"]["statusPurpose"] == "revocation"
    )
    assert_matches_openapi(listing, "get", "/api/v1/licences/status-lists/{purpose}")
    assert client.get(f"{BASE}/status-lists/other").status_code == 422


def test_the_issuers_system_revokes_with_a_reason_and_verification_follows(
    client, factory, city, business_licence
):
    headers = key_for(factory, city["market"])
    response = post(client, f"/licences/{business_licence.identifier}/status",
                    {"status": "revoked", "reason": "以欺骗手段取得登记"}, **headers)  # fmt: skip
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert_matches_openapi(response, "post", "/api/v1/licences/licences/{identifier}/status")
    assert (
        client.get(f"{BASE}/verify", {"q": business_licence.identifier}).json()["state"]
        == "revoked"
    )


def test_another_organisations_system_cannot_revoke_and_sees_not_found(
    client, factory, city, business_licence
):
    response = post(client, f"/licences/{business_licence.identifier}/status", {"status": "revoked", "reason": "越权"},
                    **key_for(factory, city["health"]))  # fmt: skip
    assert response.status_code == 404
    assert_matches_openapi(response, "post", "/api/v1/licences/licences/{identifier}/status")


def test_a_change_through_the_api_answers_the_new_version(client, factory, city, business_licence):
    response = post(client, f"/licences/{business_licence.identifier}/versions",
                    {"reason": "注册资本变更", "data": {"capital": "500 万元"}}, **key_for(factory, city["market"]))  # fmt: skip
    assert response.status_code == 201
    assert_matches_openapi(response, "post", "/api/v1/licences/licences/{identifier}/versions")
    assert response.json()["version"] == 2 and response.json()["data"]["capital"] == "500 万元"


def test_a_system_records_a_use_with_consent(client, factory, city, business_licence, company):
    body = {"identifier": business_licence.identifier, "applicant_code": company["uscc"], "purpose": "开办餐饮店",
            "case_number": "CASE-9", "consent": True}  # fmt: skip
    response = post(client, "/uses", body, **key_for(factory, city["health"]))
    assert response.status_code == 201 and response.json()["used_by"].endswith("/licensing")
    assert_matches_openapi(response, "post", "/api/v1/licences/uses")
    refused = post(
        client,
        "/uses",
        {**body, "applicant_code": factory.uscc()},
        **key_for(factory, city["health"], "x"),
    )
    assert refused.status_code == 403 and refused.json()["code"] == "licence.not_holder"
    assert_matches_openapi(refused, "post", "/api/v1/licences/uses")


def test_the_holder_sees_their_wallet_and_nobody_elses(
    client, factory, business_licence, doctor_licence, company
):
    client.force_login(company["agent"])
    response = client.get(f"{BASE}/wallet")
    assert response.status_code == 200
    assert_matches_openapi(response, "get", "/api/v1/licences/wallet")
    assert [i["identifier"] for i in response.json()["items"]] == [business_licence.identifier]
    assert client.get(f"{BASE}/wallet/{doctor_licence.pk}/document").status_code == 404


def test_the_wallet_lists_the_current_version_like_the_wallet_page(
    client, city, business_licence, company
):
    new = services.change_licence(actor=city["reviewer"], licence=business_licence, reason="经营范围变更",
                                  data={"scope": "食品销售；餐饮服务"})  # fmt: skip
    client.force_login(company["agent"])
    listed = [i["identifier"] for i in client.get(f"{BASE}/wallet").json()["items"]]
    assert listed == [new.identifier]
    assert business_licence.identifier not in client.get("/licences/wallet/").content.decode()


def test_the_wallet_needs_a_session(client):
    response = client.get(f"{BASE}/wallet")
    assert response.status_code == 401
    assert_matches_openapi(response, "get", "/api/v1/licences/wallet")


def test_the_holder_downloads_the_signed_json_and_sees_uses(
    client, city, business_licence, company, company_case
):
    services.record_licence_use(actor=city["reviewer"], licence=business_licence, applicant_code=company["uscc"],
                                purpose="年报核验", consent=True, case_number=company_case.number)  # fmt: skip
    client.force_login(company["agent"])
    document = client.get(f"{BASE}/wallet/{business_licence.pk}/document")
    assert (
        document.status_code == 200
        and document.json()["licence"]["id"] == business_licence.identifier
    )
    assert_matches_openapi(document, "get", "/api/v1/licences/wallet/{licence_id}/document")
    uses = client.get(f"{BASE}/wallet/{business_licence.pk}/uses")
    assert_matches_openapi(uses, "get", "/api/v1/licences/wallet/{licence_id}/uses")
    assert [u["purpose"] for u in uses.json()["items"]] == ["年报核验"]


def test_licence_detail_is_for_the_issuer_and_the_holder_only(
    client, factory, city, business_licence, company
):
    path = f"{BASE}/licences/{business_licence.identifier}"
    assert client.get(path, **key_for(factory, city["market"])).status_code == 200
    assert client.get(path, **key_for(factory, city["health"], "other")).status_code == 404
    client.force_login(company["agent"])
    response = client.get(path)
    assert response.status_code == 200 and response.json()["holder_code"] == company["uscc"]
    assert_matches_openapi(response, "get", "/api/v1/licences/licences/{identifier}")


def test_licence_types_are_listed_publicly(client, types):
    response = client.get(f"{BASE}/types")
    assert response.status_code == 200 and {t["name"] for t in response.json()["items"]} == {
        "营业执照",
        "医师执业证书",
    }
    assert_matches_openapi(response, "get", "/api/v1/licences/types")


def test_a_supervisor_sees_any_licence_and_a_data_officer_of_the_issuer_does_not(
    client, factory, city, business_licence
):
    path = f"{BASE}/licences/{business_licence.identifier}"
    client.force_login(factory.staff("supervisor", city["root"]))
    assert client.get(path).status_code == 200
    client.force_login(factory.staff("data_officer", city["market"]))
    assert client.get(path).status_code == 404


def test_licence_detail_without_credentials_is_401(client, business_licence):
    response = client.get(f"{BASE}/licences/{business_licence.identifier}")
    assert response.status_code == 401
    assert_matches_openapi(response, "get", "/api/v1/licences/licences/{identifier}")


def test_a_staff_session_issues_for_its_own_organisation(client, city, types, company):
    client.force_login(city["reviewer"])
    response = post(client, "/licences", issue_body(types, company))
    assert response.status_code == 201 and response.json()["issuer"] == "江澜市市场监督管理局"


def test_a_suspension_sets_the_bit_in_the_published_list(client, factory, city, business_licence):
    from yiwang.licences import publication

    post(client, f"/licences/{business_licence.identifier}/status", {"status": "suspended", "reason": "调查"},
         **key_for(factory, city["market"]))  # fmt: skip
    encoded = client.get(f"{BASE}/status-lists/suspension").json()["credentialSubject"][
        "encodedList"
    ]
    assert publication.bit_at(publication.decode_bits(encoded), business_licence.status_index)


def use_body(licence, company, **extra):
    return {"identifier": licence.identifier, "applicant_code": company["uscc"], "purpose": "核验营业执照",
            "case_number": "", "consent": True, **extra}  # fmt: skip


def test_a_signed_in_citizen_cannot_write_a_use_into_anothers_wallet(
    client, business_licence, company, citizen
):
    client.force_login(citizen)
    response = post(client, "/uses", use_body(business_licence, company))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert_matches_openapi(response, "post", "/api/v1/licences/uses")
    assert not business_licence.uses.exists()  # fmt: skip


def test_staff_without_a_case_of_the_holder_cannot_write_a_use(
    client, city, business_licence, company
):
    client.force_login(city["reviewer"])
    response = post(
        client,
        "/uses",
        use_body(business_licence, company, case_number="001122334455620261122000009"),
    )
    assert response.status_code == 403 and "办件" in response.json()["message"]  # fmt: skip


def test_staff_of_a_department_on_the_holders_case_write_a_use(
    client, city, business_licence, company, company_case
):
    client.force_login(city["health_reviewer"])
    response = post(
        client, "/uses", use_body(business_licence, company, case_number=company_case.number)
    )
    assert response.status_code == 201, response.json()
    assert_matches_openapi(response, "post", "/api/v1/licences/uses")
    assert response.json()["used_by"].startswith("江澜市卫生健康委员会")  # fmt: skip
