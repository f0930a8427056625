"""The daily aggregates (DailyStats) against figures computed here, independently, in Python
from the Case, CaseTask and Card rows: events spread over a week, several near local midnight
(Asia/Shanghai, where 00:30 is still the previous day in UTC), some just outside the period."""

import datetime
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from tests import factories
from tests.supervision import rows
from yiwang.supervision import kpi

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")
START, END = datetime.date(2026, 3, 2), datetime.date(2026, 3, 8)
ONLINE = {"online", "mobile", "kiosk"}


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(ZONE).date()


def moments(rng: random.Random):
    """Times over the period and a day either side, a third of them within a minute of midnight."""
    day = START + datetime.timedelta(days=rng.randint(-1, 7))
    if rng.random() < 0.35:
        edge = rows.local(ZONE, day) + datetime.timedelta(seconds=rng.choice([-59, -1, 0, 1, 59]))
        return edge
    return rows.local(ZONE, day, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


@pytest.fixture
def spread():
    """About sixty cases of three items of two departments, their tasks and cards."""
    assert settings.TIME_ZONE == "Asia/Shanghai"
    rng = random.Random(20260302)
    market, fire = (
        factories.organisation("江澜市市场监督管理局"),
        factories.organisation("江澜市消防救援支队"),
    )
    items = [
        factories.service_item(market, name="食品经营许可"),
        factories.service_item(market, name="营业执照补领", case_kind="immediate", promised_days=1,
                               statutory_days=1),
        factories.service_item(fire, name="消防检查", promised_days=10),
    ]  # fmt: skip
    made = {"cases": [], "tasks": [], "cards": []}
    for n in range(60):
        item = items[n % 3]
        submitted = moments(rng)
        accepted = (
            submitted + datetime.timedelta(seconds=rng.choice([30, 3600, 86400 + 7]))
            if n % 5
            else None
        )
        finished = (
            accepted + datetime.timedelta(seconds=rng.randint(3600, 4 * 86400))
            if accepted and n % 2
            else None
        )
        status = (
            ("approved" if n % 4 else "rejected")
            if finished
            else ("accepted" if accepted else "submitted")
        )
        if n % 11 == 0 and finished:
            status = "refused"  # finished without a decision: not counted as 办结
        due = local_day(accepted) + datetime.timedelta(days=rng.randint(0, 3)) if accepted else None
        case = rows.case(item, submitted=submitted, accepted=accepted, finished=finished, status=status,
                         channel=rng.choice(["online", "window", "mobile", "kiosk"]), due=due)  # fmt: skip
        made["cases"].append(case)
        if accepted:
            for organisation in (item.organisation, fire):
                done = accepted + datetime.timedelta(seconds=rng.randint(60, 3 * 86400))
                state = rng.choice(["done", "done", "open", "cancelled"])
                made["tasks"].append(rows.task(case, organisation, created=accepted,
                                               completed=done if state == "done" else None, status=state))  # fmt: skip
            if n % 3 == 0:
                issued = moments(rng)
                red = rng.random() < 0.5
                escalated = (
                    issued + datetime.timedelta(seconds=rng.choice([1, 86400, 2 * 86400]))
                    if red and n % 2
                    else None
                )
                made["cards"].append(rows.card(case, issued=issued, level="red" if red else "yellow",
                                               escalated=escalated))  # fmt: skip
    rows.card(
        made["cases"][1], issued=rows.local(ZONE, START, 12), kind="task", subject_id=10**6
    )  # not a case's
    return {"market": market, "fire": fire, "items": items, **made}


def expected(made, start, end) -> dict[tuple[int, int], dict]:
    """The counters per (item, organisation) for start..end, by the local day of each event."""
    found: dict = defaultdict(lambda: dict.fromkeys(kpi.COUNTERS, 0))

    def within(moment) -> bool:
        return moment is not None and start <= local_day(moment) <= end

    card_of = {card.case_id: card for card in made["cards"]}  # each case's own card
    for case in made["cases"]:
        row = found[(case.item_id, case.item.organisation_id)]
        if within(case.submitted_at):
            row["received"] += 1
            row["received_online"] += case.channel in ONLINE
            row["received_immediate"] += case.item.case_kind == "immediate"
        if within(case.accepted_at):
            row["accepted"] += 1
        if within(case.finished_at) and case.status in ("approved", "rejected"):
            row["finished"] += 1
            row["finished_on_time"] += local_day(case.finished_at) <= case.due_date
            row["finish_seconds"] += int((case.finished_at - case.accepted_at).total_seconds())
            card = card_of.get(case.pk)
            row["cards"] += card is not None
            row["red_cards"] += card is not None and card.level == "red"
    for task in made["tasks"]:
        if task.status == "done" and within(task.completed_at):
            row = found[(task.case.item_id, task.case.item.organisation_id)]
            row["steps"] += 1
            row["step_seconds"] += int((task.completed_at - task.created_at).total_seconds())
    return {key: row for key, row in found.items() if any(row.values())}


def rolled_up(counters: dict, index: int) -> dict:
    """Per organisation (index 1) or item (index 0), with the rates worked out here."""
    totals: dict = defaultdict(lambda: dict.fromkeys(kpi.COUNTERS, 0))
    for key, row in counters.items():
        for name, value in row.items():
            totals[key[index]][name] += value

    def share(a, b):
        return round(a / b, 4) if b else None

    return {
        key: {
            **row,
            "on_time_rate": share(row["finished_on_time"], row["finished"]),
            "warning_rate": share(row["cards"], row["finished"]),
            "red_rate": share(row["red_cards"], row["finished"]),
            "online_rate": share(row["received_online"], row["received"]),
            "immediate_share": share(row["received_immediate"], row["received"]),
            "avg_case_days": share(row["finish_seconds"], row["finished"] * 86400),
            "avg_step_days": share(row["step_seconds"], row["steps"] * 86400),
        }
        for key, row in totals.items()
    }


def test_the_data_has_events_on_both_sides_of_local_midnight(spread):
    times = [c.submitted_at.astimezone(ZONE) for c in spread["cases"]]
    assert any(t.hour == 23 and t.minute == 59 for t in times)
    assert any(t.hour == 0 and t.minute == 0 for t in times)
    assert len({local_day(c.submitted_at) for c in spread["cases"]}) >= 7


def test_the_data_has_finished_cases_with_yellow_and_red_cards(spread):
    finished = {c.pk for c in spread["cases"] if c.status in ("approved", "rejected")}
    levels = {card.level for card in spread["cards"] if card.case_id in finished}
    assert levels == {"yellow", "red"}


def test_the_daily_aggregates_equal_the_figures_counted_from_the_rows(spread):
    kpi.refresh_daily(START, END)
    wanted = expected(spread, START, END)
    assert kpi.daily_counts(START, END) == wanted
    assert kpi.summarise(kpi.daily_counts(START, END)) == rolled_up(wanted, 1)
    assert kpi.summarise(kpi.daily_counts(START, END), by="item") == rolled_up(wanted, 0)


def test_a_part_of_the_period_equals_the_rows_of_those_days_alone(spread):
    kpi.refresh_daily(START, END)
    middle = (START + datetime.timedelta(days=2), START + datetime.timedelta(days=4))
    assert kpi.summarise(kpi.daily_counts(*middle)) == rolled_up(expected(spread, *middle), 1)


def test_each_day_of_the_aggregates_holds_that_local_days_events(spread):
    kpi.refresh_daily(START, END)
    for offset in range(7):
        one = START + datetime.timedelta(days=offset)
        assert kpi.daily_counts(one, one) == expected(spread, one, one), one
