import datetime

import pytest

from yiwang.core import services
from yiwang.core.errors import ServiceError
from yiwang.core.models import AuditEvent, CalendarOverride, Membership
from yiwang.core.workdays import is_working_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(factory):
    root = factory.organisation("江澜市人民政府")
    return (
        root,
        factory.organisation("江澜市民政局", parent=root),
        factory.organisation("江澜市教育局", parent=root),
    )


def test_an_admin_gives_a_role_in_their_organisation_and_it_is_audited(factory, city):
    _root, civil, _education = city
    admin, person = factory.staff("admin", civil), factory.user("newclerk")
    membership = services.grant_role(actor=admin, user=person, organisation=civil, role="clerk")
    assert Membership.objects.filter(user=person, organisation=civil, role="clerk").exists()
    assert AuditEvent.objects.filter(
        action="membership.grant", target_id=str(membership.pk)
    ).exists()


def test_an_admin_cannot_give_roles_in_another_department(factory, city):
    _root, civil, education = city
    with pytest.raises(ServiceError) as caught:
        services.grant_role(actor=factory.staff("admin", civil), user=factory.user(), organisation=education,
                            role="clerk")  # fmt: skip
    assert caught.value.code == "permission_denied"


def test_the_same_role_twice_is_refused_without_a_second_row(factory, city):
    _root, civil, _education = city
    admin, person = factory.staff("admin", civil), factory.user()
    services.grant_role(actor=admin, user=person, organisation=civil, role="reviewer")
    with pytest.raises(ServiceError) as caught:
        services.grant_role(actor=admin, user=person, organisation=civil, role="reviewer")
    assert caught.value.code == "validation_failed"
    assert Membership.objects.filter(user=person, role="reviewer").count() == 1


def test_revoking_a_role_removes_it_and_records_what_it_was(factory, city):
    _root, civil, _education = city
    admin = factory.staff("admin", civil)
    membership = services.grant_role(
        actor=admin, user=factory.user(), organisation=civil, role="clerk"
    )
    services.revoke_role(actor=admin, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.get(action="membership.revoke").before["role"] == "clerk"


def test_an_admin_declares_a_local_holiday_and_the_calendar_follows(factory, city):
    monday = datetime.date(2026, 11, 23)
    assert is_working_day(monday)
    services.set_calendar_override(actor=factory.staff("admin", city[0]), date=monday, is_working_day=False,
                                   reason="防汛应急停工")  # fmt: skip
    assert not is_working_day(monday)
    assert CalendarOverride.objects.get(date=monday).reason == "防汛应急停工"
    assert AuditEvent.objects.filter(action="calendar.override").exists()


def test_only_admins_change_the_calendar(factory, city):
    with pytest.raises(ServiceError) as caught:
        services.set_calendar_override(actor=factory.staff("clerk", city[1]), date=datetime.date(2026, 11, 23),
                                       is_working_day=False, reason="x")  # fmt: skip
    assert caught.value.code == "permission_denied"


@pytest.mark.parametrize("reason", ["", "   ", "防汛" * 101])
def test_a_calendar_change_needs_a_reason_that_fits(factory, city, reason):
    with pytest.raises(ServiceError) as caught:
        services.set_calendar_override(actor=factory.staff("admin", city[0]), date=datetime.date(2026, 11, 23),
                                       is_working_day=False, reason=reason)  # fmt: skip
    assert caught.value.code == "validation_failed"
    assert not CalendarOverride.objects.exists() and not AuditEvent.objects.exists()
