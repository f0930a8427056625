"""Who sees ratings and rectifications: the rater, the rated department, supervisors.

Public pages show only aggregated satisfaction, never single ratings.
"""

from django.db.models import Q

from yiwang.core.choices import Role
from yiwang.core.permissions import has_role, is_user, org_ids_with_role, rule

DEPARTMENT_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)


@rule("reviews.rating", "view")
def _view_ratings(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    own = Q(rater=actor) if is_user(actor) else Q(pk__in=[])
    return qs.filter(own | Q(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES)))


@rule("reviews.rectification", "view")
def _view_rectifications(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    own = Q(rating__rater=actor) if is_user(actor) else Q(pk__in=[])
    return qs.filter(own | Q(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES)))


@rule("reviews.rectification", "reply")
def _reply_rectifications(actor, qs):
    return qs.filter(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES))
