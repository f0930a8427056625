"""myPersonalDataUsage: who read or changed a person's (or a company's) record in one registry,
for that person, asked through a system trusted to have authenticated them."""

from __future__ import annotations

from django.conf import settings

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Resource
from yiwang.core import audit
from yiwang.core.identifiers import IdentifierError, validate_ric, validate_uscc
from yiwang.exchange.choices import ExchangeOperation as Op
from yiwang.exchange.gateway import Call, subject_hashes
from yiwang.exchange.govstack.common import Change, GovStackError, answer, logged_call
from yiwang.exchange.models import ExchangeLog
from yiwang.exchange.selectors import USED

MAX_ENTRIES = 1000


@logged_call(Op.USAGE)
def personal_data_usage(request, call: Call, change: Change):
    """The exchanges that read or changed `userId`'s record in `databaseId`, newest first.

    The lookup is itself logged with the person as its subject: who looked at whose usage is
    a use of that person's data, which they see in their own usage record.
    """
    client = call.client
    if client.identity not in set(getattr(settings, "GOVSTACK_USAGE_CLIENTS", ())):
        raise GovStackError(
            403,
            "govstack.usage_not_authorised",
            "该应用系统未获授权代本人查询数据使用记录（须为经实名认证、代本人查询的系统）",
        )
    subject = _subject(request.GET.get("userId", ""))
    database_id = request.GET.get("databaseId", "").strip()
    resource = Resource.objects.filter(
        code=database_id.replace("-", "/").upper(), status=ResourceStatus.PUBLISHED
    ).first()
    if resource is None:
        raise GovStackError(
            400, "govstack.database_id", "databaseId 应为已发布登记簿的名称，如 B0101-000001"
        )
    call.resource = resource
    hashed = subject_hashes(subject)  # the current key's first
    logs = list(
        ExchangeLog.objects.filter(USED, subjects__subject_hash__in=hashed, resource=resource)
        .select_related("organisation", "client__organisation")
        .distinct()
        .order_by("-occurred_at")[:MAX_ENTRIES]
    )
    audit.record(
        actor=client,
        action="exchange.usage_read",
        target=resource,
        after={"subject_hash": hashed[0][:32], "entries": len(logs)},
    )
    change.subjects, change.count = [hashed[0]], len(logs)  # written under the current key
    return answer([_entry(log) for log in logs])


def _subject(user_id: str) -> str:
    user_id = user_id.strip().upper()
    for validate in (validate_ric, validate_uscc):
        try:
            return validate(user_id)
        except IdentifierError:
            continue
    raise GovStackError(400, "govstack.user_id", "userId 应为有效的公民身份号码或统一社会信用代码")


def _entry(log: ExchangeLog) -> dict:
    """One PersonalDataUsage: the reading (or writing) system and department, when, why, which
    fields, and what it did — ``operation`` and its Chinese name, beyond the spec's properties."""
    return {
        "id": str(log.pk),
        "readerId": log.client.identity,
        "readerInstitutionId": log.organisation.uscc,
        "readerInstitutionName": log.organisation.name,
        "readerApplicationName": log.client.name,
        "searchDateTime": log.occurred_at.isoformat(),
        "refrences": [{"ReferenceID": log.case_number}]
        if log.case_number
        else [],  # the spec's spelling
        "purpose": log.purpose,
        "fields": log.field_codes,
        "operation": log.operation,
        "operationName": log.get_operation_display(),
    }
