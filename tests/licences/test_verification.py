"""Verification: every state, and every forgery the issue names, detected; SM2 cross-checked with gmssl."""

import datetime
import json

import pytest

from tests.gmssl import gmssl_for
from tests.licences.conftest import issue_business
from yiwang.core.identifiers import LicenceId
from yiwang.licences import documents, keys, services
from yiwang.licences.models import Licence
from yiwang.licences.verification import verify_document, verify_licence

pytestmark = pytest.mark.django_db


def test_a_valid_licence_verifies_with_issuer_type_dates_and_the_holder_masked(
    business_licence, company
):
    result = verify_licence(business_licence.identifier)
    assert (result.state, result.label, result.signature_valid) == ("valid", "有效", True)
    summary = result.licence
    assert summary["issuer"] == "江澜市市场监督管理局" and summary["name"] == "营业执照"
    assert (
        summary["valid_from"] == business_licence.valid_from.isoformat()
        and summary["valid_until"] is None
    )
    assert summary["holder_name"] == "江" + "*" * (len(company["name"]) - 1)
    assert company["uscc"] not in json.dumps(result.as_dict(), ensure_ascii=False)


def test_the_qr_content_verifies_like_the_identifier(business_licence):
    assert verify_licence(documents.verification_url(business_licence.identifier)).state == "valid"


@pytest.mark.parametrize(("status", "state"), [("suspended", "suspended"), ("revoked", "revoked"),
                                               ("cancelled", "cancelled")])  # fmt: skip
def test_a_suspended_revoked_or_cancelled_licence_says_so_with_the_reason(
    city, business_licence, status, state
):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status=status, reason="依法处理"
    )
    result = verify_licence(business_licence.identifier)
    assert (result.state, result.reason, result.signature_valid) == (state, "依法处理", True)


def test_an_expired_licence_is_expired_even_before_the_sweep(doctor_licence):
    later = doctor_licence.valid_until + datetime.timedelta(days=1)
    assert verify_licence(doctor_licence.identifier, today=later).state == "expired"
    assert (
        verify_licence(doctor_licence.identifier, today=doctor_licence.valid_until).state == "valid"
    )


def test_a_replayed_old_version_is_detected_after_a_change(city, business_licence):
    old = documents.wrapped(business_licence)
    services.change_licence(actor=city["reviewer"], licence=business_licence, reason="名称变更",
                            holder_name="江澜新味道食品有限公司")  # fmt: skip
    assert verify_document(old).state == "superseded"
    assert verify_licence(business_licence.identifier).state == "superseded"


def test_a_tampered_json_fails_its_signature(business_licence):
    document = documents.wrapped(business_licence)
    document["licence"]["data"]["scope"] = "食品销售；危险化学品经营"
    assert verify_document(document).state == "signature_invalid"


def test_a_tampered_validity_date_fails_its_signature(doctor_licence):
    document = documents.wrapped(doctor_licence)
    document["licence"]["valid_until"] = "2099-12-31"
    assert verify_document(document).state == "signature_invalid"


def test_a_signature_by_another_seal_is_refused(business_licence, seals):
    other = seals["health"]
    private = keys.decrypt_private_key(other.private_key_encrypted, other.key_id)
    document = documents.wrapped(business_licence)
    document["proof"]["signature"] = keys.sign(
        "sm2", private, documents.signed_bytes(document["licence"])
    ).hex()
    assert verify_document(document).state == "signature_invalid"
    document["proof"]["kid"] = other.key_id
    assert verify_document(document).state == "signature_invalid"


def test_a_document_changed_in_the_database_no_longer_verifies(business_licence):
    content = business_licence.content
    content["holder"]["name"] = "别人的公司"
    Licence.objects.filter(pk=business_licence.pk).update(
        document=documents.signed_bytes(content).decode()
    )
    assert verify_licence(business_licence.identifier).state == "signature_invalid"


def test_a_qr_with_a_wrong_check_character_is_malformed(business_licence):
    body = business_licence.identifier[:-1]
    wrong = "A" if business_licence.identifier[-1] != "A" else "B"
    result = verify_licence(documents.verification_url(body + wrong))
    assert result.state == "malformed" and "校验位" in result.message


def test_a_forged_qr_with_a_well_formed_unknown_identifier_is_not_found(
    business_licence, types, city
):
    forged = str(LicenceId(types["business"].code, city["market"].uscc, "99999999", "1"))
    result = verify_licence(f"https://evil.example/licences/verify/?id={forged}")
    assert result.state == "not_found" and "伪造" in result.message


@pytest.mark.parametrize("text", ["", "hello", "1.2.156.3005.2.x", "https://x/?id=", "{}"])
def test_garbage_is_malformed_not_an_error(text):
    assert verify_licence(text).state == "malformed"


@pytest.mark.parametrize(
    "document", [{}, {"licence": "x", "proof": {}}, {"licence": {"id": "bad"}, "proof": {}}, []]
)
def test_a_garbage_document_is_malformed(document):
    assert verify_document(document).state == "malformed"


def test_gmssl_verifies_the_licence_signature(business_licence, seals):
    verifier = gmssl_for(seals["market"].public_key)
    assert verifier.verify_with_sm3(business_licence.signature, business_licence.document.encode())
    assert not verifier.verify_with_sm3(
        business_licence.signature, business_licence.document.encode() + b" "
    )


def test_a_signature_made_by_gmssl_with_the_seal_key_verifies_here(business_licence, seals):
    seal = seals["market"]
    private = keys.decrypt_private_key(seal.private_key_encrypted, seal.key_id)
    signature = gmssl_for(seal.public_key, private).sign_with_sm3(
        business_licence.document.encode()
    )
    Licence.objects.filter(pk=business_licence.pk).update(signature=signature)
    assert verify_licence(business_licence.identifier).state == "valid"


def test_several_versions_and_licences_each_verify_on_their_own(city, types, company):
    licences = [issue_business(city, types, company) for _ in range(3)]
    assert {verify_licence(licence.identifier).state for licence in licences} == {"valid"}


def test_a_licence_dated_outside_its_seals_validity_does_not_verify(business_licence, seals):
    from yiwang.licences.models import IssuingSeal

    later = business_licence.issued_on + datetime.timedelta(days=1)
    IssuingSeal.objects.filter(pk=seals["market"].pk).update(valid_from=later)
    result = verify_licence(business_licence.identifier)
    assert result.state == "signature_invalid" and "有效期" in result.message
