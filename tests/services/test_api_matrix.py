"""Every write of the service-items API for every kind of caller, as one table: the department's
own admin (系统管理员), its staff who are not admins (审批人员, 综合窗口), another department's admin,
a citizen, and an anonymous caller. Only the own admin writes; a refused write changes nothing.
Creating names an organisation (403 when it is not the caller's); changing an item or theme that
is not the caller's to change is 404."""

import pytest

from tests.openapi import assert_matches_openapi
from tests.services.conftest import bpmn_variant
from tests.services.test_api import NEW_ITEM
from yiwang.core.models import AuditEvent
from yiwang.services import services
from yiwang.services.models import ServiceItem, Theme

pytestmark = pytest.mark.django_db

ADMIN, REVIEWER, CLERK, OTHER, CITIZEN, ANONYMOUS = (
    "own admin", "reviewer", "clerk", "other admin", "citizen", "anonymous",
)  # fmt: skip
ROLES = (ADMIN, REVIEWER, CLERK, OTHER, CITIZEN, ANONYMOUS)


def only_the_admin(ok: int, refused: int) -> dict:
    return {ADMIN: ok, REVIEWER: refused, CLERK: refused, OTHER: refused, CITIZEN: refused,
            ANONYMOUS: 401}  # fmt: skip


# (action, method, path, expected status per role)
ACTIONS = [
    ("create an item", "post", "/items", only_the_admin(201, 403)),
    ("change an item", "patch", "/items/{item_id}", only_the_admin(200, 404)),
    ("publish a draft", "post", "/items/{item_id}/publish", only_the_admin(200, 404)),
    ("suspend an item", "post", "/items/{item_id}/suspend", only_the_admin(200, 404)),
    ("upload a process", "post", "/items/{item_id}/process", only_the_admin(200, 404)),
    ("create a theme", "post", "/themes", only_the_admin(201, 403)),
    ("change a theme", "patch", "/themes/{theme_id}", only_the_admin(200, 404)),
    ("publish a theme", "post", "/themes/{theme_id}/publish", only_the_admin(200, 404)),
]


@pytest.fixture
def callers(factory, city, market_admin, health_admin):
    return {ADMIN: market_admin, REVIEWER: factory.staff("reviewer", city["market"]),
            CLERK: factory.staff("clerk", city["market"]), OTHER: health_admin,
            CITIZEN: factory.user(real_name="张三", id_number=factory.ric()), ANONYMOUS: None}  # fmt: skip


@pytest.fixture
def things(factory, city, market_admin, food_item):
    draft = factory.service_item(city["market"], publish=False, name="特种设备使用登记")
    licence = factory.service_item(city["market"], name="营业执照（设立登记）")
    theme = services.create_theme(actor=market_admin, lead=city["market"], items=[licence, food_item],
                                  code="open-restaurant", name="我要开餐馆", audience="company")  # fmt: skip
    return {"item_id": food_item.pk, "draft_id": draft.pk, "theme_id": theme.pk,
            "item_ids": [licence.pk, food_item.pk]}  # fmt: skip


def body_of(action: str, city, things) -> dict:
    return {
        "create an item": {**NEW_ITEM, "organisation_id": city["market"].pk},
        "change an item": {"name": "食品经营许可（新办）改"},
        "publish a draft": {"note": "发布"},
        "suspend an item": {"reason": "法规修订，暂停受理"},
        "upload a process": {"bpmn_xml": bpmn_variant()},
        "create a theme": {"code": "new-shop", "name": "我要开店", "audience": "company",
                           "lead_id": city["market"].pk, "item_ids": things["item_ids"]},
        "change a theme": {"name": "我要开小餐馆"},
        "publish a theme": {},
    }[action]  # fmt: skip


def state() -> tuple:
    return (
        sorted(ServiceItem.objects.values_list("pk", "name", "status", "version", "process_id")),
        sorted(Theme.objects.values_list("pk", "name", "status")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "method", "template", "expected"), ACTIONS,
                         ids=[a[0] for a in ACTIONS])  # fmt: skip
def test_each_caller_gets_the_answer_the_table_gives(
    client, city, callers, things, role, action, method, template, expected
):
    if callers[role] is not None:
        client.force_login(callers[role])
    before, audits = state(), AuditEvent.objects.count()
    ids = {**things, "item_id": things["draft_id"]} if action == "publish a draft" else things
    path = "/api/v1/services" + template.format(**ids)
    response = getattr(client, method)(
        path, body_of(action, city, things), content_type="application/json"
    )
    assert response.status_code == expected[role], response.content[:300]
    assert_matches_openapi(response, method, "/api/v1/services" + template)
    if response.status_code >= 400:
        assert state() == before and AuditEvent.objects.count() == audits
