"""身份号码 and phone numbers are personal by their type, whatever the data officer ticked."""

import importlib

import pytest
from django.apps import apps

from tests.catalog.conftest import make_resource
from yiwang.catalog import services
from yiwang.catalog.models import Field

pytestmark = pytest.mark.django_db

UNTICKED = [
    {"code": "uscc", "name": "统一社会信用代码", "data_type": "uscc", "is_key": True},
    {"code": "contact_id", "name": "联系人身份号码", "data_type": "ric", "is_personal": False},
    {"code": "contact_phone", "name": "联系电话", "data_type": "phone"},
    {"code": "name", "name": "企业名称", "data_type": "string"},
]


def _personal(resource) -> dict:
    return dict(resource.fields.values_list("code", "is_personal"))


def test_identifier_and_phone_fields_are_personal_even_when_not_ticked(officer, city):
    resource = make_resource(officer, city["market"], fields=UNTICKED)
    assert _personal(resource) == {
        "uscc": False, "contact_id": True, "contact_phone": True, "name": False,
    }  # fmt: skip


def test_an_edit_cannot_untick_them(officer, city):
    resource = services.publish_resource(
        actor=officer, resource=make_resource(officer, city["market"], fields=UNTICKED)
    )
    version = resource.version
    fields = [{**f, "is_personal": False} for f in UNTICKED]
    services.update_resource(actor=officer, resource=resource, fields=fields)
    resource.refresh_from_db()
    assert _personal(resource)["contact_id"] is True
    assert resource.version == version  # nothing changed: no new version


def test_the_migration_marks_fields_saved_before(officer, city):
    resource = make_resource(officer, city["market"], fields=UNTICKED)
    Field.objects.filter(resource=resource).update(is_personal=False)  # as stored before the rule
    migration = importlib.import_module(
        "yiwang.catalog.migrations.0002_identifiers_and_phones_are_personal"
    )
    migration.mark_personal(apps, None)
    assert _personal(resource) == {
        "uscc": False, "contact_id": True, "contact_phone": True, "name": False,
    }  # fmt: skip
