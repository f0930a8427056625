"""Offline verification of a signed licence JSON (what `yiwang verify FILE` does).

Nothing in the presented files is trusted by itself. The verifier holds trust anchors: SM3
fingerprints of platform keys (this deployment's own, configured ones, or the platform key of a
key set the verifier downloaded itself). A key set counts only when it is signed by an anchored
platform key; a seal key counts only when it is in such a key set; a status list counts only
when the same platform key signed it, its `id` is the licence's `statusListCredential`, and —
for anything that can change back (suspension, "not revoked") — it is still within its
`validUntil`. A revoked, cancelled or superseded bit is final, so an expired list that shows one
still settles the matter.

After a rotation of the platform key, a trusted key set also lists the platform's retired keys
with the time each was in force: a status list signed by one of them counts when it was issued
before that key's retirement. A key set marks a compromised key, which counts for nothing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from yiwang.core import crypto
from yiwang.core.choices import PlatformKeyStatus
from yiwang.core.identifiers import IdentifierError, validate_licence_id
from yiwang.licences import documents, keys, publication
from yiwang.licences.choices import SealAlgorithm, SealStatus, StatusPurpose
from yiwang.licences.choices import VerificationState as State
from yiwang.licences.verification import (
    MESSAGES,
    SEAL_OUT_OF_DATE,
    Verification,
    _fail,
    date_state,
    hex_bytes,
    public_summary,
    signed_parts,
)

FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
FINAL = (State.SUPERSEDED, State.CANCELLED, State.REVOKED)  # most specific first
REVOKED_UNSPECIFIED = "revoked-unspecified"  # the one-bit revocation list cannot say which
MESSAGE_STATES = {
    "revoked": State.REVOKED,
    "cancelled": State.CANCELLED,
    "superseded": State.SUPERSEDED,
}
UNSPECIFIED_REVOCATION = "证照已被吊销、注销或变更为新版本（未提供失效原因列表，无法区分）"


class Untrusted(Exception):
    """The key set is not vouched for by a trusted platform key."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed (spaces, colons, an "SM3:" prefix, any case) in canonical form;
    ValueError when it is not 64 hexadecimal digits."""
    value = re.sub(r"[\s:]", "", str(text or "")).lower().removeprefix("sm3")
    if not FINGERPRINT.match(value):
        raise ValueError("平台公钥指纹应为 64 位十六进制数字（SM3）")
    return value


@dataclass
class TrustedKeys:
    """A key set whose platform signature checked out against a trust anchor."""

    platform_key: bytes
    fingerprint: str
    seals: dict[str, dict]
    valid_until: str
    platform_keys: dict[str, tuple[bytes, str | None]]  # kid → (key, retired at) for status lists

    def fresh(self, now: datetime.datetime) -> bool:
        return _not_after(self.valid_until, now)


def _key(key_set: dict, kid, use: str) -> dict | None:
    for key in key_set.get("keys", []) if isinstance(key_set.get("keys"), list) else []:
        if isinstance(key, dict) and key.get("kid") == kid and key.get("use") == use:
            return key
    return None


def _platform_entry(key_set) -> tuple[bytes, dict] | None:
    """The platform key the key set names as its signer, with the proof; None when absent."""
    if not isinstance(key_set, dict) or not isinstance(key_set.get("proof"), dict):
        return None
    proof = key_set["proof"]
    entry = _key(key_set, proof.get("kid"), publication.PLATFORM_USE)
    try:
        algorithm, public = keys.public_key_from_jwk(entry or {})
    except (ValueError, KeyError, TypeError):
        return None
    return (public, proof) if algorithm == SealAlgorithm.SM2 else None


def signing_fingerprint(key_set) -> str | None:
    """The fingerprint of the platform key that a key set says signed it (not yet checked)."""
    found = _platform_entry(key_set)
    return publication.fingerprint(found[0]) if found else None


def trust_key_set(key_set, anchors) -> TrustedKeys:
    """The key set's seals, once its platform signature verifies with an anchored key."""
    found = _platform_entry(key_set)
    if found is None:
        raise Untrusted("公钥集没有平台签名，无法确认其中的印章公钥")
    public, proof = found
    fingerprint = publication.fingerprint(public)
    if fingerprint not in anchors:
        raise Untrusted(f"公钥集由平台公钥 {fingerprint} 签发，它不是受信任的平台公钥："
                        "请向颁发平台核对其公布的平台公钥指纹后指定为信任锚")  # fmt: skip
    body = documents.presented_bytes({k: v for k, v in key_set.items() if k != "proof"})
    if body is None or not crypto.sm2_verify(public, body, hex_bytes(proof.get("signature"))):
        raise Untrusted("公钥集的平台签名无效：公钥集被改动过")
    seals = {
        k.get("kid"): k
        for k in key_set["keys"]
        if isinstance(k, dict) and k.get("use") == "licence"
    }
    return TrustedKeys(platform_key=public, fingerprint=fingerprint, seals=seals,
                       valid_until=str(key_set.get("validUntil", "")),
                       platform_keys={**_retired_platform_keys(key_set), proof.get("kid"): (public, None)})  # fmt: skip


def _retired_platform_keys(key_set: dict) -> dict[str, tuple[bytes, str | None]]:
    """The retired platform keys a trusted key set lists, with when each was retired."""
    retired = {}
    for entry in key_set["keys"]:
        if not (isinstance(entry, dict) and entry.get("use") == publication.PLATFORM_USE
                and entry.get("status") == PlatformKeyStatus.RETIRED and entry.get("valid_until")):  # fmt: skip
            continue
        try:
            algorithm, public = keys.public_key_from_jwk(entry)
        except (ValueError, KeyError, TypeError):
            continue
        if algorithm == SealAlgorithm.SM2:
            retired[entry.get("kid")] = (public, str(entry["valid_until"]))
    return retired


def verify_offline(document, *, key_set, status_lists: list, anchors, today: datetime.date | None = None,
                   now: datetime.datetime | None = None) -> Verification:  # fmt: skip
    """Verify a signed licence JSON with no access to the platform (see the module docstring).

    `anchors` are the trusted platform-key fingerprints; `today` judges the licence's dates,
    `now` the validity of the key set and status lists."""
    today, now = today or timezone.localdate(), now or timezone.now()
    content, proof = signed_parts(document)
    if content is None:
        return _fail(State.MALFORMED, message='内容应为 {"licence": …, "proof": …} 形式的签名 JSON')
    identifier = str(content.get("id", ""))
    try:
        validate_licence_id(identifier)
    except IdentifierError as exc:
        return _fail(State.MALFORMED, identifier, f"{MESSAGES[State.MALFORMED]}：{exc.message}")
    try:
        trusted = trust_key_set(key_set, set(anchors))
    except Untrusted as exc:
        return _fail(
            State.SIGNATURE_INVALID,
            identifier,
            f"{MESSAGES[State.SIGNATURE_INVALID]}：{exc.message}",
        )
    kid = proof.get("kid")
    seal = trusted.seals.get(kid) if isinstance(kid, str) else None
    presented = documents.presented_bytes(content)
    if seal is None or presented is None or not _signed_by(seal, presented, proof.get("signature")):
        return _fail(State.SIGNATURE_INVALID, identifier)
    if not _issued_within(seal, content):
        return _fail(State.SIGNATURE_INVALID, identifier, SEAL_OUT_OF_DATE)
    lists = status_lists if isinstance(status_lists, list) else []
    return _judge(identifier, content, trusted, lists, today, now)


def _judge(identifier, content, trusted: TrustedKeys, status_lists, today, now) -> Verification:
    state, message, problems = _offline_status(content, trusted.platform_keys, status_lists, now)
    if not trusted.fresh(now):
        problems.append(
            f"公钥集已过期（有效至 {trusted.valid_until}），印章此后可能已被作废：请下载最新公钥集"
        )
    state = state or date_state(content, today)
    if state is None and problems:
        state = State.STATUS_UNKNOWN
    state = state or State.VALID
    return Verification(state=state, message=message or MESSAGES[state], identifier=identifier,
                        licence=public_summary(content), signature_valid=True,
                        reason="；".join(problems) if state != State.VALID else "")  # fmt: skip


def _signed_by(key: dict, message: bytes, signature) -> bool:
    try:
        algorithm, public = keys.public_key_from_jwk(key)
    except (ValueError, KeyError, TypeError):
        return False
    if key.get("status") == SealStatus.REVOKED:
        return False
    return keys.verify(algorithm, public, message, hex_bytes(signature))


def _issued_within(key: dict, content: dict) -> bool:
    issued = str(content.get("issued_on") or "")
    return str(key.get("valid_from", "")) <= issued <= str(key.get("valid_until", "9999-12-31"))


def _not_after(until: str, now: datetime.datetime) -> bool:
    try:
        return now <= datetime.datetime.fromisoformat(str(until))
    except (ValueError, TypeError):
        return False


# --- status lists ---------------------------------------------------------------


def _offline_status(content: dict, platform_keys: dict, status_lists: list,
                    now) -> tuple[str | None, str | None, list[str]]:  # fmt: skip
    """(a settled state or None, its message, what could not be established)."""
    settled, problems = set(), []
    for entry in content.get("status") or []:
        if not isinstance(entry, dict):
            continue
        label = _label(entry.get("statusPurpose"))
        credential = _list_for(entry, status_lists, platform_keys)
        if credential is None:
            problems.append(
                f"未提供平台签名的{label}状态列表（{entry.get('statusListCredential')}）"
            )
            continue
        value = _value(credential, entry)
        if value is None:
            problems.append(f"{label}状态列表无法读取，或其中没有本证照的状态序号")
            continue
        state = _state_of(entry, value)
        if state in (*FINAL, REVOKED_UNSPECIFIED) or (
            state and _not_after(credential.get("validUntil"), now)
        ):
            settled.add(state)
        elif not _not_after(credential.get("validUntil"), now):
            problems.append(
                f"{label}状态列表已过期（有效至 {credential.get('validUntil')}）：请下载最新状态列表"
            )
        elif state is False:
            problems.append(f"{label}状态列表中的值未在证照中定义")
    return _settle(settled, problems)


def _settle(settled: set, problems: list[str]) -> tuple[str | None, str | None, list[str]]:
    for state in FINAL:
        if state in settled:
            return state, None, problems
    if REVOKED_UNSPECIFIED in settled:
        return State.REVOKED, UNSPECIFIED_REVOCATION, problems
    if State.SUSPENDED in settled:
        return State.SUSPENDED, None, problems
    return None, None, problems


def _label(purpose) -> str:
    return StatusPurpose(purpose).label if purpose in StatusPurpose.values else str(purpose)


def _list_for(entry: dict, status_lists: list, platform_keys: dict) -> dict | None:
    """The newest list that is the entry's (same id and purpose) and signed by a platform key."""
    candidates = [c for c in status_lists if isinstance(c, dict) and c.get("id") == entry.get("statusListCredential")
                  and _list_purpose(c) == entry.get("statusPurpose") and _list_signed(c, platform_keys)]  # fmt: skip
    return max(candidates, key=lambda c: str(c.get("validFrom", "")), default=None)


def _list_purpose(credential: dict) -> str | None:
    subject = credential.get("credentialSubject")
    return subject.get("statusPurpose") if isinstance(subject, dict) else None


def _list_signed(credential: dict, platform_keys: dict) -> bool:
    """Whether the platform key the list's proof names signed it, and — for a retired key —
    did so before it was retired."""
    proof = credential.get("proof")
    if not isinstance(proof, dict) or not isinstance(proof.get("kid"), str):
        return False
    public, retired_at = platform_keys.get(proof["kid"], (None, None))
    if public is None or (retired_at and not _issued_by(credential.get("validFrom"), retired_at)):
        return False
    body = documents.presented_bytes({k: v for k, v in credential.items() if k != "proof"})
    return body is not None and crypto.sm2_verify(public, body, hex_bytes(proof.get("signature")))


def _issued_by(issued, retired_at: str) -> bool:
    """Whether a list issued at `issued` was issued no later than `retired_at`."""
    try:
        return datetime.datetime.fromisoformat(str(issued)) <= datetime.datetime.fromisoformat(
            retired_at
        )
    except (ValueError, TypeError):
        return False


def _value(credential: dict, entry: dict) -> int | None:
    """The licence's status value in a list; None when the list or the entry is unreadable."""
    try:
        bits = publication.decode_bits(credential["credentialSubject"]["encodedList"])
        size = int(entry.get("statusSize", 1))
        return publication.value_at(bits, int(entry["statusListIndex"]), size)
    except (ValueError, KeyError, TypeError, OSError, EOFError):
        return None


def _state_of(entry: dict, value: int):
    """What a status value means: a state, None for "nothing to report", False when undefined."""
    purpose = entry.get("statusPurpose")
    if purpose == StatusPurpose.SUSPENSION:
        return State.SUSPENDED if value else None
    if purpose == StatusPurpose.REVOCATION:
        return REVOKED_UNSPECIFIED if value else None
    messages = entry.get("statusMessage") if isinstance(entry.get("statusMessage"), list) else []
    for item in messages:
        try:
            if isinstance(item, dict) and int(str(item.get("status")), 16) == value:
                return MESSAGE_STATES.get(item.get("message"), False) if value else None
        except ValueError:
            continue
    return False
