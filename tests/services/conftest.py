import pytest

from yiwang.services import bpmn

LICENCE_TYPE = "123501007045829876001"  # 营业执照 type code: the issuer's USCC + 3 digits

FOOD_MATERIALS = [
    {"name": "食品经营许可申请书", "required": True, "form": "original"},
    {"name": "营业执照", "required": True, "licence_type": LICENCE_TYPE},
    {"name": "法定代表人身份证明", "required": True, "form": "copy"},
]
FOOD_FORM = [
    {"code": "company_name", "label": "经营者名称", "type": "text", "required": True,
     "prefill": "company.name"},
    {"code": "uscc", "label": "统一社会信用代码", "type": "uscc", "required": True,
     "prefill": "company.uscc"},
    {"code": "area", "label": "经营场所面积（平方米）", "type": "decimal", "required": True},
    {"code": "category", "label": "经营项目", "type": "select", "options": ["热食类", "冷食类"]},
]  # fmt: skip


@pytest.fixture
def city(factory):
    root = factory.organisation("江澜市人民政府", kind="government")
    return {
        "root": root,
        "market": factory.organisation("江澜市市场监督管理局", parent=root),
        "health": factory.organisation("江澜市卫生健康委员会", parent=root),
        "fire": factory.organisation("江澜市消防救援支队", parent=root),
    }


@pytest.fixture
def market_admin(factory, city):
    return factory.staff("admin", city["market"], username="market-admin")


@pytest.fixture
def health_admin(factory, city):
    return factory.staff("admin", city["health"], username="health-admin")


@pytest.fixture
def food_item(factory, city):
    return factory.service_item(
        city["market"], name="食品经营许可（新办）", participants=[city["market"], city["health"]],
        materials=FOOD_MATERIALS, form_definition=FOOD_FORM, life_event="startup",
        audience="company",
    )  # fmt: skip


def bpmn_variant(*, name: str = "市场监管两级审查", extra: str = "", drop: str = "") -> str:
    """The default process renamed (a new digest), with `extra` XML inside the process and
    the text `drop` removed."""
    xml = bpmn.default_xml().replace("并联审批（默认流程）", name)
    if drop:
        xml = xml.replace(drop, "")
    return xml.replace("</bpmn:process>", extra + "</bpmn:process>")


DEAD_END = (
    '<bpmn:task id="archive" name="归档" />'
    '<bpmn:sequenceFlow id="flow_archive" sourceRef="accepted" targetRef="archive" />'
)
NO_ROLE = 'camunda:candidateGroups="reviewer:participant"'
