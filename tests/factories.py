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


def service_item(organisation: Organisation, *, participants=(), publish: bool = True, **fields):
    """A complete 承诺件 item of `organisation`, published unless told otherwise."""
    from yiwang.services import services as item_services

    n = next(_counter)
    attrs = {
        "code": f"99{n:06d}{organisation.uscc[:12]}".upper()[:30],
        "name": f"测试事项{n}", "item_type": "licensing", "audience": "both",
        "legal_basis": "《测试条例》第一条", "conditions": "符合条件即可申请",
        "case_kind": "promised", "statutory_days": 20, "promised_days": 5,
        "window_address": "江澜市政务服务中心一楼", "office_hours": "工作日 9:00-17:00",
        "phone": "0999-12345", "result_name": "准予许可决定书", "online": True,
        "online_depth": "4",
    }  # fmt: skip
    attrs.update(fields)
    materials = attrs.pop("materials", [{"name": "申请书", "required": True}])
    form = attrs.pop(
        "form_definition",
        [{"code": "name", "label": "申请人姓名", "type": "text", "required": True,
          "prefill": "applicant.name"}],
    )  # fmt: skip
    item = item_services.create_item(
        actor=superuser(), organisation=organisation, materials=materials,
        participants=list(participants) or [organisation], form_definition=form, **attrs,
    )  # fmt: skip
    if publish:
        item = item_services.publish_item(actor=superuser(), item=item)
    return item
