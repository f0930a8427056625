"""Rotating the platform key: seals keep verifying against the key in force when they were made;
a retired, compromised or unknown key's seals, and edited seals, do not."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from yiwang.core import audit, crypto, platform_keys, services
from yiwang.core.choices import PlatformKeyStatus
from yiwang.core.models import AuditEvent, AuditSeal, PlatformKey
from yiwang.core.sealing import GENESIS_ROOT, seal_root, signed_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_key_file(settings, tmp_path):
    """Each test starts with its own development key and no configured key."""
    settings.VAR_DIR = tmp_path
    settings.YIWANG = {**settings.YIWANG, "PLATFORM_SM2_KEY": ""}
    crypto.platform_key.cache_clear()
    yield
    crypto.platform_key.cache_clear()


@pytest.fixture
def admin(factory):
    return factory.superuser(username="root-admin")


def make_events(factory, admin, n=2):
    org = factory.organisation()
    for i in range(n):
        services.update_organisation(actor=admin, organisation=org, short_name=f"简称{i}")


def use_configured_key(settings, pair: crypto.Sm2KeyPair) -> None:
    settings.YIWANG = {**settings.YIWANG, "PLATFORM_SM2_KEY": pair.private_key.hex()}
    crypto.platform_key.cache_clear()


def forge_seal(pair: crypto.Sm2KeyPair, *, legacy=False, sealed_at=None) -> AuditSeal:
    """A seal over the waiting events, made by hand with `pair` — as someone holding that key
    and write access to the database would make it."""
    events = list(AuditEvent.objects.filter(seal__isnull=True).order_by("id"))
    previous = AuditSeal.objects.order_by("-id").first()
    previous_root = previous.root if previous else GENESIS_ROOT
    entries = [[e.id, audit.event_digest(e)] for e in events]
    root, sealed_at = seal_root(previous_root, entries), sealed_at or timezone.now()
    fingerprint = "" if legacy else platform_keys.fingerprint(pair.public_key)
    message = bytes.fromhex(root) if legacy else signed_message(root, fingerprint, sealed_at)
    seal = AuditSeal.objects.create(previous_root=previous_root, root=root, entries=entries,
                                    count=len(entries), created_at=sealed_at,
                                    public_key=pair.public_key.hex(), key_fingerprint=fingerprint,
                                    signature=pair.sign(message).hex())  # fmt: skip
    AuditEvent.objects.filter(id__in=[e.id for e in events]).update(seal=seal)
    return seal


def broken_messages() -> list[str]:
    return [message for _id, message in audit.verify().broken]


# --- verification across a rotation ----------------------------------------------


def test_seals_made_before_and_after_a_rotation_both_verify(factory, admin):
    make_events(factory, admin)
    before = audit.seal_pending()
    call_command("keys", "rotate", "--note=定期轮换")
    make_events(factory, admin)
    after = audit.seal_pending()
    assert before.key_fingerprint != after.key_fingerprint
    assert after.key_fingerprint == platform_keys.fingerprint(crypto.platform_key().public_key)
    report = audit.verify()
    assert report.ok and report.seals == 2


def test_a_seal_made_before_keys_were_recorded_verifies_against_the_original_key(factory, admin):
    make_events(factory, admin)
    old_seal = forge_seal(crypto.platform_key(), legacy=True)  # as sealed before this change
    call_command("keys", "rotate")
    make_events(factory, admin)
    audit.seal_pending()
    assert old_seal.key_fingerprint == "" and audit.verify().ok
    original = PlatformKey.objects.get(valid_from__isnull=True)
    assert original.public_key == old_seal.public_key
    assert original.status == PlatformKeyStatus.RETIRED


def test_an_old_seal_by_another_key_is_refused_as_an_unregistered_key(factory, admin):
    make_events(factory, admin)
    stranger = crypto.Sm2KeyPair.generate()
    forged = forge_seal(stranger, legacy=True)
    fingerprint = platform_keys.fingerprint(stranger.public_key)
    assert broken_messages() == [f"封存 #{forged.pk} 由未登记的平台密钥签名（指纹 {fingerprint}）"]


def test_sealing_refuses_to_register_a_key_that_did_not_sign_the_older_seals(factory, admin):
    make_events(factory, admin)
    forge_seal(crypto.Sm2KeyPair.generate(), legacy=True)  # the key was changed, not rotated
    make_events(factory, admin)
    with pytest.raises(Exception, match="平台密钥已更换但未登记"):
        audit.seal_pending()
    assert not PlatformKey.objects.exists()


def test_a_seal_by_the_retired_key_dated_after_its_retirement_fails(factory, admin):
    make_events(factory, admin)
    audit.seal_pending()
    old = crypto.platform_key()
    call_command("keys", "rotate")
    make_events(factory, admin)
    forged = forge_seal(old)
    messages = broken_messages()
    assert len(messages) == 1
    assert messages[0].startswith(f"封存 #{forged.pk} 的时间")
    assert (
        f"不在其签名密钥（指纹 {platform_keys.fingerprint(old.public_key)[:16]}…）的使用期"
        in messages[0]
    )


def test_a_compromised_keys_seals_after_the_compromise_fail_and_earlier_ones_verify(factory, admin):
    make_events(factory, admin)
    trusted = audit.seal_pending()
    compromised_since = timezone.now()
    make_events(factory, admin)
    suspect = audit.seal_pending()  # still the old key, but after it leaked
    call_command("keys", "rotate", f"--compromised-since={compromised_since.isoformat()}")
    report = audit.verify()
    assert [message for _id, message in report.broken if f"#{trusted.pk} " in message] == []
    assert len(report.broken) == 1
    assert report.broken[0][1].startswith(f"封存 #{suspect.pk} 的时间")
    assert "泄露时间" in report.broken[0][1] and "不可信" in report.broken[0][1]


def test_a_seal_whose_time_was_edited_fails(factory, admin):
    make_events(factory, admin)
    seal = audit.seal_pending()
    AuditSeal.objects.filter(pk=seal.pk).update(
        created_at=seal.created_at - datetime.timedelta(days=1)
    )
    assert broken_messages() == [f"封存 #{seal.pk} 的平台签名无效"]


def test_a_seal_whose_signature_was_replaced_fails(factory, admin):
    make_events(factory, admin)
    seal = audit.seal_pending()
    AuditSeal.objects.filter(pk=seal.pk).update(signature="00" * 64)
    assert broken_messages() == [f"封存 #{seal.pk} 的平台签名无效"]


def test_a_seal_by_an_unknown_key_fails(factory, admin):
    make_events(factory, admin)
    audit.seal_pending()
    make_events(factory, admin)
    stranger = crypto.Sm2KeyPair.generate()
    forged = forge_seal(stranger)
    fingerprint = platform_keys.fingerprint(stranger.public_key)
    assert broken_messages() == [f"封存 #{forged.pk} 由未登记的平台密钥签名（指纹 {fingerprint}）"]


def test_an_old_format_seal_after_a_seal_that_names_its_key_fails(factory, admin):
    make_events(factory, admin)
    audit.seal_pending()
    make_events(factory, admin)
    forged = forge_seal(crypto.platform_key(), legacy=True)
    assert broken_messages() == [
        f"封存 #{forged.pk} 未记录签名密钥，却排在记录了签名密钥的封存之后（伪造的旧格式封存）"
    ]


def test_a_seal_dated_before_the_previous_seal_fails(factory, admin):
    make_events(factory, admin)
    first = audit.seal_pending()
    make_events(factory, admin)
    forged = forge_seal(
        crypto.platform_key(), sealed_at=first.created_at - datetime.timedelta(seconds=1)
    )
    assert broken_messages() == [f"封存 #{forged.pk} 的时间早于上一封存（封存时间被改动）"]


def test_the_sealer_refuses_a_configured_key_that_was_not_rotated_in(settings, factory, admin):
    use_configured_key(settings, crypto.Sm2KeyPair.generate())
    make_events(factory, admin)
    audit.seal_pending()
    use_configured_key(settings, crypto.Sm2KeyPair.generate())
    make_events(factory, admin)
    with pytest.raises(platform_keys.KeyMismatch, match="yiwang keys rotate"):
        audit.seal_pending()
    assert AuditEvent.objects.filter(seal__isnull=True).count() == 2


def test_audit_verify_passes_across_a_rotation_and_names_a_seal_forged_with_the_retired_key(
    factory, admin, capsys
):
    make_events(factory, admin)
    call_command("audit", "seal", "--log=audit")
    old = crypto.platform_key()
    call_command("keys", "rotate")
    make_events(factory, admin)
    call_command("audit", "seal", "--log=audit")
    call_command("audit", "verify", "--log=audit")
    assert "审计事件完整" in capsys.readouterr().out
    make_events(factory, admin)
    forged = forge_seal(old)
    with pytest.raises(CommandError, match=f"封存 #{forged.pk} 的时间"):
        call_command("audit", "verify", "--log=audit")


# --- yiwang keys rotate -----------------------------------------------------------


def test_rotating_with_the_environment_key_retires_the_registered_key(settings, factory, admin):
    old, new = crypto.Sm2KeyPair.generate(), crypto.Sm2KeyPair.generate()
    use_configured_key(settings, old)
    make_events(factory, admin)
    audit.seal_pending()  # registers the key in force
    use_configured_key(settings, new)
    call_command("keys", "rotate", "--note=人员变动")
    retired = PlatformKey.objects.get(fingerprint=platform_keys.fingerprint(old.public_key))
    current = PlatformKey.objects.get(status=PlatformKeyStatus.CURRENT)
    assert retired.status == PlatformKeyStatus.RETIRED and retired.valid_until == current.valid_from
    assert current.fingerprint == platform_keys.fingerprint(new.public_key)
    make_events(factory, admin)
    assert audit.seal_pending().key_fingerprint == current.fingerprint
    assert audit.verify().ok


def test_rotation_writes_audit_rows_for_the_retired_and_the_new_key(settings, factory, admin):
    old, new = crypto.Sm2KeyPair.generate(), crypto.Sm2KeyPair.generate()
    use_configured_key(settings, old)
    audit.seal_pending()
    use_configured_key(settings, new)
    call_command("keys", "rotate", "--note=人员变动")
    rotated = AuditEvent.objects.get(action="platform_key.rotate")
    created = AuditEvent.objects.get(action="platform_key.create")
    assert rotated.before["status"] == "current" and rotated.after["status"] == "retired"
    assert rotated.after["replaced_by"] == platform_keys.fingerprint(new.public_key)
    assert rotated.after["note"] == "人员变动"
    assert created.after["fingerprint"] == platform_keys.fingerprint(new.public_key)
    assert rotated.actor_label == "系统"
    assert old.private_key.hex() not in str(rotated.after) + str(created.after)


def test_rotating_with_the_environment_key_unchanged_is_refused(settings):
    use_configured_key(settings, crypto.Sm2KeyPair.generate())
    audit.seal_pending()
    with pytest.raises(CommandError, match="仍是当前平台密钥"):
        call_command("keys", "rotate")
    assert not PlatformKey.objects.exclude(status=PlatformKeyStatus.CURRENT).exists()


def test_a_first_rotation_with_the_environment_key_needs_the_previous_public_key(settings):
    old = crypto.Sm2KeyPair.generate()
    use_configured_key(settings, crypto.Sm2KeyPair.generate())
    with pytest.raises(CommandError, match="--previous-public-key"):
        call_command("keys", "rotate")
    call_command("keys", "rotate", f"--previous-public-key={old.public_key.hex()}")
    retired = PlatformKey.objects.get(status=PlatformKeyStatus.RETIRED)
    assert retired.public_key == old.public_key.hex() and retired.valid_from is None


@pytest.mark.parametrize("bad", ["zz", "04" + "00" * 10, "02" + "11" * 64])
def test_a_malformed_previous_public_key_is_refused(settings, bad):
    use_configured_key(settings, crypto.Sm2KeyPair.generate())
    with pytest.raises(CommandError, match="十六进制的 SM2 公钥"):
        call_command("keys", "rotate", f"--previous-public-key={bad}")
    assert not PlatformKey.objects.exists()


def test_rotating_in_development_replaces_the_key_file(settings, tmp_path, factory, admin):
    make_events(factory, admin)
    audit.seal_pending()
    old_text = (tmp_path / "keys" / "platform_sm2.key").read_text()
    old = crypto.Sm2KeyPair.from_private_hex(old_text)
    call_command("keys", "rotate")
    new = crypto.Sm2KeyPair.from_private_hex((tmp_path / "keys" / "platform_sm2.key").read_text())
    assert new.private_key != old.private_key
    assert crypto.platform_key() == new
    assert old_text not in "".join(p.read_text() for p in (tmp_path / "keys").iterdir())
    keys = {k.fingerprint: k.status for k in PlatformKey.objects.all()}
    assert keys == {platform_keys.fingerprint(old.public_key): PlatformKeyStatus.RETIRED,
                    platform_keys.fingerprint(new.public_key): PlatformKeyStatus.CURRENT}  # fmt: skip
    assert AuditEvent.objects.filter(action="platform_key.rotate").count() == 1


def test_rotating_in_development_is_refused_in_production(settings, tmp_path):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("keys", "rotate")
    assert not PlatformKey.objects.exists()
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    "when, message", [("昨天", "ISO 8601"), ("2999-01-01T00:00", "不能晚于现在")]
)
def test_a_bad_compromise_time_is_refused(when, message):
    audit.seal_pending()
    old = crypto.platform_key()
    with pytest.raises(CommandError, match=message):
        call_command("keys", "rotate", f"--compromised-since={when}")
    assert crypto.platform_key() == old
    assert PlatformKey.objects.get().status == PlatformKeyStatus.CURRENT


def test_a_compromise_time_before_the_key_was_in_force_is_refused():
    call_command("keys", "rotate")
    before = PlatformKey.objects.get(
        status=PlatformKeyStatus.CURRENT
    ).valid_from - datetime.timedelta(hours=1)
    with pytest.raises(CommandError, match="不能早于该密钥的启用时间"):
        call_command("keys", "rotate", f"--compromised-since={before.isoformat()}")


def test_a_retired_key_found_compromised_later_fails_its_later_seals(factory, admin):
    make_events(factory, admin)
    audit.seal_pending()
    since = timezone.now()
    make_events(factory, admin)
    suspect = audit.seal_pending()
    retired = platform_keys.fingerprint(crypto.platform_key().public_key)
    call_command("keys", "rotate")
    assert audit.verify().ok
    call_command(
        "keys",
        "compromise",
        f"SM3:{retired}",
        f"--since={since.isoformat()}",
        "--note=备份介质丢失",
    )
    assert next(m for _id, m in audit.verify().broken if "泄露时间" in m).startswith(
        f"封存 #{suspect.pk} "
    )
    event = AuditEvent.objects.get(action="platform_key.compromise")
    assert event.after["status"] == "compromised" and event.after["note"] == "备份介质丢失"


def test_the_current_key_cannot_be_marked_compromised_without_a_rotation():
    audit.seal_pending()
    current = platform_keys.fingerprint(crypto.platform_key().public_key)
    with pytest.raises(CommandError, match="--compromised-since"):
        call_command("keys", "compromise", current, f"--since={timezone.now().isoformat()}")
    with pytest.raises(CommandError, match="没有指纹为"):
        call_command("keys", "compromise", "ab" * 32, f"--since={timezone.now().isoformat()}")


def test_keys_list_prints_every_key_with_its_fingerprint_and_range(capsys):
    old = platform_keys.fingerprint(crypto.platform_key().public_key)
    call_command("keys", "rotate")
    new = platform_keys.fingerprint(crypto.platform_key().public_key)
    capsys.readouterr()
    call_command("keys", "list")
    out = capsys.readouterr().out
    assert f"[已停用] 指纹 SM3:{old}" in out and f"[当前签名密钥] 指纹 SM3:{new}" in out
    assert "使用期：部署以来 至 " in out and " 至今" in out and "至 至今" not in out
    assert out.index(old) < out.index(new)
    assert "不是登记的当前密钥" not in out


def test_keys_list_warns_when_the_configured_key_was_changed_without_a_rotation(settings, capsys):
    use_configured_key(settings, crypto.Sm2KeyPair.generate())
    audit.seal_pending()
    use_configured_key(settings, crypto.Sm2KeyPair.generate())
    call_command("keys", "list")
    assert "不是登记的当前密钥：请运行 yiwang keys rotate" in capsys.readouterr().out


def test_keys_generate_prints_a_usable_private_key(capsys):
    call_command("keys", "generate")
    out, err = capsys.readouterr()
    pair = crypto.Sm2KeyPair.from_private_hex(out.strip())
    assert platform_keys.fingerprint(pair.public_key) in err
