"""The signed licence document: what is signed, how it is wrapped, where it can be checked.

The signed content is the GB/T 36903 core metadata plus the type's own data, written with
English keys; `status` points at the platform's W3C Bitstring Status Lists. The proof names
the seal's key id, algorithm and the SM2 signer id, and carries the signature in hex.
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings

from yiwang.core import crypto
from yiwang.licences.choices import SealAlgorithm, StatusPurpose

PROOF_TYPES = {SealAlgorithm.SM2: "SM2SignatureSM3", SealAlgorithm.ED25519: "Ed25519Signature"}
ALGORITHMS = {v: k for k, v in PROOF_TYPES.items()}


def public_url(path: str) -> str:
    return settings.YIWANG["PUBLIC_URL"].rstrip("/") + path


def verification_url(identifier: str) -> str:
    """What the licence's QR code carries: the public verify page with the identifier."""
    return public_url("/licences/verify/?" + urlencode({"id": identifier}))


def status_list_url(purpose: str) -> str:
    return public_url(f"/api/v1/licences/status-lists/{purpose}")


def identifier_from_scan(text: str) -> str:
    """The identifier in what was pasted or scanned: a bare identifier, or a verify URL with ?id=."""
    text = (text or "").strip()
    if "://" in text or text.startswith("/"):
        try:
            values = parse_qs(urlsplit(text).query).get("id") or [""]
        except ValueError:  # e.g. "http://[" — not a URL after all
            return ""
        return values[0].strip()
    return text


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def content_for(*, identifier: str, licence_type, issuer, number: str, holder: dict, region_code: str,
                issued_on, valid_from, valid_until, data: dict, version: int, previous: str | None,
                status_index: int) -> dict:  # fmt: skip
    """The content a seal signs (GB/T 36903 core metadata in English keys)."""
    return {
        "id": identifier,
        "name": licence_type.name,
        "type_code": licence_type.code,
        "number": number,
        "issuer": {"name": issuer.name, "code": issuer.uscc},
        "issued_on": _day(issued_on),
        "valid_from": _day(valid_from),
        "valid_until": _day(valid_until),
        "holder": holder,
        "region_code": region_code,
        "data": data,
        "version": version,
        "previous": previous,
        "status": [status_entry(purpose, status_index) for purpose in StatusPurpose.values],
        "verification_url": verification_url(identifier),
    }


# What the message list's values mean (W3C Bitstring Status List `statusMessage`, statusSize 2).
STATUS_MESSAGES = [{"status": "0x0", "message": "not_revoked"}, {"status": "0x1", "message": "revoked"},
                   {"status": "0x2", "message": "cancelled"}, {"status": "0x3", "message": "superseded"}]  # fmt: skip


def status_entry(purpose: str, status_index: int) -> dict:
    """The licence's `BitstringStatusListEntry` for one purpose; the message entry declares its
    two-bit values, so that offline a replayed old version shows as superseded, not revoked."""
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": purpose,
             "statusListIndex": str(status_index), "statusListCredential": status_list_url(purpose)}  # fmt: skip
    if purpose == StatusPurpose.MESSAGE:
        entry.update(statusSize=2, statusMessage=[dict(m) for m in STATUS_MESSAGES])
    return entry


def signed_bytes(content: dict) -> bytes:
    return crypto.canonical_json(content)


def presented_bytes(content) -> bytes | None:
    """The canonical form of presented content, None when it has none (an integer beyond 2^53,
    a non-finite number…): such content cannot be what a seal signed."""
    try:
        return crypto.canonical_json(content)
    except (ValueError, TypeError, OverflowError):
        return None


def proof(seal, signature: bytes, created: datetime.datetime) -> dict:
    return {
        "type": PROOF_TYPES[seal.algorithm],
        "kid": seal.key_id,
        "signer_id": crypto.DEFAULT_SIGNER_ID.decode() if seal.algorithm == SealAlgorithm.SM2 else None,
        "created": created.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "signature": signature.hex(),
    }  # fmt: skip


def wrapped(licence) -> dict:
    """The signed JSON a holder downloads: {"licence": content, "proof": ...}."""
    return {"licence": licence.content, "proof": proof(licence.seal, bytes.fromhex(licence.signature),
                                                       licence.created_at)}  # fmt: skip
