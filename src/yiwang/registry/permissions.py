"""Who may load into and read the registries.

A data officer (or an admin above) of the resource's owner loads and sees the loads;
the owner's API clients may push batches; supervisors see every load.
"""

from django.db.models import Q

from yiwang.catalog.permissions import writable_org_ids
from yiwang.core.choices import Role
from yiwang.core.permissions import has_role, is_client, org_ids_with_role, rule


@rule("registry.load", "view")
def _view_loads(actor, qs):
    if is_client(actor):
        return qs.filter(client=actor)
    if has_role(actor, Role.SUPERVISOR):
        return qs
    return qs.filter(Q(resource__owner_id__in=writable_org_ids(actor)) | Q(created_by=actor))


@rule("catalog.resource", "load")
def _loadable_resources(actor, qs):
    if is_client(actor):
        return qs.filter(owner_id=actor.organisation_id)
    return qs.filter(owner_id__in=writable_org_ids(actor))


@rule("catalog.resource", "read_records")
def _readable_records(actor, qs):
    """Reading the stored records on the platform's pages: the owner's staff and supervisors."""
    if has_role(actor, Role.SUPERVISOR):
        return qs
    return qs.filter(owner_id__in=writable_org_ids(actor) | org_ids_with_role(actor, *Role.values))


def sees_sent_values(actor, load) -> bool:
    """Whether the actor sees a load's quarantined rows as the department sent them.

    The owning department's data officers (and its own administrators and systems) must fix
    those rows, so they see their values. Everyone else who may follow the load — supervisors,
    the bureau, administrators of the organisations above — sees personal values masked.
    """
    owner_id = load.resource.owner_id
    if is_client(actor):
        return actor.organisation_id == owner_id
    return owner_id in org_ids_with_role(actor, Role.DATA_OFFICER, Role.ADMIN)
