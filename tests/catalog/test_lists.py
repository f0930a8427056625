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
