"""After the platform key rotates, what it signed before (key sets, status lists) still verifies
offline through the new key set; what a retired key signs afterwards, or a compromised key signs
at all, does not."""

import datetime
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from yiwang.core import crypto, platform_keys
from yiwang.core.models import PlatformKey
from yiwang.licences import documents, publication, services
from yiwang.licences.offline import verify_offline

pytestmark = pytest.mark.django_db
PURPOSES = ("revocation", "suspension", "message")


def write(tmp_path, name, content) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def current_lists():
    return [publication.status_list(purpose) for purpose in PURPOSES]


def revoke(city, licence):
    services.set_licence_status(
        actor=city["reviewer"], licence=licence, status="revoked", reason="吊销"
    )


def signed_with(pair: crypto.Sm2KeyPair, credential: dict) -> dict:
    body = {k: v for k, v in credential.items() if k != "proof"}
    return {**body, "proof": {"type": "SM2SignatureSM3", "kid": publication.platform_key_id(pair.public_key),
                              "signature": pair.sign(crypto.canonical_json(body)).hex()}}  # fmt: skip


def test_the_key_set_lists_the_retired_platform_key_with_the_time_it_was_in_force(seals):
    old = crypto.platform_key().public_key
    call_command("keys", "rotate")
    key_set = publication.key_set()
    platform = {k["kid"]: k for k in key_set["keys"] if k["use"] == "platform"}
    retired = platform[publication.platform_key_id(old)]
    assert retired["status"] == "retired" and retired["fingerprint"] == publication.fingerprint(old)
    assert retired["valid_from"] is None and retired["valid_until"]
    assert platform[key_set["proof"]["kid"]]["status"] == "current"
    assert (
        key_set["platform_key_fingerprint"]
        == publication.platform_fingerprint()
        != retired["fingerprint"]
    )


def test_a_bundle_downloaded_before_a_rotation_still_verifies_on_this_deployment(
    tmp_path, business_licence, capsys
):
    path = write(tmp_path, "bundle.json", publication.bundle(business_licence))
    old = publication.platform_fingerprint()
    call_command("keys", "rotate")
    call_command("verify", path)
    out = capsys.readouterr().out
    assert f"信任锚：{old}（本平台已停用的公钥）" in out and "有效（valid）" in out


def test_status_lists_signed_before_a_rotation_verify_through_the_new_key_set(
    city, business_licence
):
    revoke(city, business_licence)
    old_lists = current_lists()
    call_command("keys", "rotate")
    new_key_set = publication.key_set()
    result = verify_offline(documents.wrapped(business_licence), key_set=new_key_set, status_lists=old_lists,
                            anchors={publication.platform_fingerprint()})  # fmt: skip
    assert result.state == "revoked"


def test_status_lists_signed_after_a_rotation_verify_with_the_new_key(city, business_licence):
    call_command("keys", "rotate")
    revoke(city, business_licence)
    result = verify_offline(documents.wrapped(business_licence), key_set=publication.key_set(),
                            status_lists=current_lists(), anchors={publication.platform_fingerprint()})  # fmt: skip
    assert result.state == "revoked"
    assert {c["proof"]["kid"] for c in current_lists()} == {publication.platform_key_id()}


def test_a_status_list_signed_by_the_retired_key_after_its_retirement_is_not_trusted(
    city, business_licence
):
    old = crypto.platform_key()
    call_command("keys", "rotate")
    revoke(city, business_licence)
    a_minute_later = (
        datetime.datetime.fromisoformat(current_lists()[0]["validFrom"])
        + datetime.timedelta(minutes=1)
    ).isoformat()
    late_lists = [
        signed_with(old, {**credential, "validFrom": a_minute_later})
        for credential in current_lists()
    ]
    result = verify_offline(documents.wrapped(business_licence), key_set=publication.key_set(),
                            status_lists=late_lists, anchors={publication.platform_fingerprint()})  # fmt: skip
    assert result.state == "status_unknown" and "未提供平台签名的" in result.reason


def test_a_compromised_platform_key_vouches_for_nothing(tmp_path, city, business_licence):
    revoke(city, business_licence)
    old_lists, bundle = current_lists(), publication.bundle(business_licence)
    call_command("keys", "rotate", f"--compromised-since={timezone.now().isoformat()}")
    key_set = publication.key_set()
    listed = [k for k in key_set["keys"] if k["use"] == "platform" and k["status"] == "compromised"]
    assert len(listed) == 1 and listed[0]["compromised_at"]
    result = verify_offline(documents.wrapped(business_licence), key_set=key_set, status_lists=old_lists,
                            anchors={publication.platform_fingerprint()})  # fmt: skip
    assert result.state == "status_unknown"
    with pytest.raises(CommandError, match="签名无效"):
        call_command("verify", write(tmp_path, "bundle.json", bundle))


def test_a_verifier_that_pinned_the_old_fingerprint_must_also_pin_the_new_one(
    tmp_path, settings, business_licence, capsys
):
    old = publication.platform_fingerprint()
    call_command("keys", "rotate")
    new = publication.platform_fingerprint()
    path = write(tmp_path, "bundle.json", publication.bundle(business_licence))
    settings.VAR_DIR = tmp_path / "elsewhere"  # a verifier's own installation
    settings.YIWANG = {**settings.YIWANG, "LICENCE_TRUSTED_PLATFORM_KEYS": [old]}
    crypto.platform_key.cache_clear()
    platform_keys.PlatformKey.objects.all().delete()
    with pytest.raises(CommandError, match="签名无效"):
        call_command("verify", path)
    settings.YIWANG = {**settings.YIWANG, "LICENCE_TRUSTED_PLATFORM_KEYS": [old, new]}
    call_command("verify", path)
    assert "有效（valid）" in capsys.readouterr().out


# --- the public verify page ------------------------------------------------------


def key_row(page: str, key_fingerprint: str) -> str:
    """The verify page's table row for one earlier platform key."""
    match = re.search(rf'<tr data-fingerprint="{key_fingerprint}".*?</tr>', page, re.S)
    assert match, f"no row for {key_fingerprint}"
    return match.group(0)


def grouped(key_fingerprint: str) -> str:
    return " ".join(key_fingerprint[i : i + 4] for i in range(0, 64, 4))


def test_the_verify_page_lists_the_current_and_the_retired_fingerprints_with_their_time_in_force(
    client,
):
    first = publication.platform_fingerprint()
    call_command("keys", "rotate")
    second = publication.platform_fingerprint()
    call_command("keys", "rotate")
    current = publication.platform_fingerprint()
    page = client.get("/licences/verify/").content.decode()
    registered = {key.fingerprint: key for key in PlatformKey.objects.all()}
    assert f'data-fingerprint="{current}">{grouped(current)}</code>' in page
    assert f"使用期：{registered[current].describe_range()}" in page and "至今" in page
    for retired in (first, second):
        row = key_row(page, retired)
        assert grouped(retired) in row and registered[retired].describe_range() in row
        assert "已停用" in row and "已泄露" not in row
    assert "部署以来 至 " in key_row(page, first)
    assert page.index(first) < page.index(second)
    assert f'<tr data-fingerprint="{current}"' not in page


def test_the_verify_page_marks_a_compromised_platform_key_as_no_longer_trusted(client):
    leaked = publication.platform_fingerprint()
    call_command("keys", "rotate", f"--compromised-since={timezone.now().isoformat()}")
    page = client.get("/licences/verify/").content.decode()
    row = key_row(page, leaked)
    assert "已泄露，不再信任" in row and "已停用" not in row


def test_the_verify_page_lists_no_earlier_keys_before_any_rotation(client):
    page = client.get("/licences/verify/").content.decode()
    assert publication.platform_fingerprint() in page
    assert "以前的平台公钥" not in page and "<tr data-fingerprint=" not in page
