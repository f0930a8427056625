"""Who sees ratings and rectifications: the case's applicant, the rated department, supervisors.

The applicant is whoever may act as the case's applicant (the person who applied, the agents
in force of the company that applied), not the account that typed the rating: a rating given
on the window's device has no rater account, and it is still the applicant's to follow up.
Public pages show only aggregated satisfaction, never single ratings.
"""

from django.db.models import Q

from yiwang.core.choices import Role
from yiwang.core.permissions import has_role, is_user, org_ids_with_role, rule

DEPARTMENT_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN, Role.HEAD)


def _applicant_cases(actor):
    from yiwang.cases.models import Case

    return Case.objects.restrict(actor, "apply").values("pk")


def _own(actor, prefix: str) -> Q:
    if not is_user(actor):
        return Q(pk__in=[])
    return Q(**{f"{prefix}rater": actor}) | Q(**{f"{prefix}case__in": _applicant_cases(actor)})


@rule("reviews.rating", "view")
def _view_ratings(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    own = _own(actor, "")
    return qs.filter(own | Q(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES)))


@rule("reviews.rectification", "view")
def _view_rectifications(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    own = _own(actor, "rating__")
    return qs.filter(own | Q(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES)))


@rule("reviews.rectification", "reply")
def _reply_rectifications(actor, qs):
    return qs.filter(organisation_id__in=org_ids_with_role(actor, *DEPARTMENT_ROLES))
