"""Writes of the exchange: access requests, decisions, and the life of grants."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from yiwang.catalog import services as catalog
from yiwang.catalog.choices import ResourceStatus, ShareType
from yiwang.catalog.models import NegativeEntry, Resource
from yiwang.core import audit
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import ApiClient
from yiwang.core.permissions import can
from yiwang.exchange.choices import GrantStatus, RequestStatus
from yiwang.exchange.models import AccessRequest, Grant

MAX_PERIOD = datetime.timedelta(days=3 * 366)


def _check_fields(resource: Resource, field_codes: list[str]) -> list[str]:
    known = list(resource.fields.values_list("code", flat=True))
    codes = [c for c in dict.fromkeys(field_codes or known)]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ServiceError("exchange.unknown_fields", f"资源没有这些信息项：{'、'.join(unknown)}")
    return codes


@transaction.atomic
def request_access(*, actor, client: ApiClient, resource: Resource, purpose: str, legal_basis: str,
                   field_codes: list[str] | None = None, valid_from: datetime.date | None = None,
                   valid_until: datetime.date | None = None, expected_volume: int = 0) -> AccessRequest:  # fmt: skip
    """共享申请 for one of the actor's department systems.

    无条件共享 is granted at once (and still recorded); 有条件共享 waits for the owner;
    不予共享 is refused, citing its 负面清单 entry.
    """
    if not can(actor, "manage_clients", client.organisation):
        raise PermissionDenied("只能为本单位的应用系统申请共享")
    if resource.status != ResourceStatus.PUBLISHED:
        raise NotFound("信息资源")
    if len(purpose.strip()) < 2 or len(legal_basis.strip()) < 2:
        raise ServiceError("validation_failed", "请写明用途和依据")
    today = timezone.localdate()
    valid_from = valid_from or today
    valid_until = valid_until or today + datetime.timedelta(days=365)
    if valid_until < valid_from or valid_until - valid_from > MAX_PERIOD:
        raise ServiceError("validation_failed", "授权期限应在 3 年以内，且截止日期不早于起始日期")
    if valid_until < today:
        raise ServiceError(
            "exchange.period_ended", f"截止日期 {valid_until} 已过，请选择今天或以后的截止日期"
        )
    request = AccessRequest.objects.create(
        requester=client.organisation, client=client, resource=resource, field_codes=_check_fields(resource, field_codes),
        purpose=purpose.strip(), legal_basis=legal_basis.strip(), valid_from=valid_from, valid_until=valid_until,
        expected_volume=expected_volume, created_by=actor,
    )  # fmt: skip
    audit.record(
        actor=actor, action="access.request", target=request, after=audit.snapshot(request)
    )
    if (refusal := _not_shared(resource)) is not None:
        _decide(actor, request, RequestStatus.REFUSED, refusal)
    elif resource.share_type == ShareType.UNCONDITIONAL:
        _decide(actor, request, RequestStatus.APPROVED, "无条件共享，自动授权")
        _grant(actor, request, request.field_codes, [])
    return request


def _not_shared(resource: Resource) -> str | None:
    """Why the resource is not shared (不予共享 or on the 负面清单), or None if it is."""
    entry = NegativeEntry.objects.filter(resource=resource).first()
    if entry is None and resource.share_type != ShareType.NONE:
        return None
    return f"列入负面清单：{entry.legal_basis if entry else '该资源不予共享'}"


def _refuse_if_not_shared(resource: Resource) -> None:
    if (refusal := _not_shared(resource)) is not None:
        raise ServiceError("exchange.not_shared", f"该资源不予共享（{refusal}），不能授权")


def _decide(actor, request: AccessRequest, status: str, reason: str) -> None:
    before = audit.snapshot(request)
    request.status, request.decision_reason = status, reason[:500]
    request.decided_at = timezone.now()
    request.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    request.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
    audit.record(
        actor=actor,
        action=f"access.{status}",
        target=request,
        before=before,
        after=audit.snapshot(request),
    )


def _grant(actor, request: AccessRequest, field_codes: list[str], clear_fields: list[str]) -> Grant:
    grant = Grant.objects.create(
        client=request.client, resource=request.resource, request=request, field_codes=field_codes,
        clear_fields=clear_fields, purpose=request.purpose, valid_from=request.valid_from,
        valid_until=request.valid_until,
    )  # fmt: skip
    audit.record(actor=actor, action="grant.create", target=grant, after=audit.snapshot(grant))
    catalog.mark_demands_met(actor=actor, requester=request.requester, resource=request.resource,
                             field_codes=field_codes)  # fmt: skip
    return grant


@transaction.atomic
def decide_request(*, actor, request: AccessRequest, approve: bool, reason: str = "",
                   field_codes: list[str] | None = None, clear_fields: list[str] | None = None) -> AccessRequest:  # fmt: skip
    """The owner approves (possibly fewer fields, clear values for some personal ones) or rejects with a reason."""
    if not AccessRequest.objects.restrict(actor, "decide").filter(pk=request.pk).exists():
        raise NotFound("共享申请")
    # As stored now, not as the caller read it: another officer may have decided it meanwhile.
    request = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("resource")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.PENDING:
        raise ServiceError("exchange.decided", "该申请已处理")
    if not approve:
        if len(reason.strip()) < 2:
            raise ServiceError("validation_failed", "驳回须说明理由")
        _decide(actor, request, RequestStatus.REJECTED, reason)
        return request
    if field_codes is not None and not field_codes:
        raise ServiceError("validation_failed", "请至少批准一个信息项，或驳回申请")
    if request.valid_until < timezone.localdate():
        raise ServiceError("exchange.period_ended", f"申请的授权期限已于 {request.valid_until} "
                           "截止，批准即为已过期的授权；请驳回，由申请部门重新申请")  # fmt: skip
    if request.resource.status != ResourceStatus.PUBLISHED:  # 停用 since the request was made
        raise ServiceError("exchange.resource_retired",
                           "资源已停用，批准后的授权也不会生效；请驳回该申请")  # fmt: skip
    _refuse_if_not_shared(request.resource)
    granted = _check_fields(request.resource, field_codes or request.field_codes)

    if not set(granted) <= set(request.field_codes):
        raise ServiceError("exchange.fields_exceed", "批准的信息项不能超出申请范围")
    personal = set(request.resource.fields.filter(is_personal=True).values_list("code", flat=True))
    clear = [c for c in (clear_fields or []) if c in granted]
    if not set(clear) <= personal:
        raise ServiceError("validation_failed", "只有个人信息项需要设置明文")
    _decide(actor, request, RequestStatus.APPROVED, reason or "同意")
    _grant(actor, request, granted, clear)
    return request


@transaction.atomic
def set_grant_status(*, actor, grant: Grant, status: str, reason: str) -> Grant:
    """暂停 / 恢复 / 撤销 a grant (the owner); a revoked grant stays revoked, and a grant on a
    停用 resource can only be revoked."""
    if not Grant.objects.restrict(actor, "change").filter(pk=grant.pk).exists():
        raise NotFound("共享授权")
    grant = (
        Grant.objects.select_for_update(of=("self",)).select_related("resource").get(pk=grant.pk)
    )
    if status not in GrantStatus.values:
        raise ServiceError("validation_failed", "状态只能是 active、suspended 或 revoked")
    if grant.status == GrantStatus.REVOKED:
        raise ServiceError("exchange.revoked", "已撤销的授权不能再变更")
    if status != GrantStatus.ACTIVE and len(reason.strip()) < 2:
        raise ServiceError("validation_failed", "请说明原因")
    if status != GrantStatus.REVOKED and grant.resource.status == ResourceStatus.RETIRED:
        raise ServiceError("exchange.resource_retired", "资源已停用，其授权只能撤销")
    if status == GrantStatus.ACTIVE:
        _refuse_if_not_shared(grant.resource)
    before = audit.snapshot(grant)
    grant.status, grant.status_reason = status, reason.strip()[:300]
    grant.save(update_fields=["status", "status_reason"])
    audit.record(
        actor=actor,
        action=f"grant.{status}",
        target=grant,
        before=before,
        after=audit.snapshot(grant),
    )
    return grant


@transaction.atomic
def suspend_grants_for_negative_list(*, resource: Resource, actor) -> list[Grant]:
    """列入负面清单: suspend every active grant on the resource, each audited, citing the entry.

    The catalog calls this when it adds a 负面清单 entry; a suspended grant cannot be resumed
    while the resource is not shared. The gateway also refuses a resource that is not shared by
    itself, from its cached definition (within a few seconds of the change).
    """
    if not can(actor, "change", resource):
        raise NotFound("信息资源")
    reason = _not_shared(resource) or "列入负面清单"
    grants = list(
        Grant.objects.select_for_update().filter(resource=resource, status=GrantStatus.ACTIVE)
    )
    for grant in grants:
        before = audit.snapshot(grant)
        grant.status, grant.status_reason = GrantStatus.SUSPENDED, reason[:300]
        grant.save(update_fields=["status", "status_reason"])
        audit.record(actor=actor, action="grant.suspended", target=grant, before=before,
                     after={**audit.snapshot(grant), "cause": "negative_list"})  # fmt: skip
    return grants
