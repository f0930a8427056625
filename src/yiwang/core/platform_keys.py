"""The platform's keys (平台密钥) as a set: the one that signs now and the ones it replaced.

`crypto.platform_key()` is the private key this process signs with; the `PlatformKey` table is
what verification trusts (see docs/adr/0021-platform-key-rotation.md). Rotating installs a new
key and records the old public key as retired, so that seals and lists it signed keep verifying;
a compromised key is trusted only for what it signed before the compromise.
"""

from __future__ import annotations

import datetime
import getpass
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from yiwang.core import audit, crypto
from yiwang.core.choices import PlatformKeyStatus
from yiwang.core.errors import ServiceError
from yiwang.core.models import PlatformKey, SealBase

KEY_FIELDS = ["fingerprint", "public_key", "status", "valid_from", "valid_until", "compromised_at"]


def fingerprint(public_key: bytes) -> str:
    """A platform key's fingerprint: the SM3 digest (64 hex digits) of its uncompressed point."""
    return crypto.sm3_hex(public_key)


class KeyMismatch(RuntimeError):
    """The configured private key is not the registered current key: signing now would make
    seals that nobody can verify, so sealing waits until an operator runs `yiwang keys rotate`."""


@dataclass(frozen=True)
class KeyRing:
    """Every platform key verification trusts, by fingerprint."""

    keys: dict[str, PlatformKey]

    @classmethod
    def load(cls) -> KeyRing:
        """The registered keys; before any is registered, the configured key alone, in force since
        the beginning (read-only: verification never writes)."""
        keys = {k.fingerprint: k for k in PlatformKey.objects.all()}
        return cls(keys or {k.fingerprint: k for k in [_unsaved_original(crypto.platform_key())]})

    def find(self, key_fingerprint: str) -> PlatformKey | None:
        return self.keys.get(key_fingerprint)

    def original(self) -> PlatformKey | None:
        """The key in force before keys were recorded: the one that signed the seals that name no key."""
        return next((k for k in self.keys.values() if k.valid_from is None), None)

    def current(self) -> PlatformKey | None:
        return next((k for k in self.keys.values() if k.status == PlatformKeyStatus.CURRENT), None)

    def ordered(self) -> list[PlatformKey]:
        oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return sorted(self.keys.values(), key=lambda k: k.valid_from or oldest)


@dataclass(frozen=True)
class ConfiguredKey:
    """The private key this process is configured with, set against the registered current key:
    what `yiwang keys list` warns about and `yiwang doctor` checks, so both judge it alike."""

    public_key: bytes
    current: PlatformKey | None  # while no key is registered: the configured key, unsaved
    registered: bool  # whether any key is registered (none is before the first sealing or rotation)

    @classmethod
    def check(cls, ring: KeyRing | None = None) -> ConfiguredKey:
        ring = ring or KeyRing.load()
        return cls(public_key=crypto.platform_key().public_key, current=ring.current(),
                   registered=any(key.pk for key in ring.keys.values()))  # fmt: skip

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def is_current(self) -> bool:
        """Whether sealing accepts the configured key (an unregistered one it registers first)."""
        return self.current is not None and self.current.fingerprint == self.fingerprint


def _unsaved_original(pair: crypto.Sm2KeyPair) -> PlatformKey:
    return PlatformKey(fingerprint=fingerprint(pair.public_key), public_key=pair.public_key.hex(),
                       status=PlatformKeyStatus.CURRENT, note="部署以来使用的平台密钥")  # fmt: skip


def _seal_models() -> list[type]:
    """Every sealed log's seal model (the audit log's, the exchange log's), without importing
    the apps that own them."""
    return [m for m in apps.get_models() if issubclass(m, SealBase)]


def _other_key_in_old_seals(public_key_hex: str) -> str | None:
    """The public key of a seal that names no key and was not signed by `public_key_hex`."""
    for model in _seal_models():
        other = (model.objects.filter(key_fingerprint="").exclude(public_key=public_key_hex)
                 .values_list("public_key", flat=True).first())  # fmt: skip
        if other:
            return other
    return None


def unregistered_change(public_key: bytes) -> str | None:
    """Why `public_key` cannot be registered as the key in force since the beginning: an older
    seal was signed by another key, so the key was changed without a rotation (else None)."""
    other = _other_key_in_old_seals(public_key.hex())
    if other is None:
        return None
    return (f"已有封存由另一平台密钥（指纹 {fingerprint(bytes.fromhex(other))}）签名：平台密钥已更换但未登记。"
            "请把原私钥恢复到 YIWANG_PLATFORM_SM2_KEY，或运行 yiwang keys rotate --previous-public-key 登记原公钥")  # fmt: skip


def _register_original(public_key: bytes) -> PlatformKey:
    """Record `public_key` as the key in force since the beginning, once the older seals agree.

    Not an audit event of its own: nothing changes, the platform writes down the key it has
    been signing with (the row says when); a rotation that registers it is audited as such."""
    problem = unregistered_change(public_key)
    if problem:
        raise ServiceError("platform_key.unregistered_change", problem)
    key = _unsaved_original(crypto.Sm2KeyPair(private_key=b"", public_key=public_key))
    key.save()
    return key


def signing_key() -> tuple[crypto.Sm2KeyPair, str]:
    """The key to seal with and its fingerprint: the configured key, once it is the registered
    current one (the first time, it is registered as the key in force since the beginning)."""
    with transaction.atomic():
        current = PlatformKey.objects.filter(status=PlatformKeyStatus.CURRENT).first()
        if current is None and not PlatformKey.objects.exists():
            current = _register_original(crypto.platform_key().public_key)
    pair = crypto.platform_key()
    if current is not None and fingerprint(pair.public_key) != current.fingerprint:
        crypto.platform_key.cache_clear()  # a development key file rotated under this process
        pair = crypto.platform_key()
    if current is None or fingerprint(pair.public_key) != current.fingerprint:
        raise KeyMismatch("配置的平台私钥不是登记的当前平台密钥：请运行 yiwang keys rotate 登记新密钥，"
                          "或重启进程以使用轮换后的密钥")  # fmt: skip
    return pair, current.fingerprint


@transaction.atomic
def rotate_platform_key(*, actor, new_key: crypto.Sm2KeyPair, previous_public_key: bytes | None = None,
                        compromised_since: datetime.datetime | None = None, note: str = "") -> PlatformKey:  # fmt: skip
    """轮换平台密钥: `new_key` signs from now on; the key it replaces is recorded as retired
    (or, with `compromised_since`, as compromised from then) and keeps verifying what it signed
    before. `previous_public_key` names the replaced key when none is registered yet."""
    now = timezone.now()
    registered = list(PlatformKey.objects.select_for_update().order_by("id"))
    previous = next((k for k in registered if k.status == PlatformKeyStatus.CURRENT), None)
    if previous is None:
        if registered or previous_public_key is None:
            raise ServiceError("platform_key.unknown_previous",
                               "没有登记的当前平台密钥：请用 --previous-public-key 给出轮换前的平台公钥（yiwang keys list 可查）")  # fmt: skip
        previous = _register_original(previous_public_key)
    elif (
        previous_public_key is not None and fingerprint(previous_public_key) != previous.fingerprint
    ):
        raise ServiceError("platform_key.previous_mismatch",
                           f"--previous-public-key 与登记的当前平台密钥（指纹 {previous.fingerprint}）不符")  # fmt: skip
    new_fingerprint = fingerprint(new_key.public_key)
    if any(k.fingerprint == new_fingerprint for k in [*registered, previous]):
        raise ServiceError(
            "platform_key.reused", "新平台密钥与当前或曾经使用的平台密钥相同：请使用新生成的密钥"
        )
    _check_compromise_time(previous, compromised_since, now)
    before = audit.snapshot(previous, KEY_FIELDS)
    previous.valid_until, previous.compromised_at = now, compromised_since
    previous.status = (
        PlatformKeyStatus.COMPROMISED if compromised_since else PlatformKeyStatus.RETIRED
    )
    previous.save(update_fields=["valid_until", "compromised_at", "status"])
    new = PlatformKey.objects.create(fingerprint=new_fingerprint, public_key=new_key.public_key.hex(),
                                     status=PlatformKeyStatus.CURRENT, valid_from=now, note=note.strip()[:200])  # fmt: skip
    audit.record(actor=actor, action="platform_key.rotate", target=previous, before=before,
                 after={**audit.snapshot(previous, KEY_FIELDS), "replaced_by": new_fingerprint,
                        "operator": _operator(), "note": note.strip()})  # fmt: skip
    audit.record(
        actor=actor, action="platform_key.create", target=new, after=audit.snapshot(new, KEY_FIELDS)
    )
    return new


@transaction.atomic
def mark_compromised(
    *, actor, key_fingerprint: str, since: datetime.datetime, note: str = ""
) -> PlatformKey:
    """A retired key found to have leaked: what it signed from `since` on is no longer trusted.
    (The current key is replaced with `rotate_platform_key(compromised_since=…)` instead.)"""
    key = PlatformKey.objects.select_for_update().filter(fingerprint=key_fingerprint).first()
    if key is None:
        raise ServiceError(
            "platform_key.not_found", f"没有指纹为 {key_fingerprint} 的平台密钥", status=404
        )
    if key.status == PlatformKeyStatus.CURRENT:
        raise ServiceError(
            "platform_key.current",
            "当前签名密钥泄露时，请用 yiwang keys rotate --compromised-since 轮换",
        )
    if key.compromised_at and key.compromised_at <= since:
        raise ServiceError("platform_key.already_compromised", "该密钥已登记了更早的泄露时间")
    _check_compromise_time(key, since, timezone.now())
    before = audit.snapshot(key, KEY_FIELDS)
    key.status, key.compromised_at = PlatformKeyStatus.COMPROMISED, since
    key.save(update_fields=["status", "compromised_at"])
    audit.record(actor=actor, action="platform_key.compromise", target=key, before=before,
                 after={**audit.snapshot(key, KEY_FIELDS), "operator": _operator(), "note": note.strip()})  # fmt: skip
    return key


def _check_compromise_time(
    key: PlatformKey, since: datetime.datetime | None, now: datetime.datetime
) -> None:
    if since is None:
        return
    if since > now:
        raise ServiceError("validation_failed", "泄露时间不能晚于现在")
    if key.valid_from and since < key.valid_from:
        raise ServiceError(
            "validation_failed", f"泄露时间不能早于该密钥的启用时间（{key.describe_range()}）"
        )


def _operator() -> str:
    """Who ran the command, as the machine knows them: keys are changed from a shell, not a page."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
