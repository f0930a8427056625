"""The cases API: who may call what. Helpers here are shared by the other `test_api_*` modules.

Every endpoint: anonymous is 401, someone who may not see the case is 404 (never 403), and
every answer fits the OpenAPI document.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests import factories
from tests.openapi import assert_matches_openapi
from yiwang.cases import services
from yiwang.cases.models import Case, CaseTask
from yiwang.core.models import Membership

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"


def pdf(name="申请书.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def material_files(item) -> dict:
    return {f"material_{m.pk}": pdf() for m in item.materials.all()}


def submit(city, **form) -> Case:
    """A case submitted by the citizen through the services, waiting for acceptance."""
    return services.submit_application(
        actor=city["citizen"], item=city["item"], form_data={"name": "张三", **form},
        uploads={m.pk: pdf() for m in city["item"].materials.all()},
    )  # fmt: skip


def accepted(city) -> Case:
    return services.accept_case(actor=city["clerk"], case=submit(city))


def in_correction(city) -> Case:
    return services.request_correction(
        actor=city["clerk"], case=submit(city), corrections=["申请书未签字"]
    )


def task_of(case, city, key) -> CaseTask:
    return CaseTask.objects.get(case=case, organisation=city[key])


def post_json(client, path, data, template=None):
    """POST a JSON body; the answer is checked against the OpenAPI operation of `template`."""
    response = client.post(BASE + path, data, content_type="application/json")
    assert_matches_openapi(response, "post", BASE + (template or path))
    return response


def assert_error(response, status: int, code: str) -> dict:
    """The project's error shape, with a Chinese message."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    return body


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded materials go to a temporary directory (autouse where imported)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": tmp_path}},
    }  # fmt: skip
    return tmp_path


def a_stranger():
    """A citizen with a real-name account and nothing to do with the city's cases."""
    return factories.user(real_name="王五", id_number=factories.ric(), phone="13900000009")


def an_outsider():
    """Staff of a department not taking part: a clerk and a reviewer at once."""
    other = factories.organisation("江澜市文化旅游局")
    user = factories.staff("clerk", other)
    Membership.objects.create(user=user, organisation=other, role="reviewer")
    return user


# --- every endpoint -------------------------------------------------------------------

CASE_ENDPOINTS = [
    ("get", "/{number}", None),
    ("post", "/{number}/accept", {}),
    ("post", "/{number}/correction", {"corrections": ["申请书未签字"]}),
    ("post", "/{number}/refuse", {"reason": "不属于本机关职权范围"}),
    ("post", "/{number}/corrected", None),
    ("post", "/{number}/withdraw", {}),
    (
        "post",
        "/{number}/special",
        {"kind": "inspection", "reason": "需要现场核查", "planned_end": "2099-01-01"},
    ),
    ("post", "/{number}/special/end", {}),
]
OTHER_ENDPOINTS = [
    ("post", "", None),
    ("get", "", None),
    ("post", "/walk-in", None),
    ("get", "/tasks", None),
    ("post", "/tasks/{task_id}/complete", {"decision": "approve"}),
]


def _call(client, method, template, body, *, number="X", task_id=1):
    path = BASE + template.format(number=number, task_id=task_id)
    if method == "get":
        return client.get(path)
    if body is None:  # the multipart endpoints
        return client.post(path, {"payload": "{}"})
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize(("method", "template", "body"), CASE_ENDPOINTS + OTHER_ENDPOINTS)
def test_an_anonymous_caller_is_told_to_sign_in(client, city, method, template, body):
    case = accepted(city)
    task = task_of(case, city, "market")
    response = _call(client, method, template, body, number=case.number, task_id=task.pk)
    assert_error(response, 401, "unauthenticated")
    assert_matches_openapi(response, method, BASE + template)
    assert Case.objects.get().status == "accepted"


@pytest.mark.parametrize(("method", "template", "body"), CASE_ENDPOINTS)
@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_someone_who_may_not_see_the_case_gets_404_for_every_action(
    client, city, method, template, body, who
):
    case = in_correction(city)
    client.force_login({"stranger": a_stranger, "outsider": an_outsider}[who]())
    response = _call(client, method, template, body, number=case.number)
    assert_error(response, 404, "not_found")
    assert_matches_openapi(response, method, BASE + template)
    assert Case.objects.get().status == "correction"


@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_someone_who_may_not_see_the_task_gets_404_when_completing_it(client, city, who):
    task = task_of(accepted(city), city, "fire")
    client.force_login({"stranger": a_stranger, "outsider": an_outsider}[who]())
    response = post_json(client, f"/tasks/{task.pk}/complete", {"decision": "approve"},
                         "/tasks/{task_id}/complete")  # fmt: skip
    assert_error(response, 404, "not_found")
    assert CaseTask.objects.get(pk=task.pk).status == "open"


def test_a_case_number_that_does_not_exist_is_404(client, city):
    client.force_login(city["clerk"])
    assert_error(client.get(f"{BASE}/NOSUCHCASE"), 404, "not_found")


def test_a_session_write_without_the_csrf_token_is_refused(city):
    case = submit(city)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city["clerk"])
    response = browser.post(f"{BASE}/{case.number}/accept", {}, content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    assert Case.objects.get().status == "submitted"


def test_a_department_system_key_cannot_use_the_cases_api(client, city):
    from yiwang.core import services as core_services

    system = factories.api_client(city["market"])
    secret = core_services.issue_api_key(actor=factories.superuser(), client=system).secret
    response = client.get(BASE, headers={"Authorization": f"Bearer {secret}"})
    assert_error(response, 401, "unauthenticated")


def test_the_multipart_payload_and_material_files_are_documented(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][BASE]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["payload"]
    assert "^material_([1-9][0-9]{0,17})$" in schema["patternProperties"]


def payload(**data) -> str:
    return json.dumps(data, ensure_ascii=False)


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_listing_cases_and_tasks_costs_the_same_queries_for_one_or_many(client, city):
    accepted(city)
    client.force_login(city["reviewers"]["fire"])
    one = _queries(client, BASE), _queries(client, f"{BASE}/tasks")
    for _ in range(4):
        accepted(city)
    assert (_queries(client, BASE), _queries(client, f"{BASE}/tasks")) == one


def test_reading_a_case_costs_the_same_queries_however_long_its_history(client, city):
    short, long = submit(city), accepted(city)
    client.force_login(city["reviewers"]["fire"])
    assert _queries(client, f"{BASE}/{short.number}") == _queries(client, f"{BASE}/{long.number}")
