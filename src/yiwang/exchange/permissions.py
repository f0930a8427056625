"""Who sees and decides access requests and grants.

The requesting department's data officers see their requests and grants; the owning
department's data officers see the requests for their resources and decide them;
supervisors see everything. A department system sees its own grants.
"""

from django.db.models import Q

from yiwang.catalog.permissions import writable_org_ids
from yiwang.core.choices import Role
from yiwang.core.permissions import has_role, is_client, rule


def _either_side(actor, qs):
    if is_client(actor):
        return qs.filter(client=actor)
    if has_role(actor, Role.SUPERVISOR):
        return qs
    mine = writable_org_ids(actor)
    return qs.filter(Q(client__organisation_id__in=mine) | Q(resource__owner_id__in=mine))


@rule("exchange.accessrequest", "view")
def _view_requests(actor, qs):
    return _either_side(actor, qs)


@rule("exchange.grant", "view")
def _view_grants(actor, qs):
    return _either_side(actor, qs)


@rule("exchange.accessrequest", "decide")
def _decide_requests(actor, qs):
    return qs.filter(resource__owner_id__in=writable_org_ids(actor))


@rule("exchange.grant", "change")
def _change_grants(actor, qs):
    return qs.filter(resource__owner_id__in=writable_org_ids(actor))


@rule("exchange.exchangelog", "view")
def _view_logs(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    mine = writable_org_ids(actor)
    return qs.filter(Q(organisation_id__in=mine) | Q(resource__owner_id__in=mine))
