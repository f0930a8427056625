import pytest

from tests.cases.conftest import city  # noqa: F401 — the same small city
from tests.cases.test_flow import uploads_for
from yiwang.cases import services


@pytest.fixture
def finished(city):  # noqa: F811
    """A case of the city refused at the window: finished, so it can be rated."""
    case = services.submit_application(actor=city["citizen"], item=city["item"],
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    return services.refuse_case(actor=city["clerk"], case=case, reason="材料不属于本事项范围")
