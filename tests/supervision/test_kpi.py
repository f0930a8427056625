import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests import factories
from tests.supervision import rows
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


def test_the_daily_aggregates_give_the_same_kpis_as_the_functions_raw_counts(activity):
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
    start, end = today_range()
    figures = kpi.item_figures(start, end)[activity["market"].pk]
    assert figures["compression_ratio"] == 0.75  # promised 5 of statutory 20 working days
    assert figures["one_visit_share"] == 1.0 and figures["completeness"] == 1.0


# --- figures with known values --------------------------------------------------------------

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2026, 3, 2)  # a week of ordinary working days


def day(n: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=n)


@pytest.fixture
def week():
    """Two departments; the market's 承诺件 (5 of 20 days, one visit) and 即办件 (no visit), the
    fire brigade's 承诺件 (10 of 20 days, two visits)."""
    market, fire = (
        factories.organisation("江澜市市场监督管理局"),
        factories.organisation("江澜市消防救援支队"),
    )
    return {
        "market": market, "fire": fire,
        "licence": factories.service_item(market, name="食品经营许可", visits=1),
        "instant": factories.service_item(market, name="营业执照补领", case_kind="immediate",
                                          promised_days=1, statutory_days=1, visits=0),
        "check": factories.service_item(fire, name="消防检查", promised_days=10, visits=2),
    }  # fmt: skip


def market_row(start=MONDAY, end=None):
    rows = kpi.summarise(kpi.raw_counts(start, end or day(6)))
    return rows


def test_the_immediate_share_is_of_the_cases_received(week):
    for n in range(3):
        rows.case(week["licence"], submitted=rows.local(ZONE, day(n), 10))
    rows.case(week["instant"], submitted=rows.local(ZONE, day(1), 11))
    market = market_row()[week["market"].pk]
    assert (market["received"], market["received_immediate"], market["immediate_share"]) == (
        4,
        1,
        0.25,
    )


def test_average_days_per_case_and_per_step(week):
    accepted = rows.local(ZONE, day(0), 9)
    two_days = rows.case(week["licence"], submitted=accepted, accepted=accepted, due=day(6),
                         finished=accepted + datetime.timedelta(days=2))  # fmt: skip
    rows.case(week["licence"], submitted=accepted, accepted=accepted, due=day(6),
              finished=accepted + datetime.timedelta(days=1))  # fmt: skip
    rows.task(
        two_days, week["market"], created=accepted, completed=accepted + datetime.timedelta(days=1)
    )
    rows.task(
        two_days, week["fire"], created=accepted, completed=accepted + datetime.timedelta(days=3)
    )
    rows.task(two_days, week["fire"], created=accepted, status="cancelled")  # not a step done
    market = market_row()[week["market"].pk]
    assert (market["finished"], market["avg_case_days"]) == (2, 1.5)
    assert (market["steps"], market["avg_step_days"]) == (2, 2.0)


def finished_cases(item, n, *, accepted_day=0):
    accepted = rows.local(ZONE, day(accepted_day), 10)
    return [rows.case(item, submitted=accepted, accepted=accepted, due=day(4),
                      finished=rows.local(ZONE, day(5), 16)) for _ in range(n)]  # fmt: skip


def test_the_warning_and_red_rates_are_shares_of_the_cases_finished(week):
    cases = finished_cases(week["licence"], 4)
    rows.case(
        week["licence"],
        submitted=rows.local(ZONE, day(0), 9),
        accepted=rows.local(ZONE, day(0), 10),
        due=day(4),
    )  # accepted, still open: not counted
    rows.card(cases[0], issued=rows.local(ZONE, day(3), 8))
    rows.card(cases[1], issued=rows.local(ZONE, day(3), 8), level="red",
              escalated=rows.local(ZONE, day(5), 8))  # fmt: skip
    rows.card(
        cases[1], issued=rows.local(ZONE, day(3), 8), kind="task", subject_id=999
    )  # a department's task: not the case's own deadline
    market = market_row()[week["market"].pk]
    assert (market["finished"], market["cards"], market["warning_rate"]) == (4, 2, 0.5)
    assert (market["red_cards"], market["red_rate"]) == (1, 0.25)


def test_the_rates_never_exceed_one_hundred_percent_when_cases_get_several_cards(week):
    """Cases accepted weeks before the period, carded and finished in it, each with cards on its
    own deadline, its departments' tasks and a 督办: every case counts once."""
    early = finished_cases(week["licence"], 2, accepted_day=-21) + finished_cases(
        week["check"], 1, accepted_day=-21
    )
    finished_cases(week["licence"], 1)
    for n, case in enumerate(early):
        rows.card(
            case,
            issued=rows.local(ZONE, day(1), 8),
            level="red",
            escalated=rows.local(ZONE, day(2), 8),
        )
        for kind, offset in (("task", 1000), ("task", 2000), ("notice", 3000)):
            rows.card(
                case,
                issued=rows.local(ZONE, day(2), 8),
                level="red",
                kind=kind,
                subject_id=offset + n,
            )
    kpi.refresh_daily(MONDAY, day(6))
    for by in ("organisation", "item"):
        for figures in (
            kpi.summarise(kpi.raw_counts(MONDAY, day(6)), by=by),
            kpi.summarise(kpi.daily_counts(MONDAY, day(6)), by=by),
        ):
            for row in figures.values():
                assert row["cards"] <= row["finished"] and row["red_cards"] <= row["cards"]
                assert 0 <= row["warning_rate"] <= 1 and 0 <= row["red_rate"] <= 1
    market = kpi.summarise(kpi.daily_counts(MONDAY, day(6)))[week["market"].pk]
    assert (market["finished"], market["warning_rate"], market["red_rate"]) == (
        3,
        round(2 / 3, 4),
        round(2 / 3, 4),
    )
    assert kpi.summarise(kpi.daily_counts(MONDAY, day(6)))[week["fire"].pk]["red_rate"] == 1.0


def this_week(**options):
    today = timezone.localdate()
    return kpi.item_figures(today - datetime.timedelta(days=6), today, **options)


def test_zero_visit_and_at_most_one_visit_shares_per_department_and_per_item(week):
    figures = this_week()
    market, fire = figures[week["market"].pk], figures[week["fire"].pk]
    assert (market["items"], market["one_visit_share"], market["zero_visit_share"]) == (2, 1.0, 0.5)
    assert (fire["one_visit_share"], fire["zero_visit_share"]) == (0.0, 0.0)
    by_item = this_week(by="item")
    assert by_item[week["instant"].pk]["zero_visit_share"] == 1.0
    assert by_item[week["licence"].pk]["zero_visit_share"] == 0.0
    assert by_item[week["check"].pk]["compression_ratio"] == 0.5  # 10 of 20 days


def test_the_compression_ratio_sums_the_departments_items(week):
    # 1 − (5 + 1) / (20 + 1): the market's two items together
    assert this_week()[week["market"].pk]["compression_ratio"] == round(1 - 6 / 21, 4)


def test_item_figures_of_a_period_leave_out_items_published_after_it(week):
    long_ago = datetime.date(2020, 1, 1)  # the items were published today
    assert kpi.item_figures(long_ago, long_ago) == {}
    old = rows.case(week["check"], submitted=rows.local(ZONE, long_ago, 9))
    figures = kpi.item_figures(long_ago, long_ago, active=[[old.item_id]])
    assert list(figures) == [week["fire"].pk]  # the item had cases then: it counts


def test_item_figures_keep_only_the_chosen_departments(week):
    assert list(this_week(organisation_ids={week["fire"].pk})) == [week["fire"].pk]
