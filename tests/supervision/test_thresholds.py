"""Yellow-card thresholds: global settings (YIWANG_YELLOW_RATIO, YIWANG_YELLOW_DAYS) and an
item's own yellow_ratio / yellow_days, which override them."""

import datetime

import pytest

from tests.cases.test_flow import uploads_for
from yiwang.cases import services
from yiwang.core.workdays import WorkCalendar
from yiwang.services.models import ServiceItem
from yiwang.supervision.models import Card
from yiwang.supervision.sweep import sweep_deadlines

pytestmark = pytest.mark.django_db


def accepted(city):
    case = services.submit_application(actor=city["citizen"], item=city["item"],
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    return services.accept_case(actor=city["clerk"], case=case)


def warned_with(case, days_left: int) -> bool:
    return case.warn_date == WorkCalendar().warning_date(case.due_date, days_left)


def configure(settings, **values):
    settings.YIWANG = {**settings.YIWANG, **values}


def item_sets(city, **fields):
    ServiceItem.objects.filter(pk=city["item"].pk).update(**fields)


def test_by_default_a_case_of_five_promised_days_turns_yellow_with_one_day_left(city):
    assert warned_with(accepted(city), 1)  # max(20 % of 5 days, 1 day)


def test_the_global_yellow_days_move_the_warning_date(city, settings):
    configure(settings, YELLOW_DAYS=3)
    case = accepted(city)
    assert warned_with(case, 3)
    assert sweep_deadlines(today=case.warn_date - datetime.timedelta(days=1)).issued == 0
    sweep_deadlines(today=case.warn_date)
    assert Card.objects.get(subject_kind="case").level == "yellow"


def test_the_global_yellow_ratio_moves_the_warning_date(city, settings):
    configure(settings, YELLOW_RATIO=0.8)
    assert warned_with(accepted(city), 4)  # 80 % of 5 promised days


def test_an_items_yellow_days_override_the_global_setting(city, settings):
    configure(settings, YELLOW_DAYS=3)
    item_sets(city, yellow_days=2)
    assert warned_with(accepted(city), 2)


def test_an_items_yellow_ratio_overrides_the_global_ratio(city, settings):
    configure(settings, YELLOW_RATIO=0.8)
    item_sets(city, yellow_ratio=0.6)
    assert warned_with(accepted(city), 3)  # 60 % of 5 days, not 80 %


def test_an_item_without_a_warning_zone_turns_yellow_on_its_due_day(city, settings):
    item_sets(city, yellow_ratio=0.0, yellow_days=0)
    case = accepted(city)
    assert case.warn_date == case.due_date
