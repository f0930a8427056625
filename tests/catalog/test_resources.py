import pytest

from tests.catalog.conftest import LEGAL_PERSON_FIELDS, make_resource
from yiwang.catalog import services
from yiwang.catalog.models import Resource
from yiwang.core.errors import ServiceError
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_data_officer_catalogues_a_draft_resource_with_its_fields(legal_persons):
    assert legal_persons.status == "draft"
    assert [f.code for f in legal_persons.fields.all()] == [f["code"] for f in LEGAL_PERSON_FIELDS]
    assert legal_persons.fields.get(code="uscc").required  # a key is always required
    assert AuditEvent.objects.filter(
        action="resource.create", target_id=str(legal_persons.pk)
    ).exists()


def test_a_data_officer_cannot_catalogue_for_another_department(officer, city):
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["health"])
    assert caught.value.code == "permission_denied"


@pytest.mark.parametrize("code", ["B0201-000001", "b0201/000001", "B02/000001", "B0201/1", ""])
def test_a_malformed_resource_code_is_refused(officer, city, code):
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], code=code)
    assert "code" in caught.value.detail["fields"]


def test_a_resource_code_is_unique(officer, city, legal_persons):
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"])
    assert caught.value.code == "conflict"


def test_a_resource_needs_a_key_field(officer, city):
    fields = [{"code": "name", "name": "名称", "data_type": "string"}]
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], fields=fields)
    assert caught.value.code == "catalog.no_key"


def test_duplicate_field_codes_are_refused(officer, city):
    fields = [*LEGAL_PERSON_FIELDS, {"code": "name", "name": "重名", "data_type": "string"}]
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], fields=fields)
    assert caught.value.code == "catalog.field_duplicate"


def test_an_enum_field_needs_its_values(officer, city):
    fields = [
        *LEGAL_PERSON_FIELDS,
        {"code": "kind", "name": "类型", "data_type": "enum", "enum_values": []},
    ]
    with pytest.raises(ServiceError):
        make_resource(officer, city["market"], fields=fields)


def test_conditional_sharing_needs_a_condition(officer, city):
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], share_type="conditional", share_condition="")
    assert "share_condition" in caught.value.detail["fields"]


def test_publishing_records_version_one_and_editing_a_published_resource_makes_version_two(
    officer, legal_persons
):
    services.publish_resource(actor=officer, resource=legal_persons)
    assert legal_persons.versions.get().version == 1
    services.update_resource(
        actor=officer, resource=legal_persons, summary="更新后的摘要", note="补充说明"
    )
    legal_persons.refresh_from_db()
    assert legal_persons.version == 2
    assert [v.version for v in legal_persons.versions.all()] == [2, 1]
    assert legal_persons.versions.get(version=1).snapshot["summary"].startswith("全市企业")


def test_the_key_of_a_published_resource_cannot_change(officer, legal_persons):
    services.publish_resource(actor=officer, resource=legal_persons)
    fields = [dict(f, is_key=f["code"] == "name") for f in LEGAL_PERSON_FIELDS]
    with pytest.raises(ServiceError) as caught:
        services.update_resource(actor=officer, resource=legal_persons, fields=fields)
    assert caught.value.code == "catalog.key_changed"


def test_an_unshared_resource_needs_a_negative_list_entry_before_publishing(officer, city):
    resource = make_resource(officer, city["market"], code="C0301/000001", name="企业内部执法记录", category="department",
                             base_registry="", share_type="none")  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        services.publish_resource(actor=officer, resource=resource)
    assert caught.value.code == "catalog.negative_missing"
    services.set_negative_entry(
        actor=officer, resource=resource, legal_basis="《中华人民共和国行政处罚法》第五十条"
    )
    assert services.publish_resource(actor=officer, resource=resource).status == "published"


def test_drafts_are_visible_to_the_owner_only_published_resources_to_all_government(factory, officer, city,
                                                                                      legal_persons):  # fmt: skip
    from django.contrib.auth.models import AnonymousUser

    other = factory.staff("reviewer", city["health"])
    assert legal_persons not in Resource.objects.restrict(other, "view")
    assert legal_persons in Resource.objects.restrict(
        factory.staff("clerk", city["market"]), "view"
    )
    services.publish_resource(actor=officer, resource=legal_persons)
    assert legal_persons in Resource.objects.restrict(other, "view")
    assert legal_persons not in Resource.objects.restrict(
        AnonymousUser(), "view"
    )  # not an open resource


def test_a_retired_resource_cannot_be_edited(officer, legal_persons):
    services.publish_resource(actor=officer, resource=legal_persons)
    services.retire_resource(actor=officer, resource=legal_persons, reason="并入新资源")
    with pytest.raises(ServiceError) as caught:
        services.update_resource(actor=officer, resource=legal_persons, summary="x")
    assert caught.value.code == "catalog.retired"


def test_catalog_search_finds_two_character_words(officer, city, legal_persons):
    from yiwang.catalog import selectors

    make_resource(officer, city["market"], code="C0302/000001", name="食品经营许可证信息", category="department",
                  base_registry="", summary="食品经营许可证的发证信息")  # fmt: skip
    found = selectors.resources(officer, q="许可")
    assert [r.name for r in found] == ["食品经营许可证信息"]
    assert [r.name for r in selectors.resources(officer, q="法人")] == ["法人基本信息"]


def test_a_retired_resource_cannot_be_retired_again(officer, legal_persons):
    services.publish_resource(actor=officer, resource=legal_persons)
    services.retire_resource(actor=officer, resource=legal_persons, reason="并入新资源")
    with pytest.raises(ServiceError) as caught:
        services.retire_resource(actor=officer, resource=legal_persons, reason="再次停用")
    assert caught.value.code == "catalog.retired"
    assert AuditEvent.objects.filter(action="resource.retire").count() == 1


@pytest.mark.parametrize("name", ["   ", "\u3000\u3000"])
def test_a_resource_name_of_blanks_is_refused(officer, city, name):
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], name=name)
    assert "name" in caught.value.detail["fields"]
    assert not Resource.objects.exists()


def test_a_field_name_of_blanks_is_refused(officer, city):
    fields = [{**LEGAL_PERSON_FIELDS[0], "name": "  "}, *LEGAL_PERSON_FIELDS[1:]]
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], fields=fields)
    assert "name" in caught.value.detail["fields"]


@pytest.mark.parametrize("code", ["B0201/000001\n", "B０２０１/０００００１", "B٠٢٠١/٠٠٠٠٠١"])
def test_a_resource_code_with_a_trailing_newline_or_other_digits_is_refused(officer, city, code):
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], code=code)
    assert "code" in caught.value.detail["fields"]
    assert not Resource.objects.exists()


def test_a_field_code_with_a_trailing_newline_is_refused(officer, city):
    fields = [{**LEGAL_PERSON_FIELDS[0], "code": "uscc\n"}, *LEGAL_PERSON_FIELDS[1:]]
    with pytest.raises(ServiceError) as caught:
        make_resource(officer, city["market"], fields=fields)
    assert "code" in caught.value.detail["fields"]
