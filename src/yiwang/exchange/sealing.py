"""The exchange log is sealed like the audit log: SM3 digests chained and signed with SM2."""

import datetime

from yiwang.core import crypto
from yiwang.core.sealing import SealedLog
from yiwang.exchange.models import ExchangeLog, ExchangeSeal

SEAL_BATCH = 20_000
_LOCK_KEY = 0x59574558  # "YWEX", a PostgreSQL advisory lock id


def log_digest(entry: ExchangeLog) -> str:
    payload = {
        "id": entry.id,
        "occurred_at": entry.occurred_at.astimezone(datetime.UTC).isoformat(),
        "who": [entry.client_id, entry.organisation_id, entry.grant_id],
        "what": [entry.resource_id, entry.operation, entry.field_codes, entry.record_count],
        "why": [entry.purpose, entry.case_number],
        "keys": entry.key_hashes,
        "subjects": sorted(s.subject_hash for s in entry.subjects.all()),
        "outcome": [entry.status, entry.error_code, entry.request_id],
    }
    return crypto.sm3_hex(crypto.canonical_json(payload))


EXCHANGE_LOG = SealedLog(
    label="交换日志",
    rows=lambda: ExchangeLog.objects.prefetch_related("subjects"),
    seal_model=ExchangeSeal,
    digest=log_digest,
    lock_key=_LOCK_KEY,
)
