import pytest

from yiwang.catalog import services

LEGAL_PERSON_FIELDS = [
    {"code": "uscc", "name": "统一社会信用代码", "data_type": "uscc", "length": 18, "is_key": True},
    {"code": "name", "name": "企业名称", "data_type": "string", "length": 200, "required": True},
    {
        "code": "legal_representative",
        "name": "法定代表人",
        "data_type": "string",
        "length": 50,
        "is_personal": True,
    },
    {
        "code": "representative_id_number",
        "name": "法定代表人身份号码",
        "data_type": "ric",
        "is_personal": True,
    },
    {"code": "region_code", "name": "住所行政区划", "data_type": "region", "filterable": True},
    {"code": "registered_capital", "name": "注册资本（万元）", "data_type": "decimal"},
    {"code": "established", "name": "成立日期", "data_type": "date"},
]


@pytest.fixture
def city(factory):
    root = factory.organisation("江澜市人民政府", kind="government")
    return {
        "root": root,
        "market": factory.organisation("江澜市市场监督管理局", parent=root),
        "health": factory.organisation("江澜市卫生健康委员会", parent=root),
        "police": factory.organisation("江澜市公安局", parent=root),
    }


@pytest.fixture
def officer(factory, city):
    return factory.staff("data_officer", city["market"], username="market-officer")


def make_resource(
    actor, owner, *, code="B0201/000001", name="法人基本信息", share_type="unconditional", **extra
):
    fields = extra.pop("fields", LEGAL_PERSON_FIELDS)
    attrs = {"category": "base", "base_registry": "legal_person", "update_cycle": "daily", "share_type": share_type,
             "summary": "全市企业法人登记信息，含统一社会信用代码、名称、法定代表人。"}  # fmt: skip
    if share_type == "conditional":
        attrs["share_condition"] = "用于行政审批核验"
    attrs.update(extra)
    return services.create_resource(actor=actor, owner=owner, code=code, name=name,
                                    fields=fields, **attrs)  # fmt: skip


@pytest.fixture
def legal_persons(officer, city):
    return make_resource(officer, city["market"])
