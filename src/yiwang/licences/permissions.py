"""Who may do what with e-licences.

- Seals: the admins of the organisation (or of one above it) see and manage its seals.
- Licence types: anyone sees active types; admins of the defining body change them.
- Licences: staff with an acting role (综合窗口, 审批, 管理) in the issuing organisation, or
  one of its department systems, issue and change them; supervisors see all; a holder sees
  their own — a citizen by 身份号码, a company agent by the USCC of a company they act for.
- Uses (用证记录): a department system, or staff of a department handling a case of the holder.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from yiwang.core.choices import Role
from yiwang.core.permissions import (
    administered_org_ids,
    has_role,
    is_client,
    is_user,
    org_ids_with_role,
    rule,
)
from yiwang.licences.choices import HolderCodeType

ISSUING_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)


def issuing_org_ids(actor) -> set[int]:
    """The organisations in whose name the actor may issue and change licences."""
    if is_client(actor):
        return {actor.organisation_id} if actor.is_active else set()
    return org_ids_with_role(actor, *ISSUING_ROLES) | administered_org_ids(actor)


def case_org_ids(actor, *, case_number: str, holder_code: str) -> set[int]:
    """The organisations in whose name a staff member may use a holder's licence for a case: those
    where they are 综合窗口 or 审批 staff and that take part in case `case_number` whose applicant
    is the holder, and the comprehensive windows (政务服务中心) where they are clerks."""
    from yiwang.cases.models import Case  # the cases app is installed with licences (its panels)
    from yiwang.core.models import Organisation

    if not is_user(actor) or not case_number:
        return set()
    cases = Case.objects.filter(number=case_number, applicant_code=holder_code)
    staff = org_ids_with_role(actor, Role.CLERK, Role.REVIEWER)
    if not staff or not cases.exists():
        return set()
    taking_part = set(cases.filter(participants__in=staff).values_list("participants", flat=True))
    windows = Organisation.objects.filter(
        id__in=org_ids_with_role(actor, Role.CLERK), hosts_window=True
    )
    return (taking_part & staff) | set(windows.values_list("id", flat=True))


def holder_filter(user) -> Q:
    """The licences a signed-in person holds, or holds through a company they act for."""
    if not is_user(user):
        return Q(pk__in=[])
    today = timezone.localdate()
    agencies = user.agencies.filter(valid_from__lte=today).exclude(valid_until__lt=today)
    companies = list(agencies.values_list("company_uscc", flat=True))
    mine = Q(holder_code_type=HolderCodeType.USCC, holder_code__in=companies)
    if user.id_number:
        mine |= Q(holder_code_type=HolderCodeType.RIC, holder_code=user.id_number)
    return mine


@rule("licences.issuingseal", "view")
def _view_seals(actor, qs):
    return qs.filter(organisation_id__in=administered_org_ids(actor))


@rule("licences.issuingseal", "change")
def _change_seals(actor, qs):
    return qs.filter(organisation_id__in=administered_org_ids(actor))


@rule("licences.licencetype", "view")
def _view_types(actor, qs):
    return qs.filter(is_active=True)


@rule("licences.licencetype", "change")
def _change_types(actor, qs):
    return qs.filter(defining_org_id__in=administered_org_ids(actor))


@rule("licences.licence", "view")
def _view_licences(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    return qs.filter(Q(issuer_id__in=issuing_org_ids(actor)) | holder_filter(actor))


@rule("licences.licence", "hold")
def _held_licences(actor, qs):
    return qs.filter(holder_filter(actor))


@rule("licences.licence", "change")
def _change_licences(actor, qs):
    return qs.filter(issuer_id__in=issuing_org_ids(actor))


@rule("licences.licenceuse", "view")
def _view_uses(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    from yiwang.licences.models import Licence

    mine = issuing_org_ids(actor)
    held = Licence.objects.filter(holder_filter(actor)).values("pk")
    return qs.filter(
        Q(licence__in=held) | Q(licence__issuer_id__in=mine) | Q(organisation_id__in=mine)
    )
