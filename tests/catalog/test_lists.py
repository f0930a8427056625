import datetime

import pytest
from django.utils import timezone

from tests.catalog.conftest import make_resource
from yiwang.catalog import selectors, services
from yiwang.catalog.models import Demand
from yiwang.core.errors import ServiceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def health_officer(factory, city):
    return factory.staff("data_officer", city["health"])


def test_a_department_states_a_demand_and_the_owner_marks_it_met(
    health_officer, officer, city, legal_persons
):
    demand = services.create_demand(actor=health_officer, requester=city["health"], resource=legal_persons,
                                    purpose="核验医疗机构申请人的企业信息", field_codes=["uscc", "name"])  # fmt: skip
    assert demand.status == "pending"
    services.decide_demand(actor=officer, demand=demand, status="met")
    demand.refresh_from_db()
    assert demand.status == "met"


def test_only_the_owner_decides_a_demand(health_officer, city, legal_persons):
    demand = services.create_demand(actor=health_officer, requester=city["health"], resource=legal_persons,
                                    purpose="核验")  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        services.decide_demand(actor=health_officer, demand=demand, status="met")
    assert caught.value.code == "not_found"


def test_an_unmeetable_demand_needs_a_reason(health_officer, officer, city, legal_persons):
    demand = services.create_demand(actor=health_officer, requester=city["health"], resource=legal_persons,
                                    purpose="核验")  # fmt: skip
    with pytest.raises(ServiceError):
        services.decide_demand(actor=officer, demand=demand, status="unmeetable")
    services.decide_demand(actor=officer, demand=demand, status="unmeetable", reason="涉及商业秘密")
    assert Demand.objects.get().reason == "涉及商业秘密"


def test_a_demand_for_another_department_is_refused_in_the_words_of_demands(health_officer, city):
    with pytest.raises(ServiceError) as caught:
        services.create_demand(actor=health_officer, requester=city["market"], purpose="核验",
                               description="企业名录")  # fmt: skip
    assert caught.value.code == "permission_denied"
    assert caught.value.message == "只能以本单位名义提出数据需求"


def test_a_demand_for_unknown_fields_is_refused(health_officer, city, legal_persons):
    with pytest.raises(ServiceError) as caught:
        services.create_demand(actor=health_officer, requester=city["health"], resource=legal_persons,
                               purpose="核验", field_codes=["salary"])  # fmt: skip
    assert caught.value.code == "catalog.unknown_fields"


def test_a_demand_for_data_not_yet_catalogued_needs_a_description(health_officer, city):
    with pytest.raises(ServiceError):
        services.create_demand(actor=health_officer, requester=city["health"], purpose="统计")
    demand = services.create_demand(actor=health_officer, requester=city["health"], purpose="统计",
                                    description="全市药店名录")  # fmt: skip
    assert demand.resource is None


def test_granting_access_marks_pending_demands_met(health_officer, officer, city, legal_persons):
    services.create_demand(
        actor=health_officer, requester=city["health"], resource=legal_persons, purpose="核验"
    )
    assert (
        services.mark_demands_met(actor=officer, requester=city["health"], resource=legal_persons)
        == 1
    )
    assert Demand.objects.get().status == "met"


def test_a_responsibility_is_overdue_when_never_loaded_or_loaded_too_long_ago(
    factory, city, legal_persons
):
    admin = factory.staff("admin", city["root"])
    duty = services.assign_responsibility(actor=admin, organisation=city["market"], resource=legal_persons,
                                          cadence="weekly")  # fmt: skip
    assert selectors.with_overdue([duty])[0].overdue
    legal_persons.last_loaded_at = timezone.now() - datetime.timedelta(days=3)
    legal_persons.save()
    duty.resource.refresh_from_db()
    assert not selectors.with_overdue([duty])[0].overdue
    assert selectors.is_overdue("weekly", timezone.now() - datetime.timedelta(days=8))
    assert not selectors.is_overdue("irregular", None)


def test_only_an_admin_above_assigns_responsibilities(officer, city, legal_persons):
    with pytest.raises(ServiceError) as caught:
        services.assign_responsibility(actor=officer, organisation=city["market"], resource=legal_persons,
                                       cadence="daily")  # fmt: skip
    assert caught.value.code == "permission_denied"


def test_the_department_summary_counts_met_demands_and_overdue_duties(factory, health_officer, officer, city,
                                                                      legal_persons):  # fmt: skip
    services.publish_resource(actor=officer, resource=legal_persons)
    demand = services.create_demand(actor=health_officer, requester=city["health"], resource=legal_persons,
                                    purpose="核验")  # fmt: skip
    services.decide_demand(actor=officer, demand=demand, status="met")
    services.assign_responsibility(actor=factory.staff("admin", city["root"]), organisation=city["market"],
                                   resource=legal_persons, cadence="daily")  # fmt: skip
    health = selectors.department_summary(health_officer, city["health"])
    market = selectors.department_summary(officer, city["market"])
    assert health["demands_met"] == 1
    assert market["published"] == 1 and len(market["overdue"]) == 1


def test_a_negative_entry_needs_a_legal_basis(officer, city):
    resource = make_resource(officer, city["market"], code="C0301/000002", name="内部资料", category="department",
                             base_registry="")  # fmt: skip
    with pytest.raises(ServiceError):
        services.set_negative_entry(actor=officer, resource=resource, legal_basis=" ")
    entry = services.set_negative_entry(
        actor=officer, resource=resource, legal_basis="《保守国家秘密法》"
    )
    resource.refresh_from_db()
    assert resource.share_type == "none" and entry.legal_basis == "《保守国家秘密法》"


def test_an_administrator_above_answers_a_demand_for_uncatalogued_data(
    factory, health_officer, city
):
    demand = services.create_demand(actor=health_officer, requester=city["health"], purpose="统计",
                                    description="全市药店名录")  # fmt: skip
    with pytest.raises(ServiceError):
        services.decide_demand(
            actor=health_officer, demand=demand, status="unmeetable", reason="无"
        )
    bureau = factory.staff("admin", city["root"])
    services.decide_demand(
        actor=bureau, demand=demand, status="unmeetable", reason="暂无部门采集该数据"
    )
    assert Demand.objects.get(pk=demand.pk).reason == "暂无部门采集该数据"


# --- 共享类型 and 负面清单 agree -------------------------------------------------


@pytest.fixture
def published(officer, legal_persons):
    return services.publish_resource(actor=officer, resource=legal_persons)


def test_a_published_resource_cannot_become_unshared_without_a_negative_entry(officer, published):
    with pytest.raises(ServiceError) as caught:
        services.update_resource(actor=officer, resource=published, share_type="none")
    assert caught.value.code == "catalog.negative_missing"


def test_negative_listing_a_published_resource_makes_it_unshared_in_a_new_version(
    officer, published
):
    from yiwang.core.models import AuditEvent

    services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    published.refresh_from_db()
    assert (published.share_type, published.version) == ("none", 2)
    assert published.versions.get(version=2).note == "列入负面清单：《保守国家秘密法》第九条"
    assert AuditEvent.objects.filter(action="negative_list.set").exists()


def test_a_negative_listed_resource_cannot_be_set_back_to_shared_by_an_edit(officer, published):
    services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    with pytest.raises(ServiceError) as caught:
        services.update_resource(actor=officer, resource=published, share_type="unconditional")
    assert caught.value.code == "catalog.negative_listed"


def test_an_edit_of_other_attributes_of_a_negative_listed_resource_is_allowed(officer, published):
    services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    services.update_resource(
        actor=officer, resource=published, share_type="none", summary="仅供本部门使用"
    )
    published.refresh_from_db()
    assert published.summary == "仅供本部门使用"


def test_taking_a_resource_off_the_negative_list_shares_it_again_audited(officer, published):
    from yiwang.catalog.models import NegativeEntry
    from yiwang.core.models import AuditEvent

    services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    services.remove_from_negative_list(actor=officer, resource=published, share_type="unconditional",
                                       reason="已解密")  # fmt: skip
    published.refresh_from_db()
    assert published.share_type == "unconditional" and not NegativeEntry.objects.exists()
    assert published.versions.get(version=3).note == "移出负面清单：已解密"
    event = AuditEvent.objects.get(action="negative_list.remove")
    assert (
        event.before["legal_basis"] == "《保守国家秘密法》第九条"
        and event.after["reason"] == "已解密"
    )


def test_taking_a_resource_off_the_list_needs_a_reason(officer, published):
    services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    with pytest.raises(ServiceError) as caught:
        services.remove_from_negative_list(
            actor=officer, resource=published, share_type="unconditional", reason=" "
        )
    assert caught.value.code == "validation_failed"


def test_conditional_sharing_after_the_list_needs_its_condition(officer, published):
    services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    with pytest.raises(ServiceError) as caught:
        services.remove_from_negative_list(actor=officer, resource=published, share_type="conditional",
                                           reason="已解密")  # fmt: skip
    assert "share_condition" in caught.value.detail["fields"]
    published.refresh_from_db()
    assert published.share_type == "none"


def test_a_resource_not_on_the_list_cannot_be_taken_off_it(officer, published):
    with pytest.raises(ServiceError) as caught:
        services.remove_from_negative_list(actor=officer, resource=published, share_type="unconditional",
                                           reason="已解密")  # fmt: skip
    assert caught.value.code == "catalog.not_negative_listed"


def test_only_the_owner_takes_a_resource_off_the_list(health_officer, officer, published):
    services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    with pytest.raises(ServiceError) as caught:
        services.remove_from_negative_list(actor=health_officer, resource=published, share_type="unconditional",
                                           reason="已解密")  # fmt: skip
    assert caught.value.code == "not_found"


def test_a_draft_may_be_marked_unshared_before_its_entry_is_written(officer, legal_persons):
    services.update_resource(actor=officer, resource=legal_persons, share_type="none")
    with pytest.raises(ServiceError) as caught:
        services.publish_resource(actor=officer, resource=legal_persons)
    assert caught.value.code == "catalog.negative_missing"


def test_negative_list_entries_cannot_be_added_or_deleted_in_the_admin(
    client, factory, officer, published
):
    entry = services.add_to_negative_list(
        actor=officer, resource=published, legal_basis="《保守国家秘密法》第九条"
    )
    client.force_login(factory.superuser())
    assert client.get(f"/admin/catalog/negativeentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/catalog/negativeentry/add/").status_code == 403


def test_the_administrator_above_answers_a_demand_for_uncatalogued_data_on_the_department_page(
    client, factory, health_officer, city
):
    demand = services.create_demand(actor=health_officer, requester=city["health"], purpose="统计",
                                    description="全市药店名录")  # fmt: skip
    bureau = factory.staff("admin", city["root"])
    client.force_login(bureau)
    page = client.get(f"/catalog/departments/{city['health'].pk}/").content.decode()
    assert f"/catalog/demands/{demand.pk}/decide/" in page
    client.post(
        f"/catalog/demands/{demand.pk}/decide/", {"status": "unmeetable", "reason": "暂无部门采集"}
    )
    assert Demand.objects.get(pk=demand.pk).status == "unmeetable"


def test_the_requesting_department_gets_no_answer_form_for_its_own_demand(
    client, health_officer, city
):
    demand = services.create_demand(actor=health_officer, requester=city["health"], purpose="统计",
                                    description="全市药店名录")  # fmt: skip
    client.force_login(health_officer)
    page = client.get(f"/catalog/departments/{city['health'].pk}/").content.decode()
    assert "全市药店名录" in page and f"/catalog/demands/{demand.pk}/decide/" not in page


def test_an_answer_the_form_refuses_is_told_not_dropped_silently(
    client, health_officer, officer, city, legal_persons
):
    demand = services.create_demand(actor=health_officer, requester=city["health"], resource=legal_persons,
                                    purpose="核验医疗机构申请人的企业信息")  # fmt: skip
    client.force_login(officer)
    response = client.post(f"/catalog/demands/{demand.pk}/decide/",
                           {"status": "unmeetable", "reason": "说" * 301}, follow=True)  # fmt: skip
    told = [str(m) for m in response.context["messages"]]
    assert told and "300" in told[0]
    assert Demand.objects.get(pk=demand.pk).status == "pending"
