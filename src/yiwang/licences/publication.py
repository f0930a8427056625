"""What the platform publishes so that anyone can verify licences offline.

- The key set: every seal's public key (JWK, with issuer, validity and status), plus the
  platform key that signs the status lists.
- Two W3C Bitstring Status Lists (revocation, suspension): a GZIP-compressed bitstring,
  base64url with the multibase prefix "u", of at least 131,072 bits; bit i (most
  significant bit first) is licence `status_index` i. The list credential is signed with
  the platform's SM2 key over its RFC 8785 canonical JSON, like a licence.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import threading

from django.db.models import Count, Max
from django.utils import timezone

from yiwang.core import crypto
from yiwang.licences import documents, keys
from yiwang.licences.choices import REVOKING, LicenceStatus, SealAlgorithm, StatusPurpose
from yiwang.licences.models import IssuingSeal, Licence

MIN_BITS = 131_072  # 16 KiB: the W3C minimum, so that one licence's bit says little about who it is
LIST_TTL = datetime.timedelta(hours=1)
PURPOSE_STATUSES = {
    StatusPurpose.REVOCATION: frozenset(REVOKING),
    StatusPurpose.SUSPENSION: frozenset({LicenceStatus.SUSPENDED}),
}
_cache: dict[str, tuple[tuple, dict]] = {}
_lock = threading.Lock()


def platform_key_id() -> str:
    return "platform-" + keys.key_id_for(crypto.platform_key().public_key)[:24]


def key_set() -> dict:
    """All seals' public keys and the platform's status-list key, as a JSON key set."""
    entries = []
    for seal in IssuingSeal.objects.select_related("organisation").order_by("id"):
        entries.append({
            **keys.jwk(seal.algorithm, bytes.fromhex(seal.public_key)), "kid": seal.key_id,
            "alg": documents.PROOF_TYPES[seal.algorithm], "use": "licence",
            "issuer": {"name": seal.organisation.name, "code": seal.organisation.uscc},
            "seal_name": seal.name, "valid_from": seal.valid_from.isoformat(),
            "valid_until": seal.valid_until.isoformat(), "status": seal.status,
        })  # fmt: skip
    platform = crypto.platform_key().public_key
    entries.append({**keys.jwk(SealAlgorithm.SM2, platform), "kid": platform_key_id(),
                    "alg": "SM2SignatureSM3", "use": "status-list"})  # fmt: skip
    return {"keys": entries}


# --- status lists -------------------------------------------------------------


def encode_bits(indexes, size: int) -> str:
    bits = bytearray(size // 8)
    for i in indexes:
        bits[i // 8] |= 0x80 >> (i % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList 应以多基前缀 u 开头")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_at(bits: bytes, index: int) -> bool:
    if index // 8 >= len(bits):
        raise ValueError("状态序号超出状态列表长度")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list(purpose: str) -> dict:
    """The signed status-list credential for `purpose`, rebuilt when any licence changed."""
    statuses = PURPOSE_STATUSES[purpose]
    stamp = tuple(Licence.objects.aggregate(n=Count("id"), top=Max("status_index"),
                                            changed=Max("status_changed_at")).values())  # fmt: skip
    with _lock:
        cached = _cache.get(purpose)
        if cached and cached[0] == stamp and _fresh(cached[1]):
            return cached[1]
    indexes = Licence.objects.filter(status__in=statuses).values_list("status_index", flat=True)
    size = max(MIN_BITS, ((stamp[1] or 0) // MIN_BITS + 1) * MIN_BITS)
    credential = _sign_list(purpose, encode_bits(indexes.iterator(), size))
    with _lock:
        _cache[purpose] = (stamp, credential)
    return credential


def _fresh(credential: dict) -> bool:
    until = datetime.datetime.fromisoformat(credential["validUntil"])
    return until - timezone.now() > LIST_TTL / 2


def _sign_list(purpose: str, encoded: str) -> dict:
    url = documents.status_list_url(purpose)
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": documents.public_url("/"),
        "validFrom": now.isoformat(),
        "validUntil": (now + LIST_TTL).isoformat(),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
        },
    }
    signature = crypto.platform_key().sign(crypto.canonical_json(credential))
    credential["proof"] = {"type": "SM2SignatureSM3", "kid": platform_key_id(),
                           "created": now.isoformat(), "signature": signature.hex()}  # fmt: skip
    return credential


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def bundle(licence: Licence) -> dict:
    """The signed JSON a holder downloads, with the material to check it offline embedded: the
    signing seal's and the platform's public keys, and both status lists as of the download."""
    wanted = {licence.seal.key_id, platform_key_id()}
    return {**documents.wrapped(licence), "material": {
        "keys": {"keys": [k for k in key_set()["keys"] if k["kid"] in wanted]},
        "status_lists": [status_list(purpose) for purpose in StatusPurpose.values],
        "note": "离线核验材料截至下载时；最新状态请访问 verification_url 或下载最新状态列表",
    }}  # fmt: skip
