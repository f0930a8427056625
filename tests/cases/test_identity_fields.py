"""A form field the platform fills from who applies (their 身份号码, the company's USCC) must
name that applicant: a company's agent cannot put another company's USCC in the form, nor a
person someone else's 身份号码."""

import datetime

import pytest

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.core.errors import ServiceError
from yiwang.core.models import CompanyAgent

pytestmark = pytest.mark.django_db

FORM = [
    {"code": "name", "label": "申请人姓名", "type": "text", "required": True},
    {"code": "id_number", "label": "公民身份号码", "type": "ric", "prefill": "applicant.id_number"},
    {"code": "uscc", "label": "统一社会信用代码", "type": "uscc", "prefill": "company.uscc"},
]


@pytest.fixture
def item(city):
    return factories.service_item(city["market"], form_definition=FORM, audience="both")


@pytest.fixture
def agent(city):
    uscc = factories.uscc()
    CompanyAgent.objects.create(user=city["citizen"], company_uscc=uscc, company_name="江澜测试餐饮有限公司",
                                valid_from=datetime.date(2020, 1, 1))  # fmt: skip
    return city["citizen"], uscc


def apply(item, actor, form, **kwargs):
    return services.submit_application(actor=actor, item=item, form_data={"name": "张三", **form},
                                       uploads=uploads_for(item), **kwargs)  # fmt: skip


def test_an_agent_cannot_name_another_company_in_the_form(item, agent):
    user, uscc = agent
    with pytest.raises(ServiceError) as caught:
        apply(item, user, {"uscc": factories.uscc()}, company_uscc=uscc)
    assert caught.value.detail["fields"] == {
        "uscc": "统一社会信用代码须为申请人（江澜测试餐饮有限公司）的号码"
    }
    assert not Case.objects.exists()


def test_an_agent_naming_their_company_applies(item, agent):
    user, uscc = agent
    case = apply(item, user, {"uscc": uscc.lower()}, company_uscc=uscc)
    assert case.applicant_code == uscc


def test_a_person_cannot_give_someone_elses_id_number(item, city):
    with pytest.raises(ServiceError, match="公民身份号码须为申请人"):
        apply(item, city["citizen"], {"id_number": factories.ric()})


def test_a_person_giving_their_own_id_number_applies(item, city):
    assert apply(item, city["citizen"], {"id_number": city["citizen"].id_number}).pk


def test_a_walk_in_form_must_name_the_applicant_the_clerk_registered(item, city):
    code = factories.ric()
    with pytest.raises(ServiceError, match="公民身份号码须为申请人"):
        services.register_walk_in(actor=city["clerk"], item=item, applicant_kind="person",
                                  applicant_name="李四", applicant_code=code,
                                  form_data={"name": "李四", "id_number": factories.ric()})  # fmt: skip
    case = services.register_walk_in(actor=city["clerk"], item=item, applicant_kind="person",
                                     applicant_name="李四", applicant_code=code,
                                     form_data={"name": "李四", "id_number": code},
                                     uploads=uploads_for(item))  # fmt: skip
    assert case.form_data["id_number"] == code


def test_a_correction_cannot_put_another_company_in_the_form(item, agent, city):
    user, uscc = agent
    case = apply(item, user, {"uscc": uscc}, company_uscc=uscc)
    services.request_correction(actor=city["clerk"], case=case, corrections=["补充营业执照复印件"])
    with pytest.raises(ServiceError) as caught:
        services.submit_correction(actor=user, case=case, form_data={"uscc": factories.uscc()})
    assert caught.value.detail["fields"] == {
        "uscc": "统一社会信用代码须为申请人（江澜测试餐饮有限公司）的号码"
    }
    assert Case.objects.get(pk=case.pk).form_data["uscc"] == uscc


def test_a_correction_cannot_put_someone_elses_id_number_in_the_form(item, city):
    case = apply(item, city["citizen"], {"id_number": city["citizen"].id_number})
    services.request_correction(actor=city["clerk"], case=case, corrections=["补充身份证复印件"])
    with pytest.raises(ServiceError, match="公民身份号码须为申请人"):
        services.submit_correction(
            actor=city["citizen"], case=case, form_data={"id_number": factories.ric()}
        )
