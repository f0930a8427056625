"""A case's materials: shared data read for the applicant (免提交) as a logged exchange, the
document asked for when there is no record, downloads for those who see the case, 补正 of a
一件事 with any of its items' materials, and bad field names refused without a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.cases.test_api import media  # noqa: F401  (autouse: uploads go to a temporary directory)
from tests.cases.test_flow import pdf, uploads_for
from tests.openapi import assert_matches_openapi
from yiwang.cases import services
from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import Case
from yiwang.core.errors import ServiceError
from yiwang.exchange.models import ExchangeLog
from yiwang.exchange.selectors import usage_for
from yiwang.services import services as item_services
from yiwang.services.selectors import theme_materials

pytestmark = pytest.mark.django_db


@pytest.fixture
def household_item(city, population):
    """An item asking for 户口簿, which the population registry can stand in for, and 申请书."""
    return factories.service_item(city["market"], name="居住证申领", materials=[
        {"name": "户口簿", "required": True, "resource": population}, {"name": "申请书"}])  # fmt: skip


def apply(user, item, uploads=None):
    letter = item.materials.get(name="申请书")
    return services.submit_application(actor=user, item=item, form_data={"name": "张三"},
                                       uploads={letter.pk: pdf(), **(uploads or {})})  # fmt: skip


# --- shared data (免提交) --------------------------------------------------------------


def test_the_applicants_record_provides_the_material_and_the_read_is_logged(city, household_item):
    case = apply(city["citizen"], household_item)
    shared = case.materials.get(name="户口簿")
    assert (shared.source, shared.reference, shared.file.name) == ("shared", "B0101/000001", "")
    log = ExchangeLog.objects.get()
    assert (log.status, log.case_number, log.field_codes) == (200, case.number, ["id_number"])
    assert log.purpose == "材料免提交：居住证申领·户口簿"
    assert [u["purpose"] for u in usage_for(city["citizen"])] == ["材料免提交：居住证申领·户口簿"]


def test_without_a_record_the_applicant_is_asked_for_the_document(city, household_item):
    newcomer = factories.user(real_name="王五", id_number=factories.ric())
    with pytest.raises(ServiceError) as caught:
        apply(newcomer, household_item)
    assert caught.value.code == "cases.materials_missing"
    assert caught.value.detail["missing"] == ["户口簿"]


def test_without_a_record_an_uploaded_document_is_taken(city, household_item):
    newcomer = factories.user(real_name="王五", id_number=factories.ric())
    booklet = household_item.materials.get(name="户口簿")
    case = apply(newcomer, household_item, {booklet.pk: pdf("户口簿.pdf")})
    assert case.materials.get(name="户口簿").source == "upload"
    assert not ExchangeLog.objects.exists()  # an uploaded document needs no read


def test_nothing_is_read_when_another_required_material_is_missing(city, household_item):
    with pytest.raises(ServiceError) as caught:
        services.submit_application(actor=city["citizen"], item=household_item,
                                    form_data={"name": "张三"})  # fmt: skip
    assert caught.value.detail["missing"] == ["申请书"]
    assert not ExchangeLog.objects.exists()


def test_a_walk_in_is_read_by_the_number_the_clerk_registered(city, household_item):
    letter = household_item.materials.get(name="申请书")
    case = services.register_walk_in(
        actor=city["clerk"], item=household_item, applicant_kind="person", applicant_name="张三",
        applicant_code=city["citizen"].id_number, form_data={"name": "张三"},
        paper_materials=[letter.pk],
    )  # fmt: skip
    assert case.materials.get(name="户口簿").source == "shared"
    assert ExchangeLog.objects.get().case_number == case.number


# --- downloads ---------------------------------------------------------------------------


@pytest.fixture
def uploaded(city):
    case = services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]))  # fmt: skip
    return case, case.materials.get()


@pytest.mark.parametrize("who", ["citizen", "reviewer", "supervisor"])
def test_who_sees_the_case_downloads_its_uploaded_material(client, city, uploaded, who):
    case, stored = uploaded
    user = {"citizen": city["citizen"], "reviewer": city["reviewers"]["fire"],
            "supervisor": factories.staff("supervisor", factories.organisation())}[who]  # fmt: skip
    client.force_login(user)
    page = client.get(reverse("cases:material_file", args=[case.number, stored.pk]))
    assert page.status_code == 200 and b"".join(page.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in page["Content-Disposition"]


def test_a_stranger_gets_not_found_for_a_material(client, city, uploaded):
    case, stored = uploaded
    client.force_login(factories.user(id_number=factories.ric()))
    assert (
        client.get(reverse("cases:material_file", args=[case.number, stored.pk])).status_code == 404
    )


def test_the_case_page_links_each_uploaded_material(client, city, uploaded):
    case, stored = uploaded
    client.force_login(city["reviewers"]["fire"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert reverse("cases:material_file", args=[case.number, stored.pk]) in page


def test_the_api_answers_a_download_url_and_the_file(client, city, uploaded):
    case, stored = uploaded
    client.force_login(city["reviewers"]["urban"])
    url = client.get(f"/api/v1/cases/{case.number}").json()["materials"][0]["download_url"]
    assert url == f"/api/v1/cases/{case.number}/materials/{stored.pk}"
    answer = client.get(url)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"%PDF-1.4 test"


def test_the_api_answers_404_to_a_stranger_asking_for_a_material(client, city, uploaded):
    case, stored = uploaded
    client.force_login(factories.user(id_number=factories.ric()))
    answer = client.get(f"/api/v1/cases/{case.number}/materials/{stored.pk}")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert_matches_openapi(answer, "get", "/api/v1/cases/{number}/materials/{material_id}")


def test_a_material_of_another_case_is_not_found_through_this_one(client, city, uploaded):
    case, _ = uploaded
    other = services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                        uploads=uploads_for(city["item"]))  # fmt: skip
    other_material = other.materials.get()
    client.force_login(city["citizen"])
    assert (
        client.get(f"/api/v1/cases/{case.number}/materials/{other_material.pk}").status_code == 404
    )


# --- bad field names and empty files -------------------------------------------------------


def test_an_empty_file_is_refused_on_the_apply_page(client, city):
    material = city["item"].materials.get()
    client.force_login(city["citizen"])
    empty = SimpleUploadedFile("申请书.pdf", b"", content_type="application/pdf")
    page = client.post(reverse("cases:apply", args=[city["item"].pk]),
                       {"name": "张三", f"material_{material.pk}": empty})  # fmt: skip
    assert page.status_code == 200 and "「申请书」的文件为空，请重新选择" in page.content.decode()
    assert not Case.objects.exists()


def test_an_empty_file_is_refused_by_the_service(city):
    material = city["item"].materials.get()
    with pytest.raises(ServiceError) as caught:
        services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                    uploads={material.pk: SimpleUploadedFile("a.pdf", b"")})  # fmt: skip
    assert caught.value.code == "cases.material_empty" and not Case.objects.exists()


def test_a_file_field_not_named_by_a_material_id_is_refused_on_the_apply_page(client, city):
    client.force_login(city["citizen"])
    page = client.post(reverse("cases:apply", args=[city["item"].pk]),
                       {"name": "张三", "material_abc": pdf()})  # fmt: skip
    assert page.status_code == 200
    assert "文件字段名应为 material_&lt;材料编号&gt;：material_abc" in page.content.decode()
    assert not Case.objects.exists()


def test_a_bad_file_field_in_a_correction_is_refused_without_a_server_error(client, city):
    case = services.submit_application(actor=city["citizen"], item=city["item"], form_data={"name": "张三"},
                                       uploads=uploads_for(city["item"]))  # fmt: skip
    services.request_correction(actor=city["clerk"], case=case, corrections=["申请书未签字"])
    client.force_login(city["citizen"])
    answer = client.post(reverse("cases:corrected", args=[case.number]),
                         {"name": "张三", "material_1x": pdf()}, follow=True)  # fmt: skip
    assert answer.status_code == 200 and "文件字段名应为" in answer.content.decode()
    assert Case.objects.get().status == CaseStatus.CORRECTION


# --- 补正 of a 一件事 -------------------------------------------------------------------


@pytest.fixture
def restaurant_case(city):
    signboard = factories.service_item(city["urban"], name="户外招牌设置", materials=[
        {"name": "申请书"}, {"name": "招牌效果图"}])  # fmt: skip
    theme = item_services.create_theme(actor=factories.superuser(), lead=city["market"], code="restaurant",
                                       name="我要开餐馆", audience="both", items=[city["item"], signboard])  # fmt: skip
    theme = item_services.publish_theme(actor=factories.superuser(), theme=theme)
    files = {e.material.pk: SimpleUploadedFile("a.pdf", b"%PDF") for e in theme_materials(theme)}
    case = services.submit_theme_application(actor=city["citizen"], theme=theme, form_data={"name": "张三"},
                                             uploads=files)  # fmt: skip
    services.request_correction(actor=city["clerk"], case=case, corrections=["招牌效果图不清晰"])
    return case, signboard.materials.get(name="招牌效果图")


def test_a_theme_case_is_corrected_with_a_material_of_its_second_item(city, restaurant_case):
    case, drawing = restaurant_case
    services.submit_correction(actor=city["citizen"], case=case,
                               uploads={drawing.pk: pdf("效果图v2.pdf")})  # fmt: skip
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.materials.get(material=drawing).file.name.endswith(".pdf")


def test_the_correction_form_of_a_theme_case_offers_every_items_materials(
    client, city, restaurant_case
):
    case, drawing = restaurant_case
    client.force_login(city["citizen"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f'name="material_{drawing.pk}"' in page and "重新上传：招牌效果图" in page


def test_a_correction_with_a_material_of_no_item_of_the_case_is_refused(city, restaurant_case):
    case, _ = restaurant_case
    stranger = factories.service_item(city["fire"]).materials.get()
    with pytest.raises(ServiceError) as caught:
        services.submit_correction(actor=city["citizen"], case=case, uploads={stranger.pk: pdf()})
    assert caught.value.message == "上传的材料不属于该办件"


def test_the_case_departments_see_the_exchanges_made_for_the_case(city, household_item):
    from yiwang.exchange.selectors import exchanges_for_case

    case = apply(city["citizen"], household_item)
    reviewer = factories.staff("reviewer", city["market"])
    assert [log.case_number for log in exchanges_for_case(case.number, reviewer)] == [case.number]
    stranger = factories.staff("reviewer", factories.organisation(name="无关部门"))
    assert not exchanges_for_case(case.number, stranger).exists()


# --- the item's materials change while cases hold them ----------------------------------


def test_an_item_whose_materials_cases_hold_can_still_change_its_materials(city):
    case = apply_for(city)
    admin = factories.staff("admin", city["market"])
    item_services.update_item(actor=admin, item=city["item"], materials=[
        {"name": "申请书", "required": True}, {"name": "场所平面图", "required": False}])  # fmt: skip
    assert [m.name for m in city["item"].materials.all()] == ["申请书", "场所平面图"]
    stored = case.materials.get()
    assert stored.material == city["item"].materials.get(name="申请书")


def test_a_material_removed_from_the_item_stays_on_the_cases_that_hold_it(city):
    case = apply_for(city)
    admin = factories.staff("admin", city["market"])
    item_services.update_item(
        actor=admin, item=city["item"], materials=[{"name": "新版申请书", "required": True}]
    )
    stored = case.materials.get()
    assert (stored.name, stored.material, bool(stored.file)) == ("申请书", None, True)


def apply_for(city):
    return services.submit_application(actor=city["citizen"], item=city["item"],
                                       form_data={"name": "张三"}, uploads=uploads_for(city["item"]))  # fmt: skip
