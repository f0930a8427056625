"""The board's 30-day trend: cards issued and turned red per local day."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.supervision import rows
from yiwang.supervision import selectors

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 3, 10)


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture
def cards():
    market, fire = (
        factories.organisation("江澜市市场监督管理局"),
        factories.organisation("江澜市消防救援支队"),
    )
    licence, check = factories.service_item(market), factories.service_item(fire)

    def case(item):
        start = rows.local(ZONE, day(-10), 9)
        return rows.case(item, submitted=start, accepted=start, due=day(-3))

    # Today: two yellow cards, one of them issued at 00:00:30 (still yesterday in UTC).
    rows.card(case(licence), issued=rows.local(ZONE, day(0), 0, 0, 30))
    rows.card(case(licence), issued=rows.local(ZONE, day(0), 15))
    # Yesterday at 23:59: a yellow card escalated to red today.
    rows.card(case(check), issued=rows.local(ZONE, day(-1), 23, 59), level="red",
              escalated=rows.local(ZONE, day(0), 8))  # fmt: skip
    # Three days ago: a card red at once (first seen overdue).
    rows.card(case(check), issued=rows.local(ZONE, day(-3), 10), level="red")
    # Before the window of seven days: not shown.
    rows.card(case(licence), issued=rows.local(ZONE, day(-7), 23, 59), level="red")
    return {"market": market, "fire": fire}


def test_the_trend_counts_cards_issued_and_turned_red_per_local_day(cards):
    supervisor = factories.staff("supervisor", factories.organisation("江澜市监察办"))
    trend = selectors.trend(supervisor, today=TODAY, days=7)
    assert trend["days"] == [day(n).isoformat() for n in range(-6, 1)]
    assert trend["issued"] == [0, 0, 0, 1, 0, 1, 2]
    assert trend["red"] == [0, 0, 0, 1, 0, 0, 1]


def test_a_department_sees_the_trend_of_its_own_cards_only(cards):
    clerk = factories.staff("clerk", cards["market"])
    trend = selectors.trend(clerk, today=TODAY, days=7)
    assert trend["issued"] == [0, 0, 0, 0, 0, 0, 2] and trend["red"] == [0] * 7


def test_the_default_trend_spans_thirty_days(cards):
    supervisor = factories.staff("supervisor", factories.organisation("江澜市监察办"))
    trend = selectors.trend(supervisor, today=TODAY)
    assert len(trend["days"]) == 30 and sum(trend["issued"]) == 5 and sum(trend["red"]) == 3
