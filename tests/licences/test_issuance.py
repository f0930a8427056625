"""Issuing licences: identifiers, signatures, validation, permissions, versions, status and expiry."""

import datetime

import pytest

from tests.licences.conftest import BUSINESS_DATA, issue_business
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.identifiers import validate_licence_id
from yiwang.core.models import AuditEvent
from yiwang.licences import keys, services
from yiwang.licences.models import Licence

pytestmark = pytest.mark.django_db


def events(action, licence=None):
    qs = AuditEvent.objects.filter(action=action, target_type="licences.licence")
    return qs.filter(target_id=str(licence.pk)) if licence else qs


def test_an_issued_licence_has_a_valid_gbt_36904_identifier_with_its_parts(
    business_licence, types, city
):
    assert validate_licence_id(business_licence.identifier) == business_licence.identifier
    prefix = f"1.2.156.3005.2.{types['business'].code}.{city['market'].uscc}.00000001.1."
    assert business_licence.identifier.startswith(prefix)


def test_the_stored_canonical_json_is_signed_by_the_issuers_seal(business_licence, seals):
    assert business_licence.seal == seals["market"]
    assert keys.verify("sm2", bytes.fromhex(seals["market"].public_key), business_licence.document.encode(),
                       bytes.fromhex(business_licence.signature))  # fmt: skip
    content = business_licence.content
    assert content["holder"]["code_type"] == "001" and content["data"]["scope"] == "食品销售"


def test_issuing_writes_an_audit_row_without_the_clear_holder_code(business_licence, company):
    event = events("licence.issue", business_licence).get()
    assert event.actor_label.startswith("market-reviewer")
    assert event.after["identifier"] == business_licence.identifier
    assert company["uscc"] not in str(event.after) and event.after["document_sm3"]


def test_serials_count_per_type_and_issuer_and_status_indexes_are_unique(city, types, company):
    first, second = issue_business(city, types, company), issue_business(city, types, company)
    assert (first.serial, second.serial) == ("00000001", "00000002")
    assert first.status_index != second.status_index


def test_a_type_with_a_validity_rule_gets_its_end_date_by_default(doctor_licence):
    assert doctor_licence.valid_until == doctor_licence.valid_from.replace(
        year=doctor_licence.valid_from.year + 5
    ) - datetime.timedelta(days=1)


def test_a_validity_longer_than_the_rule_is_refused(city, types, citizen):
    with pytest.raises(ServiceError, match="最长 5 年"):
        services.issue_licence(actor=city["health_reviewer"], licence_type=types["doctor"], holder_name="王医生",
                               holder_code=citizen.id_number, holder_code_type="111", data={"speciality": "内科"},
                               valid_until=datetime.date.today() + datetime.timedelta(days=6 * 366))  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holder_code": "91990100MA0000000X"}, "持证主体代码无效"),
        ({"holder_code_type": "111"}, "持证主体代码类型应为统一社会信用代码"),
        ({"data": {**BUSINESS_DATA, "scope": " "}}, "缺少必填信息项：经营范围"),
        ({"data": {**BUSINESS_DATA, "colour": "red"}}, "没有这些信息项：colour"),
        ({"data": {**BUSINESS_DATA, "scope": ["a"]}}, "应为不超过"),
        ({"holder_name": " "}, "请填写持证主体名称"),
        (
            {"valid_from": datetime.date(2026, 5, 1), "valid_until": datetime.date(2026, 4, 1)},
            "不能早于",
        ),
        ({"valid_from": datetime.date(9999, 12, 31)}, "超出合理范围"),
        ({"valid_until": datetime.date(9999, 12, 31)}, "超出合理范围"),
        (
            {"valid_from": datetime.date(2000, 1, 1), "valid_until": datetime.date(2001, 1, 1)},
            "不能签发已过期的证照",
        ),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message(city, types, company, change, message):
    fields = {"holder_name": company["name"], "holder_code": company["uscc"], "holder_code_type": "001",
              "data": BUSINESS_DATA, **change}  # fmt: skip
    with pytest.raises(ServiceError, match=message):
        services.issue_licence(actor=city["reviewer"], licence_type=types["business"], **fields)
    assert not Licence.objects.exists()


def test_an_organisation_without_a_valid_seal_cannot_issue(city, types, company, seals):
    services.revoke_seal(actor=city["admin"], seal=seals["market"], reason="密钥泄露")
    with pytest.raises(ServiceError, match="没有有效的电子印章"):
        issue_business(city, types, company)


def test_staff_of_another_organisation_cannot_issue(city, types, company):
    with pytest.raises(PermissionDenied):
        issue_business(city, types, company, actor=city["health_reviewer"], issuer=city["market"])


def test_a_data_officer_of_the_issuer_has_no_issuing_role(factory, city, types, company):
    officer = factory.staff("data_officer", city["market"])
    with pytest.raises(PermissionDenied):
        issue_business(city, types, company, actor=officer, issuer=city["market"])


def test_an_anonymous_user_cannot_issue(city, types, company):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        issue_business(city, types, company, actor=AnonymousUser(), issuer=city["market"])


def test_an_issuer_not_listed_for_the_type_is_refused(city, types, citizen):
    with pytest.raises(ServiceError, match="不是医师执业证书的颁发机构"):
        services.issue_licence(actor=city["reviewer"], licence_type=types["doctor"], holder_name="王医生",
                               holder_code=citizen.id_number, holder_code_type="111", data={"speciality": "内科"})  # fmt: skip


def test_a_department_system_of_the_issuer_issues_in_its_name(factory, city, types, company):
    client = factory.api_client(city["market"], "licensing")
    licence = issue_business(city, types, company, actor=client)
    assert licence.issuer == city["market"]
    assert events("licence.issue", licence).get().actor_kind == "client"


def test_a_change_makes_a_new_signed_version_and_supersedes_the_old(city, business_licence):
    new = services.change_licence(actor=city["reviewer"], licence=business_licence, reason="经营范围变更",
                                  data={"scope": "食品销售；餐饮服务"})  # fmt: skip
    business_licence.refresh_from_db()
    assert (new.version, new.serial, new.previous) == (2, business_licence.serial, business_licence)
    assert new.identifier.endswith(f".{new.serial}.2.{new.identifier[-1]}")
    assert (
        new.content["data"]["scope"] == "食品销售；餐饮服务"
        and new.content["previous"] == business_licence.identifier
    )
    assert (
        business_licence.status == "superseded" and "经营范围变更" in business_licence.status_reason
    )
    assert (
        events("licence.change", new).exists()
        and events("licence.supersede", business_licence).exists()
    )


def test_a_superseded_version_cannot_be_changed_again(city, business_licence):
    services.change_licence(
        actor=city["reviewer"], licence=business_licence, reason="住所变更", data={}
    )
    with pytest.raises(ServiceError, match="不能变更"):
        services.change_licence(
            actor=city["reviewer"], licence=business_licence, reason="再次变更", data={}
        )


def test_suspend_resume_and_revoke_are_audited_with_their_reasons(city, business_licence):
    for status, reason in (
        ("suspended", "立案调查"),
        ("valid", "调查结束"),
        ("revoked", "虚假登记"),
    ):
        services.set_licence_status(
            actor=city["reviewer"], licence=business_licence, status=status, reason=reason
        )
    business_licence.refresh_from_db()
    assert business_licence.status == "revoked" and business_licence.status_reason == "虚假登记"
    actions = list(AuditEvent.objects.filter(target_type="licences.licence", target_id=str(business_licence.pk)).order_by("id")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["licence.issue", "licence.suspend", "licence.resume", "licence.revoke"]
    assert events("licence.revoke", business_licence).get().before["status"] == "valid"


def test_revocation_and_cancellation_are_final(city, business_licence):
    services.set_licence_status(
        actor=city["reviewer"], licence=business_licence, status="cancelled", reason="企业注销"
    )
    with pytest.raises(ServiceError, match="已注销的证照不能改为有效"):
        services.set_licence_status(
            actor=city["reviewer"], licence=business_licence, status="valid", reason="误操作"
        )


def test_a_status_change_needs_a_reason(city, business_licence):
    with pytest.raises(ServiceError, match="请说明原因"):
        services.set_licence_status(
            actor=city["reviewer"], licence=business_licence, status="suspended", reason=" "
        )


def test_another_organisation_cannot_change_a_licence_it_sees_as_not_found(city, business_licence):
    with pytest.raises(NotFound):
        services.set_licence_status(actor=city["health_reviewer"], licence=business_licence, status="revoked",
                                    reason="越权")  # fmt: skip
    business_licence.refresh_from_db()
    assert business_licence.status == "valid"


def test_the_expiry_sweep_marks_past_licences_expired_one_audit_row_each(doctor_licence):
    after_end = doctor_licence.valid_until + datetime.timedelta(days=1)
    assert services.expire_licences(today=doctor_licence.valid_until) == 0
    assert services.expire_licences(today=after_end) == 1
    doctor_licence.refresh_from_db()
    assert doctor_licence.status == "expired"
    assert events("licence.expire", doctor_licence).get().actor_kind == "system"


def test_a_licence_starting_on_29_february_ends_on_28_february_years_later(city, types, citizen):
    licence = services.issue_licence(actor=city["health_reviewer"], licence_type=types["doctor"], holder_name="王医生",
                                     holder_code=citizen.id_number, holder_code_type="111", data={"speciality": "内科"},
                                     valid_from=datetime.date(2028, 2, 29))  # fmt: skip
    assert licence.valid_until == datetime.date(2033, 2, 27)


def test_an_integer_beyond_what_canonical_json_can_write_is_refused(city, types, company):
    with pytest.raises(ServiceError, match="应为不超过"):
        issue_business(city, types, company, data={**BUSINESS_DATA, "capital": 2**60})


def test_a_change_cannot_stretch_the_validity_beyond_the_rule(city, doctor_licence):
    with pytest.raises(ServiceError, match="最长 5 年"):
        services.change_licence(actor=city["health_reviewer"], licence=doctor_licence, reason="延期",
                                valid_until=doctor_licence.valid_until.replace(year=doctor_licence.valid_until.year + 3))  # fmt: skip


@pytest.mark.parametrize("value", [0, False])
def test_a_required_field_answered_with_zero_or_false_is_not_missing(city, seals, company, value):
    licence_type = services.create_licence_type(
        actor=city["admin"], defining_org=city["market"], code_suffix="003", name="食品经营许可证",
        holder_code_types=["001"], fields=[{"code": "answer", "name": "从业人员数或是否网络经营", "required": True}],
    )  # fmt: skip
    licence = services.issue_licence(actor=city["reviewer"], licence_type=licence_type, holder_name=company["name"],
                                     holder_code=company["uscc"], holder_code_type="001", data={"answer": value})  # fmt: skip
    assert licence.content["data"] == {"answer": value}


@pytest.mark.parametrize("years", [0, 101, 10_000])
def test_a_licence_type_with_a_validity_of_no_or_too_many_years_is_refused(city, years):
    with pytest.raises(ServiceError, match="有效期应为 1–100 年"):
        services.create_licence_type(actor=city["admin"], defining_org=city["market"], code_suffix="004",
                                     name="食品经营许可证", holder_code_types=["001"], validity_years=years)  # fmt: skip


def test_a_change_of_a_licence_not_yet_in_force_keeps_its_start_date(city, types, company):
    from yiwang.licences.verification import verify_licence

    start = datetime.date.today() + datetime.timedelta(days=30)
    licence = issue_business(city, types, company, valid_from=start)
    new = services.change_licence(actor=city["reviewer"], licence=licence, reason="法定代表人变更",
                                  data={"representative": "李四"})  # fmt: skip
    assert new.valid_from == start
    assert verify_licence(new.identifier).state == "not_yet_valid"
