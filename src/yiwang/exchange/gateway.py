"""The shared-data gateway (共享接口): lookup, batch lookup and verification (数据核验)
for department systems, governed by grants.

Every call — answered or refused — is written to the exchange log and committed before
the answer leaves, with the keys and the subjects (whose data was read) as keyed hashes.
Only granted fields are returned; personal fields are masked unless the grant allows them.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yiwang.catalog.choices import DataType, ResourceStatus, ShareType
from yiwang.catalog.models import Resource
from yiwang.core import hotsql
from yiwang.core.errors import ServiceError
from yiwang.core.masking import mask
from yiwang.core.middleware import request_id_var
from yiwang.core.nul import NUL_CODE, NUL_MESSAGE
from yiwang.core.services import KEY_COLUMNS, KEY_TABLES, client_of_key, key_digest, key_prefix
from yiwang.exchange import case_numbers
from yiwang.exchange.choices import GrantStatus
from yiwang.exchange.inputs import header_encoding_error, header_text
from yiwang.exchange.models import ExchangeLog, ExchangeSubject, Grant
from yiwang.registry import keys as registry_keys
from yiwang.registry.models import Record
from yiwang.registry.selectors import mask_kind
from yiwang.registry.validation import FieldSpec, RowValidator

MAX_BATCH = 1000
SUBJECT_TYPES = ("ric", "uscc")


NOT_READ = object()


class GatewayError(ServiceError):
    """A refused gateway call; it is logged like an answered one."""


@cache
def _hmac_key(subject_key: str) -> bytes:
    return hmac.new(subject_key.encode(), b"yiwang-exchange-subject", hashlib.sha256).digest()


def _hash_under(subject_key: str, identifier: str) -> str:
    normalised = identifier.strip().upper().encode()
    return hmac.new(_hmac_key(subject_key), normalised, hashlib.sha256).hexdigest()


def subject_hash(identifier: str) -> str:
    """The keyed hash under which an exchange records whose data it read (a 身份号码 or a USCC):
    always under the current key (YIWANG_SUBJECT_HASH_KEY, else SECRET_KEY)."""
    return _hash_under(settings.SUBJECT_HASH_KEY, identifier)


def subject_hashes(identifier: str) -> list[str]:
    """Every hash the log may hold for `identifier`: under the current key and each previous one
    (YIWANG_SUBJECT_HASH_PREVIOUS_KEYS). Looking up a person's history matches them all, so that
    changing the key never detaches the rows written before."""
    keys = dict.fromkeys([settings.SUBJECT_HASH_KEY, *settings.SUBJECT_HASH_PREVIOUS_KEYS])
    return [_hash_under(key, identifier) for key in keys]


@dataclass
class Call:
    """One gateway call in progress: who, what, why; logged when it ends."""

    client: object
    operation: str
    purpose: str = ""
    case_number: str = ""
    resource: Resource | None = None
    grant: Grant | None = None
    started: float = field(default_factory=time.perf_counter)
    plan: tuple | None = None
    field_codes: tuple = ()  # what a grant-less platform read took (申请预填)
    prefetched: object = NOT_READ  # a lookup's record, read with the grant (NOT_READ: not read yet)

    def log(
        self, *, status: int, keys=(), subjects=(), count: int = 0, error_code: str = "",
        fields=None,
    ) -> int:  # fmt: skip
        """Write the log row and its subjects, committed before anything is answered; returns its id.

        `fields`: the fields the call used when they are fewer than its grant's (a verification
        uses only the fields it compared); by default the grant's, or the grant-less call's."""
        if fields is None:
            fields = self.grant.field_codes if self.grant else self.field_codes
        row = {
            "occurred_at": timezone.now(), "client_id": self.client.pk, "organisation_id": self.client.organisation_id,
            "resource_id": self.resource.pk if self.resource else None, "grant_id": self.grant.pk if self.grant else None,
            "operation": self.operation, "purpose": self.purpose[:300], "case_number": self.case_number[:64],
            "key_hashes": [subject_hash(k)[:32] for k in keys][:MAX_BATCH],
            "field_codes": list(fields),
            "record_count": count,
            "status": status, "error_code": error_code, "request_id": request_id_var.get(),
            "latency_ms": round((time.perf_counter() - self.started) * 1000, 3),
        }  # fmt: skip
        subjects = sorted(set(subjects))
        if connection.vendor == "postgresql":
            return _log_in_one_statement(row, subjects)
        with transaction.atomic():
            entry = ExchangeLog.objects.create(**row)
            ExchangeSubject.objects.bulk_create(
                ExchangeSubject(log=entry, subject_hash=h) for h in subjects
            )
        return entry.pk

    def refuse(self, status: int, code: str, message: str, keys=(), retry_after: int | None = None):
        self.log(status=status, keys=keys, error_code=code)
        error = GatewayError(code, message, status=status)
        error.retry_after = retry_after
        raise error


_LOG_COLUMNS = ("occurred_at", "client_id", "organisation_id", "resource_id", "grant_id", "operation", "purpose",
                "case_number", "key_hashes", "field_codes", "record_count", "status", "error_code", "request_id",
                "latency_ms")  # fmt: skip
_LOG_ONE_STATEMENT = """
WITH entry AS (
    INSERT INTO exchange_exchangelog (occurred_at, client_id, organisation_id, resource_id, grant_id, operation,
        purpose, case_number, key_hashes, field_codes, record_count, status, error_code, request_id, latency_ms)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s, %s, %s)
    RETURNING id
), subjects AS (
    INSERT INTO exchange_exchangesubject (log_id, subject_hash)
    SELECT entry.id, s FROM entry, unnest(%s::varchar[]) AS s
)
SELECT id FROM entry
"""


def _log_in_one_statement(row: dict, subjects: list[str]) -> int:
    """PostgreSQL: the log row and its subjects in one statement, one round trip, atomic by itself."""
    values = [
        json.dumps(row[c]) if c in ("key_hashes", "field_codes") else row[c] for c in _LOG_COLUMNS
    ]
    with hotsql.cursor() as cursor:
        cursor.execute(_LOG_ONE_STATEMENT, [*values, subjects])
        return cursor.fetchone()[0]


def _check_quota(call: Call) -> None:
    """Per-client quotas (per minute, per day), counted from the exchange log itself.

    Each server process re-counts a client's calls from the log at most once per
    COUNT_TTL seconds and adds its own calls in between, so the check costs almost nothing
    per call; calls other processes made in the last COUNT_TTL seconds may be missed.
    """
    client, now = call.client, timezone.now()
    minute_ago = now - datetime.timedelta(seconds=60)
    if (
        _counted(("minute", client.pk), lambda: _logged_since(client.pk, minute_ago))
        >= client.quota_per_minute
    ):
        call.refuse(429, "exchange.quota_minute", f"超过每分钟 {client.quota_per_minute} 次的调用上限",
                    retry_after=_minute_wait(client.pk, now))  # fmt: skip
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if (
        _counted(("day", client.pk, midnight.date()), lambda: _logged_since(client.pk, midnight))
        >= client.quota_per_day
    ):
        tomorrow = midnight + datetime.timedelta(days=1)
        call.refuse(429, "exchange.quota_day", f"超过每日 {client.quota_per_day} 次的调用上限",
                    retry_after=int((tomorrow - now).total_seconds()) + 1)  # fmt: skip


_counts: dict[tuple, tuple[float, int]] = {}
COUNT_TTL = {"minute": 1.0, "day": 10.0}  # seconds a process may reuse a count from the log


def _logged_since(client_id: int, since) -> int:
    return ExchangeLog.objects.filter(
        client_id=client_id, occurred_at__gte=since, status__lt=429
    ).count()


def _counted(key: tuple, count_from_log) -> int:
    """Calls so far for `key` (this one not included): from the log, refreshed every COUNT_TTL."""
    cached = _counts.get(key)
    if cached and time.monotonic() - cached[0] < COUNT_TTL[key[0]]:
        _counts[key] = (cached[0], cached[1] + 1)
        return cached[1]
    count = count_from_log()
    _counts[key] = (time.monotonic(), count + 1)
    return count


def _minute_wait(client_id: int, now) -> int:
    oldest = (ExchangeLog.objects.filter(client_id=client_id, occurred_at__gte=now - datetime.timedelta(seconds=60))
              .order_by("occurred_at").values_list("occurred_at", flat=True).first())  # fmt: skip
    return (
        max(1, int((oldest + datetime.timedelta(seconds=60) - now).total_seconds()) + 1)
        if oldest
        else 60
    )


_resources: dict[int, tuple[float, Resource | None]] = {}
RESOURCE_TTL = 5.0  # seconds a process reuses a resource's definition (fields, share type)


def published_resource(resource_id: int) -> Resource | None:
    """The published resource with its fields, reused for a few seconds per process."""
    cached = _resources.get(resource_id)
    if cached and time.monotonic() - cached[0] < RESOURCE_TTL:
        return cached[1]
    resource = (Resource.objects.filter(pk=resource_id, status=ResourceStatus.PUBLISHED)
                .select_related("negative_entry").prefetch_related("fields").first())  # fmt: skip
    if resource is not None:  # 不予共享: by its share type or its 负面清单 entry
        resource.not_shared = resource.share_type == ShareType.NONE or hasattr(
            resource, "negative_entry"
        )
    _resources[resource_id] = (time.monotonic(), resource)
    return resource


# The hot path reads with prepared SQL rather than the ORM: compiling a query costs more than
# running it here. Both answer exactly what the ORM queries they replace would.
_GRANT_IN_FORCE = (
    "SELECT id, field_codes, clear_fields, purpose FROM exchange_grant WHERE client_id = %s AND resource_id = %s "
    "AND status = 'active' AND valid_from <= %s AND valid_until >= %s ORDER BY created_at DESC LIMIT 1"
)
_RECORD_BY_KEY = "SELECT key, data FROM registry_record WHERE resource_id = %s AND key = %s"


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def grant_in_force(client_id: int, resource_id: int, today) -> Grant | None:
    with hotsql.cursor() as cursor:
        cursor.execute(_GRANT_IN_FORCE, [client_id, resource_id, today, today])
        row = cursor.fetchone()
    return None if row is None else _grant(client_id, resource_id, row)


def _grant(client_id: int, resource_id: int, columns) -> Grant:
    """A grant in force from its (id, field_codes, clear_fields, purpose) as read by raw SQL."""
    return Grant(id=columns[0], client_id=client_id, resource_id=resource_id, field_codes=_json(columns[1]),
                 clear_fields=_json(columns[2]), purpose=columns[3], status=GrantStatus.ACTIVE)  # fmt: skip


# A lookup's key, client, grant and record in ONE statement: the grant only for a usable key
# with this secret, the record only with a grant, so that nothing is read for a caller who
# could not have it. `client_of_key` then checks the key as `authenticate_api_key` does.
_KEY_GRANT_AND_RECORD = (
    f"SELECT {KEY_COLUMNS}, g.id, g.field_codes, g.clear_fields, g.purpose, r.key, r.data FROM {KEY_TABLES} "  # noqa: S608
    "LEFT JOIN exchange_grant g ON k.digest = %s AND k.revoked_at IS NULL AND k.expires_at > %s AND c.is_active "
    "AND g.id = (SELECT id FROM exchange_grant WHERE client_id = c.id AND resource_id = %s AND status = 'active' "
    "AND valid_from <= %s AND valid_until >= %s ORDER BY created_at DESC LIMIT 1) "
    "LEFT JOIN registry_record r ON g.id IS NOT NULL AND r.resource_id = %s AND r.key = %s "
    "WHERE k.prefix = %s"
)


def authenticate_lookup(secret: str, resource_id: int, key: str):
    """(the client of the API key `secret`, the client's grant in force on the resource, the record
    with `key`) in one round trip, for the gateway's hottest call; None for what is not there, and
    the grant and the record are None without a client."""
    prefix = key_prefix(secret)
    if prefix is None:
        return None, None, None
    now = timezone.now()
    today = timezone.localdate(now)
    with hotsql.cursor() as cursor:
        cursor.execute(_KEY_GRANT_AND_RECORD, [key_digest(secret), now, resource_id, today, today,
                                               resource_id, key, prefix])  # fmt: skip
        row = cursor.fetchone()
    client = client_of_key(secret, row)
    if client is None or row[14] is None:
        return client, None, None
    grant = _grant(client.pk, resource_id, row[14:18])
    record = (
        None
        if row[18] is None
        else Record(resource_id=resource_id, key=row[18], data=_json(row[19]))
    )
    return client, grant, record


def stored_key(resource: Resource | None, key: str) -> str:
    """A requested key as the resource's registry stores it (`registry.keys.stored_key`)."""
    if resource is None:
        return key
    return registry_keys.stored_key([f.data_type for f in resource.fields.all() if f.is_key], key)


def as_stored(field, text: str) -> str:
    """A value of `field` (None: no known field) written as its registry stores it."""
    return registry_keys.as_stored(field.data_type if field is not None else "", text)


def record_by_key(resource_id: int, key: str) -> Record | None:
    with hotsql.cursor() as cursor:
        cursor.execute(_RECORD_BY_KEY, [resource_id, key])
        row = cursor.fetchone()
    return None if row is None else Record(resource_id=resource_id, key=row[0], data=_json(row[1]))


def open_call(
    *,
    client,
    resource_id: int,
    operation: str,
    purpose: str = "",
    case_number: str = "",
    read: tuple | None = None,
) -> Call:
    """Resolve the resource and the client's grant in force, or refuse (and log) the call.

    A lookup read its grant and record with the client's key already: `read` is then
    (grant, record) from `authenticate_lookup`."""
    purpose_text, case_text = header_text(purpose), header_text(case_number)
    call = Call(client=client, operation=operation, purpose=purpose_text or "",
                case_number=case_text or "")  # fmt: skip
    if purpose_text is None or case_text is None:
        error = header_encoding_error("X-Purpose" if purpose_text is None else "X-Case-Number")
        call.refuse(400, error.code, error.message)  # logged without it: its text is unknown
    if "\x00" in call.purpose or (
        call.case_number and not case_numbers.is_case_number(call.case_number)
    ):
        _refuse_headers(call)
    _check_quota(call)
    resource = published_resource(resource_id)
    if resource is None:
        call.refuse(404, "exchange.no_resource", "资源不存在或未发布")
    call.resource = resource
    if resource.not_shared:
        call.refuse(403, "exchange.not_shared", "该资源列入负面清单，不予共享")
    today = timezone.localdate()
    if read is not None:  # the record is used only once the grant is known to cover it
        grant, call.prefetched = read
    else:
        grant = grant_in_force(client.pk, resource.pk, today)
    if grant is None:
        call.refuse(
            403,
            "exchange.no_grant",
            "该应用系统没有此资源的有效授权（未申请、已过期、已暂停或已撤销）",
        )
    call.grant = grant
    if resource.share_type == ShareType.CONDITIONAL and len(call.purpose) < 2:
        call.refuse(
            400,
            "exchange.purpose_required",
            "有条件共享的资源须在 X-Purpose 请求头中说明用途（UTF-8 百分号编码）",
        )
    return call


def _refuse_headers(call: Call) -> None:
    """A purpose carrying NUL, or a case number of the wrong shape (logged without the NUL)."""
    if "\x00" in call.purpose + call.case_number:
        call.purpose, call.case_number = (
            call.purpose.replace("\x00", ""),
            call.case_number.replace("\x00", ""),
        )
        call.refuse(400, NUL_CODE, NUL_MESSAGE)
    call.refuse(400, case_numbers.CODE, case_numbers.MESSAGE)


def _plan(call: Call) -> tuple[list[tuple[str, str | None]], tuple[str, ...]]:
    """Per call, once: each granted field with its mask kind (None: shown clear), and the
    fields that name the record's subjects (every 身份号码 and USCC field, granted or not)."""
    if call.plan is None:
        fields = list(call.resource.fields.all())
        clear = set(call.grant.clear_fields)
        by_code = {f.code: f for f in fields}
        shown = []
        for code in call.grant.field_codes:
            f = by_code.get(code)  # None: a field the resource has since dropped, never shown clear
            personal = f is None or (f.is_personal and code not in clear)
            shown.append((code, ((f and mask_kind(f)) or "***") if personal else None))
        call.plan = (shown, tuple(f.code for f in fields if f.data_type in SUBJECT_TYPES))
    return call.plan


def _shape(call: Call, data: dict) -> dict:
    """Only granted fields; personal ones masked unless the grant allows clear values."""
    shown = {}
    for code, kind in _plan(call)[0]:
        value = data.get(code)
        if kind is not None and value not in (None, ""):
            value = "***" if kind == "***" else mask(kind, value)
        shown[code] = value
    return shown


def _hash_subjects(codes, data: dict) -> list[str]:
    """The hashes of the record's 身份号码 and USCC values in these fields: whose data it holds (a
    company's record names its legal representative too)."""
    return [subject_hash(str(data[code])) for code in codes if data.get(code)]


def _subjects(call: Call, data: dict) -> list[str]:
    return _hash_subjects(_plan(call)[1], data)


def record_subjects(resource: Resource, data: dict) -> list[str]:
    """Whose data a record holds, for a call without a grant's plan (a GovStack write, a platform
    read)."""
    return _hash_subjects(
        (f.code for f in resource.fields.all() if f.data_type in SUBJECT_TYPES), data
    )


def lookup(call: Call, key: str) -> dict:
    record, stored = call.prefetched, stored_key(call.resource, key)
    # Read with the grant under the key as sent: a key written otherwise is read again as stored.
    if record is NOT_READ or (record is None and stored != key):
        record = record_by_key(call.resource.pk, stored)
    if record is None:
        call.refuse(404, "exchange.not_found", "未找到该记录", keys=[stored])
    call.log(status=200, keys=[stored], subjects=_subjects(call, record.data), count=1)
    return _shape(call, record.data)


def batch(call: Call, keys: list[str]) -> dict:
    """Records by key; each is answered under the key as it was sent (trimmed), found under the
    key as the registry stores it (`stored_key`)."""
    keys = list(dict.fromkeys(k.strip() for k in keys if k and k.strip()))
    if not keys or len(keys) > MAX_BATCH:
        call.refuse(
            400,
            "exchange.batch_size",
            f"每次批量查询 1 至 {MAX_BATCH} 个主键",
            keys=keys[:MAX_BATCH],
        )
    stored = {k: stored_key(call.resource, k) for k in keys}
    wanted = list(dict.fromkeys(stored.values()))
    found = {
        r.key: r.data
        for r in Record.objects.filter(resource=call.resource, key__in=wanted).only("key", "data")
    }
    subjects = [s for data in found.values() for s in _subjects(call, data)]
    call.log(status=200, keys=wanted, subjects=subjects, count=len(found))
    return {
        "records": {k: _shape(call, found[stored[k]]) for k in keys if stored[k] in found},
        "missing": [k for k in keys if stored[k] not in found],
    }


def verify(call: Call, key: str, claims: dict) -> dict:
    """数据核验: match / no match per claimed field, without returning any value."""
    unknown = [c for c in claims if c not in call.grant.field_codes]
    if unknown or not claims:
        call.refuse(400, "exchange.verify_fields", "只能核验已授权的信息项", keys=[key])
    stored = stored_key(call.resource, key)
    record = record_by_key(call.resource.pk, stored)
    data = record.data if record else {}
    fields = {f.code: f for f in call.resource.fields.all()}
    # An empty field matches no claim: str(None) is "None", which a claim could spell.
    result = {code: data.get(code) not in (None, "") and _claim_matches(fields.get(code), data[code], value)
              for code, value in claims.items()}  # fmt: skip
    call.log(
        status=200,
        keys=[stored],
        subjects=_subjects(call, data) if record else [],
        count=int(record is not None),
        fields=list(claims),  # only the compared fields were used, not every granted one
    )
    return {"found": record is not None, "matches": result}


def _as_loaded(item, text: str):
    """A value of the field `item` written as a load stores it (2015/6/1 as 2015-06-01, "是" as
    true); None if a load would refuse it or it is empty."""
    spec = FieldSpec(code=item.code, name=item.name, data_type=item.data_type,
                     length=item.length, enum_values=tuple(item.enum_values or ()))  # fmt: skip
    values, errors = RowValidator([spec]).validate_mapping(1, {item.code: text})
    return None if errors else values[item.code]


def _claim_matches(item, stored, claimed: str) -> bool:
    """Whether a claimed value of the field `item` is the stored one once written as a load
    stores it: a date claimed as 2015/6/1 is the 2015-06-01 on record, 100.5 the 100.50. A claim
    a load would refuse matches nothing."""
    if item is None:  # a field the resource has since dropped: compare the text
        return str(stored).strip() == as_stored(None, claimed)
    value = _as_loaded(item, claimed)
    if value is None:
        return False
    if item.data_type != DataType.DECIMAL:
        return str(stored) == str(value)
    try:
        return Decimal(str(stored)) == Decimal(value)
    except InvalidOperation:  # a stored value no load would write now
        return False


MAX_PAGE_SIZE = 100


def filter_listing(
    call: Call, filters: dict[str, str], *, page: int = 1, page_size: int = 20
) -> dict:
    """条件查询: records whose filterable, granted fields equal the given values, a page at a time."""
    from yiwang.registry.filtering import filter_records

    filterable = {f.code: f for f in call.resource.fields.all() if f.filterable}
    allowed = filterable.keys() & set(call.grant.field_codes)
    wrong = [code for code in filters if code not in allowed]
    if not filters or wrong:
        names = "、".join(sorted(allowed)) or "（无）"
        call.refuse(400, "exchange.filter_field", f"只能按已授权且可查询的信息项过滤：{names}")
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    # Each value as a load stores it (03 as 3, 2015/6/1 as 2015-06-01); a boolean's text differs
    # per database (1 in SQLite, true in PostgreSQL), so it is compared as JSON.
    wanted = {code: _as_loaded(filterable[code], value) for code, value in filters.items()}
    texts = {c: v for c, v in wanted.items() if not isinstance(v, bool)}
    matching = filter_records(Record.objects.filter(resource=call.resource), texts)
    matching = matching.filter(
        **{f"data__{c}": v for c, v in wanted.items() if isinstance(v, bool)}
    )
    if None in wanted.values():  # a value no load would store: no record holds it
        matching = matching.none()
    count = matching.count()
    rows = list(
        matching.order_by("key").only("key", "data")[(page - 1) * page_size : page * page_size]
    )
    subjects = [s for r in rows for s in _subjects(call, r.data)]
    call.log(status=200, keys=[r.key for r in rows], subjects=subjects, count=len(rows))
    return {
        "items": [_shape(call, r.data) for r in rows],
        "count": count,
        "page": page,
        "page_size": page_size,
    }
