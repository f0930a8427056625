import pytest

from tests import factories
from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.services import services
from yiwang.services.choices import ItemStatus
from yiwang.services.models import ServiceItem
from yiwang.services.search import search_items

pytestmark = pytest.mark.django_db


def test_a_published_item_has_a_first_version_and_is_found_by_a_two_character_word():
    org = factories.organisation("江澜市市场监督管理局")
    item = factories.service_item(org, name="食品经营许可（新办）")
    assert item.status == ItemStatus.PUBLISHED
    assert item.versions.get().version == 1
    assert [i.pk for i in search_items("食品")] == [item.pk]
    assert AuditEvent.objects.filter(action="item.publish", target_id=str(item.pk)).exists()


def test_an_item_lacking_required_elements_cannot_be_published():
    org = factories.organisation()
    item = factories.service_item(org, publish=False, phone="", window_address="")
    with pytest.raises(ServiceError) as caught:
        services.publish_item(actor=factories.superuser(), item=item)
    assert caught.value.code == "services.incomplete"
    assert caught.value.detail["missing"] == ["办理地点", "咨询电话"]


def test_a_promise_longer_than_the_statutory_limit_is_refused():
    org = factories.organisation()
    with pytest.raises(ServiceError) as caught:
        factories.service_item(org, statutory_days=5, promised_days=10)
    assert "承诺办结时限不能超过法定办结时限" in caught.value.message


def test_an_admin_of_another_department_cannot_change_an_item():
    org, other = factories.organisation(), factories.organisation()
    item = factories.service_item(org)
    with pytest.raises(NotFound):
        services.update_item(actor=factories.staff("admin", other), item=item, name="改名")


def test_an_update_that_changes_nothing_does_not_make_a_version():
    org = factories.organisation()
    item = factories.service_item(org)
    admin = factories.staff("admin", org)
    services.update_item(actor=admin, item=item, name=item.name)
    assert ServiceItem.objects.get(pk=item.pk).version == 1
    services.update_item(actor=admin, item=item, name="新名称")
    assert ServiceItem.objects.get(pk=item.pk).version == 2


# The API declares these limits (ItemElements) and answers an item with them: an item saved
# from the manage page or an XLSX import beyond them made its guide answer 500.
@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"name": "证"}, "事项名称至少 2 个字"),
        ({"summary": "简" * 5001}, "事项简介不能超过 5000 字"),
        ({"legal_basis": "依" * 5001}, "设定依据不能超过 5000 字"),
        ({"conditions": "条" * 5001}, "受理条件不能超过 5000 字"),
        ({"charged": True, "fee": "费" * 2001}, "收费标准及依据不能超过 2000 字"),
        ({"statutory_days": 3651}, "法定办结时限（工作日）不能超过 3650"),
        ({"visits": 11}, "到办事现场次数不能超过 10"),
        ({"yellow_days": 366}, "黄牌预警天数不能超过 365"),
    ],
)
def test_an_element_beyond_what_the_api_declares_is_refused_on_every_path(element, message):
    with pytest.raises(ServiceError) as caught:
        factories.service_item(factories.organisation(), publish=False, **element)
    assert caught.value.message == message


def test_a_material_named_only_by_spaces_is_refused():
    with pytest.raises(ServiceError) as caught:
        factories.service_item(factories.organisation(), publish=False,
                               materials=[{"name": "   ", "required": True}])  # fmt: skip
    assert caught.value.message == "请填写材料名称"


# PostgreSQL text and JSONB cannot hold NUL: saved, it would be a 500 there.
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "食品经营\x00许可"}, "事项名称含有不允许的字符（NUL）"),
        ({"conditions": "符合\x00条件"}, "受理条件含有不允许的字符（NUL）"),
        ({"code": "99TEST\x000001"}, "实施编码应为 12–40 位数字或大写字母"),
        ({"materials": [{"name": "申请\x00书"}]}, "材料名称含有不允许的字符（NUL）"),
        ({"form_definition": [{"code": "x", "label": "店\x00名", "type": "text"}]},
         "申请表第 1 个字段含有不允许的字符（NUL）"),
        ({"form_definition": [{"code": "x", "label": "类别", "type": "select",
                               "options": ["热食\x00类"]}]}, "申请表第 1 个字段含有不允许的字符（NUL）"),
    ],
)  # fmt: skip
def test_an_item_text_with_a_nul_character_is_refused(fields, message):
    with pytest.raises(ServiceError) as caught:
        factories.service_item(factories.organisation(), publish=False, **fields)
    assert caught.value.message == message
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [(" \u3000 ", "请填写一件事名称"), ("我要\x00开店", "主题名称含有不允许的字符（NUL）")],
)
def test_a_theme_name_of_blanks_or_with_a_nul_character_is_refused(name, message):
    org = factories.organisation()
    items = [factories.service_item(org), factories.service_item(org)]
    with pytest.raises(ServiceError) as caught:
        services.create_theme(actor=factories.superuser(), lead=org, items=items, code="shop",
                              name=name, audience="both")  # fmt: skip
    assert caught.value.message == message


@pytest.mark.parametrize("code", ["Restaurant", "a", "开餐馆"])
def test_a_theme_code_the_api_could_not_address_is_refused(code):
    """The API names a theme by a lowercase code of 2–40 characters (apply, read)."""
    org = factories.organisation()
    items = [factories.service_item(org), factories.service_item(org)]
    with pytest.raises(ServiceError) as caught:
        services.create_theme(actor=factories.superuser(), lead=org, items=items, code=code,
                              name="我要开店", audience="both")  # fmt: skip
    assert caught.value.message == "主题编码应为 2–40 位小写字母、数字、连字符或下划线"


def test_a_theme_for_an_audience_one_of_its_items_does_not_serve_is_refused():
    """Nobody could apply: each applicant is checked against every item's 服务对象 too."""
    org = factories.organisation()
    birth = factories.service_item(org, name="出生医学证明", audience="person")
    shop = factories.service_item(org, name="食品经营许可", audience="company")
    with pytest.raises(ServiceError) as caught:
        services.create_theme(actor=factories.superuser(), lead=org, items=[birth, shop], code="shop",
                              name="我要开店", audience="company")  # fmt: skip
    assert (
        caught.value.message == "「出生医学证明」的服务对象是自然人，不能纳入服务对象为法人的一件事"
    )


def test_an_item_of_a_published_theme_cannot_stop_serving_the_themes_audience():
    org = factories.organisation()
    items = [factories.service_item(org), factories.service_item(org)]
    theme = services.create_theme(actor=factories.superuser(), lead=org, items=items, code="shop",
                                  name="我要开店", audience="both")  # fmt: skip
    services.publish_theme(actor=factories.superuser(), theme=theme)
    with pytest.raises(ServiceError) as caught:
        services.update_item(actor=factories.superuser(), item=items[1], audience="person")
    assert caught.value.message.endswith("不能纳入服务对象为自然人和法人的一件事")
    assert ServiceItem.objects.get(pk=items[1].pk).audience == "both"


def test_doctor_names_items_and_themes_saved_beyond_the_api_limits(capsys):
    """Rows saved before every path held the limits make their guide answer 500 until edited."""
    from django.core.management import call_command

    from yiwang.services.models import Material, Theme

    org = factories.organisation()
    long_name, long_copies, fine = (factories.service_item(org) for _ in range(3))
    call_command("doctor")
    line = next(x for x in capsys.readouterr().out.splitlines() if "超出接口限制" in x)
    assert line.startswith("✔")
    ServiceItem.objects.filter(pk=long_name.pk).update(summary="长" * 5001)
    Material.objects.filter(item=long_copies).update(copies=100)
    theme = services.create_theme(actor=factories.superuser(), lead=org, items=[fine, long_name],
                                   code="shop", name="我要开店", audience="both")  # fmt: skip
    Theme.objects.filter(pk=theme.pk).update(code="Shop")
    call_command("doctor")
    line = next(x for x in capsys.readouterr().out.splitlines() if "超出接口限制" in x)
    assert line.startswith("!") and "2 个事项" in line and "1 个一件事编码（Shop）" in line
    assert long_name.code in line and long_copies.code in line and fine.code not in line
