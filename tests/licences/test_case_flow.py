"""E-licences inside real cases: a material provided by the applicant's licence (免提交), shown to
the reviewer with its data and verification; the licence that an approved case issues."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from yiwang.cases import approval
from yiwang.cases import services as cases
from yiwang.cases.models import Case, CaseTask
from yiwang.core.errors import ServiceError
from yiwang.licences import services as licences
from yiwang.licences.models import Licence, LicenceUse

pytestmark = pytest.mark.django_db


@pytest.fixture
def food_item(city, types):
    form = [{"code": code, "label": code, "type": "text", "required": code == "scope"}
            for code in ("company_type", "representative", "capital", "scope")]  # fmt: skip
    return factories.service_item(city["market"], name="食品经营许可（新办）", audience="company",
                                  result_licence_type=types["business"].code, form_definition=form,
                                  materials=[{"name": "营业执照", "licence_type": types["business"].code},
                                             {"name": "申请书"}])  # fmt: skip


def apply(company, item, *, consent=True, uploads=None):
    """The agent applies; `consent`: they agree to their 营业执照 standing in for the material."""
    own = item.materials.get(name="申请书")
    licensed = item.materials.get(name="营业执照")
    return cases.submit_application(
        actor=company["agent"], item=item, company_uscc=company["uscc"],
        form_data={"company_type": "有限责任公司", "representative": "张三", "scope": "食品销售"},
        uploads={own.pk: SimpleUploadedFile("a.pdf", b"%PDF"), **(uploads or {})},
        licence_consent=[licensed.pk] if consent else [],
    )  # fmt: skip


def test_a_held_licence_provides_the_material_with_a_use_record(
    city, company, food_item, business_licence
):
    case = apply(company, food_item)
    provided = case.materials.get(name="营业执照")
    assert (provided.source, provided.reference) == ("licence", business_licence.identifier)
    assert provided.consent_at is not None
    assert LicenceUse.objects.filter(licence=business_licence, case_number=case.number).exists()


def test_without_the_licence_the_material_must_be_uploaded(city, types, company, food_item):
    with pytest.raises(ServiceError, match="营业执照"):
        apply(company, food_item)


def test_a_revoked_licence_does_not_provide_the_material(
    city, company, food_item, business_licence
):
    licences.set_licence_status(
        actor=city["reviewer"],
        licence=business_licence,
        status="revoked",
        reason="依法吊销营业执照",
    )
    with pytest.raises(ServiceError, match="营业执照"):
        apply(company, food_item)


def test_the_reviewer_sees_the_licence_data_and_its_verification(
    client, city, company, food_item, business_licence
):
    case = apply(company, food_item)
    clerk = factories.staff("clerk", city["market"])
    cases.accept_case(actor=clerk, case=case)
    client.force_login(city["reviewer"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "免提交的电子证照" in page and "核验：有效" in page and "食品销售" in page


def test_the_approved_case_issues_its_licence_to_the_company(
    city, company, food_item, business_licence
):
    case = cases.accept_case(
        actor=factories.staff("clerk", city["market"]), case=apply(company, food_item)
    )
    for task in CaseTask.objects.filter(case=case):
        approval.complete_task(
            actor=city["reviewer"], task=task, decision="approve", opinion="同意"
        )
    case.refresh_from_db()
    issued = Licence.objects.get(identifier=case.result_reference)
    assert issued.holder_code == company["uscc"] and issued.case_number == case.number


def test_the_case_page_refuses_a_material_referencing_another_holders_licence(
    client, city, company, food_item, business_licence, factory
):
    other = licences.issue_licence(actor=city["reviewer"], licence_type=business_licence.licence_type,
                                   holder_name="别家餐饮有限公司", holder_code=factory.uscc(), holder_code_type="001",
                                   data={"company_type": "有限责任公司", "representative": "赵六", "scope": "别家经营范围"})  # fmt: skip
    case = apply(company, food_item)
    case.materials.filter(name="营业执照").update(reference=other.identifier)
    cases.accept_case(actor=factories.staff("clerk", city["market"]), case=case)
    client.force_login(city["reviewer"])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-refused="licence"' in page and "该证照不属于申请人" in page
    assert "别家经营范围" not in page and "别家餐饮有限公司" not in page


# --- consent to the licence's use (授权用证) -------------------------------------------


def test_without_consent_a_held_licence_is_not_used_and_the_material_is_asked_for(
    city, company, food_item, business_licence
):
    with pytest.raises(ServiceError, match="营业执照"):
        apply(company, food_item, consent=False)
    assert not LicenceUse.objects.exists()


def test_without_consent_the_uploaded_material_is_taken_and_no_use_recorded(
    city, company, food_item, business_licence
):
    licensed = food_item.materials.get(name="营业执照")
    case = apply(company, food_item, consent=False,
                 uploads={licensed.pk: SimpleUploadedFile("执照.pdf", b"%PDF")})  # fmt: skip
    provided = case.materials.get(name="营业执照")
    assert (provided.source, provided.consent_at) == ("upload", None)
    assert not LicenceUse.objects.exists()


def test_the_apply_page_offers_the_held_licence_with_a_consent_box(
    client, city, company, food_item, business_licence
):
    licensed = food_item.materials.get(name="营业执照")
    client.force_login(company["agent"])
    url = reverse("cases:apply", args=[food_item.pk]) + f"?company={company['uscc']}"
    page = client.get(url).content.decode()
    assert business_licence.identifier in page
    assert f'name="consent_{licensed.pk}"' in page and "我同意办理部门调用该电子证照" in page


def test_the_apply_page_does_not_offer_a_licence_to_someone_without_one(
    client, city, company, food_item, business_licence
):
    licensed = food_item.materials.get(name="营业执照")
    client.force_login(company["agent"])
    page = client.get(reverse("cases:apply", args=[food_item.pk])).content.decode()  # as themselves
    assert f'name="consent_{licensed.pk}"' not in page and "您暂无有效的该类电子证照" in page


def test_ticking_the_consent_box_provides_the_material_with_its_consent_time(
    client, city, company, food_item, business_licence
):
    licensed, own = food_item.materials.get(name="营业执照"), food_item.materials.get(name="申请书")
    client.force_login(company["agent"])
    answer = client.post(reverse("cases:apply", args=[food_item.pk]), {
        "company": company["uscc"], "company_type": "有限责任公司", "representative": "张三",
        "scope": "食品销售", f"consent_{licensed.pk}": "1",
        f"material_{own.pk}": SimpleUploadedFile("a.pdf", b"%PDF"),
    })  # fmt: skip
    assert answer.status_code == 302
    provided = LicenceUse.objects.get(licence=business_licence)
    case_material = Case.objects.get().materials.get(name="营业执照")
    assert case_material.consent_at is not None and provided.consent is True


def test_the_api_takes_the_consent_as_a_list_of_materials(
    client, city, company, food_item, business_licence
):
    import json

    licensed, own = food_item.materials.get(name="营业执照"), food_item.materials.get(name="申请书")
    body = {"item_id": food_item.pk, "company_uscc": company["uscc"], "licence_consent": [licensed.pk],
            "form_data": {"company_type": "有限责任公司", "representative": "张三", "scope": "食品销售"}}  # fmt: skip
    client.force_login(company["agent"])
    answer = client.post("/api/v1/cases", {"payload": json.dumps(body, ensure_ascii=False),
                                           f"material_{own.pk}": SimpleUploadedFile("a.pdf", b"%PDF")})  # fmt: skip
    assert answer.status_code == 201
    provided = {m["name"]: m for m in answer.json()["materials"]}["营业执照"]
    assert provided["source"] == "licence" and provided["consent_at"] is not None


def test_a_themes_case_keeps_the_identifier_of_every_licence_it_issues(city, company, types):
    from yiwang.services import services as items
    from yiwang.services.selectors import theme_materials

    form = [{"code": code, "label": code, "type": "text", "required": code == "scope"}
            for code in ("company_type", "representative", "scope")]  # fmt: skip
    made = [factories.service_item(city["market"], name=name, audience="company", form_definition=form,
                                   result_licence_type=types["business"].code, materials=[{"name": "申请书"}])
            for name in ("食品经营许可（新办）", "公共场所卫生许可（新办）")]  # fmt: skip
    admin = factories.superuser()
    theme = items.create_theme(actor=admin, lead=city["market"], code="shop", name="我要开食品店",
                               audience="company", items=made)  # fmt: skip
    theme = items.publish_theme(actor=admin, theme=theme)
    case = cases.submit_theme_application(
        actor=company["agent"], theme=theme, company_uscc=company["uscc"],
        form_data={"company_type": "有限责任公司", "representative": "张三", "scope": "食品销售"},
        uploads={e.material.pk: SimpleUploadedFile("a.pdf", b"%PDF") for e in theme_materials(theme)},
    )  # fmt: skip
    case = cases.accept_case(actor=factories.staff("clerk", city["market"]), case=case)
    for task in CaseTask.objects.filter(case=case):
        approval.complete_task(
            actor=city["reviewer"], task=task, decision="approve", opinion="同意"
        )
    case.refresh_from_db()
    issued = Licence.objects.filter(case_number=case.number).order_by("id")
    assert len(issued) == 2
    assert case.result_reference.split("；") == [licence.identifier for licence in issued]
