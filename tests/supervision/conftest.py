import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.cases.conftest import city  # noqa: F401 — the same small city
from tests.cases.test_flow import uploads_for
from yiwang.cases import approval, services
from yiwang.cases.models import CaseTask
from yiwang.reviews import services as reviews
from yiwang.supervision.sweep import sweep_deadlines


@pytest.fixture
def activity(city):  # noqa: F811
    """Three cases of the market's item: two online, one at the window; one finished, one refused."""
    item = city["item"]

    def online():
        return services.submit_application(actor=city["citizen"], item=item, form_data={"name": "张三"},
                                           uploads=uploads_for(item))  # fmt: skip

    finished, refused = online(), online()
    services.register_walk_in(actor=city["clerk"], item=item, applicant_kind="person", applicant_name="李四",
                              applicant_code=factories.ric(), form_data={"name": "李四"},
                              paper_materials=[m.pk for m in item.materials.all()])  # fmt: skip
    services.accept_case(actor=city["clerk"], case=finished)
    sweep_deadlines(today=timezone.localdate() + datetime.timedelta(days=30))  # late: red cards
    for task in CaseTask.objects.filter(case=finished):
        key = {city["market"]: "market", city["fire"]: "fire", city["urban"]: "urban"}[
            task.organisation
        ]
        approval.complete_task(
            actor=city["reviewers"][key], task=task, decision="approve", opinion=""
        )
    refused = services.refuse_case(actor=city["clerk"], case=refused, reason="不属于受理范围")
    reviews.rate_case(actor=city["citizen"], case=refused, level=1, comment="白跑一趟")
    reviews.rate_case(actor=city["citizen"], case=finished, level=5)
    return city
