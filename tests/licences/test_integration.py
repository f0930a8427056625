"""The functions the cases app calls, with stand-ins shaped like its Case and Material."""

from types import SimpleNamespace

import pytest

from tests.licences.conftest import BUSINESS_DATA
from yiwang.core.errors import ServiceError
from yiwang.core.models import AuditEvent
from yiwang.licences import services
from yiwang.licences.integration import issue_for_case, reuse_licence
from yiwang.licences.models import Licence, LicenceUse

pytestmark = pytest.mark.django_db
NUMBER = "11990100T00000044A00012026112300001"


def a_case(city, types, company, **changes):
    item = SimpleNamespace(
        name="食品经营许可", organisation=city["market"], result_licence_type=types["business"].code
    )
    fields = {"number": NUMBER, "item": item, "status": "approved", "applicant_kind": "company",
              "applicant_name": company["name"], "applicant_code": company["uscc"], "form_data": dict(BUSINESS_DATA),
              "applicant": company["agent"], "registered_by": None}  # fmt: skip
    return SimpleNamespace(**{**fields, **changes})


def test_an_approved_case_gets_its_licence_in_the_items_organisations_name(city, types, company):
    identifier = issue_for_case(a_case(city, types, company), actor=city["health_reviewer"])
    licence = Licence.objects.get(identifier=identifier)
    assert (licence.issuer, licence.holder_code, licence.case_number) == (
        city["market"],
        company["uscc"],
        NUMBER,
    )
    assert licence.content["data"]["scope"] == "食品销售"
    event = AuditEvent.objects.get(action="licence.issue", target_id=str(licence.pk))
    assert event.actor_id == str(city["health_reviewer"].pk)


def test_a_case_that_is_not_approved_gets_no_licence(city, types, company):
    with pytest.raises(ServiceError, match="准予许可"):
        issue_for_case(a_case(city, types, company, status="rejected"), actor=city["reviewer"])
    assert not Licence.objects.exists()


def test_an_unknown_result_type_stops_the_issuance_with_a_message(city, types, company):
    case = a_case(city, types, company)
    case.item.result_licence_type = "1" * 21
    with pytest.raises(ServiceError, match="未定义"):
        issue_for_case(case, actor=city["reviewer"])


def test_a_form_without_a_required_field_stops_the_issuance(city, types, company):
    with pytest.raises(ServiceError, match="缺少必填信息项：经营范围"):
        issue_for_case(a_case(city, types, company, form_data={"company_type": "有限责任公司", "representative": "张三"}),
                       actor=city["reviewer"])  # fmt: skip


def test_an_item_of_an_organisation_not_listed_for_the_type_cannot_issue_it(city, types, company):
    case = a_case(city, types, company)
    case.item.organisation = city["health"]
    with pytest.raises(ServiceError, match="不是营业执照的颁发机构"):
        issue_for_case(case, actor=city["health_reviewer"])


def test_reuse_provides_the_applicants_valid_licence_and_records_the_use(
    city, types, company, business_licence
):
    material = SimpleNamespace(name="营业执照", licence_type=types["business"].code)
    assert reuse_licence(a_case(city, types, company), material) == business_licence.identifier
    use = LicenceUse.objects.get()
    assert (use.case_number, use.organisation, use.consent) == (NUMBER, city["market"], True)
    assert use.purpose == "食品经营许可：营业执照（免提交）" and use.used_by.startswith(
        "江澜市市场监督管理局（agent"
    )


def test_reuse_finds_nothing_for_an_applicant_without_the_licence(
    city, types, company, business_licence, factory
):
    material = SimpleNamespace(name="营业执照", licence_type=types["business"].code)
    assert (
        reuse_licence(a_case(city, types, company, applicant_code=factory.uscc()), material) is None
    )
    assert not LicenceUse.objects.exists()


def test_reuse_ignores_a_revoked_licence(city, types, company, business_licence):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="revoked", reason="吊销"
    )
    material = SimpleNamespace(name="营业执照", licence_type=types["business"].code)
    assert reuse_licence(a_case(city, types, company), material) is None


def another_holders_licence(city, types, factory):
    return services.issue_licence(actor=city["reviewer"], licence_type=types["business"], holder_name="别家公司",
                                  holder_code=factory.uscc(), holder_code_type="001", data=BUSINESS_DATA)  # fmt: skip


def test_reuse_refuses_another_holders_licence_offered_as_the_material(
    city, types, company, factory
):
    material = SimpleNamespace(name="营业执照", licence_type=types["business"].code)
    offered = another_holders_licence(city, types, factory)
    with pytest.raises(ServiceError) as refused:
        reuse_licence(a_case(city, types, company), material, identifier=offered.identifier)
    assert refused.value.code == "licence.not_holder" and not LicenceUse.objects.exists()


def test_reuse_takes_the_licence_the_applicant_chose(city, types, company, business_licence):
    newer = services.issue_licence(actor=city["reviewer"], licence_type=types["business"], holder_name=company["name"],
                                    holder_code=company["uscc"], holder_code_type="001", data=BUSINESS_DATA)  # fmt: skip
    material = SimpleNamespace(name="营业执照", licence_type=types["business"].code)
    case = a_case(city, types, company)
    assert (
        reuse_licence(case, material, identifier=business_licence.identifier)
        == business_licence.identifier
    )
    assert LicenceUse.objects.get().licence == business_licence != newer  # fmt: skip


def test_reuse_refuses_a_chosen_licence_that_is_not_valid(city, types, company, business_licence):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="suspended", reason="调查"
    )
    material = SimpleNamespace(name="营业执照", licence_type=types["business"].code)
    with pytest.raises(ServiceError) as refused:
        reuse_licence(
            a_case(city, types, company), material, identifier=business_licence.identifier
        )
    assert refused.value.code == "licence.not_valid" and not LicenceUse.objects.exists()  # fmt: skip


def test_reuse_passes_over_a_licence_whose_seal_was_revoked(
    city, types, company, business_licence, seals
):
    services.revoke_seal(actor=city["admin"], seal=seals["market"], reason="私钥泄露")
    material = SimpleNamespace(name="营业执照", licence_type=types["business"].code)
    assert (
        reuse_licence(a_case(city, types, company), material) is None
        and not LicenceUse.objects.exists()
    )
