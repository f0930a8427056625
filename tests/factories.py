"""Builders of test objects in the test region (99). Plain functions, named by what they make."""

import itertools
import random

from yiwang.core import identifiers
from yiwang.core.choices import OrganisationKind, OrganisationLevel
from yiwang.core.models import ApiClient, Membership, Organisation, User

_counter = itertools.count(1)
_rng = random.Random(20261122)


def uscc(kind: str = "1") -> str:
    return identifiers.make_uscc(
        region="990100", org_body=f"T{next(_counter):07d}", registrar="1", kind=kind
    )


def ric(sex: str = "M") -> str:
    return identifiers.random_ric(_rng, region="990102", sex=sex)


def organisation(
    name: str | None = None, *, parent=None, kind=OrganisationKind.DEPARTMENT, **fields
) -> Organisation:
    n = next(_counter)
    return Organisation.objects.create(
        name=name or f"测试部门{n}",
        uscc=fields.pop("uscc", None) or uscc(),
        region_code=fields.pop("region_code", "990100"),
        kind=kind,
        level=fields.pop("level", OrganisationLevel.CITY),
        parent=parent,
        **fields,
    )


def user(username: str | None = None, *, password: str = "Passw0rd!x", **fields) -> User:
    u = User(
        username=username or f"user{next(_counter)}",
        real_name=fields.pop("real_name", "测试用户"),
        **fields,
    )
    u.set_password(password)
    u.save()
    return u


def staff(role: str, organisation: Organisation, **fields) -> User:
    u = user(**fields)
    Membership.objects.create(user=u, organisation=organisation, role=role)
    return u


def superuser(**fields) -> User:
    return user(is_superuser=True, is_staff=True, **fields)


def api_client(organisation: Organisation, code: str | None = None) -> ApiClient:
    return ApiClient.objects.create(
        organisation=organisation, subsystem_code=code or f"sys-{next(_counter)}", name="测试系统"
    )
