import pytest

from yiwang.core.models import ApiClient, AuditEvent, Organisation
from yiwang.core.permissions import can, descendant_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(factory):
    city = factory.organisation("江澜市人民政府")
    county = factory.organisation("青山县人民政府", parent=city, level="county")
    county_police = factory.organisation("青山县公安局", parent=county, level="county")
    market = factory.organisation("江澜市市场监督管理局", parent=city)
    return city, county, county_police, market


def test_descendants_include_every_level_below(tree):
    city, county, county_police, market = tree
    assert descendant_ids({city.pk}) == {city.pk, county.pk, county_police.pk, market.pk}
    assert descendant_ids({county.pk}) == {county.pk, county_police.pk}


def test_a_county_admin_changes_the_county_and_its_departments_only(factory, tree):
    _city, county, county_police, market = tree
    admin = factory.staff("admin", county)
    changeable = set(Organisation.objects.restrict(admin, "change"))
    assert changeable == {county, county_police}
    assert not can(admin, "change", market)


def test_anonymous_visitors_see_active_organisations_only(factory, tree):
    from django.contrib.auth.models import AnonymousUser

    tree[3].is_active = False
    tree[3].save()
    visible = Organisation.objects.restrict(AnonymousUser(), "view")
    assert tree[3] not in visible and tree[0] in visible


def test_an_unknown_action_grants_nothing(factory, tree):
    assert not Organisation.objects.restrict(factory.staff("admin", tree[0]), "launch").exists()


def test_a_superuser_may_do_anything(factory, tree):
    assert Organisation.objects.restrict(factory.superuser(), "launch").count() == 4


def test_an_inactive_superuser_is_not_a_superuser(factory, tree):
    user = factory.superuser(is_active=False)
    assert not Organisation.objects.restrict(user, "change").exists()


def test_an_api_client_sees_only_itself_among_clients(factory, tree):
    mine, other = factory.api_client(tree[3]), factory.api_client(tree[3])
    assert list(ApiClient.objects.restrict(mine, "view")) == [mine]
    assert other not in ApiClient.objects.restrict(mine, "change")


def test_audit_events_are_hidden_from_everyone_but_supervisors(factory, tree):
    reviewer = factory.staff("reviewer", tree[3])
    assert AuditEvent.objects.restrict(reviewer, "view").query.is_empty()
