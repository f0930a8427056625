"""Who sees a case: a walk-in applicant through their real-name account; the service centre's
window clerks only at the window stage and for the cases they registered or accepted."""

import pytest
from django.urls import reverse

from tests import factories
from tests.cases.test_flow import uploads_for
from yiwang.cases import approval, selectors, services
from yiwang.cases.models import Case, CaseTask, Notification
from yiwang.core.errors import NotFound

pytestmark = pytest.mark.django_db


def walk_in(city, code: str, *, clerk=None) -> Case:
    return services.register_walk_in(
        actor=clerk or city["clerk"], item=city["item"], applicant_kind="person",
        applicant_name="张三", applicant_code=code, form_data={"name": "张三"},
        paper_materials=[m.pk for m in city["item"].materials.all()],
    )  # fmt: skip


def online(city) -> Case:
    return services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]))  # fmt: skip


# --- walk-ins --------------------------------------------------------------------------


def test_a_person_registered_at_the_window_sees_the_case_from_their_account(client, city):
    case = walk_in(city, city["citizen"].id_number)
    assert list(selectors.my_cases(city["citizen"])) == [case]
    client.force_login(city["citizen"])
    assert case.number in client.get(reverse("cases:mine")).content.decode()
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert city["citizen"].id_number in page  # their own number, in clear


def test_a_walk_in_of_another_person_stays_hidden(city):
    case = walk_in(city, factories.ric())
    assert not Case.objects.restrict(city["citizen"]).filter(pk=case.pk).exists()


def test_a_walk_in_applicant_can_answer_a_correction_from_their_account(city):
    case = walk_in(city, city["citizen"].id_number)
    services.request_correction(actor=city["clerk"], case=case, corrections=["缺少签字"])
    services.submit_correction(actor=city["citizen"], case=case, form_data={"name": "张三"})
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_the_walk_in_applicants_account_gets_the_site_messages(city):
    case = walk_in(city, city["citizen"].id_number)
    services.accept_case(actor=city["clerk"], case=case)
    assert Notification.objects.filter(user=city["citizen"], case=case).count() == 1


def company_walk_in(city):
    """A company registered at the window whose agent is the city's citizen."""
    import datetime

    from yiwang.core.models import CompanyAgent

    uscc = factories.uscc()
    CompanyAgent.objects.create(user=city["citizen"], company_uscc=uscc, company_name="江澜测试餐饮有限公司",
                                valid_from=datetime.date(2020, 1, 1))  # fmt: skip
    return services.register_walk_in(
        actor=city["clerk"], item=city["item"], applicant_kind="company", applicant_name="江澜测试餐饮有限公司",
        applicant_code=uscc, form_data={"name": "张三"}, paper_materials=[m.pk for m in city["item"].materials.all()],
    )  # fmt: skip


def test_a_company_walk_in_is_seen_by_the_companys_agent(city):
    case = company_walk_in(city)
    assert Case.objects.restrict(city["citizen"]).filter(pk=case.pk).exists()


# --- the service centre's window ---------------------------------------------------------


@pytest.fixture
def centre_clerk(city):
    centre = factories.organisation("江澜市政务服务中心", hosts_window=True)
    return factories.staff("clerk", centre)


def test_a_window_clerk_sees_every_case_waiting_at_the_window(city, centre_clerk):
    waiting, correcting = online(city), online(city)
    services.request_correction(actor=city["clerk"], case=correcting, corrections=["缺少签字"])
    assert set(Case.objects.restrict(centre_clerk)) == {waiting, correcting}
    assert set(selectors.window_cases(centre_clerk)) == {waiting, correcting}


def test_a_window_clerk_no_longer_sees_a_case_someone_else_accepted(city, centre_clerk):
    case = services.accept_case(actor=city["clerk"], case=online(city))
    assert not Case.objects.restrict(centre_clerk).filter(pk=case.pk).exists()


def test_a_window_clerk_keeps_seeing_the_cases_they_accepted_until_the_end(city, centre_clerk):
    case = services.accept_case(actor=centre_clerk, case=online(city))
    for key in ("market", "fire", "urban"):
        task = CaseTask.objects.get(case=case, organisation=city[key])
        approval.complete_task(
            actor=city["reviewers"][key], task=task, decision="approve", opinion=""
        )
    assert Case.objects.restrict(centre_clerk).get(pk=case.pk).status == "approved"


def test_a_window_clerk_sees_the_walk_ins_they_registered(city, centre_clerk):
    case = walk_in(city, factories.ric(), clerk=centre_clerk)
    services.accept_case(actor=city["clerk"], case=case)
    assert Case.objects.restrict(centre_clerk).filter(pk=case.pk).exists()


def test_a_window_clerk_cannot_open_a_finished_case_of_others(client, city, centre_clerk):
    case = services.refuse_case(
        actor=city["clerk"], case=online(city), reason="不属于本机关职权范围"
    )
    client.force_login(centre_clerk)
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 404
    with pytest.raises(NotFound):
        services.withdraw_case(actor=centre_clerk, case=case)


def test_a_window_clerk_who_refused_a_case_is_shown_it_after_the_refusal(
    client, city, centre_clerk
):
    case = online(city)
    client.force_login(centre_clerk)
    answer = client.post(reverse("cases:refuse", args=[case.number]),
                         {"reason": "不属于本机关职权范围"}, follow=True)  # fmt: skip
    page = answer.content.decode()
    assert answer.status_code == 200 and "已作出不予受理决定" in page and case.number in page
    assert Case.objects.get(pk=case.pk).refused_by == centre_clerk


def test_the_departments_own_clerk_still_sees_its_finished_cases(city):
    case = services.refuse_case(
        actor=city["clerk"], case=online(city), reason="不属于本机关职权范围"
    )
    assert Case.objects.restrict(city["clerk"]).filter(pk=case.pk).exists()


def test_the_api_answers_a_walk_in_their_own_data_in_clear(client, city):
    case = walk_in(city, city["citizen"].id_number)
    client.force_login(city["citizen"])
    answer = client.get(f"/api/v1/cases/{case.number}").json()
    assert (answer["applicant_code"], answer["applicant_name"]) == (
        city["citizen"].id_number,
        "张三",
    )


def company_case_by_a_former_agent(city):
    """An agent applied for a company, then their authorisation ended; another agent acts now."""
    import datetime

    from yiwang.core.models import CompanyAgent

    uscc, today = factories.uscc(), datetime.date.today()
    former = CompanyAgent.objects.create(user=city["citizen"], company_uscc=uscc,
                                         company_name="江澜测试餐饮有限公司", valid_from=datetime.date(2020, 1, 1))  # fmt: skip
    item = factories.service_item(city["market"], audience="both")
    case = services.submit_application(actor=city["citizen"], item=item, company_uscc=uscc,
                                       form_data={"name": "张三"}, uploads=uploads_for(item))  # fmt: skip
    former.valid_until = today - datetime.timedelta(days=1)
    former.save(update_fields=["valid_until"])
    successor = factories.user(real_name="王五", id_number=factories.ric())
    CompanyAgent.objects.create(user=successor, company_uscc=uscc, company_name="江澜测试餐饮有限公司",
                                valid_from=today)  # fmt: skip
    return case, successor


def test_a_former_agent_is_no_longer_told_about_the_companys_case(city):
    case, successor = company_case_by_a_former_agent(city)
    services.request_correction(actor=city["clerk"], case=case, corrections=["补充营业执照复印件"])
    told = Notification.objects.filter(case=case, message__contains="补正")
    assert list(told.values_list("user", flat=True)) == [successor.pk]


def test_the_agent_of_a_company_registered_at_the_window_is_told(city):
    case = company_walk_in(city)
    services.request_correction(actor=city["clerk"], case=case, corrections=["补充营业执照复印件"])
    assert Notification.objects.filter(case=case, user=city["citizen"]).exists()


def test_a_former_agent_cannot_apply_as_the_company_on_the_apply_page(client, city):
    """The page would pre-fill the company's data (its registry record, its e-licences)."""
    case, _successor = company_case_by_a_former_agent(city)
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:apply", args=[case.item.pk]), {"company": case.applicant_code})
    assert page.status_code == 200 and page.context["company"] is None
    assert "江澜测试餐饮有限公司" not in page.content.decode()


def test_a_company_posted_with_a_nul_is_no_company_not_a_500(client, city):
    """PostgreSQL cannot query text holding NUL; the page treats it as no company at all."""
    client.force_login(city["citizen"])
    page = client.post(reverse("cases:apply", args=[city["item"].pk]), {"company": "91\x00"})
    assert page.status_code == 200 and page.context["company"] is None


def test_a_withdrawal_does_not_record_the_applicant_as_who_refused_the_case(city):
    """不予受理经办人 is the window's; a window clerk who withdrew a company's case as its agent
    must not keep seeing it through that field once their agency ends."""
    import datetime

    from yiwang.core.models import CompanyAgent

    centre = factories.organisation("江澜市政务服务中心", hosts_window=True)
    agent = factories.staff("clerk", centre, id_number=factories.ric())
    uscc, today = factories.uscc(), datetime.date.today()
    agency = CompanyAgent.objects.create(user=agent, company_uscc=uscc, company_name="江澜测试餐饮有限公司",
                                         valid_from=datetime.date(2020, 1, 1))  # fmt: skip
    case = services.submit_application(actor=agent, item=city["item"], company_uscc=uscc,
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
    case = services.withdraw_case(actor=agent, case=case, reason="不再经营")
    assert case.refused_by is None
    agency.valid_until = today - datetime.timedelta(days=1)
    agency.save(update_fields=["valid_until"])
    fresh = type(agent).objects.get(pk=agent.pk)
    assert not Case.objects.restrict(fresh).filter(pk=case.pk).exists()
