import datetime

import pytest
from django.utils import timezone

from yiwang.supervision import kpi

pytestmark = pytest.mark.django_db


def today_range():
    today = timezone.localdate()
    return today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)


def test_kpis_count_what_happened(activity):
    start, end = today_range()
    market = kpi.summarise(kpi.raw_counts(start, end))[activity["market"].pk]
    assert (
        market["received"],
        market["received_online"],
        market["accepted"],
        market["finished"],
    ) == (3, 2, 1, 1)
    assert market["online_rate"] == round(2 / 3, 4)
    assert market["finished_on_time"] == 1 and market["on_time_rate"] == 1.0
    assert (market["cards"], market["red_cards"], market["red_rate"]) == (1, 1, 1.0)
    assert market["steps"] == 3


def test_the_daily_aggregates_give_the_same_kpis_as_the_raw_cases(activity):
    start, end = today_range()
    assert kpi.refresh_daily(start, end) >= 1
    raw = kpi.summarise(kpi.raw_counts(start, end))
    daily = kpi.summarise(kpi.daily_counts(start, end))
    assert daily == raw
    assert kpi.summarise(kpi.daily_counts(start, end), by="item") == kpi.summarise(
        kpi.raw_counts(start, end), by="item"
    )


def test_a_period_without_cases_has_no_rates(activity):
    long_ago = datetime.date(2020, 1, 1)
    assert kpi.summarise(kpi.raw_counts(long_ago, long_ago)) == {}


def test_satisfaction_and_rectification_rates(activity):
    start, end = today_range()
    market = kpi.satisfaction(start, end)[activity["market"].pk]
    assert (market["ratings"], market["satisfaction_rate"]) == (2, 0.5)
    assert (market["rectifications"], market["rectification_rate"]) == (1, 0.0)


def test_item_figures_give_the_compression_ratio_and_visits(activity):
    figures = kpi.item_figures()[activity["market"].pk]
    assert figures["compression_ratio"] == 0.75  # promised 5 of statutory 20 working days
    assert figures["one_visit_share"] == 1.0 and figures["completeness"] == 1.0
