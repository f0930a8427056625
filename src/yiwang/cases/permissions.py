"""Who may see a case: its applicant, the departments taking part, supervisors.

- The applicant: the user who applied, or an agent of the company that applied.
- Staff (综合窗口, 审批人员) of the departments taking part: the item's 实施主体 and participants.
- Clerks of an organisation that hosts the comprehensive window (政务服务中心, 一窗受理)
  accept cases of every item: they see the cases at the window stage (待受理, 待补正) and the
  cases they registered, accepted or refused (不予受理) themselves, not every finished case of
  the city.
- Supervisors (监察人员) see every case.
A task is done by the role its BPMN user task names (``reviewer`` 审批人员 or ``clerk`` 综合窗口)
in the task's department; a clerk accepts cases of their departments.

A person's case is theirs when they applied from their account, or when it was registered at
the window under their 公民身份号码 (the account's real-name number), as a company's case is its
agents'.
"""

from django.db.models import Q

from yiwang.core.choices import Role
from yiwang.core.permissions import has_role, is_user, org_ids_with_role, rule


def agent_usccs(actor) -> list[str]:
    """The companies the user acts for (cached on the user object, like its roles)."""
    if not is_user(actor):
        return []
    cached = getattr(actor, "_yiwang_agencies", None)
    if cached is None:
        in_force = actor.agencies.in_force()  # an agency acts only while its authorisation runs
        cached = actor._yiwang_agencies = list(in_force.values_list("company_uscc", flat=True))
    return cached


def applicant_filter(actor) -> Q:
    if not is_user(actor):
        return Q(pk__in=[])
    own = Q(applicant=actor, applicant_kind="person")
    if actor.id_number:
        # A walk-in registered at the window has no account on the case: the number is theirs.
        own |= Q(applicant_code=actor.id_number.upper(), applicant_kind="person")
    # A company's case belongs to the company: its agents in force, not whoever once applied.
    return own | Q(applicant_code__in=agent_usccs(actor), applicant_kind="company")


def is_window_clerk(actor) -> bool:
    """A clerk of an organisation that hosts the comprehensive window (政务服务中心)."""
    clerk_orgs = org_ids_with_role(actor, Role.CLERK)
    return (
        bool(clerk_orgs)
        and _organisation().objects.filter(id__in=clerk_orgs, hosts_window=True).exists()
    )


def _organisation():
    from yiwang.core.models import Organisation

    return Organisation


WINDOW_STATUSES = ("submitted", "correction")


@rule("cases.case", "view")
def _view_cases(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    staff = org_ids_with_role(actor, Role.CLERK, Role.REVIEWER)
    seen = applicant_filter(actor) | Q(participants__in=staff)
    if is_window_clerk(actor):
        seen |= Q(status__in=WINDOW_STATUSES) | Q(registered_by=actor) | Q(accepted_by=actor)
        seen |= Q(refused_by=actor)
    return qs.filter(seen).distinct()


@rule("cases.case", "accept")
def _accept_cases(actor, qs):
    if is_window_clerk(actor):
        return qs
    return qs.filter(participants__in=org_ids_with_role(actor, Role.CLERK)).distinct()


@rule("cases.case", "apply")
def _own_cases(actor, qs):
    return qs.filter(applicant_filter(actor))


@rule("cases.casetask", "view")
def _view_tasks(actor, qs):
    if has_role(actor, Role.SUPERVISOR):
        return qs
    return qs.filter(organisation_id__in=org_ids_with_role(actor, Role.REVIEWER, Role.CLERK))


def task_filter(actor) -> Q:
    """Tasks the actor may do: the task's role (reviewer or clerk) in the task's department."""
    allowed = Q(pk__in=[])
    for role in (Role.REVIEWER, Role.CLERK):
        orgs = org_ids_with_role(actor, role)
        if orgs:
            allowed |= Q(role=role, organisation_id__in=orgs)
    return allowed


@rule("cases.casetask", "change")
def _change_tasks(actor, qs):
    return qs.filter(task_filter(actor))
