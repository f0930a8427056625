"""Who may see and change service items and themes.

- Published items and themes are public: anyone, signed in or not, reads them.
- Drafts and suspended items: the implementing department's staff, supervisors, admins above it.
- Items and themes are written by admins (系统管理员) of the implementing department or above.
"""

from django.db.models import Q

from yiwang.core.choices import Role
from yiwang.core.permissions import administered_org_ids, has_role, org_ids_with_role, rule
from yiwang.services.choices import ItemStatus


def staff_org_ids(actor) -> set[int]:
    return org_ids_with_role(actor, *Role.values)


@rule("services.serviceitem", "view")
def _view_items(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    own = staff_org_ids(actor) | administered_org_ids(actor)
    return qs.filter(Q(status=ItemStatus.PUBLISHED) | Q(organisation_id__in=own))


@rule("services.serviceitem", "change")
def _change_items(actor, qs):
    return qs.filter(organisation_id__in=administered_org_ids(actor))


@rule("services.theme", "view")
def _view_themes(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    own = staff_org_ids(actor) | administered_org_ids(actor)
    return qs.filter(Q(status=ItemStatus.PUBLISHED) | Q(lead_id__in=own))


@rule("services.theme", "change")
def _change_themes(actor, qs):
    return qs.filter(lead_id__in=administered_org_ids(actor))


@rule("core.organisation", "write_items")
def _item_owners(actor, qs):
    return qs.filter(id__in=administered_org_ids(actor))
