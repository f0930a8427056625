"""The cases API for reviewers: their department's tasks, decisions, 特别程序."""

import datetime

import pytest
from django.utils import timezone

from tests.cases.test_api import (  # noqa: F401  (media: autouse fixture)
    BASE,
    accepted,
    assert_error,
    media,
    post_json,
    submit,
    task_of,
)
from tests.openapi import assert_matches_openapi
from yiwang.cases import approval
from yiwang.cases.models import Case, CaseTask
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

IN_A_WEEK = str(timezone.localdate() + datetime.timedelta(days=7))


# --- GET /cases/tasks -------------------------------------------------------------------


def test_a_reviewer_lists_their_departments_open_tasks_by_due_date(client, city):
    later, sooner = accepted(city), accepted(city)
    CaseTask.objects.filter(case=later).update(due_date=later.due_date + datetime.timedelta(days=3))
    approval.complete_task(actor=city["reviewers"]["fire"], task=task_of(accepted(city), city, "fire"),
                           decision="approve", opinion="")  # fmt: skip
    client.force_login(city["reviewers"]["fire"])
    response = client.get(f"{BASE}/tasks")
    assert_matches_openapi(response, "get", f"{BASE}/tasks")
    tasks = response.json()["items"]
    assert [t["case_number"] for t in tasks] == [sooner.number, later.number]
    assert {t["organisation"] for t in tasks} == {"江澜市消防救援支队"}
    assert tasks[0]["due_date"] == str(sooner.due_date) and tasks[0]["status"] == "open"
    assert tasks[0]["item_name"] == "食品经营许可（新办）"


def test_a_citizen_has_no_tasks(client, city):
    accepted(city)
    client.force_login(city["citizen"])
    assert client.get(f"{BASE}/tasks").json() == {"items": [], "count": 0}


def test_a_page_size_over_the_limit_is_a_422(client, city):
    client.force_login(city["reviewers"]["fire"])
    response = client.get(f"{BASE}/tasks", {"page_size": 1000})
    assert_matches_openapi(response, "get", f"{BASE}/tasks")
    assert_error(response, 422, "validation_failed")


# --- POST /cases/tasks/{task_id}/complete -----------------------------------------------


def decide(client, task, **data):
    return post_json(client, f"/tasks/{task.pk}/complete", data, "/tasks/{task_id}/complete")


def test_a_reviewer_approves_their_departments_task(client, city):
    task = task_of(accepted(city), city, "fire")
    client.force_login(city["reviewers"]["fire"])
    response = decide(client, task, decision="approve", opinion="消防设施符合要求")
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "done" and answer["case_status"] == "accepted"
    task.refresh_from_db()
    assert (task.status, task.decision, task.opinion) == ("done", "approve", "消防设施符合要求")
    assert task.completed_by == city["reviewers"]["fire"]
    assert AuditEvent.objects.filter(action="case.review").count() == 1


def test_the_last_approval_finishes_the_case(client, city):
    case = accepted(city)
    for key in ("market", "urban"):
        approval.complete_task(actor=city["reviewers"][key], task=task_of(case, city, key),
                               decision="approve", opinion="")  # fmt: skip
    client.force_login(city["reviewers"]["fire"])
    answer = decide(client, task_of(case, city, "fire"), decision="approve").json()
    assert answer["case_status"] == "approved"
    assert Case.objects.get().status == "approved"


def test_a_rejection_without_its_reason_is_refused(client, city):
    task = task_of(accepted(city), city, "fire")
    client.force_login(city["reviewers"]["fire"])
    body = assert_error(
        decide(client, task, decision="reject", opinion=""), 400, "validation_failed"
    )
    assert body["message"] == "不同意时请写明理由"
    assert CaseTask.objects.get(pk=task.pk).status == "open"


def test_an_unknown_decision_is_a_422(client, city):
    task = task_of(accepted(city), city, "fire")
    client.force_login(city["reviewers"]["fire"])
    assert_error(decide(client, task, decision="maybe"), 422, "validation_failed")


def test_a_reviewer_of_another_participating_department_gets_404(client, city):
    task = task_of(accepted(city), city, "market")
    client.force_login(city["reviewers"]["fire"])
    assert_error(decide(client, task, decision="approve"), 404, "not_found")
    assert CaseTask.objects.get(pk=task.pk).status == "open"


def test_the_window_clerk_cannot_decide_a_reviewers_task_of_their_department(client, city):
    task = task_of(accepted(city), city, "market")
    client.force_login(city["clerk"])
    assert_error(decide(client, task, decision="approve"), 403, "permission_denied")
    assert CaseTask.objects.get(pk=task.pk).status == "open"


def test_a_task_cannot_be_decided_twice(client, city):
    task = task_of(accepted(city), city, "fire")
    client.force_login(city["reviewers"]["fire"])
    decide(client, task, decision="approve")
    assert_error(
        decide(client, task, decision="reject", opinion="改主意了"), 409, "cases.task_not_ready"
    )
    assert CaseTask.objects.get(pk=task.pk).decision == "approve"


def test_a_task_id_out_of_range_is_a_422(client, city):
    client.force_login(city["reviewers"]["fire"])
    response = client.post(f"{BASE}/tasks/0/complete", {"decision": "approve"},
                           content_type="application/json")  # fmt: skip
    assert_error(response, 422, "validation_failed")


# --- POST /cases/{number}/special and /special/end --------------------------------------


def start_special(client, case, **data):
    return post_json(client, f"/{case.number}/special", data, "/{number}/special")


def end_special(client, case, **data):
    return post_json(client, f"/{case.number}/special/end", data, "/{number}/special/end")


def test_a_reviewer_starts_an_inspection_and_the_clock_stops(client, city):
    case = accepted(city)
    client.force_login(city["reviewers"]["fire"])
    response = start_special(client, case, kind="inspection", reason="需要现场核查消防通道",
                             planned_end=IN_A_WEEK)  # fmt: skip
    assert response.status_code == 200
    stops = response.json()["clock_stops"]
    assert [(s["kind_label"], s["planned_end"], s["ended_at"]) for s in stops] == [
        ("现场核查", IN_A_WEEK, None)]  # fmt: skip
    stop = case.clock_stops.get()
    assert stop.kind == "inspection" and stop.ended_at is None
    assert response.json()["events"][-1]["kind"] == "special"


def test_a_special_procedure_planned_to_end_in_the_past_is_refused(client, city):
    case = accepted(city)
    client.force_login(city["reviewers"]["fire"])
    yesterday = str(timezone.localdate() - datetime.timedelta(days=1))
    response = start_special(
        client, case, kind="hearing", reason="需要组织听证", planned_end=yesterday
    )
    body = assert_error(response, 400, "validation_failed")
    assert body["message"] == "请填写不早于今天的预计结束日期"
    assert not case.clock_stops.exists()


def test_a_correction_is_not_a_special_procedure(client, city):
    case = accepted(city)
    client.force_login(city["reviewers"]["fire"])
    response = start_special(
        client, case, kind="correction", reason="需要补正", planned_end=IN_A_WEEK
    )
    assert_error(response, 422, "validation_failed")


def test_a_second_special_procedure_while_one_runs_is_a_409(client, city):
    case = accepted(city)
    client.force_login(city["reviewers"]["fire"])
    start_special(client, case, kind="expert", reason="需要专家评审", planned_end=IN_A_WEEK)
    response = start_special(
        client, case, kind="hearing", reason="需要组织听证", planned_end=IN_A_WEEK
    )
    assert_error(response, 409, "cases.clock_stopped")


def test_a_reviewer_whose_task_is_done_cannot_start_a_special_procedure(client, city):
    case = accepted(city)
    approval.complete_task(actor=city["reviewers"]["fire"], task=task_of(case, city, "fire"),
                           decision="approve", opinion="")  # fmt: skip
    client.force_login(city["reviewers"]["fire"])
    response = start_special(
        client, case, kind="inspection", reason="需要现场核查", planned_end=IN_A_WEEK
    )
    assert_error(response, 404, "not_found")


def test_the_applicant_cannot_start_a_special_procedure_on_their_case(client, city):
    case = accepted(city)
    client.force_login(city["citizen"])
    response = start_special(
        client, case, kind="inspection", reason="需要现场核查", planned_end=IN_A_WEEK
    )
    assert_error(response, 404, "not_found")
    assert not case.clock_stops.exists()


def test_ending_the_special_procedure_moves_the_due_dates(client, city, monkeypatch):
    case = accepted(city)
    approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="inspection",
                                     reason="需要现场核查", planned_end=timezone.localdate())  # fmt: skip
    a_week_later = timezone.now() + datetime.timedelta(days=7)
    monkeypatch.setattr(timezone, "now", lambda: a_week_later)
    client.force_login(city["reviewers"]["fire"])
    response = end_special(client, case, result="核查合格")
    assert response.status_code == 200
    promised = case.due_date
    case.refresh_from_db()
    assert case.due_date > promised and response.json()["due_date"] == str(case.due_date)
    assert case.clock_stops.get().ended_at is not None
    assert task_of(case, city, "fire").due_date == case.due_date


def test_ending_when_no_special_procedure_runs_is_a_409(client, city):
    case = accepted(city)
    client.force_login(city["reviewers"]["fire"])
    assert_error(end_special(client, case), 409, "cases.no_special")


def test_an_end_result_that_is_too_long_is_a_422(client, city):
    case = accepted(city)
    client.force_login(city["reviewers"]["fire"])
    assert_error(end_special(client, case, result="长" * 1001), 422, "validation_failed")


def test_a_special_procedure_cannot_start_before_acceptance(client, city):
    case = submit(city)
    client.force_login(city["reviewers"]["fire"])
    response = start_special(
        client, case, kind="inspection", reason="需要现场核查", planned_end=IN_A_WEEK
    )
    assert_error(response, 404, "not_found")
