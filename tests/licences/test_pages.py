"""The public verify page and the holder's wallet pages."""

import json

import pytest

from yiwang.licences import documents, services

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_verify_page_opened_from_a_qr_shows_valid_and_the_holder_masked(
    client, business_licence, company
):
    page = text(client.get("/licences/verify/", {"id": business_licence.identifier}))
    assert (
        'data-state="valid"' in page and "<h2>有效</h2>" in page and "江澜市市场监督管理局" in page
    )
    assert company["uscc"] not in page and company["name"] not in page


def test_a_pasted_identifier_of_a_revoked_licence_shows_revoked_and_the_reason(
    client, city, business_licence
):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="虚假登记"
    )
    page = text(client.post("/licences/verify/", {"q": business_licence.identifier}))
    assert "<h2>已吊销</h2>" in page and "原因：虚假登记" in page


def test_a_pasted_tampered_json_shows_signature_invalid(client, business_licence):
    document = documents.wrapped(business_licence)
    document["licence"]["data"]["scope"] = "任意经营"
    page = text(client.post("/licences/verify/", {"q": json.dumps(document, ensure_ascii=False)}))
    assert "<h2>签名无效</h2>" in page


def test_pasted_broken_json_is_malformed_not_an_error(client):
    response = client.post("/licences/verify/", {"q": "{not json"})
    assert response.status_code == 200 and "标识或内容格式错误" in text(response)


def test_the_verify_page_without_input_shows_only_the_form(client):
    page = text(client.get("/licences/verify/"))
    assert "核验</button>" in page and "data-state" not in page


@pytest.mark.parametrize(
    "path", ["/licences/wallet/", "/licences/wallet/1/", "/licences/wallet/1/pdf/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_wallet_lists_the_agents_company_licence_only(
    client, company, business_licence, doctor_licence
):
    client.force_login(company["agent"])
    page = text(client.get("/licences/wallet/"))
    assert "营业执照" in page and "医师执业证书" not in page


def test_a_citizen_sees_their_own_licence(client, citizen, doctor_licence):
    client.force_login(citizen)
    assert "医师执业证书" in text(client.get("/licences/wallet/"))


def test_the_detail_shows_the_face_rows_seal_and_qr(client, company, business_licence):
    client.force_login(company["agent"])
    page = text(client.get(f"/licences/wallet/{business_licence.pk}/"))
    assert (
        "<dt>经营范围</dt><dd>食品销售</dd>" in page
        and "<dt>名称</dt><dd>江澜味道食品有限公司</dd>" in page
    )
    assert 'aria-label="江澜市市场监督管理局电子印章"' in page and 'src="data:image/svg+xml' in page
    assert "暂无用证记录" in page


def test_another_persons_licence_is_not_found(client, citizen, business_licence):
    client.force_login(citizen)
    for suffix in ("", "pdf/", "json/"):
        assert client.get(f"/licences/wallet/{business_licence.pk}/{suffix}").status_code == 404


def test_the_pdf_is_a_pdf_with_the_chinese_cid_font(client, company, business_licence):
    client.force_login(company["agent"])
    response = client.get(f"/licences/wallet/{business_licence.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert b"STSong-Light" in response.content and "attachment" in response["Content-Disposition"]


def test_the_signed_json_download_carries_the_offline_material(client, company, business_licence):
    client.force_login(company["agent"])
    bundle = json.loads(client.get(f"/licences/wallet/{business_licence.pk}/json/").content)
    assert bundle["licence"]["id"] == business_licence.identifier
    assert {
        c["credentialSubject"]["statusPurpose"] for c in bundle["material"]["status_lists"]
    } == {"revocation", "suspension", "message"}
    assert [k["use"] for k in bundle["material"]["keys"]["keys"]] == ["licence", "platform"]  # fmt: skip


def test_an_agency_that_ended_no_longer_shows_the_companys_licences(
    client, company, business_licence
):
    import datetime

    company["agent"].agencies.update(valid_until=datetime.date.today() - datetime.timedelta(days=1))
    client.force_login(company["agent"])
    assert "营业执照" not in text(client.get("/licences/wallet/"))


def test_the_wallet_lists_the_latest_version_and_its_page_lists_every_version(
    client, city, company, business_licence
):
    new = services.change_licence(
        actor=city["reviewer"], licence=business_licence, reason="住所变更", data={}
    )
    client.force_login(company["agent"])
    listing = text(client.get("/licences/wallet/"))
    assert (
        f"/licences/wallet/{new.pk}/" in listing
        and f"/licences/wallet/{business_licence.pk}/" not in listing
    )
    detail = text(client.get(f"/licences/wallet/{new.pk}/"))
    assert "第 1 版" in detail and "第 2 版" in detail and "已变更（旧版本）" in detail


def test_the_wallet_page_query_count_does_not_grow_with_the_licences(client, city, types, company, business_licence,
                                                                      django_assert_max_num_queries):  # fmt: skip
    from tests.licences.conftest import issue_business

    client.force_login(company["agent"])
    with django_assert_max_num_queries(12) as few:
        client.get("/licences/wallet/")
    for _ in range(5):
        issue_business(city, types, company)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert text(client.get("/licences/wallet/")).count("营业执照") >= 6


def test_verification_by_identifier_is_one_query(business_licence, django_assert_num_queries):
    from yiwang.licences.verification import verify_licence

    with django_assert_num_queries(1):
        assert verify_licence(business_licence.identifier).state == "valid"
