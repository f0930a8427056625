"""Verification of licences online: by identifier (or a presented signed JSON) against the
stored licence. Offline verification (`yiwang verify FILE`) is in `offline`.

Every answer is a `Verification`: a state, its Chinese label, a message, and what may be
shown to anyone — issuer, type, number, dates and the holder masked.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from yiwang.core import masking
from yiwang.core.identifiers import IdentifierError, validate_licence_id
from yiwang.licences import documents, keys
from yiwang.licences.choices import HolderCodeType, LicenceStatus, SealStatus
from yiwang.licences.choices import VerificationState as State
from yiwang.licences.models import Licence

MESSAGES = {
    State.VALID: "证照真实有效",
    State.SUSPENDED: "证照已被颁发机构暂停使用",
    State.REVOKED: "证照已被吊销或注销",
    State.CANCELLED: "证照已注销",
    State.SUPERSEDED: "这是已变更证照的旧版本，请出示最新版本",
    State.EXPIRED: "证照已超过有效期",
    State.NOT_YET_VALID: "证照尚未到有效期起始日",
    State.SIGNATURE_INVALID: "签名验证失败：内容被改动，或不是颁发机构的印章所签",
    State.NOT_FOUND: "本平台没有签发过此标识的证照，二维码或标识可能是伪造的",
    State.MALFORMED: "标识或内容格式不正确",
    State.STATUS_UNKNOWN: "签名有效，但无法离线确认证照当前状态",
}
SEAL_OUT_OF_DATE = "签名印章在证照颁发日期不在其有效期内"
STATUS_STATES = {
    LicenceStatus.SUSPENDED: State.SUSPENDED,
    LicenceStatus.REVOKED: State.REVOKED,
    LicenceStatus.CANCELLED: State.CANCELLED,
    LicenceStatus.SUPERSEDED: State.SUPERSEDED,
    LicenceStatus.EXPIRED: State.EXPIRED,
}


@dataclass
class Verification:
    """The typed result of a verification."""

    state: str
    message: str
    identifier: str = ""
    licence: dict = field(default_factory=dict)
    signature_valid: bool = False
    reason: str = ""

    @property
    def label(self) -> str:
        return State(self.state).label

    @property
    def is_valid(self) -> bool:
        return self.state == State.VALID

    def as_dict(self) -> dict:
        return {"state": self.state, "label": self.label, "valid": self.is_valid, "message": self.message,
                "identifier": self.identifier, "signature_valid": self.signature_valid,
                "reason": self.reason, "licence": self.licence}  # fmt: skip


def _fail(state: str, identifier: str = "", message: str | None = None) -> Verification:
    return Verification(state=state, message=message or MESSAGES[state], identifier=identifier)


def public_summary(content: dict) -> dict:
    """What anyone may see of a licence: the holder masked."""
    holder = content.get("holder") or {}
    return {"name": content.get("name", ""), "number": content.get("number", ""),
            "issuer": (content.get("issuer") or {}).get("name", ""), "type_code": content.get("type_code", ""),
            "issued_on": content.get("issued_on"), "valid_from": content.get("valid_from"),
            "valid_until": content.get("valid_until"), "version": content.get("version"),
            "holder_name": masking.mask_name(str(holder.get("name", ""))),
            "holder_code": masking.mask_ric(str(holder.get("code", ""))),
            "holder_code_type": HolderCodeType(holder["code_type"]).label
            if holder.get("code_type") in HolderCodeType.values else ""}  # fmt: skip


def date_state(content: dict, today: datetime.date) -> str | None:
    start, end = content.get("valid_from"), content.get("valid_until")
    if start and datetime.date.fromisoformat(start) > today:
        return State.NOT_YET_VALID
    if end and datetime.date.fromisoformat(end) < today:
        return State.EXPIRED
    return None


# --- online -------------------------------------------------------------------


def verify_licence(query: str, *, today: datetime.date | None = None) -> Verification:
    """Verify what was pasted or scanned (an identifier, or the verify URL from a QR code).

    Checks the identifier's MOD 37,36 check character, finds the licence, verifies the seal's
    signature over the stored canonical JSON, then its status and dates. Public: the answer
    masks the holder.
    """
    try:
        identifier = validate_licence_id(documents.identifier_from_scan(query))
    except IdentifierError as exc:
        return _fail(State.MALFORMED, message=f"{MESSAGES[State.MALFORMED]}：{exc.message}")
    row = _stored_row(identifier)
    if row is None:
        return _fail(State.NOT_FOUND, identifier)
    return _check(*row, today=today)


# The hot path reads with plain SQL rather than the ORM: compiling the query costs about as
# much as the SM2 verification itself (see `yiwang bench verify`).
_STORED = """
    SELECT l.identifier, l.document, l.signature, l.status, l.status_reason,
           s.algorithm, s.public_key, s.status, s.valid_from, s.valid_until
    FROM licences_licence l JOIN licences_issuingseal s ON s.id = l.seal_id
    WHERE l.identifier = %s
"""


def _stored_row(identifier: str) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(_STORED, [identifier])
        return cursor.fetchone()


def check_stored(licence: Licence, *, today: datetime.date | None = None) -> Verification:
    """Signature, status and dates of one stored licence."""
    seal = licence.seal
    return _check(licence.identifier, licence.document, licence.signature, licence.status, licence.status_reason,
                  seal.algorithm, seal.public_key, seal.status, seal.valid_from, seal.valid_until, today=today)  # fmt: skip


def _check(identifier: str, document: str, signature: str, status: str, reason: str, algorithm: str,
           public_key: str, seal_status: str, seal_from, seal_until, *, today: datetime.date | None) -> Verification:  # fmt: skip
    signed = keys.verify(
        algorithm, bytes.fromhex(public_key), document.encode(), hex_bytes(signature)
    )
    if not signed or seal_status == SealStatus.REVOKED:
        return _fail(State.SIGNATURE_INVALID, identifier)
    content = json.loads(document)
    # Dates come back as date objects (PostgreSQL) or ISO text (SQLite); compared as ISO text.
    if not str(seal_from) <= str(content.get("issued_on")) <= str(seal_until):
        return _fail(State.SIGNATURE_INVALID, identifier, SEAL_OUT_OF_DATE)
    state = (
        STATUS_STATES.get(status)
        or date_state(content, today or timezone.localdate())
        or State.VALID
    )
    return Verification(state=state, message=MESSAGES[state], identifier=identifier,
                        licence=public_summary(content), signature_valid=True,
                        reason=reason if state != State.VALID else "")  # fmt: skip


def verify_document(document: dict, *, today: datetime.date | None = None) -> Verification:
    """Verify a presented signed JSON ({"licence": ..., "proof": ...}) against the stored licence:
    a changed field, another seal's signature or a replayed old version is each detected."""
    content, proof = signed_parts(document)
    if content is None:
        return _fail(State.MALFORMED, message='内容应为 {"licence": …, "proof": …} 形式的签名 JSON')
    try:
        identifier = validate_licence_id(content.get("id"))
    except IdentifierError as exc:
        return _fail(State.MALFORMED, message=f"{MESSAGES[State.MALFORMED]}：{exc.message}")
    licence = Licence.objects.select_related("seal").filter(identifier=identifier).first()
    if licence is None:
        return _fail(State.NOT_FOUND, identifier)
    seal = licence.seal
    presented = documents.presented_bytes(content)
    if (
        presented is None
        or proof.get("kid") != seal.key_id
        or presented != licence.document.encode()
    ):
        return _fail(State.SIGNATURE_INVALID, identifier)
    if not keys.verify(
        seal.algorithm, bytes.fromhex(seal.public_key), presented, hex_bytes(proof.get("signature"))
    ):
        return _fail(State.SIGNATURE_INVALID, identifier)
    return check_stored(licence, today=today)


def signed_parts(document) -> tuple[dict | None, dict]:
    if not isinstance(document, dict):
        return None, {}
    content, proof = document.get("licence"), document.get("proof")
    if not isinstance(content, dict) or not isinstance(proof, dict):
        return None, {}
    return content, proof


def hex_bytes(value) -> bytes:
    try:
        return bytes.fromhex(str(value or ""))
    except ValueError:
        return b""
