"""Who sees cards and 督办: supervisors everything; a department its own, and the 督办 of the
departments below it that were escalated to it for a late reply."""

from django.db.models import Q

from yiwang.core.choices import Role
from yiwang.core.permissions import has_role, org_ids_with_role, rule

DEPARTMENT_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN, Role.DATA_OFFICER, Role.HEAD)


@rule("supervision.card", "view")
def _view_cards(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    return qs.filter(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES))


@rule("supervision.supervisionnotice", "view")
def _view_notices(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    own = org_ids_with_role(actor, *DEPARTMENT_ROLES)
    return qs.filter(Q(organisation_id__in=own) | Q(escalated_to_id__in=own))


@rule("supervision.supervisionnotice", "reply")
def _reply_notices(actor, qs):
    return qs.filter(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES))
