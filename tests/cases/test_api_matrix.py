"""Every action of the cases API for every kind of caller, as one table: the applicant, a clerk and a
reviewer of a department taking part, a reviewer of a department that does not, a supervisor
(who reads everything and changes nothing), and an anonymous caller.

A case the caller may not see is 404; a case they see but may not act on is 403; an applicant's
own action (补正, 撤回) is "not found" to staff. A refused call changes nothing.
"""

import datetime
import json

import pytest
from django.utils import timezone

from tests import factories
from tests.cases.test_api import BASE, media, pdf  # noqa: F401  (media: autouse fixture)
from tests.openapi import assert_matches_openapi
from yiwang.cases import approval, services
from yiwang.cases.models import Case, CaseTask
from yiwang.services import services as item_services

pytestmark = pytest.mark.django_db

A, C, R, X, S, N = "applicant", "clerk", "reviewer", "other_reviewer", "supervisor", "anonymous"
ROLES = (A, C, R, X, S, N)
READ = {A: 200, C: 200, R: 200, X: 404, S: 200, N: 401}
WINDOW = {A: 403, C: 200, R: 403, X: 404, S: 403, N: 401}
APPLICANT_ONLY = {A: 200, C: 404, R: 404, X: 404, S: 404, N: 401}
REVIEWER_ONLY = {A: 404, C: 404, R: 200, X: 404, S: 404, N: 401}
EVERYONE_SIGNED_IN = {A: 200, C: 200, R: 200, X: 200, S: 200, N: 401}
IN_A_WEEK = str(datetime.date.today() + datetime.timedelta(days=7))

# (action, state of the case, method, path, JSON body or "multipart", expected status per role)
ACTIONS = [
    ("view", "submitted", "get", "/{number}", None, READ),
    ("download a material", "submitted", "get", "/{number}/materials/{material_id}", None, READ),
    ("accept", "submitted", "post", "/{number}/accept", {}, WINDOW),
    ("ask for 补正", "submitted", "post", "/{number}/correction", {"corrections": ["申请书未签字"]}, WINDOW),
    ("refuse", "submitted", "post", "/{number}/refuse", {"reason": "不属于本机关职权范围"}, WINDOW),
    ("answer 补正", "correction", "post", "/{number}/corrected", "multipart", APPLICANT_ONLY),
    ("withdraw", "submitted", "post", "/{number}/withdraw", {}, APPLICANT_ONLY),
    ("start 特别程序", "accepted", "post", "/{number}/special",
     {"kind": "inspection", "reason": "需要现场核查", "planned_end": IN_A_WEEK}, REVIEWER_ONLY),
    ("end 特别程序", "special", "post", "/{number}/special/end", {}, REVIEWER_ONLY),
    ("ask for 补正 in review", "accepted", "post", "/{number}/review-correction",
     {"corrections": ["补充租赁合同"]}, {A: 403, C: 403, R: 200, X: 404, S: 403, N: 401}),
    ("decide a task", "accepted", "post", "/tasks/{task_id}/complete", {"decision": "approve"},
     {A: 404, C: 404, R: 200, X: 404, S: 403, N: 401}),  # the clerk is of another department
    ("list tasks", "accepted", "get", "/tasks", None, EVERYONE_SIGNED_IN),
    ("list cases", "submitted", "get", "", None, EVERYONE_SIGNED_IN),
    ("apply", None, "post", "", "multipart", {A: 201, C: 403, R: 403, X: 403, S: 403, N: 401}),
    ("register a walk-in", None, "post", "/walk-in", "multipart",
     {A: 403, C: 201, R: 403, X: 403, S: 403, N: 401}),
    ("apply for a 一件事", None, "post", "/themes/{code}", "multipart",
     {A: 201, C: 403, R: 403, X: 403, S: 403, N: 401}),
]  # fmt: skip


@pytest.fixture
def callers(city):
    return {A: city["citizen"], C: city["clerk"], R: city["reviewers"]["fire"],
            X: factories.staff("reviewer", factories.organisation("江澜市文化旅游局")),
            S: factories.staff("supervisor", factories.organisation("江澜市监察局")), N: None}  # fmt: skip


def case_in(city, state: str) -> Case:
    case = services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads={m.pk: pdf() for m in city["item"].materials.all()})  # fmt: skip
    if state == "correction":
        services.request_correction(actor=city["clerk"], case=case, corrections=["申请书未签字"])
    if state in ("accepted", "special"):
        services.accept_case(actor=city["clerk"], case=case)
    if state == "special":
        approval.start_special_procedure(actor=city["reviewers"]["fire"], case=case, kind="hearing",
                                         reason="需要举行听证", planned_end=timezone.localdate())  # fmt: skip
    return Case.objects.get(pk=case.pk)


def theme_of(city) -> str:
    other = factories.service_item(city["urban"], name="户外招牌设置")
    theme = item_services.create_theme(actor=factories.superuser(), lead=city["market"], code="restaurant",
                                       name="我要开餐馆", audience="both", items=[city["item"], other])  # fmt: skip
    item_services.publish_theme(actor=factories.superuser(), theme=theme)
    return theme.code


def multipart(city, template: str) -> dict:
    files = {f"material_{m.pk}": pdf() for m in city["item"].materials.all()}
    if template == "/walk-in":
        data = {"item_id": city["item"].pk, "applicant_kind": "person", "applicant_name": "李四",
                "applicant_code": factories.ric(), "form_data": {"name": "李四"}}  # fmt: skip
    elif template == "/themes/{code}":
        from yiwang.services.selectors import theme_materials

        theme = item_services.Theme.objects.get()
        data, files = (
            {"form_data": {"name": "张三"}},
            {f"material_{e.material.pk}": pdf() for e in theme_materials(theme)},
        )
    elif template == "/{number}/corrected":
        data, files = {"form_data": {"name": "张三"}}, {}
    else:
        data = {"item_id": city["item"].pk, "form_data": {"name": "张三"}}
    return {"payload": json.dumps(data, ensure_ascii=False), **files}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "state", "method", "template", "body", "expected"), ACTIONS,
                         ids=[a[0] for a in ACTIONS])  # fmt: skip
def test_each_caller_gets_the_answer_the_table_gives(
    client, city, callers, role, action, state, method, template, body, expected
):
    case = case_in(city, state) if state else None
    values = {"code": theme_of(city) if "{code}" in template else ""}
    if case is not None:
        values.update(number=case.number, material_id=case.materials.first().pk,
                      task_id=CaseTask.objects.filter(case=case, organisation=city["fire"]).values_list("pk", flat=True).first())  # fmt: skip
    path = BASE + template.format(**values)
    if callers[role] is not None:
        client.force_login(callers[role])
    cases_before = Case.objects.count()
    if method == "get":
        response = client.get(path)
    elif body == "multipart":
        response = client.post(path, multipart(city, template))
    else:
        response = client.post(path, body, content_type="application/json")
    assert response.status_code == expected[role], getattr(response, "content", b"")[:300]
    if action != "download a material" or response.status_code != 200:
        assert_matches_openapi(response, method, BASE + template)
    if response.status_code >= 400:
        assert Case.objects.count() == cases_before
        if case is not None:
            assert Case.objects.get(pk=case.pk).status == case.status
            assert CaseTask.objects.filter(case=case, status="done").count() == 0


def test_the_supervisor_reads_every_case_and_task(client, city, callers):
    case_in(city, "accepted")
    client.force_login(callers[S])
    assert client.get(BASE).json()["count"] == 1
    assert client.get(f"{BASE}/tasks").json()["count"] == 3


def test_a_reviewer_of_another_department_lists_nothing(client, city, callers):
    case_in(city, "accepted")
    client.force_login(callers[X])
    assert (
        client.get(BASE).json()["count"] == 0 and client.get(f"{BASE}/tasks").json()["count"] == 0
    )


def test_a_theme_application_over_the_api_gives_one_joint_case(client, city, callers):
    code = theme_of(city)
    client.force_login(callers[A])
    answer = client.post(f"{BASE}/themes/{code}", multipart(city, "/themes/{code}"))
    assert answer.status_code == 201
    case = Case.objects.get(number=answer.json()["number"])
    assert case.theme.code == code and {m["name"] for m in answer.json()["materials"]} == {"申请书"}


def test_a_theme_that_is_not_published_is_not_found(client, city, callers):
    other = factories.service_item(city["urban"], name="户外招牌设置")
    item_services.create_theme(actor=factories.superuser(), lead=city["market"], code="draft-theme",
                               name="草稿主题", audience="both", items=[city["item"], other])  # fmt: skip
    client.force_login(callers[A])
    answer = client.post(f"{BASE}/themes/draft-theme", {"payload": "{}"})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert_matches_openapi(answer, "post", BASE + "/themes/{code}")


def test_a_theme_application_with_a_file_of_another_item_is_refused(client, city, callers):
    code = theme_of(city)
    stranger = factories.service_item(city["fire"]).materials.get()
    client.force_login(callers[A])
    body = {**multipart(city, "/themes/{code}"), f"material_{stranger.pk}": pdf()}
    answer = client.post(f"{BASE}/themes/{code}", body)
    assert answer.status_code == 400 and answer.json()["detail"] == {"materials": [stranger.pk]}
    assert not Case.objects.exists()
