import datetime

import pytest
from django.utils import timezone

from tests import factories
from yiwang.cases.models import Case, CaseTask
from yiwang.demo import cases as demo_cases
from yiwang.reviews.models import Rating
from yiwang.supervision import kpi
from yiwang.supervision.models import Card

pytestmark = pytest.mark.django_db


@pytest.fixture
def little_city(monkeypatch):
    monkeypatch.setitem(demo_cases.SIZES, "small", {"history": 400, "live": 6})
    centre = factories.organisation("江澜市政务服务中心", hosts_window=True)
    factories.staff("clerk", centre)
    departments = [factories.organisation(f"部门{n}") for n in range(4)]
    for n, org in enumerate(departments):
        factories.service_item(org, participants=[departments[(n + 1) % 4]], promised_days=5 + n)
    for _ in range(20):
        factories.user(id_number=factories.ric())
    return departments


def test_a_year_of_history_is_written_with_tasks_timelines_and_some_late_cases(little_city):
    statuses = demo_cases.build_history(seed=1, scale="small")
    assert sum(statuses.values()) == 400 and statuses["approved"] > 300
    accepted = Case.objects.filter(accepted_at__isnull=False)
    assert CaseTask.objects.filter(case__in=accepted).count() == 2 * accepted.count()
    assert Card.objects.filter(level="red", status="closed").exists()
    assert Rating.objects.filter(level__lte=2).exists()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_the_history_tasks_began_when_their_case_was_accepted(little_city):
    demo_cases.build_history(seed=1, scale="small")
    done = CaseTask.objects.filter(status="done").select_related("case")
    assert done.exists()
    for task in done:
        assert task.created_at == task.case.accepted_at <= task.completed_at, task.pk
    for case in Case.objects.all():
        assert case.created_at == case.submitted_at, case.number


@pytest.fixture
def audiences(little_city):
    """The little city's items for companies only, persons only and both, and two agents."""
    from yiwang.core.models import CompanyAgent
    from yiwang.services.models import ServiceItem

    company, person, *both = ServiceItem.objects.order_by("pk")
    ServiceItem.objects.filter(pk=company.pk).update(audience="company")
    ServiceItem.objects.filter(pk=person.pk).update(audience="person")
    long_ago = timezone.localdate() - datetime.timedelta(days=800)
    agents = [
        CompanyAgent.objects.create(user=factories.user(id_number=factories.ric()), company_uscc=factories.uscc(),
                                    company_name=f"江澜市演示{n}有限公司", valid_from=long_ago)
        for n in range(2)
    ]  # fmt: skip
    return {"company": company, "person": person, "both": both, "agents": agents}


def test_history_cases_of_company_items_are_applied_for_by_a_company_through_its_agent(audiences):
    demo_cases.build_history(seed=1, scale="small")
    by_uscc = {a.company_uscc: a for a in audiences["agents"]}
    companies = Case.objects.filter(item=audiences["company"])
    assert companies.exists()
    for case in companies:
        agent = by_uscc[case.applicant_code]
        assert (case.applicant_kind, case.applicant_name, case.applicant_id) == (
            "company",
            agent.company_name,
            agent.user_id,
        )
    people = Case.objects.filter(item=audiences["person"]).select_related("applicant")
    assert people.exists()
    for case in people:
        assert (case.applicant_kind, case.applicant_code, case.applicant_name) == (
            "person",
            case.applicant.id_number,
            case.applicant.real_name,
        )
    kinds = set(
        Case.objects.filter(item__in=audiences["both"]).values_list("applicant_kind", flat=True)
    )
    assert kinds == {"person", "company"}


def test_without_agents_the_company_items_get_no_history(audiences):
    from yiwang.core.models import CompanyAgent

    CompanyAgent.objects.all().delete()
    demo_cases.build_history(seed=1, scale="small")
    assert Case.objects.exists() and not Case.objects.filter(item=audiences["company"]).exists()
    assert not Case.objects.filter(applicant_kind="company").exists()


def test_the_history_is_the_same_for_the_same_seed(little_city):
    demo_cases.build_history(seed=7, scale="small")
    first = sorted(Case.objects.values_list("number", "status", "due_date"))
    Case.objects.all().delete()
    from yiwang.cases.models import CaseSequence

    CaseSequence.objects.all().delete()
    demo_cases.build_history(seed=7, scale="small")
    assert sorted(Case.objects.values_list("number", "status", "due_date")) == first


def test_the_whole_year_gives_departments_different_kpis(little_city, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}  # fmt: skip
    result = demo_cases.build(seed=1, scale="small")
    assert result["live"] >= 1
    today = timezone.localdate()
    figures = kpi.summarise(kpi.daily_counts(today - datetime.timedelta(days=366), today))
    on_time = {org: row["on_time_rate"] for org, row in figures.items()}
    assert max(on_time.values()) > min(on_time.values())
    live = Case.objects.filter(status__in=["submitted", "accepted"])
    assert live.exists() and all(c.workflow_state for c in live.filter(status="accepted"))


def test_the_history_already_holds_the_cards_of_late_cases_and_tasks(little_city):
    from yiwang.supervision.sweep import sweep_deadlines

    demo_cases.build_history(seed=1, scale="small")
    assert Card.objects.filter(subject_kind="task", level="red", status="closed").exists()
    assert sweep_deadlines(full=True).issued == 0  # nothing late left to card today
