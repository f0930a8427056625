"""Every write of the catalog: keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.catalog.choices import DemandStatus, ResourceStatus, ShareType
from yiwang.catalog.models import (
    Demand,
    Field,
    NegativeEntry,
    Resource,
    ResourceVersion,
    Responsibility,
)
from yiwang.core import audit
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import Organisation
from yiwang.core.permissions import administered_org_ids, can, is_superuser
from yiwang.core.services import full_clean

RESOURCE_FIELDS = (
    "code", "name", "summary", "category", "base_registry", "format", "update_cycle", "share_type",
    "share_condition", "share_method", "open_type", "open_condition", "release_date",
)  # fmt: skip
FIELD_ATTRS = (
    "code", "name", "data_type", "length", "required", "is_key", "is_personal", "filterable", "enum_values",
    "description",
)  # fmt: skip


def _check_owner(actor, owner: Organisation, message: str = "只能编目本单位的信息资源") -> None:
    if not Organisation.objects.restrict(actor, "write_catalog").filter(pk=owner.pk).exists():
        raise PermissionDenied(message)


def _check_text(label: str, *values: str) -> None:
    """Text that pages take straight from the request (not through a form, which refuses NUL):
    PostgreSQL text and jsonb cannot hold NUL, so the write would end in a 500."""
    if any("\x00" in (value or "") for value in values):
        raise ServiceError("validation_failed", f"{label}含有不允许的字符（NUL）")


def _check_writable(actor, resource: Resource) -> None:
    if not can(actor, "change", resource):
        raise NotFound("信息资源")


def resource_snapshot(resource: Resource) -> dict:
    data = audit.snapshot(resource)
    data["fields"] = [audit.snapshot(f, list(FIELD_ATTRS)) for f in resource.fields.all()]
    return data


def _build_fields(resource: Resource, fields: list[dict]) -> list[Field]:
    built, seen = [], set()
    for position, spec in enumerate(fields, start=1):
        unknown = set(spec) - set(FIELD_ATTRS)
        if unknown:
            raise ServiceError(
                "validation_failed", f"信息项含未知属性：{', '.join(sorted(unknown))}"
            )
        field = Field(resource=resource, position=position, **spec)
        if field.code in seen:
            raise ServiceError("catalog.field_duplicate", f"信息项代码「{field.code}」重复")
        seen.add(field.code)
        full_clean(field, exclude=["resource"])
        built.append(field)
    if not any(f.is_key for f in built):
        raise ServiceError("catalog.no_key", "至少需要一个主键信息项，用于标识每条记录")
    return built


@transaction.atomic
def create_resource(*, actor, owner: Organisation, fields: list[dict], **attrs) -> Resource:
    """编目: describe a new resource (a draft) with its 信息项."""
    _check_owner(actor, owner)
    unknown = set(attrs) - set(RESOURCE_FIELDS)
    if unknown:
        raise ServiceError("validation_failed", f"资源含未知属性：{', '.join(sorted(unknown))}")
    if Resource.objects.filter(code=attrs.get("code")).exists():
        raise ServiceError("conflict", f"资源代码 {attrs.get('code')} 已被使用", status=409)
    resource = Resource(owner=owner, status=ResourceStatus.DRAFT, **attrs)
    full_clean(resource)

    built = _build_fields(resource, fields)
    resource.save()
    Field.objects.bulk_create(built)
    audit.record(
        actor=actor, action="resource.create", target=resource, after=resource_snapshot(resource)
    )
    _reindex(resource)
    return resource


@transaction.atomic
def update_resource(
    *, actor, resource: Resource, fields: list[dict] | None = None, note: str = "", **changes
):
    """Change a resource's description (and its fields); a published resource gets a new version.

    An edit that changes nothing (a form saved as it was, a PATCH or an import repeating the
    current values) leaves the resource untouched: no new version, no version-history row and
    no audit row, since none of them would describe a change. The resource is returned as is.
    """
    _check_writable(actor, resource)
    _check_text("变更说明", note)
    unknown = set(changes) - set(RESOURCE_FIELDS) - {"owner"}
    if unknown:
        raise ServiceError("validation_failed", f"不能修改：{', '.join(sorted(unknown))}")
    if "owner" in changes:
        _check_owner(actor, changes["owner"])
    # The stored state, not the instance's: a ModelForm has already written its input into it.
    stored = Resource.objects.get(pk=resource.pk)
    before = resource_snapshot(stored)
    _check_share_type_change(stored, changes.get("share_type", resource.share_type))
    for name, value in changes.items():
        setattr(resource, name, value)
    full_clean(resource)
    built = _build_fields(resource, fields) if fields is not None else None
    if built is not None and resource.status == ResourceStatus.PUBLISHED:
        _check_keys_unchanged(resource, built)
    if not _described_differently(before, resource, built):
        return resource
    # Checked after the comparison: a retired resource's row in a re-imported export is no change.
    if resource.status == ResourceStatus.RETIRED:
        raise ServiceError("catalog.retired", "已停用的资源不能修改")
    if built is not None:
        resource.fields.all().delete()
        Field.objects.bulk_create(built)
    if resource.status == ResourceStatus.PUBLISHED:
        resource.version += 1
    resource.save()
    after = resource_snapshot(resource)
    if resource.status == ResourceStatus.PUBLISHED:
        _record_version(actor, resource, after, note or "变更")
    audit.record(actor=actor, action="resource.update", target=resource, before=before, after=after)
    _reindex(resource)
    return resource


STAMPS = ("version", "updated_at")  # they follow a change; they are not one


def changes_resource(resource: Resource, *, fields: list[dict] | None = None, **changes) -> bool:
    """Whether `update_resource` with these values would change the resource — asked for a
    resource the actor may see but not write (an import of the whole exported catalog): its
    rows left as they were are no change to refuse. Nothing is saved; values that do not
    pass validation count as a change."""
    edited = Resource.objects.get(pk=resource.pk)
    before = resource_snapshot(edited)
    for name, value in changes.items():
        setattr(edited, name, value)
    try:
        full_clean(edited)
        built = _build_fields(edited, fields) if fields is not None else None
    except ServiceError:
        return True
    return _described_differently(before, edited, built)


def _described_differently(before: dict, resource: Resource, built: list[Field] | None) -> bool:
    """Whether the edited resource (and its new fields, if given) differs from `before`."""
    after = audit.snapshot(resource)
    after["fields"] = (
        before["fields"] if built is None else [audit.snapshot(f, list(FIELD_ATTRS)) for f in built]
    )
    return {k: v for k, v in after.items() if k not in STAMPS} != {
        k: v for k, v in before.items() if k not in STAMPS
    }


def _check_share_type_change(resource: Resource, share_type: str) -> None:
    """共享类型 and 负面清单 agree: a resource on the list is 不予共享, and a published
    resource becomes 不予共享 only by being listed (with its legal basis)."""
    listed = NegativeEntry.objects.filter(resource=resource).exists()
    if listed and share_type != ShareType.NONE:
        raise ServiceError(
            "catalog.negative_listed", "该资源列在负面清单中，须先移出负面清单（写明理由）才能共享"
        )
    if (
        not listed
        and share_type == ShareType.NONE
        and resource.share_type != ShareType.NONE
        and resource.status == ResourceStatus.PUBLISHED
    ):
        raise ServiceError(
            "catalog.negative_missing", "已发布资源改为不予共享，须列入负面清单并写明法律依据"
        )


def _check_keys_unchanged(resource: Resource, built: list[Field]) -> None:
    old = [(f.code, f.data_type) for f in resource.fields.all() if f.is_key]
    new = [(f.code, f.data_type) for f in built if f.is_key]
    if old != new:
        raise ServiceError(
            "catalog.key_changed", "已发布资源的主键信息项不能修改；如需调整请停用后新建资源"
        )


def _record_version(actor, resource: Resource, snapshot: dict, note: str) -> None:
    ResourceVersion.objects.create(
        resource=resource, version=resource.version, snapshot=snapshot, note=note[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip


@transaction.atomic
def publish_resource(*, actor, resource: Resource, note: str = "首次发布") -> Resource:
    """发布: make a draft resource visible to other departments (version 1, or the next)."""
    _check_writable(actor, resource)
    if resource.status != ResourceStatus.DRAFT:
        raise ServiceError("catalog.not_draft", "只有草稿状态的资源可以发布")
    if (
        resource.share_type == ShareType.NONE
        and not NegativeEntry.objects.filter(resource=resource).exists()
    ):
        raise ServiceError(
            "catalog.negative_missing", "不予共享的资源须先列入负面清单并写明法律依据"
        )
    before = audit.snapshot(resource)
    resource.status = ResourceStatus.PUBLISHED
    resource.release_date = resource.release_date or timezone.localdate()
    if ResourceVersion.objects.filter(resource=resource).exists():
        resource.version += 1
    resource.save(update_fields=["status", "release_date", "version", "updated_at"])
    _record_version(actor, resource, resource_snapshot(resource), note)
    audit.record(actor=actor, action="resource.publish", target=resource, before=before,
                 after=audit.snapshot(resource))  # fmt: skip
    _reindex(resource)
    return resource


@transaction.atomic
def retire_resource(*, actor, resource: Resource, reason: str) -> Resource:
    """停用: withdraw a published resource; its history stays."""
    _check_writable(actor, resource)
    if resource.status == ResourceStatus.RETIRED:
        raise ServiceError("catalog.retired", "该资源已停用")
    if not reason.strip():
        raise ServiceError("validation_failed", "请填写停用原因")
    _check_text("停用原因", reason)
    before = audit.snapshot(resource)
    resource.status = ResourceStatus.RETIRED
    resource.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="resource.retire", target=resource, before=before,
                 after={**audit.snapshot(resource), "reason": reason})  # fmt: skip
    _reindex(resource)
    return resource


# --- the three lists ---------------------------------------------------------


_AFTER_NEGATIVE_LISTING: list = []


def on_negative_listing(hook):
    """Register `hook(*, resource, actor)`, run in the same transaction each time a resource is
    put on the 负面清单 — the exchange suspends its grants (registered in its `ready()`; the
    catalog does not import the apps that depend on it)."""
    _AFTER_NEGATIVE_LISTING.append(hook)
    return hook


@transaction.atomic
def add_to_negative_list(
    *, actor, resource: Resource, legal_basis: str, note: str = ""
) -> NegativeEntry:
    """列入负面清单: the resource is not shared (不予共享), on the legal basis given.

    The one way an entry is made or its basis amended; the resource's 共享类型 becomes
    不予共享 with it (a published resource gets a new version). The hooks registered with
    `on_negative_listing` run last: the exchange suspends the resource's grants there.
    """
    _check_writable(actor, resource)
    if resource.status == ResourceStatus.RETIRED:
        raise ServiceError("catalog.retired", "已停用的资源不能修改")
    _check_text("依据或备注", legal_basis, note)
    legal_basis = legal_basis.strip()
    if len(legal_basis) < 4:
        raise ServiceError("validation_failed", "请写明不予共享的法律、法规或政策依据")
    existing = NegativeEntry.objects.filter(resource=resource).first()
    before = audit.snapshot(existing) if existing else None
    entry, _ = NegativeEntry.objects.update_or_create(
        resource=resource, defaults={"legal_basis": legal_basis[:500], "note": note[:300]}
    )
    if resource.share_type != ShareType.NONE:
        _set_share_type(actor, resource, ShareType.NONE, "", f"列入负面清单：{legal_basis}")
    audit.record(actor=actor, action="negative_list.set", target=entry, before=before,
                 after=audit.snapshot(entry))  # fmt: skip
    for hook in _AFTER_NEGATIVE_LISTING:
        hook(resource=resource, actor=actor)
    return entry


set_negative_entry = add_to_negative_list  # the name other apps and the demo first used


@transaction.atomic
def remove_from_negative_list(
    *, actor, resource: Resource, share_type: str, reason: str, share_condition: str = ""
) -> Resource:
    """移出负面清单: the resource may be shared again, as 无条件共享 or 有条件共享 (with its
    condition); the reason is kept in the audit log and the version history."""
    _check_writable(actor, resource)
    entry = NegativeEntry.objects.filter(resource=resource).first()
    if entry is None:
        raise ServiceError("catalog.not_negative_listed", "该资源不在负面清单中")
    if resource.status == ResourceStatus.RETIRED:
        raise ServiceError("catalog.retired", "已停用的资源不能修改")
    if share_type not in (ShareType.UNCONDITIONAL, ShareType.CONDITIONAL):
        raise ServiceError(
            "validation_failed", "移出负面清单后，共享类型只能是无条件共享或有条件共享"
        )
    if not reason.strip():
        raise ServiceError("validation_failed", "请写明移出负面清单的理由")
    _check_text("理由或共享条件", reason, share_condition)
    before = audit.snapshot(entry)
    entry.delete()
    _set_share_type(actor, resource, share_type, share_condition, f"移出负面清单：{reason.strip()}")
    audit.record(actor=actor, action="negative_list.remove", target=resource, before=before,
                 after={"share_type": share_type, "reason": reason.strip()})  # fmt: skip
    return resource


def _set_share_type(actor, resource: Resource, share_type: str, condition: str, note: str) -> None:
    """Change the 共享类型 as part of a negative-list change; versioned like any change."""
    before = audit.snapshot(resource)
    resource.share_type = share_type
    resource.share_condition = condition.strip() if share_type == ShareType.CONDITIONAL else ""
    full_clean(resource)
    fields = ["share_type", "share_condition", "updated_at"]
    if resource.status == ResourceStatus.PUBLISHED:
        resource.version += 1
        fields.append("version")
    resource.save(update_fields=fields)
    if resource.status == ResourceStatus.PUBLISHED:
        _record_version(actor, resource, resource_snapshot(resource), note)
    audit.record(actor=actor, action="resource.update", target=resource, before=before,
                 after=audit.snapshot(resource))  # fmt: skip
    _reindex(resource)


@transaction.atomic
def create_demand(*, actor, requester: Organisation, purpose: str, resource: Resource | None = None,
                  description: str = "", field_codes: list[str] | None = None) -> Demand:  # fmt: skip
    """需求清单: organisation `requester` states a need for data, for a purpose."""
    _check_owner(actor, requester, "只能以本单位名义提出数据需求")
    field_codes = list(dict.fromkeys(field_codes or []))
    if resource is not None:
        known = set(resource.fields.values_list("code", flat=True))
        missing = [c for c in field_codes if c not in known]
        if missing:
            raise ServiceError(
                "catalog.unknown_fields", f"资源没有这些信息项：{', '.join(missing)}"
            )
    elif not description.strip():
        raise ServiceError("validation_failed", "目录中没有对应资源时，请描述所需数据")
    demand = Demand(requester=requester, resource=resource, purpose=purpose.strip(),
                    description=description.strip() or (resource.name if resource else ""), field_codes=field_codes)  # fmt: skip
    full_clean(demand)
    demand.save()
    audit.record(actor=actor, action="demand.create", target=demand, after=audit.snapshot(demand))
    return demand


@transaction.atomic
def decide_demand(*, actor, demand: Demand, status: str, reason: str = "") -> Demand:
    """The owner marks a demand met (已满足) or unmeetable (不能满足, with a reason)."""
    if not Demand.objects.restrict(actor, "decide").filter(pk=demand.pk).exists():
        raise NotFound("需求")
    if status not in (DemandStatus.MET, DemandStatus.UNMEETABLE, DemandStatus.PENDING):
        raise ServiceError("validation_failed", "状态只能是待满足、已满足或不能满足")
    if status == DemandStatus.UNMEETABLE and not reason.strip():
        raise ServiceError("validation_failed", "不能满足的需求必须说明原因")
    before = audit.snapshot(demand)
    demand.status, demand.reason = status, reason.strip()
    demand.save(update_fields=["status", "reason", "updated_at"])
    audit.record(
        actor=actor,
        action="demand.decide",
        target=demand,
        before=before,
        after=audit.snapshot(demand),
    )
    return demand


def mark_demands_met(
    *, actor, requester: Organisation, resource: Resource, field_codes: list[str] | None = None
) -> int:
    """Called when access is granted: the requester's pending demands for the resource are met —
    those whose every field (every field of the resource, for a demand naming none) the grant's
    `field_codes` cover (None: the whole resource). Others stay pending."""
    demands = Demand.objects.filter(
        requester=requester, resource=resource, status=DemandStatus.PENDING
    )
    granted = None if field_codes is None else set(field_codes)
    every_field = [] if granted is None else list(resource.fields.values_list("code", flat=True))
    count = 0
    for demand in demands:
        if granted is not None and not set(demand.field_codes or every_field) <= granted:
            continue
        before = audit.snapshot(demand)
        demand.status, demand.reason = DemandStatus.MET, "已授权共享"
        demand.save(update_fields=["status", "reason", "updated_at"])
        audit.record(
            actor=actor,
            action="demand.met",
            target=demand,
            before=before,
            after=audit.snapshot(demand),
        )
        count += 1
    return count


@transaction.atomic
def assign_responsibility(*, actor, organisation: Organisation, resource: Resource, cadence: str,
                          note: str = "") -> Responsibility:  # fmt: skip
    """责任清单: the bureau assigns an organisation to supply a resource at a cadence."""
    if not (is_superuser(actor) or organisation.pk in administered_org_ids(actor)):
        raise PermissionDenied("只有上级管理员可以分配数据供给责任")
    responsibility, _ = Responsibility.objects.update_or_create(
        organisation=organisation, resource=resource, defaults={"cadence": cadence, "note": note}
    )
    full_clean(responsibility)
    audit.record(actor=actor, action="responsibility.assign", target=responsibility,
                 after=audit.snapshot(responsibility))  # fmt: skip
    return responsibility


def note_resource_loaded(*, resource: Resource, at) -> None:
    """The registry reports a successful load (audited there, as the load); sets 最近归集."""
    Resource.objects.filter(pk=resource.pk).update(last_loaded_at=at)
    resource.last_loaded_at = at


def _reindex(resource: Resource) -> None:

    from yiwang.catalog.search import index_resource

    index_resource(resource)
