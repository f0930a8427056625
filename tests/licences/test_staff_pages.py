"""证照管理: the issuer's staff find their licences and change their status with a reason."""

import pytest

from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_staff_of_the_issuer_see_their_licences_and_find_one_by_number(
    client, city, business_licence, doctor_licence
):
    client.force_login(city["reviewer"])
    page = text(client.get("/licences/issued/", {"q": business_licence.number}))
    assert business_licence.number in page and doctor_licence.number not in page
    assert "江澜味道食品有限公司" in page


def test_holder_codes_are_masked_for_staff_without_the_clear_permission(
    client, city, business_licence, company
):
    client.force_login(city["reviewer"])
    assert company["uscc"] not in text(client.get("/licences/issued/"))


def test_staff_of_another_organisation_see_none_of_them(client, city, business_licence):
    client.force_login(city["health_reviewer"])
    assert business_licence.number not in text(client.get("/licences/issued/"))
    response = client.post(
        f"/licences/issued/{business_licence.pk}/status/", {"status": "revoked", "reason": "越权"}
    )
    assert response.status_code == 404


def test_revoking_with_a_reason_changes_the_status_and_is_audited(client, city, business_licence):
    client.force_login(city["reviewer"])
    response = client.post(f"/licences/issued/{business_licence.pk}/status/",
                           {"status": "revoked", "reason": "以欺骗手段取得登记"}, follow=True)  # fmt: skip
    assert "已改为「已吊销」" in text(response)
    business_licence.refresh_from_db()
    assert business_licence.status == "revoked"
    assert AuditEvent.objects.filter(
        action="licence.revoke", target_id=str(business_licence.pk)
    ).exists()


def test_a_change_without_a_reason_is_refused_with_a_message(client, city, business_licence):
    client.force_login(city["reviewer"])
    response = client.post(f"/licences/issued/{business_licence.pk}/status/", {"status": "suspended", "reason": ""},
                           follow=True)  # fmt: skip
    assert "请说明原因" in text(response)
    business_licence.refresh_from_db()
    assert business_licence.status == "valid"


def test_a_revoked_licence_offers_no_further_change(client, city, business_licence):
    client.force_login(city["reviewer"])
    client.post(
        f"/licences/issued/{business_licence.pk}/status/",
        {"status": "cancelled", "reason": "企业注销"},
    )
    page = text(client.get("/licences/issued/"))
    assert "已注销" in page and f"/licences/issued/{business_licence.pk}/status/" not in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/licences/issued/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
