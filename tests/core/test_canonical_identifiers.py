"""Identifiers are stored as they are compared: a 身份号码 typed with a lower-case x, a phone
with spaces or a USCC in lower case is the same person's or company's, and the account is found
by cases, agencies and messages that name it in its canonical form."""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps

from tests import factories
from yiwang.cases.notify import recipient_id
from yiwang.core import identifiers, services
from yiwang.core.errors import ServiceError
from yiwang.core.models import CompanyAgent, Organisation, User

pytestmark = pytest.mark.django_db


def ending_in_x(year: int) -> str:
    """A test-region 身份号码 whose check character is X."""
    born = datetime.date(year, 1, 1)
    numbers = (identifiers.make_ric(region="990102", born=born, sequence=n, sex="M")
               for n in range(1, 500))  # fmt: skip
    return next(number for number in numbers if number.endswith("X"))


ENDS_IN_X = ending_in_x(1990)


def test_an_account_registered_with_a_lower_case_x_is_stored_and_found_as_the_same_person():
    user = services.register_user(actor=None, username="walkin", password="Passw0rd!x",
                                  real_name="测试", id_number=ENDS_IN_X.lower())  # fmt: skip
    user.refresh_from_db()
    assert user.id_number == ENDS_IN_X
    walk_in = SimpleNamespace(applicant_kind="person", applicant_id=None, applicant_code=ENDS_IN_X)
    assert recipient_id(walk_in) == user.pk


def test_the_same_number_in_the_other_case_is_a_second_account_refused():
    services.register_user(actor=None, username="first", password="Passw0rd!x",
                           id_number=ENDS_IN_X.lower())  # fmt: skip
    with pytest.raises(ServiceError) as refused:
        services.register_user(actor=None, username="second", password="Passw0rd!x",
                               id_number=ENDS_IN_X)  # fmt: skip
    assert refused.value.code in {"conflict", "validation_failed"}
    assert User.objects.filter(id_number=ENDS_IN_X).count() == 1


def test_an_organisation_and_an_agency_keep_the_uscc_in_upper_case():
    uscc = factories.uscc()
    assert uscc != uscc.lower()  # it has letters
    organisation = factories.organisation(uscc=uscc.lower())
    agency = CompanyAgent.objects.create(user=factories.user(), company_uscc=uscc.lower(),
                                         company_name="测试公司",
                                         valid_from=datetime.date(2026, 1, 1))  # fmt: skip
    organisation.refresh_from_db()
    agency.refresh_from_db()
    assert organisation.uscc == agency.company_uscc == uscc


def test_an_invalid_number_is_left_for_the_validator_to_refuse():
    assert identifiers.canonical("ric", "12345x") == "12345x"
    assert identifiers.canonical("ric", None) is None
    with pytest.raises(ServiceError):
        services.register_user(actor=None, username="bad", password="Passw0rd!x",
                               id_number="12345x")  # fmt: skip


def test_the_migration_brings_stored_rows_to_their_canonical_form_unless_taken():
    migration = __import__("yiwang.core.migrations.0008_canonical_identifiers",
                           fromlist=["forwards"])  # fmt: skip
    lower = factories.user()
    User.objects.filter(pk=lower.pk).update(id_number=ENDS_IN_X.lower())
    other = ending_in_x(1991)
    taken, twin = factories.user(id_number=other), factories.user()
    User.objects.filter(pk=twin.pk).update(id_number=other.lower())  # both forms exist already
    uscc = factories.uscc()
    organisation = factories.organisation()
    Organisation.objects.filter(pk=organisation.pk).update(uscc=uscc.lower())
    migration.forwards(apps, None)
    assert User.objects.get(pk=lower.pk).id_number == ENDS_IN_X
    assert User.objects.get(pk=twin.pk).id_number == other.lower()
    assert User.objects.get(pk=taken.pk).id_number == other
    assert Organisation.objects.get(pk=organisation.pk).uscc == uscc
