"""What the platform publishes so that anyone can verify licences offline.

- The key set: every seal's public key (JWK, with issuer, validity and status), plus the
  platform key. The set is itself signed by the platform key and valid for an hour, so that a
  seal key is trusted only when the platform vouches for it; the platform key's SM3 fingerprint
  is what verifiers pin (printed on the verify page and in the key set). After a rotation the
  set also lists the retired platform keys with the time each was in force (and compromised
  ones, marked so), so that status lists and key sets they signed earlier still verify.
- Three W3C Bitstring Status Lists: revocation and suspension (one bit per licence), and
  message (two bits: why a licence stopped — revoked, cancelled or superseded by a new
  version). Each is a GZIP-compressed bitstring, base64url with the multibase prefix "u", of at
  least 131,072 bits; entry i (most significant bit first) is licence `status_index` i. A list
  credential is signed with the platform's SM2 key over its RFC 8785 canonical JSON.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import threading

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from yiwang.core import crypto, platform_keys
from yiwang.core.choices import PlatformKeyStatus
from yiwang.core.models import PlatformKey
from yiwang.licences import documents, keys
from yiwang.licences.choices import REVOKING, LicenceStatus, SealAlgorithm, StatusPurpose
from yiwang.licences.models import IssuingSeal, Licence

MIN_BITS = 131_072  # 16 KiB: the W3C minimum, so that one licence's bit says little about who it is
LIST_TTL = datetime.timedelta(hours=1)
PLATFORM_USE = "platform"
PURPOSE_STATUSES = {
    StatusPurpose.REVOCATION: frozenset(REVOKING),
    StatusPurpose.SUSPENSION: frozenset({LicenceStatus.SUSPENDED}),
    StatusPurpose.MESSAGE: frozenset(REVOKING),
}
# The message list's values (statusSize 2), as each licence's entry declares them.
MESSAGE_VALUES = {LicenceStatus.REVOKED: 1, LicenceStatus.CANCELLED: 2, LicenceStatus.SUPERSEDED: 3}
_cache: dict[str, tuple[object, dict]] = {}
_lock = threading.Lock()


def fingerprint(public_key: bytes) -> str:
    """A platform key's fingerprint: the SM3 digest (64 hex digits) of its uncompressed point."""
    return crypto.sm3_hex(public_key)


def platform_fingerprint() -> str:
    return fingerprint(crypto.platform_key().public_key)


def platform_key_id(public_key: bytes | None = None) -> str:
    """The `kid` of a platform key (the signing one by default) in key sets and proofs."""
    return "platform-" + keys.key_id_for(public_key or crypto.platform_key().public_key)[:24]


def _now() -> datetime.datetime:
    return timezone.now().astimezone(datetime.UTC).replace(microsecond=0)


def _sign(body: dict, now: datetime.datetime) -> dict:
    """`body` with the platform's proof over its canonical JSON."""
    signature = crypto.platform_key().sign(crypto.canonical_json(body))
    return {**body, "proof": {"type": "SM2SignatureSM3", "kid": platform_key_id(),
                              "created": now.isoformat(), "signature": signature.hex()}}  # fmt: skip


def _fresh(credential: dict) -> bool:
    until = datetime.datetime.fromisoformat(credential["validUntil"])
    return until - timezone.now() > LIST_TTL / 2


# --- key set ------------------------------------------------------------------


def platform_key_history(
    signer: bytes | None = None,
) -> tuple[PlatformKey | None, list[PlatformKey]]:
    """The record of the key signing now (`signer`, the configured key by default; None when it
    is not registered) and the platform's other keys, oldest first, each with the time it was in
    force: what a key set or status list downloaded before a rotation was signed with."""
    signer_fingerprint = fingerprint(signer or crypto.platform_key().public_key)
    ring = platform_keys.KeyRing.load()
    earlier = [key for key in ring.ordered() if key.fingerprint != signer_fingerprint]
    return ring.find(signer_fingerprint), earlier


def _retired_platform_entries(signer: bytes) -> list[dict]:
    """The platform's other keys, with the time each was in force: what verifies the lists they
    signed before a rotation. A compromised key is listed as such, so that verifiers drop it."""
    return [{**keys.jwk(SealAlgorithm.SM2, bytes.fromhex(key.public_key)),
             "kid": platform_key_id(bytes.fromhex(key.public_key)), "alg": "SM2SignatureSM3",
             "use": PLATFORM_USE, "status": key.status, "fingerprint": key.fingerprint,
             "valid_from": key.valid_from.isoformat() if key.valid_from else None,
             "valid_until": key.valid_until.isoformat() if key.valid_until else None,
             **({"compromised_at": key.compromised_at.isoformat()} if key.compromised_at else {})}
            for key in platform_key_history(signer)[1]]  # fmt: skip


def _seal_entries(key_ids=None) -> list[dict]:
    seals = IssuingSeal.objects.select_related("organisation").order_by("id")
    if key_ids is not None:
        seals = seals.filter(key_id__in=key_ids)
    return [{**keys.jwk(seal.algorithm, bytes.fromhex(seal.public_key)), "kid": seal.key_id,
             "alg": documents.PROOF_TYPES[seal.algorithm], "use": "licence",
             "issuer": {"name": seal.organisation.name, "code": seal.organisation.uscc},
             "seal_name": seal.name, "valid_from": seal.valid_from.isoformat(),
             "valid_until": seal.valid_until.isoformat(), "status": seal.status}
            for seal in seals]  # fmt: skip


def key_set(key_ids=None) -> dict:
    """The seals' public keys and the platform keys, signed by the platform key (valid an hour).

    `key_ids` limits the seals (the wallet download embeds only the one that signed); the full
    set is cached until a seal or a platform key changes or half its validity has passed."""
    platform = crypto.platform_key().public_key
    entries = [*_seal_entries(key_ids), *_retired_platform_entries(platform)]
    if key_ids is None:
        with _lock:
            cached = _cache.get("keys")
            if cached and cached[0] == (platform, entries) and _fresh(cached[1]):
                return cached[1]
    now = _now()
    signed = _sign({
        "id": documents.public_url("/api/v1/licences/keys"), "issuer": documents.public_url("/"),
        "validFrom": now.isoformat(), "validUntil": (now + LIST_TTL).isoformat(),
        "platform_key_fingerprint": fingerprint(platform),
        "keys": [*entries, {**keys.jwk(SealAlgorithm.SM2, platform), "kid": platform_key_id(),
                            "alg": "SM2SignatureSM3", "use": PLATFORM_USE, "status": PlatformKeyStatus.CURRENT.value}],
    }, now)  # fmt: skip
    if key_ids is None:
        with _lock:
            _cache["keys"] = ((platform, entries), signed)
    return signed


# --- status lists -------------------------------------------------------------


def status_size(purpose: str) -> int:
    return 2 if purpose == StatusPurpose.MESSAGE else 1


def encode_statuses(values, entries: int, size: int = 1) -> str:
    """A bitstring of `entries` statuses of `size` bits, with (index, value) pairs set, encoded."""
    bits = bytearray(entries * size // 8)
    for index, value in values:
        for k in range(size):
            if value >> (size - 1 - k) & 1:
                position = index * size + k
                bits[position // 8] |= 0x80 >> (position % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def encode_bits(indexes, size: int) -> str:
    """A one-bit list of `size` entries with `indexes` set."""
    return encode_statuses(((i, 1) for i in indexes), size)


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList 应以多基前缀 u 开头")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def value_at(bits: bytes, index: int, size: int = 1) -> int:
    """The status of entry `index` (`size` bits, most significant first)."""
    if index < 0 or (index + 1) * size > len(bits) * 8:
        raise ValueError("状态序号超出状态列表长度")
    value = 0
    for position in range(index * size, (index + 1) * size):
        value = value << 1 | bool(bits[position // 8] & (0x80 >> (position % 8)))
    return value


def bit_at(bits: bytes, index: int) -> bool:
    return bool(value_at(bits, index))


def status_list(purpose: str) -> dict:
    """The signed status-list credential for `purpose`, rebuilt when any licence changed.

    The cache stamp counts and sums the listed licences too: a status change whose transaction
    commits after a later one (an older `status_changed_at` than the newest) still shows; it
    names the signing key too, so a rotated key re-signs at once."""
    listed = Q(status__in=PURPOSE_STATUSES[purpose])
    stamp = (crypto.platform_key().public_key, *Licence.objects.aggregate(n=Count("id"), top=Max("status_index"), changed=Max("status_changed_at"),
                                            listed=Count("id", filter=listed),
                                            listed_sum=Sum("status_index", filter=listed)).values())  # fmt: skip
    with _lock:
        cached = _cache.get(purpose)
        if cached and cached[0] == stamp and _fresh(cached[1]):
            return cached[1]
    rows = Licence.objects.filter(status__in=PURPOSE_STATUSES[purpose]).values_list(
        "status_index", "status"
    )
    if purpose == StatusPurpose.MESSAGE:
        values = ((index, MESSAGE_VALUES[status]) for index, status in rows.iterator())
    else:
        values = ((index, 1) for index, _status in rows.iterator())
    entries = max(MIN_BITS, ((stamp[2] or 0) // MIN_BITS + 1) * MIN_BITS)
    credential = sign_list(purpose, encode_statuses(values, entries, status_size(purpose)))
    with _lock:
        _cache[purpose] = (stamp, credential)
    return credential


def sign_list(purpose: str, encoded: str) -> dict:
    """A status-list credential for `purpose` carrying `encoded`, signed now by the platform."""
    url = documents.status_list_url(purpose)
    now = _now()
    return _sign({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": documents.public_url("/"),
        "validFrom": now.isoformat(),
        "validUntil": (now + LIST_TTL).isoformat(),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": purpose, "encodedList": encoded},
    }, now)  # fmt: skip


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def bundle(licence: Licence) -> dict:
    """The signed JSON a holder downloads, with the material to check it offline embedded: the
    signing seal's key in a key set signed by the platform, and every status list as of the
    download. Its status lists and key set are valid for an hour: later, a verifier fetches
    fresh ones (the licence's own signature stays checkable)."""
    return {**documents.wrapped(licence), "material": {
        "keys": key_set(key_ids=[licence.seal.key_id]),
        "status_lists": [status_list(purpose) for purpose in StatusPurpose.values],
        "note": "离线核验材料截至下载时，一小时内有效；此后请下载最新的公钥集和状态列表，或访问 verification_url",
    }}  # fmt: skip
