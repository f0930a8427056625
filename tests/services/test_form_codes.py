"""A form field may not take a name the application pages post beside the form (代办企业,
用证授权, 材料, CSRF): such a field would be overwritten by the page's own input."""

import pytest

from yiwang.core.errors import ServiceError
from yiwang.services import formdef


def field(code: str) -> dict:
    return {"code": code, "label": "字段", "type": "text"}


@pytest.mark.parametrize("code", ["company", "consent_12", "material_3", "csrfmiddlewaretoken"])
def test_a_code_the_application_page_uses_itself_is_refused(code):
    with pytest.raises(ServiceError) as caught:
        formdef.check_definition([field(code)])
    assert caught.value.code == "services.form_invalid"
    assert (
        caught.value.message == f"申请表第 1 个字段的代码 {code} 是申请页面的保留名称，请换一个代码"
    )


@pytest.mark.parametrize(
    "code", ["company_name", "consent", "material", "materials_12", "my_company"]
)
def test_codes_that_only_look_alike_are_taken(code):
    assert formdef.check_definition([field(code)])[0]["code"] == code
