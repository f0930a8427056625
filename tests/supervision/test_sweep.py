import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.cases.test_flow import uploads_for
from yiwang.cases import approval, services
from yiwang.cases.models import Case, CaseTask
from yiwang.supervision.models import Card, CardEvent
from yiwang.supervision.sweep import sweep_deadlines

pytestmark = pytest.mark.django_db


def accepted(city):
    case = services.submit_application(actor=city["citizen"], item=city["item"],
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    return services.accept_case(actor=city["clerk"], case=case)


def day_after(date):
    return date + datetime.timedelta(days=1)


def test_a_case_far_from_its_deadline_gets_no_card(city):
    case = accepted(city)
    assert sweep_deadlines(today=case.warn_date - datetime.timedelta(days=1)).issued == 0
    assert not Card.objects.exists()


def test_a_case_entering_the_warning_zone_gets_a_yellow_card_and_each_task_too(city):
    case = accepted(city)
    result = sweep_deadlines(today=case.warn_date)
    assert result.issued == 4  # the case and its three departments' tasks
    card = Card.objects.get(subject_kind="case")
    assert (card.level, card.status, card.organisation) == ("yellow", "open", city["market"])
    assert list(card.events.values_list("kind", "level")) == [("issued", "yellow")]


def test_a_yellow_card_is_escalated_to_red_once_the_deadline_passes(city):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)
    result = sweep_deadlines(today=day_after(case.due_date))
    assert result.escalated == 4
    card = Card.objects.get(subject_kind="case")
    assert card.level == "red" and card.escalated_at is not None
    assert list(card.events.values_list("kind", flat=True)) == ["issued", "escalated"]


def test_a_case_first_seen_after_its_deadline_gets_a_red_card_at_once(city):
    case = accepted(city)
    sweep_deadlines(today=day_after(case.due_date))
    assert Card.objects.get(subject_kind="case").level == "red"


def test_sweeping_twice_issues_nothing_new(city):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)
    again = sweep_deadlines(today=case.warn_date)
    assert (again.issued, again.escalated, again.closed) == (0, 0, 0)
    assert CardEvent.objects.count() == 4


def test_a_case_finished_late_keeps_its_red_card_closed(city):
    case = accepted(city)
    sweep_deadlines(today=day_after(case.due_date))
    for task in CaseTask.objects.filter(case=case):
        key = {v: k for k, v in city.items() if k in ("market", "fire", "urban")}[task.organisation]
        approval.complete_task(
            actor=city["reviewers"][key], task=task, decision="approve", opinion=""
        )
    result = sweep_deadlines(today=day_after(case.due_date))
    card = Card.objects.get(subject_kind="case")
    assert result.closed == 4 and (card.level, card.status) == ("red", "closed")


def test_a_department_that_finished_its_task_has_its_task_card_closed_while_others_stay(city):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)
    task = CaseTask.objects.get(case=case, organisation=city["fire"])
    approval.complete_task(
        actor=city["reviewers"]["fire"], task=task, decision="approve", opinion=""
    )
    sweep_deadlines(today=case.warn_date)
    assert Card.objects.get(subject_kind="task", subject_id=task.pk).status == "closed"
    assert Card.objects.filter(subject_kind="task", status="open").count() == 2


def test_a_case_whose_clock_is_stopped_gets_no_card(city):
    case = accepted(city)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="expert",
                                     reason="需要专家评审", planned_end=timezone.localdate())  # fmt: skip
    assert sweep_deadlines(today=day_after(case.due_date)).issued == 0


def test_an_incremental_sweep_cards_a_case_whose_stop_ended_the_same_day_in_its_warning_zone(
    city,
):
    case = accepted(city)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="inspection",
                                     reason="需要现场核查", planned_end=timezone.localdate())  # fmt: skip
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Case.objects.filter(pk=case.pk).update(updated_at=an_hour_ago)  # the stop began earlier
    assert sweep_deadlines(today=case.warn_date, full=True).issued == 0  # stopped
    approval.end_special_procedure(actor=city["reviewers"]["fire"], case=case)  # 0 days moved
    result = sweep_deadlines(today=case.warn_date, full=False)
    assert result.issued == 4  # the case and its three departments' tasks, without a full run


def test_the_first_sweep_is_full_and_the_next_ones_incremental_until_a_day_passes(city):
    accepted(city)
    now = timezone.now()
    assert sweep_deadlines(now=now).full
    assert not sweep_deadlines(now=now + datetime.timedelta(minutes=5)).full
    assert sweep_deadlines(now=now + datetime.timedelta(hours=25)).full


def test_an_incremental_sweep_cards_a_case_whose_warning_day_came_though_nothing_changed(city):
    case = accepted(city)
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Case.objects.filter(pk=case.pk).update(updated_at=long_ago)
    sweep_deadlines(today=case.warn_date - datetime.timedelta(days=1), full=True)
    result = sweep_deadlines(today=case.warn_date, full=False)
    assert not result.full and Card.objects.filter(subject_kind="case", subject_id=case.pk).exists()


def test_an_incremental_sweep_skips_unchanged_cases_that_a_full_sweep_repairs(city):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date, full=True)
    Card.objects.filter(subject_kind="case").delete()  # an inconsistency, say a restored backup
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - datetime.timedelta(days=30))
    assert sweep_deadlines(today=case.warn_date, full=False).issued == 0
    assert sweep_deadlines(today=case.warn_date, full=True).issued == 1


def test_an_incremental_sweep_escalates_when_the_due_day_passes(city):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date, full=True)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - datetime.timedelta(days=30))
    result = sweep_deadlines(today=day_after(case.due_date), full=False)
    assert result.escalated == 4  # the case and its three tasks, by their due days alone
    assert Card.objects.get(subject_kind="case").level == "red"


def test_the_sweep_command_runs_a_full_sweep_on_demand(city):
    import io

    from django.core.management import call_command

    case = accepted(city)
    Case.objects.filter(pk=case.pk).update(warn_date=timezone.localdate())
    out = io.StringIO()
    call_command("sweep", "--full", stdout=out)
    assert '"full": true' in out.getvalue() and Card.objects.filter(subject_kind="case").exists()


# --- a card closed while its subject was open comes back; a subject finished late stays red ---

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), SHANGHAI)


def finish_all_tasks(city, case):
    reviewers = {city["market"]: "market", city["fire"]: "fire", city["urban"]: "urban"}
    for task in CaseTask.objects.filter(case=case, status="open"):
        approval.complete_task(actor=city["reviewers"][reviewers[task.organisation]], task=task,
                               decision="approve", opinion="")  # fmt: skip
    return Case.objects.get(pk=case.pk)


def moved_by_a_special_procedure(city, case, time_machine, *, days=7):
    """A 特别程序 of `days` calendar days: the due dates move later by its working days."""
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="expert",
                                     reason="需要专家评审", planned_end=timezone.localdate())  # fmt: skip
    time_machine.move_to(timezone.now() + datetime.timedelta(days=days))
    approval.end_special_procedure(actor=city["reviewers"]["fire"], case=case)
    return Case.objects.get(pk=case.pk)


def test_a_yellow_card_withdrawn_when_a_stop_moved_the_deadline_is_reissued_when_the_case_nears_it_again(
    city, time_machine
):
    case = accepted(city)
    old_warn = case.warn_date
    sweep_deadlines(today=old_warn)
    moved = moved_by_a_special_procedure(city, case, time_machine)
    assert moved.warn_date > old_warn
    assert sweep_deadlines(today=old_warn).closed == 4  # out of the zone again: withdrawn
    result = sweep_deadlines(today=moved.warn_date)
    assert result.reissued == 4 and result.issued == 0
    card = Card.objects.get(subject_kind="case")
    assert (card.level, card.status, card.due_date) == ("yellow", "open", moved.due_date)
    assert list(card.events.values_list("kind", flat=True)) == ["issued", "closed", "reissued"]
    sweep_deadlines(today=day_after(moved.due_date))
    card.refresh_from_db()
    assert card.level == "red" and card.events.last().kind == "escalated"


def test_a_card_reissued_and_escalated_in_one_run_records_each_step_at_its_level(
    city, time_machine
):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)
    moved = moved_by_a_special_procedure(city, case, time_machine)
    sweep_deadlines(
        today=case.warn_date
    )  # withdrawn; no sweep runs again until after the new due day
    result = sweep_deadlines(today=day_after(moved.due_date))
    assert (result.reissued, result.escalated) == (4, 4)
    card = Card.objects.get(subject_kind="case")
    assert list(card.events.values_list("kind", "level")) == [
        ("issued", "yellow"), ("closed", "yellow"), ("reissued", "yellow"), ("escalated", "red")
    ]  # fmt: skip
    assert CardEvent.objects.filter(kind="escalated").count() == 4  # one per card, none twice


def test_an_incremental_sweep_reissues_the_card_when_the_new_warning_day_comes(city, time_machine):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date, full=True)
    moved = moved_by_a_special_procedure(city, case, time_machine)
    sweep_deadlines(today=case.warn_date, full=False)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - datetime.timedelta(days=30))
    assert sweep_deadlines(today=moved.warn_date, full=False).reissued == 4


def test_a_withdrawn_card_is_not_reissued_while_the_clock_is_stopped(city, time_machine):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)
    moved = moved_by_a_special_procedure(city, case, time_machine)
    sweep_deadlines(today=case.warn_date)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=moved, kind="hearing",
                                     reason="需要举行听证", planned_end=timezone.localdate())  # fmt: skip
    assert sweep_deadlines(today=moved.warn_date).reissued == 0
    assert not Card.objects.filter(status="open").exists()


def test_a_case_finished_late_while_no_sweep_ran_gets_a_red_card_closed_at_once(city, time_machine):
    case = accepted(city)  # the worker is down from here on
    time_machine.move_to(at(day_after(case.due_date), 10))
    finish_all_tasks(city, case)
    result = sweep_deadlines()
    assert result.issued == 4  # the case and its three tasks, all done late
    card = Card.objects.get(subject_kind="case")
    assert (card.level, card.status, card.closed_at is not None) == ("red", "closed", True)
    assert list(card.events.values_list("kind", "level")) == [("issued", "red"), ("closed", "red")]
    assert not Card.objects.exclude(level="red").exists()


def test_a_yellow_card_of_a_case_finished_late_is_escalated_as_it_closes(city, time_machine):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)  # yellow while open, then the worker stops
    time_machine.move_to(at(day_after(case.due_date), 10))
    finish_all_tasks(city, case)
    result = sweep_deadlines()
    card = Card.objects.get(subject_kind="case")
    assert (card.level, card.status) == ("red", "closed") and result.escalated == 4
    assert list(card.events.values_list("kind", flat=True)) == ["issued", "escalated", "closed"]


def test_a_yellow_card_already_withdrawn_turns_red_when_the_case_finishes_late(city, time_machine):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)
    moved = moved_by_a_special_procedure(city, case, time_machine)
    sweep_deadlines(today=case.warn_date)  # withdrawn: the deadline moved
    time_machine.move_to(at(day_after(moved.due_date), 9))
    finish_all_tasks(city, case)
    sweep_deadlines(full=False)
    card = Card.objects.get(subject_kind="case")
    assert (card.level, card.status) == ("red", "closed")


def test_finishing_half_an_hour_after_local_midnight_past_the_due_day_is_late(city, time_machine):
    case = accepted(city)  # 00:30 in Shanghai is still the previous day in UTC
    time_machine.move_to(at(day_after(case.due_date), 0, 30), tick=False)
    finish_all_tasks(city, case)
    sweep_deadlines()
    assert Card.objects.get(subject_kind="case").level == "red"


def test_a_case_finished_late_in_the_evening_of_its_due_day_is_on_time(city, time_machine):
    case = accepted(city)
    time_machine.move_to(at(case.due_date, 23, 50), tick=False)
    finish_all_tasks(city, case)
    sweep_deadlines()
    assert not Card.objects.filter(subject_kind="case", level="red").exists()


def test_a_case_finished_on_time_keeps_its_yellow_card_closed(city):
    case = accepted(city)
    sweep_deadlines(today=case.warn_date)
    finish_all_tasks(city, case)
    sweep_deadlines(today=case.warn_date)
    card = Card.objects.get(subject_kind="case")
    assert (card.level, card.status) == ("yellow", "closed")


def test_a_full_sweep_does_not_card_again_what_finished_before_the_last_full_sweep(
    city, time_machine
):
    case = accepted(city)
    time_machine.move_to(at(day_after(case.due_date), 10))
    finish_all_tasks(city, case)
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1))
    sweep_deadlines(full=True)
    Card.objects.all().delete()  # history lost after the first full run: not rebuilt every day
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2))
    assert sweep_deadlines(full=True).issued == 0
