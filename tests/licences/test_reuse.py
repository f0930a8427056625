"""Reuse (免提交) and 用证记录: valid licences of an applicant, the one check that a licence offered
for a case is the applicant's own, and who may write a use into a holder's wallet."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.licences.conftest import issue_business
from yiwang.core.errors import PermissionDenied, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.licences import selectors, services
from yiwang.licences.models import LicenceUse

pytestmark = pytest.mark.django_db
CASE = "001122334455620261122000009"  # the number of the `company_case` fixture


def use(licence, actor, applicant_code, **extra):
    return services.record_licence_use(actor=actor, licence=licence, applicant_code=applicant_code,
                                       purpose=extra.pop("purpose", "食品经营许可申请材料：营业执照"),
                                       consent=extra.pop("consent", True), case_number=extra.pop("case_number", CASE),
                                       **extra)  # fmt: skip


def applicant(company, **changes):
    """What `material_licence` reads of a case: its applicant."""
    return SimpleNamespace(
        **{"applicant_kind": "company", "applicant_code": company["uscc"], **changes}
    )


def test_valid_licences_for_finds_the_holders_valid_licence_of_the_type(
    business_licence, company, types
):
    found = selectors.valid_licences_for(
        holder_code=company["uscc"], licence_type_code=types["business"].code
    )
    assert list(found) == [business_licence]


def test_valid_licences_for_leaves_out_revoked_expired_and_old_versions(
    city, types, company, doctor_licence, citizen
):
    revoked, changed = issue_business(city, types, company), issue_business(city, types, company)
    services.set_licence_status(
        actor=city["reviewer"], licence=revoked, status="revoked", reason="吊销"
    )
    new = services.change_licence(
        actor=city["reviewer"], licence=changed, reason="变更", data={"capital": "1 万元"}
    )
    assert list(
        selectors.valid_licences_for(
            holder_code=company["uscc"], licence_type_code=types["business"].code
        )
    ) == [new]
    later = doctor_licence.valid_until + datetime.timedelta(days=1)
    assert not selectors.valid_licences_for(holder_code=citizen.id_number, licence_type_code=types["doctor"].code,
                                            today=later).exists()  # fmt: skip


def test_valid_licences_for_another_holder_finds_nothing(business_licence, factory, types):
    assert not selectors.valid_licences_for(
        holder_code=factory.uscc(), licence_type_code=types["business"].code
    ).exists()


def test_the_material_check_returns_the_applicants_licence_data_and_verification(
    business_licence, company, types
):
    material = selectors.material_licence(applicant(company), business_licence.identifier,
                                          licence_type_code=types["business"].code)  # fmt: skip
    assert (
        material.content["data"]["scope"] == "食品销售" and material.verification.state == "valid"
    )


def test_the_material_check_refuses_another_holders_licence(business_licence, company, factory):
    with pytest.raises(ServiceError) as refused:
        selectors.material_licence(
            applicant(company, applicant_code=factory.uscc()), business_licence.identifier
        )
    assert refused.value.code == "licence.not_holder"  # fmt: skip


def test_the_material_check_refuses_a_person_whose_code_matches_a_companys_licence(
    business_licence, company
):
    person = applicant(company, applicant_kind="person")
    with pytest.raises(ServiceError) as refused:
        selectors.material_licence(person, business_licence.identifier)
    assert refused.value.code == "licence.not_holder"  # fmt: skip


def test_the_material_check_refuses_a_licence_of_another_type(business_licence, company, types):
    with pytest.raises(ServiceError, match="不是营业执照"):
        selectors.material_licence(applicant(company), business_licence.identifier,
                                   licence_type_code=types["doctor"].code)  # fmt: skip


def test_the_material_check_refuses_a_malformed_identifier(company):
    with pytest.raises(ServiceError) as refused:
        selectors.material_licence(applicant(company), "1.2.156.3005.2.X")
    assert refused.value.code == "licence.identifier"


def test_a_revoked_licence_checked_as_a_material_shows_why(city, business_licence, company):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="吊销"
    )
    material = selectors.material_licence(applicant(company), business_licence.identifier)
    assert material.verification.state == "revoked"


def test_staff_handling_the_holders_case_record_a_use_with_consent_audited(
    city, business_licence, company, factory, company_case
):
    clerk = factory.staff("clerk", city["health"])
    recorded = use(business_licence, clerk, company["uscc"].lower(), organisation=city["health"])
    assert (recorded.consent, recorded.case_number, recorded.verification) == (True, CASE, "valid")
    assert recorded.used_by.startswith("江澜市卫生健康委员会")
    event = AuditEvent.objects.get(action="licence.use", target_id=str(business_licence.pk))
    assert event.after["case_number"] == CASE and event.after["consent"] is True


def test_without_a_department_the_use_is_in_the_name_of_the_staffs_department_on_the_case(
    city, business_licence, company, company_case
):
    assert use(business_licence, city["reviewer"], company["uscc"]).organisation == city["market"]


def test_a_use_without_consent_is_refused(city, business_licence, company, company_case):
    with pytest.raises(ServiceError, match="须经持证人同意"):
        use(business_licence, city["reviewer"], company["uscc"], consent=False)
    assert not LicenceUse.objects.exists()


def test_using_another_holders_licence_is_refused(city, business_licence, factory, company_case):
    with pytest.raises(ServiceError) as refused:
        use(business_licence, city["reviewer"], factory.uscc())
    assert refused.value.code == "licence.not_holder" and not LicenceUse.objects.exists()


def test_using_a_suspended_licence_is_refused(city, business_licence, company, company_case):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="suspended", reason="调查"
    )
    with pytest.raises(ServiceError, match="已暂停"):
        use(business_licence, city["reviewer"], company["uscc"])


def test_an_anonymous_use_is_refused(business_licence, company):
    with pytest.raises(PermissionDenied):
        use(business_licence, AnonymousUser(), company["uscc"])


def test_a_signed_in_citizen_who_knows_the_holders_code_cannot_write_a_use(
    business_licence, company, citizen
):
    with pytest.raises(PermissionDenied):
        use(business_licence, citizen, company["uscc"], case_number="")
    assert not LicenceUse.objects.exists()  # fmt: skip


def test_staff_without_a_case_number_cannot_write_a_use(
    city, business_licence, company, company_case
):
    with pytest.raises(PermissionDenied, match="办件编号"):
        use(business_licence, city["reviewer"], company["uscc"], case_number="")


def test_staff_of_a_department_not_on_the_holders_case_cannot_write_a_use(
    city, business_licence, company, company_case, factory
):
    outsider = factory.staff("reviewer", factory.organisation("江澜市教育局", parent=city["root"]))
    with pytest.raises(PermissionDenied):
        use(business_licence, outsider, company["uscc"])
    assert not LicenceUse.objects.exists()


def test_a_case_of_another_applicant_does_not_open_the_holders_wallet(
    city, business_licence, company, company_case, factory
):
    company_case.applicant_code = factory.uscc()
    company_case.save(update_fields=["applicant_code"])
    with pytest.raises(PermissionDenied):
        use(business_licence, city["reviewer"], company["uscc"])


def test_a_data_officer_of_a_department_on_the_case_cannot_write_a_use(
    city, business_licence, company, company_case, factory
):
    with pytest.raises(PermissionDenied):
        use(business_licence, factory.staff("data_officer", city["market"]), company["uscc"])


def test_staff_cannot_use_a_licence_in_the_name_of_a_department_they_do_not_belong_to(
    city, business_licence, company, company_case
):
    with pytest.raises(PermissionDenied):
        use(business_licence, city["health_reviewer"], company["uscc"], organisation=city["market"])


def test_the_holder_sees_uses_of_every_version(city, business_licence, company, company_case):
    use(business_licence, city["reviewer"], company["uscc"])
    new = services.change_licence(
        actor=city["reviewer"], licence=business_licence, reason="变更", data={}
    )
    use(new, city["reviewer"], company["uscc"], purpose="第二次用证")
    held = selectors.held_licence(company["agent"], new.pk)
    assert [u.purpose for u in selectors.uses_of(held)] == [
        "第二次用证",
        "食品经营许可申请材料：营业执照",
    ]
