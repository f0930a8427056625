import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from yiwang.cases import approval, services
from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import Case, CaseTask
from yiwang.core.errors import ServiceError
from yiwang.services import services as item_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def restaurant(city):
    """我要开餐馆: the market's food licence and the urban bureau's signboard permit, sharing 申请书."""
    signboard = factories.service_item(city["urban"], name="户外招牌设置", promised_days=8, materials=[
        {"name": "申请书"}, {"name": "招牌效果图"}],
        form_definition=[{"code": "name", "label": "申请人姓名", "type": "text", "required": True},
                         {"code": "sign_size", "label": "招牌尺寸", "type": "text", "required": True}])  # fmt: skip
    theme = item_services.create_theme(actor=factories.superuser(), lead=city["market"], code="restaurant",
                                       name="我要开餐馆", audience="both", items=[city["item"], signboard])  # fmt: skip
    theme = item_services.publish_theme(actor=factories.superuser(), theme=theme)
    return {**city, "theme": theme, "signboard": signboard}


def uploads(theme):
    from yiwang.services.selectors import theme_materials

    return {e.material.pk: SimpleUploadedFile("a.pdf", b"%PDF") for e in theme_materials(theme)}


def test_a_theme_gives_one_case_reviewed_by_every_department_of_its_items(restaurant):
    case = services.submit_theme_application(actor=restaurant["citizen"], theme=restaurant["theme"],
                                             form_data={"name": "张三", "sign_size": "3m×1m"},
                                             uploads=uploads(restaurant["theme"]))  # fmt: skip
    assert case.theme == restaurant["theme"] and Case.objects.count() == 1
    assert sorted(case.materials.values_list("name", flat=True)) == ["招牌效果图", "申请书"]
    case = services.accept_case(actor=restaurant["clerk"], case=case)
    departments = {t.organisation for t in CaseTask.objects.filter(case=case)}
    assert departments == {restaurant["market"], restaurant["fire"], restaurant["urban"]}
    from django.utils import timezone

    from yiwang.core.workdays import add_working_days

    # due by the longest promised limit among the items (8 working days, not the licence's 5)
    assert case.due_date == add_working_days(timezone.localdate(case.accepted_at), 8)
    for task in CaseTask.objects.filter(case=case):
        key = {
            restaurant["market"]: "market",
            restaurant["fire"]: "fire",
            restaurant["urban"]: "urban",
        }[task.organisation]
        approval.complete_task(
            actor=restaurant["reviewers"][key], task=task, decision="approve", opinion=""
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED and case.result_reference.count("结果") == 2


def test_the_joint_form_requires_every_items_fields(restaurant):
    with pytest.raises(ServiceError) as caught:
        services.submit_theme_application(actor=restaurant["citizen"], theme=restaurant["theme"],
                                          form_data={"name": "张三"}, uploads=uploads(restaurant["theme"]))  # fmt: skip
    assert "sign_size" in caught.value.detail["fields"]


def test_the_theme_apply_page_submits_one_case(client, restaurant):
    client.force_login(restaurant["citizen"])
    from yiwang.services.selectors import theme_materials

    files = {
        f"material_{e.material.pk}": SimpleUploadedFile("a.pdf", b"%PDF")
        for e in theme_materials(restaurant["theme"])
    }
    answer = client.post(reverse("cases:apply_theme", args=["restaurant"]),
                         {"name": "张三", "sign_size": "2m", **files})  # fmt: skip
    case = Case.objects.get()
    assert answer.status_code == 302 and case.theme_id == restaurant["theme"].pk


def test_staff_read_an_identifier_of_the_themes_second_item_masked(client, city):
    """The joint form's fields, not only the lead item's, are masked in the API and on the page."""
    owner = factories.service_item(city["urban"], name="户外招牌设置", form_definition=[
        {"code": "owner_id", "label": "招牌所有人身份号码", "type": "ric", "required": True}])  # fmt: skip
    theme = item_services.create_theme(actor=factories.superuser(), lead=city["market"], code="signs",
                                       name="我要设招牌", audience="both", items=[city["item"], owner])  # fmt: skip
    theme = item_services.publish_theme(actor=factories.superuser(), theme=theme)
    code = city["citizen"].id_number
    case = services.submit_theme_application(actor=city["citizen"], theme=theme,
                                             form_data={"name": "张三", "owner_id": code},
                                             uploads=uploads(theme))  # fmt: skip
    client.force_login(city["reviewers"]["urban"])
    masked = f"{code[:6]}********{code[-4:]}"
    assert client.get(f"/api/v1/cases/{case.number}").json()["form_data"]["owner_id"] == masked
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f"<dd>{masked}</dd>" in page and code not in page


def accepted_with_a_longer_item(restaurant):
    """A theme case accepted after its 户外招牌 item got 20 promised days, the lead item 5."""
    restaurant["signboard"].promised_days = 20
    restaurant["signboard"].save(update_fields=["promised_days"])
    case = services.submit_theme_application(actor=restaurant["citizen"], theme=restaurant["theme"],
                                             form_data={"name": "张三", "sign_size": "3m×1m"},
                                             uploads=uploads(restaurant["theme"]))  # fmt: skip
    return services.accept_case(actor=restaurant["clerk"], case=case)


def test_a_theme_case_turns_yellow_at_a_fifth_of_its_own_longest_promised_time(restaurant):
    from django.utils import timezone

    from yiwang.core.workdays import WorkCalendar

    case = accepted_with_a_longer_item(restaurant)
    calendar = WorkCalendar()
    assert case.item.promised_days == 5  # the lead item's limit is the shorter one
    assert case.due_date == calendar.add_working_days(timezone.localdate(case.accepted_at), 20)
    assert case.warn_date == calendar.warning_date(case.due_date, 4)  # 20 % of 20 days
    assert set(case.tasks.values_list("warn_date", flat=True)) == {case.warn_date}


def test_a_theme_case_keeps_its_yellow_threshold_when_a_correction_moves_its_deadline(
    restaurant, monkeypatch
):
    import datetime

    from django.utils import timezone

    from yiwang.core.workdays import WorkCalendar

    case = accepted_with_a_longer_item(restaurant)
    services.request_review_correction(actor=restaurant["reviewers"]["urban"], case=case,
                                       corrections=["招牌效果图缺少尺寸标注"])  # fmt: skip
    a_week_later = timezone.now() + datetime.timedelta(days=7)
    monkeypatch.setattr(timezone, "now", lambda: a_week_later)
    services.submit_correction(actor=restaurant["citizen"], case=case)
    case = Case.objects.get(pk=case.pk)
    assert case.warn_date == WorkCalendar().warning_date(case.due_date, 4)
    assert set(case.tasks.values_list("warn_date", flat=True)) == {case.warn_date}


@pytest.fixture
def quick_and_promised(city):
    """A theme whose lead item is a 即办件 and whose other item is a 承诺件."""
    quick = factories.service_item(city["market"], name="个体户名称自主申报", case_kind="immediate",
                                   promised_days=1, statutory_days=1)  # fmt: skip
    theme = item_services.create_theme(actor=factories.superuser(), lead=city["market"], code="shop",
                                       name="我要开小店", audience="both", items=[quick, city["item"]])  # fmt: skip
    theme = item_services.publish_theme(actor=factories.superuser(), theme=theme)
    return services.submit_theme_application(actor=city["citizen"], theme=theme,
                                             form_data={"name": "张三"}, uploads=uploads(theme))  # fmt: skip


def test_a_theme_case_is_not_finished_at_the_window_when_one_of_its_items_is_promised(
    city, quick_and_promised
):
    case = quick_and_promised
    with pytest.raises(ServiceError) as caught:
        services.accept_case(actor=city["clerk"], case=case, finish_now=True)
    assert caught.value.code == "cases.not_immediate"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_the_case_page_offers_no_finishing_at_the_window_when_an_item_is_promised(
    client, city, quick_and_promised
):
    client.force_login(city["clerk"])
    page = client.get(reverse("cases:detail", args=[quick_and_promised.number])).content.decode()
    assert "窗口受理" in page and "即办件当场办结" not in page


def test_a_company_cannot_apply_for_a_theme_that_serves_people(restaurant):
    import datetime

    from yiwang.core.models import CompanyAgent

    theme = restaurant["theme"]
    theme.audience = "person"  # 个人一件事: its items serve both, the theme only people
    theme.save(update_fields=["audience"])
    uscc = factories.uscc()
    CompanyAgent.objects.create(user=restaurant["citizen"], company_uscc=uscc, company_name="江澜测试餐饮有限公司",
                                valid_from=datetime.date(2020, 1, 1))  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        services.submit_theme_application(actor=restaurant["citizen"], theme=theme, company_uscc=uscc,
                                          form_data={"name": "张三", "sign_size": "2m"}, uploads=uploads(theme))  # fmt: skip
    assert (caught.value.code, caught.value.message) == (
        "cases.wrong_audience",
        "该一件事的服务对象是自然人",
    )
    assert not Case.objects.exists()


def test_a_theme_whose_item_was_suspended_names_that_item(restaurant):
    item_services.suspend_item(
        actor=factories.superuser(), item=restaurant["signboard"], reason="招牌新规制定中"
    )
    with pytest.raises(ServiceError) as caught:
        services.submit_theme_application(actor=restaurant["citizen"], theme=restaurant["theme"],
                                          form_data={"name": "张三", "sign_size": "2m"},
                                          uploads=uploads(restaurant["theme"]))  # fmt: skip
    assert (caught.value.code, caught.value.message) == (
        "cases.item_closed",
        "「户外招牌设置」当前不受理申请",
    )


def test_a_theme_case_is_reviewed_by_every_items_department_when_the_lead_has_its_own_process(
    restaurant,
):
    """The lead item's uploaded model reviews that item; the signboard's department must review
    the joint case too before its result is issued."""
    from tests.cases.test_uploaded_process import TWO_STAGES

    env = factories.organisation("江澜市生态环境局")
    item_services.upload_process(actor=factories.superuser(), item=restaurant["item"], name="",
                                 bpmn_xml=TWO_STAGES.format(second=f"reviewer:{env.uscc}"))  # fmt: skip
    case = services.submit_theme_application(actor=restaurant["citizen"], theme=restaurant["theme"],
                                             form_data={"name": "张三", "sign_size": "2m"},
                                             uploads=uploads(restaurant["theme"]))  # fmt: skip
    case = services.accept_case(actor=restaurant["clerk"], case=case)
    departments = {t.organisation for t in CaseTask.objects.filter(case=case)}
    assert departments == {restaurant["market"], restaurant["fire"], restaurant["urban"]}


def test_each_item_of_a_theme_has_its_own_result_even_when_their_codes_end_alike(restaurant):
    restaurant["signboard"].code = "99ZZ" + restaurant["item"].code[-10:]
    restaurant["signboard"].save(update_fields=["code"])
    case = services.submit_theme_application(actor=restaurant["citizen"], theme=restaurant["theme"],
                                             form_data={"name": "张三", "sign_size": "3m×1m"},
                                             uploads=uploads(restaurant["theme"]))  # fmt: skip
    case = services.accept_case(actor=restaurant["clerk"], case=case)
    keys = {restaurant[k]: k for k in ("market", "fire", "urban")}
    for task in CaseTask.objects.filter(case=case):
        approval.complete_task(actor=restaurant["reviewers"][keys[task.organisation]], task=task,
                               decision="approve", opinion="")  # fmt: skip
    results = Case.objects.get(pk=case.pk).result_reference.split("；")
    assert len(results) == 2 and len(set(results)) == 2
