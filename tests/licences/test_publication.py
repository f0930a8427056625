"""The key set, the bitstring status lists, and offline verification (`yiwang verify FILE`)."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.licences.conftest import issue_business, trusted
from yiwang.core import crypto
from yiwang.licences import documents, publication, services
from yiwang.licences.offline import verify_offline

pytestmark = pytest.mark.django_db
PURPOSES = ("revocation", "suspension", "message")


def offline_files(tmp_path, licence, purposes=PURPOSES):
    """The files someone downloads: the licence's signed JSON, the key set and the status lists."""
    paths = {"licence": tmp_path / "licence.json", "keys": tmp_path / "keys.json"}
    paths["licence"].write_text(
        json.dumps(documents.wrapped(licence), ensure_ascii=False), encoding="utf-8"
    )
    paths["keys"].write_text(json.dumps(publication.key_set()), encoding="utf-8")
    for purpose in purposes:
        paths[purpose] = tmp_path / f"{purpose}.json"
        paths[purpose].write_text(json.dumps(publication.status_list(purpose)), encoding="utf-8")
    return paths


def run_verify(paths, *extra):
    lists = [arg for p in PURPOSES if p in paths for arg in ("--status", str(paths[p]))]
    call_command("verify", str(paths["licence"]), "--keys", str(paths["keys"]), *lists, *extra)


def bits_of(purpose):
    return publication.decode_bits(
        publication.status_list(purpose)["credentialSubject"]["encodedList"]
    )


def test_a_status_list_has_the_w3c_shape_and_at_least_16_kib_of_bits(business_licence):
    credential = publication.status_list("revocation")
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert (
        subject["encodedList"].startswith("u")
        and len(publication.decode_bits(subject["encodedList"])) == 16384
    )


def test_the_status_list_is_signed_by_the_platform_key(business_licence):
    credential = publication.status_list("suspension")
    body = {k: v for k, v in credential.items() if k != "proof"}
    assert crypto.sm2_verify(crypto.platform_key().public_key, crypto.canonical_json(body),
                             bytes.fromhex(credential["proof"]["signature"]))  # fmt: skip


def test_the_key_set_is_signed_by_the_platform_key_and_names_its_fingerprint(seals):
    key_set = publication.key_set()
    body = {k: v for k, v in key_set.items() if k != "proof"}
    platform = crypto.platform_key().public_key
    assert crypto.sm2_verify(
        platform, crypto.canonical_json(body), bytes.fromhex(key_set["proof"]["signature"])
    )
    assert (
        key_set["platform_key_fingerprint"] == crypto.sm3_hex(platform)
        and len(crypto.sm3_hex(platform)) == 64
    )
    assert {k["use"] for k in key_set["keys"]} == {"licence", "platform"}  # fmt: skip


def test_revoking_and_suspending_set_the_licences_bits_in_their_lists(city, types, company):
    revoked, suspended, valid = (issue_business(city, types, company) for _ in range(3))
    services.set_licence_status(
        actor=city["reviewer"], licence=revoked, status="revoked", reason="吊销"
    )
    services.set_licence_status(
        actor=city["reviewer"], licence=suspended, status="suspended", reason="暂停"
    )
    revocation, suspension = bits_of("revocation"), bits_of("suspension")
    assert [
        publication.bit_at(revocation, x.status_index) for x in (revoked, suspended, valid)
    ] == [True, False, False]
    assert [
        publication.bit_at(suspension, x.status_index) for x in (revoked, suspended, valid)
    ] == [False, True, False]


def test_the_message_list_says_in_two_bits_why_a_licence_stopped(city, types, company):
    revoked, cancelled, changed, valid = (issue_business(city, types, company) for _ in range(4))
    for licence, status in ((revoked, "revoked"), (cancelled, "cancelled")):
        services.set_licence_status(
            actor=city["reviewer"], licence=licence, status=status, reason="原因"
        )
    services.change_licence(actor=city["reviewer"], licence=changed, reason="变更", data={})
    bits = bits_of("message")
    assert [
        publication.value_at(bits, x.status_index, 2) for x in (revoked, cancelled, changed, valid)
    ] == [1, 2, 3, 0]
    assert len(bits) == 2 * 16384  # fmt: skip


def test_the_licence_points_at_every_status_list_by_its_index(business_licence):
    entries = {e["statusPurpose"]: e for e in business_licence.content["status"]}
    assert set(entries) == set(PURPOSES)
    assert all(e["statusListIndex"] == str(business_licence.status_index) for e in entries.values())
    assert all(
        e["statusListCredential"] == publication.status_list(p)["id"] for p, e in entries.items()
    )
    assert entries["message"]["statusSize"] == 2 and [m["message"] for m in entries["message"]["statusMessage"]] == [
        "not_revoked", "revoked", "cancelled", "superseded"]  # fmt: skip


def test_offline_verification_accepts_a_valid_licence(tmp_path, business_licence, capsys):
    run_verify(offline_files(tmp_path, business_licence))
    assert "有效（valid）" in capsys.readouterr().out


def test_offline_verification_finds_a_revoked_licence_in_the_status_list(
    tmp_path, city, business_licence
):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="吊销"
    )
    with pytest.raises(CommandError, match="已吊销"):
        run_verify(offline_files(tmp_path, business_licence))


def test_offline_verification_finds_a_cancelled_licence_cancelled(tmp_path, city, business_licence):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="cancelled", reason="企业注销"
    )
    with pytest.raises(CommandError, match="已注销"):
        run_verify(offline_files(tmp_path, business_licence))


def test_offline_a_replayed_old_version_shows_as_superseded(tmp_path, city, business_licence):
    paths = offline_files(tmp_path, business_licence)
    services.change_licence(
        actor=city["reviewer"],
        licence=business_licence,
        reason="变更",
        data={"capital": "200 万元"},
    )
    for purpose in PURPOSES:
        paths[purpose].write_text(json.dumps(publication.status_list(purpose)), encoding="utf-8")
    with pytest.raises(CommandError, match="已变更，请使用新版本"):
        run_verify(paths)


def test_offline_without_the_message_list_an_old_version_is_revoked_without_a_reason(
    tmp_path, city, business_licence, capsys
):
    services.change_licence(
        actor=city["reviewer"], licence=business_licence, reason="变更", data={}
    )
    with pytest.raises(CommandError, match="已吊销"):
        run_verify(offline_files(tmp_path, business_licence, purposes=("revocation", "suspension")))
    assert "吊销、注销或变更为新版本" in capsys.readouterr().out


def test_offline_verification_refuses_a_tampered_file(tmp_path, business_licence):
    paths = offline_files(tmp_path, business_licence)
    document = json.loads(paths["licence"].read_text(encoding="utf-8"))
    document["licence"]["holder"]["name"] = "冒名公司"
    paths["licence"].write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="签名无效"):
        run_verify(paths)


def test_a_forged_status_list_is_ignored_and_the_status_left_unknown(
    tmp_path, city, business_licence, capsys
):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="吊销"
    )
    paths = offline_files(tmp_path, business_licence)
    for purpose in ("revocation", "message"):
        forged = json.loads(paths[purpose].read_text())
        forged["credentialSubject"]["encodedList"] = publication.encode_bits(
            [], 2 * publication.MIN_BITS
        )
        paths[purpose].write_text(json.dumps(forged), encoding="utf-8")
    with pytest.raises(CommandError, match="无法确认状态"):
        run_verify(paths)
    assert "未提供平台签名的吊销/注销/变更状态列表" in capsys.readouterr().out


def test_offline_verification_reports_expiry_by_date(tmp_path, doctor_licence):
    after = (doctor_licence.valid_until + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="已过期"):
        run_verify(offline_files(tmp_path, doctor_licence), "--date", after)


def test_the_downloaded_bundle_verifies_offline_with_its_embedded_material(
    tmp_path, business_licence, capsys
):
    path = tmp_path / "bundle.json"
    path.write_text(
        json.dumps(publication.bundle(business_licence), ensure_ascii=False), encoding="utf-8"
    )
    call_command("verify", str(path))
    out = capsys.readouterr().out
    assert "内嵌的核验材料" in out and "有效（valid）" in out
    assert f"信任锚：{publication.platform_fingerprint()}（本平台公钥）" in out


def test_the_bundle_embeds_only_the_signing_seal_in_a_signed_key_set(business_licence, seals):
    material = publication.bundle(business_licence)["material"]
    assert [k["kid"] for k in material["keys"]["keys"] if k["use"] == "licence"] == [
        seals["market"].key_id
    ]
    assert "proof" in material["keys"] and len(material["status_lists"]) == 3  # fmt: skip


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取证照文件"):
        call_command("verify", str(tmp_path / "nope.json"))


def test_an_ed25519_licence_verifies_offline_through_its_okp_key(city, types, company, settings):
    from tests.licences.conftest import a_year_from

    settings.YIWANG = {**settings.YIWANG, "SEAL_ALGORITHM": "ed25519"}
    services.rotate_seal(actor=city["admin"], seal=city["market"].seals.get(), algorithm="ed25519",
                         valid_until=a_year_from())  # fmt: skip
    licence = issue_business(city, types, company)
    lists = [publication.status_list(p) for p in PURPOSES]
    result = verify_offline(documents.wrapped(licence), key_set=publication.key_set(), status_lists=lists,
                            anchors=trusted())  # fmt: skip
    assert licence.seal.algorithm == "ed25519" and result.state == "valid" and not result.reason
    tampered = documents.wrapped(licence)
    tampered["licence"]["number"] = "X"
    assert (verify_offline(tampered, key_set=publication.key_set(), status_lists=lists, anchors=trusted()).state
            == "signature_invalid")  # fmt: skip


def test_a_status_change_committed_late_with_an_older_time_still_reaches_the_list(
    city, types, company
):
    early, late = issue_business(city, types, company), issue_business(city, types, company)
    services.set_licence_status(
        actor=city["reviewer"], licence=late, status="revoked", reason="吊销"
    )
    late.refresh_from_db()
    assert not publication.bit_at(
        bits_of("revocation"), early.status_index
    )  # the list is now cached
    type(early).objects.filter(pk=early.pk).update(  # as if its transaction had committed only now
        status="revoked", status_changed_at=late.status_changed_at - datetime.timedelta(seconds=1)
    )
    assert publication.bit_at(bits_of("revocation"), early.status_index)  # fmt: skip
