"""What an admin may set on a form field, and what an applicant may type into one: a bad length
is a clear refusal of the definition, never a crash; a number field takes only numbers."""

import pytest

from yiwang.core.errors import ServiceError
from yiwang.services import formdef


@pytest.mark.parametrize("max_length", ["abc", [50], 0, -5, 100_001])
def test_a_field_length_that_is_no_positive_number_is_refused(max_length):
    with pytest.raises(ServiceError) as caught:
        formdef.check_definition(
            [{"code": "capital", "label": "注册资本", "type": "text", "max_length": max_length}]
        )
    assert caught.value.code == "services.form_invalid"
    assert caught.value.message == "申请表第 1 个字段（注册资本）的长度上限应为 1 到 100000 的整数"


def test_a_field_length_given_as_digits_is_taken():
    [field] = formdef.check_definition(
        [{"code": "capital", "label": "注册资本", "type": "text", "max_length": "30"}]
    )
    assert field["max_length"] == 30


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-inf", "sNaN"])
def test_a_decimal_field_refuses_what_is_no_number(typed):
    definition = formdef.check_definition(
        [{"code": "capital", "label": "注册资本", "type": "decimal"}]
    )
    cleaned, errors = formdef.clean_submission(definition, {"capital": typed})
    assert errors == {"capital": "注册资本：应为数字"} and cleaned == {}


def test_a_decimal_field_takes_a_number():
    definition = formdef.check_definition(
        [{"code": "capital", "label": "注册资本", "type": "decimal"}]
    )
    assert formdef.clean_submission(definition, {"capital": "100.50"}) == (
        {"capital": "100.50"},
        {},
    )


# The API answers an item's form with `FormFieldSpec`: what the service takes must fit it, or the
# item's guide answers 500 to everyone from the moment it is saved.
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": "名" * 101}, "申请表第 1 个字段的名称不能超过 100 字"),
        ({"label": ["注册资本"]}, "申请表第 1 个字段缺少名称"),
        ({"help": "说" * 501}, "申请表第 1 个字段（注册资本）的说明不能超过 500 字"),
        ({"prefill": 123}, "字段「注册资本」的预填来源无效：123"),
        ({"options": "热食类"}, "字段「注册资本」的选项应为文字列表"),
        ({"options": [1, 2]}, "字段「注册资本」的选项应为文字列表"),
        ({"type": "select", "options": ["热食类"] * 201}, "字段「注册资本」的选项不能超过 200 个"),
    ],
)
def test_a_field_the_api_could_not_answer_is_refused(change, message):
    field = {"code": "capital", "label": "注册资本", "type": "text", **change}
    with pytest.raises(ServiceError) as caught:
        formdef.check_definition([field])
    assert (caught.value.code, caught.value.message) == ("services.form_invalid", message)


def test_a_field_without_help_has_an_empty_help_not_the_word_none():
    [field] = formdef.check_definition(
        [{"code": "capital", "label": "注册资本", "type": "text", "help": None}]
    )
    assert field["help"] == ""


SHOP = [{"code": "shop", "label": "店铺名称", "type": "text"}]


def test_a_value_with_a_nul_character_is_refused_naming_the_field():
    cleaned, errors = formdef.clean_submission(SHOP, {"shop": "老街\x00面馆"})
    assert errors == {"shop": "店铺名称：含有不允许的字符（NUL）"} and cleaned == {}


@pytest.mark.parametrize("value", [{"name": "老街面馆"}, ["老街面馆"]])
def test_a_value_that_is_a_list_or_an_object_is_refused_not_stored_as_its_repr(value):
    cleaned, errors = formdef.clean_submission(SHOP, {"shop": value})
    assert errors == {"shop": "店铺名称：应为单个值"} and cleaned == {}


def test_an_integer_too_long_to_read_is_refused_in_chinese():
    definition = formdef.check_definition(
        [{"code": "staff", "label": "从业人数", "type": "integer", "max_length": 10_000}]
    )
    cleaned, errors = formdef.clean_submission(definition, {"staff": "9" * 5000})
    assert errors == {"staff": "从业人数：数值超出范围"} and cleaned == {}


@pytest.mark.django_db
def test_the_form_check_page_fills_the_company_only_from_an_agency_in_force():
    """A former agent's company is not theirs to apply for: nothing of it is pre-filled."""
    import datetime

    from tests import factories
    from yiwang.core.models import CompanyAgent
    from yiwang.services.selectors import prefill_values

    definition = [{"code": "shop", "label": "企业", "type": "text", "prefill": "company.name"}]
    user = factories.user()
    today = datetime.date.today()
    ended = CompanyAgent.objects.create(user=user, company_uscc=factories.uscc(),
                                        company_name="已解除代理的公司",
                                        valid_from=today - datetime.timedelta(days=400),
                                        valid_until=today - datetime.timedelta(days=1))  # fmt: skip
    assert prefill_values(definition, user) == {}
    CompanyAgent.objects.filter(pk=ended.pk).update(valid_until=None)
    assert prefill_values(definition, user) == {"shop": "已解除代理的公司"}
