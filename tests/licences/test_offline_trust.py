"""Offline verification trusts only what an anchored platform key vouches for, and only while
it is fresh: a self-signed licence, an unvouched seal, a stale list or a list of another
address never make `yiwang verify` say 有效."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.licences.conftest import BUSINESS_DATA, trusted
from yiwang.core import crypto
from yiwang.core.identifiers import LicenceId
from yiwang.licences import documents, keys, publication, services
from yiwang.licences.offline import verify_offline

pytestmark = pytest.mark.django_db
PURPOSES = ("revocation", "suspension", "message")
LATER = datetime.timedelta(hours=2)


def signed_by(pair: crypto.Sm2KeyPair, kid: str, body: dict) -> dict:
    signature = pair.sign(crypto.canonical_json(body))
    return {**body, "proof": {"type": "SM2SignatureSM3", "kid": kid, "signature": signature.hex()}}


def self_signed_bundle(city, types, company) -> dict:
    """A licence made up by someone holding their own SM2 keys, in the market regulator's name,
    with key set and status lists of their own, all consistently signed."""
    platform, seal = crypto.Sm2KeyPair.generate(), crypto.Sm2KeyPair.generate()
    kid, today, now = keys.key_id_for(seal.public_key), datetime.date.today(), timezone.now()
    identifier = str(LicenceId(types["business"].code, city["market"].uscc, "77777777", "1"))
    content = documents.content_for(identifier=identifier, licence_type=types["business"], issuer=city["market"],
                                    number="伪造0001", holder={"name": company["name"], "code": company["uscc"],
                                                              "code_type": "001"},
                                    region_code=city["market"].region_code, issued_on=today, valid_from=today,
                                    valid_until=None, data=BUSINESS_DATA, version=1, previous=None, status_index=7)  # fmt: skip
    proof = {"type": "SM2SignatureSM3", "kid": kid, "signer_id": "1234567812345678", "created": now.isoformat(),
             "signature": seal.sign(documents.signed_bytes(content)).hex()}  # fmt: skip
    window = {"validFrom": now.isoformat(), "validUntil": (now + LATER).isoformat()}
    key_set = signed_by(platform, "platform-evil", {**window, "keys": [
        {**keys.jwk("sm2", seal.public_key), "kid": kid, "use": "licence", "valid_from": "2000-01-01",
         "valid_until": "2099-12-31", "status": "active"},
        {**keys.jwk("sm2", platform.public_key), "kid": "platform-evil", "use": "platform"}]})  # fmt: skip
    lists = [signed_by(platform, "platform-evil", {**window, "id": documents.status_list_url(purpose),
                                                   "credentialSubject": {"statusPurpose": purpose,
                                                                         "encodedList": publication.encode_bits([], 2 * publication.MIN_BITS)}})
             for purpose in PURPOSES]  # fmt: skip
    return {
        "licence": content,
        "proof": proof,
        "material": {"keys": key_set, "status_lists": lists},
    }


def write(tmp_path, name, content) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def on_another_machine(settings, tmp_path):
    """A verifier's own installation: its platform key is not the issuing deployment's."""
    settings.VAR_DIR = tmp_path / "elsewhere"
    crypto.platform_key.cache_clear()


def current_lists():
    return [publication.status_list(purpose) for purpose in PURPOSES]


def test_a_self_signed_bundle_is_refused(tmp_path, city, types, company, capsys):
    with pytest.raises(CommandError, match="签名无效"):
        call_command(
            "verify", write(tmp_path, "forged.json", self_signed_bundle(city, types, company))
        )
    assert "不是受信任的平台公钥" in capsys.readouterr().out


def test_a_self_signed_bundle_is_refused_whatever_fingerprint_it_claims(
    tmp_path, city, types, company
):
    bundle = self_signed_bundle(city, types, company)
    bundle["material"]["keys"]["platform_key_fingerprint"] = publication.platform_fingerprint()
    with pytest.raises(CommandError, match="签名无效"):
        call_command("verify", write(tmp_path, "forged.json", bundle))


def test_a_seal_key_added_to_a_genuine_key_set_is_not_vouched_for(
    tmp_path, business_licence, city, types, company
):
    forged = self_signed_bundle(city, types, company)
    genuine = publication.bundle(business_licence)["material"]
    genuine["keys"]["keys"].append(forged["material"]["keys"]["keys"][0])
    forged["material"] = genuine
    with pytest.raises(CommandError, match="签名无效"):
        call_command("verify", write(tmp_path, "forged.json", forged))


def test_a_genuine_bundle_is_accepted_offline_through_this_deployments_key(
    tmp_path, business_licence, capsys
):
    call_command("verify", write(tmp_path, "bundle.json", publication.bundle(business_licence)))
    assert "有效（valid）" in capsys.readouterr().out


def test_on_another_machine_a_genuine_bundle_needs_the_pinned_fingerprint(
    tmp_path, settings, business_licence, capsys
):
    path, fingerprint = (
        write(tmp_path, "bundle.json", publication.bundle(business_licence)),
        publication.platform_fingerprint(),
    )
    on_another_machine(settings, tmp_path)
    with pytest.raises(CommandError, match="签名无效"):
        call_command("verify", path)
    spaced = " ".join(fingerprint[i : i + 4] for i in range(0, 64, 4)).upper()
    call_command("verify", path, "--trust", spaced)
    assert f"信任锚：{fingerprint}（--trust）" in capsys.readouterr().out  # fmt: skip


def test_the_setting_pins_a_platform_fingerprint(tmp_path, settings, business_licence, capsys):
    path, fingerprint = (
        write(tmp_path, "bundle.json", publication.bundle(business_licence)),
        publication.platform_fingerprint(),
    )
    on_another_machine(settings, tmp_path)
    settings.YIWANG = {**settings.YIWANG, "LICENCE_TRUSTED_PLATFORM_KEYS": [f"SM3:{fingerprint}"]}
    call_command("verify", path)
    assert "有效（valid）" in capsys.readouterr().out  # fmt: skip


def test_a_key_set_downloaded_by_the_verifier_is_an_anchor(
    tmp_path, settings, business_licence, capsys
):
    bundle = publication.bundle(business_licence)
    keys_path = write(tmp_path, "keys.json", publication.key_set())
    path = write(tmp_path, "bundle.json", bundle)
    on_another_machine(settings, tmp_path)
    call_command("verify", path, "--keys", keys_path)
    assert "有效（valid）" in capsys.readouterr().out


def test_a_malformed_trusted_fingerprint_is_a_clear_error(tmp_path, business_licence):
    with pytest.raises(CommandError, match="64 位十六进制"):
        call_command(
            "verify",
            write(tmp_path, "b.json", publication.bundle(business_licence)),
            "--trust",
            "abc",
        )


def test_an_old_download_after_revocation_is_not_valid_once_its_lists_are_stale(
    tmp_path, city, business_licence, monkeypatch, capsys
):
    path = write(tmp_path, "bundle.json", publication.bundle(business_licence))
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="吊销"
    )
    later = timezone.now() + LATER
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(CommandError, match="无法确认状态"):
        call_command("verify", path)
    assert "状态列表已过期" in capsys.readouterr().out  # fmt: skip


def test_a_stale_list_that_shows_the_licence_revoked_still_settles_it(
    city, business_licence, monkeypatch
):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="吊销"
    )
    key_set, lists = publication.key_set(), current_lists()
    result = verify_offline(documents.wrapped(business_licence), key_set=key_set, status_lists=lists,
                            anchors=trusted(), now=timezone.now() + LATER)  # fmt: skip
    assert result.state == "revoked"


def test_a_stale_suspension_list_cannot_say_the_licence_is_still_suspended(city, business_licence):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="suspended", reason="调查"
    )
    result = verify_offline(documents.wrapped(business_licence), key_set=publication.key_set(),
                            status_lists=current_lists(), anchors=trusted(), now=timezone.now() + LATER)  # fmt: skip
    assert result.state == "status_unknown" and "暂停状态列表已过期" in result.reason


def test_a_stale_key_set_leaves_the_status_unknown(business_licence, monkeypatch):
    key_set, later = publication.key_set(), timezone.now() + LATER
    monkeypatch.setattr(timezone, "now", lambda: later)
    publication.clear_cache()
    result = verify_offline(documents.wrapped(business_licence), key_set=key_set, status_lists=current_lists(),
                            anchors=trusted())  # fmt: skip
    assert result.state == "status_unknown" and "公钥集已过期" in result.reason


def test_status_lists_are_matched_by_their_id_not_by_purpose(city, settings, business_licence):
    here = settings.YIWANG["PUBLIC_URL"]
    settings.YIWANG = {**settings.YIWANG, "PUBLIC_URL": "https://elsewhere.example"}
    publication.clear_cache()
    elsewhere = current_lists()  # genuine, signed, fresh — but another address's lists
    settings.YIWANG = {**settings.YIWANG, "PUBLIC_URL": here}
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="吊销"
    )
    publication.clear_cache()
    document, key_set = documents.wrapped(business_licence), publication.key_set()
    alone = verify_offline(document, key_set=key_set, status_lists=elsewhere, anchors=trusted())
    assert alone.state == "status_unknown" and "未提供平台签名的" in alone.reason
    mixed = verify_offline(
        document, key_set=key_set, status_lists=[*elsewhere, *current_lists()], anchors=trusted()
    )
    assert mixed.state == "revoked"  # fmt: skip


def test_the_key_set_api_and_the_verify_page_print_the_platform_fingerprint(client, seals):
    fingerprint = crypto.sm3_hex(crypto.platform_key().public_key)
    assert client.get("/api/v1/licences/keys").json()["platform_key_fingerprint"] == fingerprint
    page = client.get("/licences/verify/").content.decode()
    assert (
        f'data-fingerprint="{fingerprint}"' in page
        and fingerprint[:4] + " " + fingerprint[4:8] in page
    )
