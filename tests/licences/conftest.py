"""A small city with a market regulator that issues 营业执照 and a health commission
that issues 医师执业证书, each with an SM2 seal; holders with accounts."""

import datetime

import pytest

from yiwang.core.models import CompanyAgent
from yiwang.licences import publication, services

BUSINESS_FIELDS = [
    {"code": "company_type", "name": "类型", "required": True},
    {"code": "representative", "name": "法定代表人", "required": True},
    {"code": "capital", "name": "注册资本"},
    {"code": "scope", "name": "经营范围", "required": True},
]
BUSINESS_FACE = [["holder_name", "名称"], ["holder_code", "统一社会信用代码"], ["company_type", "类型"],
                 ["representative", "法定代表人"], ["scope", "经营范围"], ["validity", "营业期限"]]  # fmt: skip
BUSINESS_DATA = {"company_type": "有限责任公司", "representative": "张三", "capital": "100 万元",
                 "scope": "食品销售"}  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_status_lists(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    publication.clear_cache()
    from yiwang.core import crypto
    from yiwang.licences import keys

    crypto.platform_key.cache_clear()
    keys.encryption_key.cache_clear()
    yield
    crypto.platform_key.cache_clear()
    keys.encryption_key.cache_clear()


@pytest.fixture
def city(factory):
    root = factory.organisation("江澜市人民政府", kind="government")
    market = factory.organisation("江澜市市场监督管理局", parent=root)
    health = factory.organisation("江澜市卫生健康委员会", parent=root)
    return {"root": root, "market": market, "health": health,
            "admin": factory.staff("admin", market, username="market-admin"),
            "reviewer": factory.staff("reviewer", market, username="market-reviewer"),
            "health_reviewer": factory.staff("reviewer", health, username="health-reviewer"),
            "health_admin": factory.staff("admin", health, username="health-admin")}  # fmt: skip


def a_year_from(day=None):
    day = day or datetime.date.today()
    return day + datetime.timedelta(days=365)


@pytest.fixture
def seals(city):
    market = services.create_seal(actor=city["admin"], organisation=city["market"], name="江澜市市场监督管理局电子印章",
                                  valid_until=a_year_from())  # fmt: skip
    health = services.create_seal(actor=city["health_admin"], organisation=city["health"], name="卫健委电子印章",
                                  valid_until=a_year_from())  # fmt: skip
    return {"market": market, "health": health}


@pytest.fixture
def types(city, seals):
    business = services.create_licence_type(actor=city["admin"], defining_org=city["market"], code_suffix="001",
                                            name="营业执照", holder_code_types=["001"], fields=BUSINESS_FIELDS,
                                            face_layout=BUSINESS_FACE)  # fmt: skip
    doctor = services.create_licence_type(actor=city["health_admin"], defining_org=city["health"], code_suffix="002",
                                          name="医师执业证书", holder_code_types=["111"], validity_years=5,
                                          fields=[{"code": "speciality", "name": "执业范围", "required": True}])  # fmt: skip
    return {"business": business, "doctor": doctor}


@pytest.fixture
def company(factory):
    """A company (USCC) and its agent's account."""
    uscc = factory.uscc()
    agent = factory.user(username="agent", real_name="李经办", id_number=factory.ric())
    CompanyAgent.objects.create(user=agent, company_uscc=uscc, company_name="江澜味道食品有限公司",
                                valid_from=datetime.date.today() - datetime.timedelta(days=10))  # fmt: skip
    return {"uscc": uscc, "name": "江澜味道食品有限公司", "agent": agent}


@pytest.fixture
def citizen(factory):
    return factory.user(username="citizen", real_name="王医生", id_number=factory.ric())


def issue_business(city, types, company, **extra):
    return services.issue_licence(actor=extra.pop("actor", city["reviewer"]), licence_type=types["business"],
                                  holder_name=extra.pop("holder_name", company["name"]), holder_code=company["uscc"],
                                  holder_code_type="001", data=extra.pop("data", BUSINESS_DATA), **extra)  # fmt: skip


@pytest.fixture
def business_licence(city, types, company):
    return issue_business(city, types, company, case_number="001122334455620261122000001")


@pytest.fixture
def doctor_licence(city, types, citizen):
    return services.issue_licence(actor=city["health_reviewer"], licence_type=types["doctor"], holder_name="王医生",
                                  holder_code=citizen.id_number, holder_code_type="111",
                                  data={"speciality": "内科专业"})  # fmt: skip


@pytest.fixture
def company_case(city, company):
    """A case of the company, handled by the market regulator with the health commission taking
    part: its staff may record uses of the company's licences for it."""
    from django.utils import timezone

    from tests import factories
    from yiwang.cases.models import Case

    item = factories.service_item(city["market"], participants=[city["market"], city["health"]])
    case = Case.objects.create(number="001122334455620261122000009", item=item, item_version=item.version,
                               applicant_kind="company", applicant_name=company["name"],
                               applicant_code=company["uscc"], channel="online", submitted_at=timezone.now())  # fmt: skip
    case.participants.set([city["market"], city["health"]])
    return case


def trusted() -> set[str]:
    """The trust anchor of a verifier that pinned this deployment's platform key."""
    return {publication.platform_fingerprint()}
