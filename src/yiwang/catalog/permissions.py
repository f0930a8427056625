"""Who may see and change the catalog.

- Published resources are visible to every government staff member and API client;
  drafts and retired resources only to the owner's staff, supervisors and admins above.
- A data officer (数据管理员) writes only their own organisation's resources.
- Demands are visible to the requesting and the owning organisation; the owner decides them.
"""

from django.db.models import Q

from yiwang.catalog.choices import OpenType, ResourceStatus
from yiwang.core.choices import Role
from yiwang.core.permissions import (
    administered_org_ids,
    has_role,
    is_client,
    org_ids_with_role,
    rule,
)


def staff_org_ids(actor) -> set[int]:
    return org_ids_with_role(actor, *Role.values)


def is_government(actor) -> bool:
    return is_client(actor) or bool(staff_org_ids(actor))


def writable_org_ids(actor) -> set[int]:
    """Organisations whose catalog entries the actor may write."""
    return org_ids_with_role(actor, Role.DATA_OFFICER) | administered_org_ids(actor)


@rule("catalog.resource", "view")
def _view_resources(actor, qs):
    published = Q(status=ResourceStatus.PUBLISHED)
    if is_client(actor):
        return qs.filter(published)
    if not is_government(actor):
        return qs.filter(published & ~Q(open_type=OpenType.NOT_OPEN))
    if has_role(actor, Role.SUPERVISOR):
        return qs
    return qs.filter(published | Q(owner_id__in=staff_org_ids(actor) | administered_org_ids(actor)))


@rule("catalog.resource", "change")
def _change_resources(actor, qs):
    if is_client(actor):  # the owner's own systems (GovStack database/modify), through services
        return qs.filter(owner_id=actor.organisation_id)
    return qs.filter(owner_id__in=writable_org_ids(actor))


@rule("core.organisation", "write_catalog")
def _catalog_owners(actor, qs):
    return qs.filter(id__in=writable_org_ids(actor))


@rule("catalog.demand", "view")
def _view_demands(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    mine = staff_org_ids(actor) | administered_org_ids(actor)
    return qs.filter(Q(requester_id__in=mine) | Q(resource__owner_id__in=mine))


@rule("catalog.demand", "decide")
def _decide_demands(actor, qs):
    # The owner answers a demand for its resource; a demand for data not in the catalog has no
    # owner yet, so an administrator above the requester (the 数据局 for the city) answers it.
    own = Q(resource__owner_id__in=writable_org_ids(actor))
    uncatalogued = Q(resource__isnull=True, requester_id__in=administered_org_ids(actor))
    return qs.filter(own | uncatalogued)


def _visible_resources(actor):
    from yiwang.catalog.models import Resource

    return Resource.objects.restrict(actor, "view").values("pk")


@rule("catalog.responsibility", "view")
def _view_responsibilities(actor, qs):
    # Government sees the list, but not a draft of another department through it.
    if not is_government(actor):
        return qs.none()
    mine = staff_org_ids(actor) | administered_org_ids(actor)
    return qs.filter(Q(resource__in=_visible_resources(actor)) | Q(organisation_id__in=mine))


@rule("catalog.negativeentry", "view")
def _view_negative_list(actor, qs):
    if not is_government(actor):
        return qs.none()
    return qs.filter(resource__in=_visible_resources(actor))
