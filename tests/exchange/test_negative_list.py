"""不予共享 and the 负面清单 after the fact: a resource put on the list is refused by
request_access and by the gateway, and its grants are suspended."""

import pytest

from tests.exchange.conftest import a_year
from tests.exchange.test_gateway import get, granted
from tests.registry.conftest import company_row
from yiwang.catalog import services as catalog
from yiwang.catalog.models import NegativeEntry
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.exchange import gateway, services
from yiwang.exchange.models import ExchangeLog, Grant

pytestmark = pytest.mark.django_db(transaction=True)

BASIS = "《中华人民共和国保守国家秘密法》第九条"


def listed(officer, resource):
    """The catalog puts the resource on the 负面清单 (share type becomes 不予共享)."""
    return catalog.set_negative_entry(actor=officer, resource=resource, legal_basis=BASIS)


def test_putting_a_resource_on_the_negative_list_suspends_every_active_grant_with_the_basis(
    health, officer, companies
):
    grant = granted(health, officer, companies)
    listed(officer, companies)  # the catalog runs the exchange's hook in its transaction
    grant.refresh_from_db()
    assert grant.status == "suspended" and BASIS in grant.status_reason


def test_suspending_for_the_negative_list_answers_the_grants_it_suspended(
    health, officer, companies
):
    grant = granted(health, officer, companies)
    NegativeEntry.objects.create(resource=companies, legal_basis=BASIS)  # not through the catalog
    suspended = services.suspend_grants_for_negative_list(resource=companies, actor=officer)
    grant.refresh_from_db()
    assert suspended == [grant] and grant.status == "suspended"


def test_each_grant_suspended_for_the_negative_list_is_audited(health, officer, companies):
    grant = granted(health, officer, companies)
    listed(officer, companies)
    event = AuditEvent.objects.get(action="grant.suspended", target_id=str(grant.pk))
    assert event.before["status"] == "active" and event.after["cause"] == "negative_list"


def test_only_the_owner_suspends_grants_for_the_negative_list(health, officer, companies):
    granted(health, officer, companies)
    with pytest.raises(NotFound):
        services.suspend_grants_for_negative_list(resource=companies, actor=health["officer"])
    assert Grant.objects.get().status == "active"


def test_a_grant_suspended_for_the_negative_list_cannot_be_resumed(health, officer, companies):
    grant = granted(health, officer, companies)
    listed(officer, companies)
    with pytest.raises(ServiceError) as refused:
        services.set_grant_status(actor=officer, grant=grant, status="active", reason="")
    assert refused.value.code == "exchange.not_shared"


def test_the_gateway_refuses_a_negative_listed_resource_even_with_an_active_grant(
    client, health, officer, companies
):
    grant = granted(health, officer, companies)
    NegativeEntry.objects.create(resource=companies, legal_basis=BASIS)
    companies.share_type = "none"
    companies.save(update_fields=["share_type"])  # listed behind the services' back: grant active
    assert Grant.objects.get(pk=grant.pk).status == "active"
    gateway._resources.clear()  # the definition a process reuses for a few seconds
    response = get(client, companies, company_row(1)["uscc"], health["headers"])
    assert response.status_code == 403 and response.json()["code"] == "exchange.not_shared"
    assert ExchangeLog.objects.get().error_code == "exchange.not_shared"


def test_the_gateway_refuses_a_resource_with_a_negative_entry_whatever_its_share_type(
    client, health, officer, companies
):
    granted(health, officer, companies)
    NegativeEntry.objects.create(resource=companies, legal_basis=BASIS)  # share type unchanged
    gateway._resources.clear()
    response = get(client, companies, company_row(1)["uscc"], health["headers"])
    assert response.status_code == 403 and response.json()["code"] == "exchange.not_shared"


def test_request_access_refuses_a_resource_with_a_negative_entry(health, companies):
    NegativeEntry.objects.create(resource=companies, legal_basis=BASIS)
    request = services.request_access(actor=health["officer"], client=health["client"], resource=companies,
                                      purpose="核验", legal_basis="依据", **a_year())  # fmt: skip
    assert request.status == "refused" and BASIS in request.decision_reason
    assert not Grant.objects.exists()


def test_a_pending_request_cannot_be_approved_once_the_resource_is_listed(health, officer, people):
    request = services.request_access(actor=health["officer"], client=health["client"], resource=people,
                                      purpose="核验", legal_basis="依据", **a_year())  # fmt: skip
    listed(officer, people)
    with pytest.raises(ServiceError) as refused:
        services.decide_request(actor=officer, request=request, approve=True)
    assert refused.value.code == "exchange.not_shared" and not Grant.objects.exists()
