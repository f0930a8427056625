"""One permission mechanism for pages and API alike.

``Model.objects.restrict(actor, action)`` narrows a queryset to what the actor
may ``view``/``change``/``add``/``delete``; the rule for each (model, action)
is registered once with ``@rule``. Named checks (``can_manage_client``) answer
for one object. An actor is a ``User`` (possibly anonymous) or an ``ApiClient``.
What an actor may not see is "not found" to them, never "forbidden".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.db import models

Rule = Callable[[object, models.QuerySet], models.QuerySet]
_RULES: dict[tuple[str, str], Rule] = {}


def rule(model_label: str, action: str):
    """Register the rule that narrows `model_label` querysets for `action`."""

    def register(func: Rule) -> Rule:
        _RULES[(model_label.lower(), action)] = func
        return func

    return register


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, actor, action: str = "view") -> models.QuerySet:
        if is_superuser(actor):
            return self
        func = _RULES.get((self.model._meta.label_lower, action))
        if func is None:
            return self.none()
        return func(actor, self)


# --- who the actor is ---------------------------------------------------------


def is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and hasattr(actor, "memberships")


def is_client(actor) -> bool:
    return actor.__class__.__name__ == "ApiClient"


def is_superuser(actor) -> bool:
    return bool(getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False))


def org_ids_with_role(actor, *roles: str) -> set[int]:
    """Ids of the organisations where the user holds any of `roles` (cached per user object)."""
    if not is_user(actor):
        return set()
    cached = getattr(actor, "_yiwang_roles", None)
    if cached is None:
        cached = {}
        for org_id, role in actor.memberships.values_list("organisation_id", "role"):
            cached.setdefault(role, set()).add(org_id)
        actor._yiwang_roles = cached
    found: set[int] = set()
    for role in roles:
        found |= cached.get(role, set())
    return found


def has_role(actor, role: str) -> bool:
    return is_superuser(actor) or bool(org_ids_with_role(actor, role))


@cache
def _organisation_model():
    from django.apps import apps

    return apps.get_model("core", "Organisation")


def descendant_ids(org_ids: set[int]) -> set[int]:
    """The organisations under (and including) `org_ids`, walking the tree level by level."""
    found, frontier = set(org_ids), set(org_ids)
    organisation = _organisation_model()
    while frontier:
        frontier = (
            set(organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
            - found
        )
        found |= frontier
    return found


def administered_org_ids(actor) -> set[int]:
    return descendant_ids(org_ids_with_role(actor, "admin"))


# --- rules of the foundation --------------------------------------------------


@rule("core.organisation", "view")
def _view_organisations(actor, qs):
    # The directory of government bodies is public information.
    return qs.filter(is_active=True) | qs.filter(id__in=administered_org_ids(actor))


@rule("core.organisation", "change")
def _change_organisations(actor, qs):
    return qs.filter(id__in=administered_org_ids(actor))


@rule("core.organisation", "add")
def _add_organisations(actor, qs):
    # "add" narrows the possible parents.
    return qs.filter(id__in=administered_org_ids(actor))


@rule("core.organisation", "manage_clients")
def _manage_clients_of(actor, qs):
    return qs.filter(id__in=administered_org_ids(actor) | org_ids_with_role(actor, "data_officer"))


@rule("core.apiclient", "view")
def _view_clients(actor, qs):
    if is_client(actor):
        return qs.filter(id=actor.id)
    managed = administered_org_ids(actor) | org_ids_with_role(actor, "data_officer")
    return qs.filter(organisation_id__in=managed)


@rule("core.apiclient", "change")
def _change_clients(actor, qs):
    managed = administered_org_ids(actor) | org_ids_with_role(actor, "data_officer")
    return qs.filter(organisation_id__in=managed)


@rule("core.job", "view")
def _view_jobs(actor, qs):
    if not is_user(actor):
        return qs.none()
    return qs.filter(created_by=actor)


@rule("core.auditevent", "view")
def _view_audit(actor, qs):
    if has_role(actor, "supervisor"):
        return qs
    return qs.none()


# --- named checks on one object ----------------------------------------------


def can(actor, action: str, obj: models.Model) -> bool:
    return type(obj).objects.restrict(actor, action).filter(pk=obj.pk).exists()


def can_manage_client(actor, client) -> bool:
    return can(actor, "change", client)


def can_see_clear(actor, mask_kind: str) -> bool:
    """Whether the actor may read personal data of `mask_kind` unmasked in lists and logs."""
    if is_superuser(actor):
        return True
    return is_user(actor) and actor.has_perm("core.view_clear_personal_data")
