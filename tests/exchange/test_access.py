import pytest

from tests.exchange.conftest import a_year
from tests.openapi import assert_matches_openapi
from yiwang.catalog import services as catalog
from yiwang.catalog.models import Demand
from yiwang.core.errors import ServiceError
from yiwang.core.models import AuditEvent
from yiwang.exchange import services
from yiwang.exchange.models import Grant

pytestmark = pytest.mark.django_db(transaction=True)


def ask(health, resource, **extra):
    return services.request_access(actor=health["officer"], client=health["client"], resource=resource,
                                   purpose="医疗机构执业登记核验", legal_basis="《医疗机构管理条例》",
                                   **{**a_year(), **extra})  # fmt: skip


def test_an_unconditional_resource_is_granted_at_once_and_recorded(health, companies):
    request = ask(health, companies, field_codes=["uscc", "name"])
    assert request.status == "approved"
    assert Grant.objects.get().field_codes == ["uscc", "name"]
    assert AuditEvent.objects.filter(action="access.request").exists()
    assert AuditEvent.objects.filter(action="grant.create").exists()


def test_a_conditional_resource_waits_for_the_owner_who_may_grant_fewer_fields(
    health, officer, people
):
    request = ask(health, people, field_codes=["id_number", "name", "address"])
    assert request.status == "pending" and not Grant.objects.exists()
    services.decide_request(actor=officer, request=request, approve=True, field_codes=["id_number", "name"],
                            clear_fields=["name"])  # fmt: skip
    grant = Grant.objects.get()
    assert grant.field_codes == ["id_number", "name"] and grant.clear_fields == ["name"]


def test_the_owner_cannot_grant_more_than_was_asked(health, officer, people):
    request = ask(health, people, field_codes=["id_number"])
    with pytest.raises(ServiceError) as caught:
        services.decide_request(
            actor=officer, request=request, approve=True, field_codes=["id_number", "address"]
        )
    assert caught.value.code == "exchange.fields_exceed"


def test_a_rejection_needs_a_reason(health, officer, people):
    request = ask(health, people)
    with pytest.raises(ServiceError):
        services.decide_request(actor=officer, request=request, approve=False)
    services.decide_request(
        actor=officer, request=request, approve=False, reason="用途超出职责范围"
    )
    request.refresh_from_db()
    assert request.status == "rejected" and request.decision_reason == "用途超出职责范围"


def test_only_the_owner_decides(health, people):
    request = ask(health, people)
    with pytest.raises(ServiceError) as caught:
        services.decide_request(actor=health["officer"], request=request, approve=True)
    assert caught.value.code == "not_found"


def test_an_unshared_resource_is_refused_citing_the_negative_list(health, officer, city):
    from tests.catalog.conftest import make_resource

    secret = make_resource(officer, city["market"], code="C0601/000001", name="内部记录", category="department",
                           base_registry="", share_type="none")  # fmt: skip
    catalog.set_negative_entry(
        actor=officer, resource=secret, legal_basis="《保守国家秘密法》第九条"
    )
    catalog.publish_resource(actor=officer, resource=secret)
    request = ask(health, secret)
    assert request.status == "refused" and "保守国家秘密法" in request.decision_reason
    assert not Grant.objects.exists()


def test_a_grant_marks_the_matching_demand_met(health, officer, city, people):
    demand = catalog.create_demand(
        actor=health["officer"], requester=city["health"], resource=people, purpose="核验"
    )
    request = ask(health, people)
    services.decide_request(actor=officer, request=request, approve=True)
    assert Demand.objects.get(pk=demand.pk).status == "met"


def test_a_department_cannot_ask_for_another_departments_system(factory, city, people, health):
    other = factory.staff("data_officer", city["police"])
    with pytest.raises(ServiceError) as caught:
        services.request_access(actor=other, client=health["client"], resource=people, purpose="核验",
                                legal_basis="依据", **a_year())  # fmt: skip
    assert caught.value.code == "permission_denied"


def test_unknown_fields_and_overlong_periods_are_refused(health, people):
    import datetime

    with pytest.raises(ServiceError):
        ask(health, people, field_codes=["salary"])
    with pytest.raises(ServiceError):
        ask(health, people, valid_until=datetime.date.today() + datetime.timedelta(days=5000))


def test_grants_are_suspended_resumed_and_revoked_for_good(health, officer, companies):
    ask(health, companies)
    grant = Grant.objects.get()
    services.set_grant_status(actor=officer, grant=grant, status="suspended", reason="核查中")
    services.set_grant_status(actor=officer, grant=grant, status="active", reason="")
    services.set_grant_status(actor=officer, grant=grant, status="revoked", reason="系统下线")
    with pytest.raises(ServiceError) as caught:
        services.set_grant_status(actor=officer, grant=grant, status="active", reason="")
    assert caught.value.code == "exchange.revoked"
    assert AuditEvent.objects.filter(action__startswith="grant.").count() == 4


def test_approving_an_empty_field_list_is_refused_not_widened(health, officer, people):
    request = ask(health, people, field_codes=["id_number"])
    with pytest.raises(ServiceError):
        services.decide_request(actor=officer, request=request, approve=True, field_codes=[])
    assert not Grant.objects.exists()


def test_a_grant_of_fewer_fields_than_demanded_leaves_the_demand_pending(
    health, officer, city, people
):
    demand = catalog.create_demand(actor=health["officer"], requester=city["health"], resource=people,
                                   purpose="核验", field_codes=["id_number", "name", "address"])  # fmt: skip
    request = ask(health, people, field_codes=["id_number", "name", "address"])
    services.decide_request(
        actor=officer, request=request, approve=True, field_codes=["id_number", "name"]
    )
    assert Demand.objects.get(pk=demand.pk).status == "pending"


def test_a_grant_covering_every_demanded_field_marks_the_demand_met(health, officer, city, people):
    demand = catalog.create_demand(actor=health["officer"], requester=city["health"], resource=people,
                                   purpose="核验", field_codes=["id_number", "name"])  # fmt: skip
    request = ask(health, people, field_codes=["id_number", "name", "address"])
    services.decide_request(
        actor=officer, request=request, approve=True, field_codes=["id_number", "name"]
    )
    assert Demand.objects.get(pk=demand.pk).status == "met"


def test_a_demand_naming_no_fields_needs_a_grant_of_the_whole_resource(
    health, officer, city, people
):
    demand = catalog.create_demand(
        actor=health["officer"], requester=city["health"], resource=people, purpose="核验"
    )
    request = ask(health, people)
    services.decide_request(actor=officer, request=request, approve=True, field_codes=["id_number"])
    assert Demand.objects.get(pk=demand.pk).status == "pending"


def test_a_request_for_a_period_that_has_already_ended_is_refused(health, companies):
    import datetime

    with pytest.raises(ServiceError) as caught:
        ask(
            health,
            companies,
            valid_from=datetime.date(2021, 1, 1),
            valid_until=datetime.date(2021, 6, 30),
        )
    assert caught.value.code == "exchange.period_ended" and "已过" in caught.value.message
    assert not Grant.objects.exists()


def test_a_request_may_start_in_the_past_if_it_ends_today_or_later(health, companies):
    import datetime

    today = datetime.date.today()
    request = ask(
        health, companies, valid_from=today - datetime.timedelta(days=30), valid_until=today
    )
    assert request.status == "approved" and Grant.objects.get().in_force()


def test_a_pending_request_whose_period_has_since_ended_cannot_be_approved(health, officer, people):
    import datetime

    request = ask(health, people)
    type(request).objects.filter(pk=request.pk).update(
        valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2020, 12, 31)
    )
    request.refresh_from_db()
    with pytest.raises(ServiceError) as caught:
        services.decide_request(actor=officer, request=request, approve=True)
    assert caught.value.code == "exchange.period_ended"
    request.refresh_from_db()
    assert request.status == "pending" and not Grant.objects.exists()
    services.decide_request(actor=officer, request=request, approve=False, reason="期限已过")


def test_the_grants_api_says_what_a_grant_means_today(client, health, officer, companies):
    ask(health, companies)
    client.force_login(officer)
    grant = client.get("/api/v1/exchange/grants").json()["items"][0]
    assert (grant["status"], grant["in_force"], grant["state"]) == ("active", True, "生效中")
    catalog.retire_resource(actor=officer, resource=companies, reason="数据并入新资源")
    answer = client.get("/api/v1/exchange/grants")
    assert_matches_openapi(answer, "get", "/api/v1/exchange/grants")
    grant = answer.json()["items"][0]
    assert (grant["status"], grant["in_force"], grant["state"]) == ("active", False, "资源已停用")


def test_a_grant_on_a_retired_resource_can_only_be_revoked(health, officer, companies):
    ask(health, companies)
    catalog.retire_resource(actor=officer, resource=companies, reason="数据并入新资源")
    grant = Grant.objects.select_related("resource").get()
    assert not grant.in_force()
    for status in ("suspended", "active"):
        with pytest.raises(ServiceError) as caught:
            services.set_grant_status(actor=officer, grant=grant, status=status, reason="核查中")
        assert caught.value.code == "exchange.resource_retired"
    services.set_grant_status(actor=officer, grant=grant, status="revoked", reason="资源停用")
    assert Grant.objects.get().status == "revoked"


def test_a_request_for_a_resource_retired_since_cannot_be_approved_only_rejected(
    health, officer, people
):
    request = ask(health, people, field_codes=["id_number", "name"])
    catalog.retire_resource(actor=officer, resource=people, reason="数据并入新资源")
    with pytest.raises(ServiceError) as caught:
        services.decide_request(actor=officer, request=request, approve=True)
    assert caught.value.code == "exchange.resource_retired" and "停用" in caught.value.message
    assert not Grant.objects.exists()
    services.decide_request(actor=officer, request=request, approve=False, reason="资源已停用")
    request.refresh_from_db()
    assert request.status == "rejected"


def test_a_request_decided_meanwhile_is_not_decided_again(health, officer, people):
    request = ask(health, people)
    seen_by_a_second_officer = type(request).objects.get(pk=request.pk)
    services.decide_request(actor=officer, request=request, approve=True)
    with pytest.raises(ServiceError) as caught:
        services.decide_request(actor=officer, request=seen_by_a_second_officer, approve=False,
                                reason="用途不明确")  # fmt: skip
    assert caught.value.code == "exchange.decided"
    request.refresh_from_db()
    assert request.status == "approved" and Grant.objects.get().status == "active"


def test_a_grant_revoked_meanwhile_cannot_be_resumed(health, officer, companies):
    ask(health, companies)
    grant = Grant.objects.get()
    seen_by_a_second_officer = Grant.objects.get(pk=grant.pk)
    services.set_grant_status(actor=officer, grant=grant, status="revoked", reason="停止合作")
    with pytest.raises(ServiceError) as caught:
        services.set_grant_status(actor=officer, grant=seen_by_a_second_officer, status="active",
                                  reason="")  # fmt: skip
    assert caught.value.code == "exchange.revoked"
    assert Grant.objects.get().status == "revoked"
