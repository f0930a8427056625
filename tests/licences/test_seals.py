"""Issuing seals: made and rotated by admins, private keys encrypted at rest and never shown."""

import datetime
import secrets

import pytest

from tests.core.test_settings import production_env, run_yiwang  # noqa: F401 — shared fixture
from tests.licences.conftest import a_year_from, issue_business
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import AuditEvent
from yiwang.licences import keys, publication, services
from yiwang.licences.models import IssuingSeal
from yiwang.licences.verification import verify_licence

pytestmark = pytest.mark.django_db


def test_an_admin_of_the_organisation_makes_an_sm2_seal_and_it_is_audited(city, seals):
    seal = seals["market"]
    assert seal.algorithm == "sm2" and len(bytes.fromhex(seal.public_key)) == 65
    event = AuditEvent.objects.get(action="seal.create", target_id=str(seal.pk))
    assert event.after["key_id"] == seal.key_id and "private_key_encrypted" not in event.after


def test_a_reviewer_cannot_make_a_seal(city):
    with pytest.raises(PermissionDenied):
        services.create_seal(actor=city["reviewer"], organisation=city["market"], name="越权印章",
                             valid_until=a_year_from())  # fmt: skip


def test_an_admin_of_another_organisation_cannot_make_its_seal(city):
    with pytest.raises(PermissionDenied):
        services.create_seal(actor=city["health_admin"], organisation=city["market"], name="越权印章",
                             valid_until=a_year_from())  # fmt: skip


def test_a_seal_longer_than_ten_years_or_ending_before_it_starts_is_refused(city):
    for until in (
        datetime.date.today() - datetime.timedelta(days=1),
        datetime.date.today().replace(year=2040),
    ):
        with pytest.raises(ServiceError):
            services.create_seal(
                actor=city["admin"], organisation=city["market"], name="印章", valid_until=until
            )


def test_the_private_key_is_stored_only_encrypted_and_decrypts_with_the_key_id(seals):
    seal = seals["market"]
    private = keys.decrypt_private_key(seal.private_key_encrypted, seal.key_id)
    assert private.hex() not in seal.private_key_encrypted
    assert (
        keys.sign("sm2", private, b"x")
        and keys.key_id_for(bytes.fromhex(seal.public_key)) == seal.key_id
    )
    with pytest.raises(keys.SealKeyError):
        keys.decrypt_private_key(seal.private_key_encrypted, seals["health"].key_id)


def test_another_encryption_key_cannot_decrypt_the_private_key(seals, settings):
    settings.YIWANG = {**settings.YIWANG, "SEAL_ENCRYPTION_KEY": secrets.token_hex(32)}
    keys.encryption_key.cache_clear()
    with pytest.raises(keys.SealKeyError, match="无法解密"):
        keys.decrypt_private_key(seals["market"].private_key_encrypted, seals["market"].key_id)


def test_a_malformed_encryption_key_is_refused(settings):
    settings.YIWANG = {**settings.YIWANG, "SEAL_ENCRYPTION_KEY": "abc"}
    keys.encryption_key.cache_clear()
    with pytest.raises(RuntimeError, match="64 个十六进制字符"):
        keys.encryption_key()


def test_rotation_retires_the_old_seal_which_still_verifies_what_it_signed(
    city, types, company, seals
):
    old_licence = issue_business(city, types, company)
    new_seal = services.rotate_seal(actor=city["admin"], seal=seals["market"])
    seals["market"].refresh_from_db()
    assert seals["market"].status == "retired" and seals["market"].replaced_by == new_seal
    new_licence = issue_business(city, types, company)
    assert new_licence.seal == new_seal
    assert verify_licence(old_licence.identifier).state == "valid"
    assert AuditEvent.objects.filter(
        action="seal.rotate", target_id=str(seals["market"].pk)
    ).exists()


def test_only_admins_of_the_organisation_rotate_its_seal(city, seals):
    with pytest.raises(NotFound):
        services.rotate_seal(actor=city["health_admin"], seal=seals["market"])


def test_a_revoked_seals_licences_no_longer_verify(city, business_licence, seals):
    services.revoke_seal(actor=city["admin"], seal=seals["market"], reason="私钥泄露")
    assert verify_licence(business_licence.identifier).state == "signature_invalid"


def test_ed25519_is_a_configured_alternative_end_to_end(city, types, company, settings):
    settings.YIWANG = {**settings.YIWANG, "SEAL_ALGORITHM": "ed25519"}
    seal = services.create_seal(actor=city["admin"], organisation=city["market"], name="Ed25519 印章",
                                valid_until=a_year_from())  # fmt: skip
    licence = issue_business(city, types, company)
    assert seal.algorithm == "ed25519" and licence.seal == seal and len(licence.signature) == 128
    assert verify_licence(licence.identifier).state == "valid"
    entry = next(k for k in publication.key_set()["keys"] if k["kid"] == seal.key_id)
    assert entry["kty"] == "OKP" and entry["crv"] == "Ed25519"


def test_the_key_set_publishes_public_keys_only(seals):
    text = str(publication.key_set())
    for seal in IssuingSeal.objects.all():
        assert seal.key_id in text
        assert seal.private_key_encrypted not in text
        assert keys.decrypt_private_key(seal.private_key_encrypted, seal.key_id).hex() not in text


def test_the_admin_pages_never_show_a_private_key(client, factory, seals):
    client.force_login(factory.superuser())
    seal = seals["market"]
    private = keys.decrypt_private_key(seal.private_key_encrypted, seal.key_id).hex()
    for url in ("/admin/licences/issuingseal/", f"/admin/licences/issuingseal/{seal.pk}/change/",
                "/admin/licences/issuingseal/add/"):  # fmt: skip
        page = client.get(url).content.decode()
        assert seal.private_key_encrypted not in page and private not in page
        assert "private_key" not in page


def test_a_seal_made_in_the_admin_goes_through_the_service_and_is_audited(client, factory, city):
    client.force_login(factory.superuser())
    response = client.post("/admin/licences/issuingseal/add/", {
        "organisation": city["health"].pk, "name": "卫健委印章", "algorithm": "sm2",
        "valid_from": datetime.date.today().isoformat(), "valid_until": a_year_from().isoformat()})  # fmt: skip
    assert response.status_code == 302
    seal = IssuingSeal.objects.get(organisation=city["health"])
    assert seal.private_key_encrypted.startswith("aesgcm1:")
    assert AuditEvent.objects.filter(action="seal.create", target_id=str(seal.pk)).exists()


def test_production_refuses_to_start_without_the_seal_encryption_key(production_env):  # noqa: F811
    result = run_yiwang("check", env={**production_env, "YIWANG_SEAL_ENCRYPTION_KEY": ""})
    assert result.returncode != 0
    assert "YIWANG_SEAL_ENCRYPTION_KEY" in result.stderr


def admin_type_post(client, city, user):
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_licencetype", "view_licencetype"])
    )
    client.force_login(user)
    return client.post("/admin/licences/licencetype/add/", {
        "code": f"{city['market'].uscc}009", "name": "市场证照", "defining_org": city["market"].pk,
        "holder_code_types": '["001"]', "fields": "[]", "face_layout": '[["holder_name", "名称"]]',
        "face_colour": "#b22222", "is_active": "on"})  # fmt: skip


def test_an_admin_of_another_organisation_cannot_define_its_licence_type_in_the_admin(client, city):
    from yiwang.licences.models import LicenceType

    assert admin_type_post(client, city, city["health_admin"]).status_code == 403
    assert not LicenceType.objects.exists()


def test_the_defining_bodys_admin_defines_a_licence_type_in_the_admin_audited(client, city):
    from yiwang.licences.models import LicenceType

    assert admin_type_post(client, city, city["admin"]).status_code == 302
    licence_type = LicenceType.objects.get()
    assert AuditEvent.objects.filter(
        action="licencetype.create", target_id=str(licence_type.pk)
    ).exists()


def test_a_seal_is_drawn_once_from_its_inscription_when_made(city, seals):
    seal = seals["market"]
    assert seal.inscription == "江澜市市场监督管理局"
    assert (
        seal.appearance.startswith('<svg class="seal"')
        and 'aria-label="江澜市市场监督管理局电子印章"' in seal.appearance
    )
    event = AuditEvent.objects.get(action="seal.create", target_id=str(seal.pk))
    assert event.after["inscription"] == "江澜市市场监督管理局"  # fmt: skip


def test_a_rotated_seal_keeps_the_inscription_and_gets_its_own_image(city, seals):
    new = services.rotate_seal(actor=city["admin"], seal=seals["market"])
    assert (
        new.inscription == seals["market"].inscription
        and new.appearance != seals["market"].appearance
    )
    assert f'id="seal-{new.key_id[:12]}"' in new.appearance  # fmt: skip


def test_an_inscription_that_is_too_long_is_refused(city):
    with pytest.raises(ServiceError, match="印文"):
        services.create_seal(actor=city["admin"], organisation=city["market"], name="印章",
                             valid_until=a_year_from(), inscription="长" * 41)  # fmt: skip


def rotate_in_admin(client, seal):
    return client.post("/admin/licences/issuingseal/", {"action": "rotate", "_selected_action": [seal.pk]},
                       follow=True)  # fmt: skip


def test_the_admin_rotation_action_rotates_the_seal_through_the_service(client, city, seals):
    from django.contrib.auth.models import Permission

    admin = city["admin"]
    admin.is_staff = True
    admin.save()
    admin.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_issuingseal", "change_issuingseal"])
    )
    client.force_login(admin)
    response = rotate_in_admin(client, seals["market"])
    seals["market"].refresh_from_db()
    new = seals["market"].replaced_by
    assert seals["market"].status == "retired" and new is not None and new.status == "active"
    assert f"已轮换，新密钥标识 {new.key_id}" in response.content.decode()
    assert AuditEvent.objects.filter(action="seal.rotate", target_id=str(seals["market"].pk), actor_id=str(city["admin"].pk)).exists()  # fmt: skip


def test_the_admin_rotation_action_reports_a_seal_that_cannot_be_rotated(
    client, factory, city, seals
):
    client.force_login(factory.superuser())
    services.rotate_seal(actor=city["admin"], seal=seals["market"])
    response = rotate_in_admin(client, seals["market"])
    assert "只有启用中的印章可以轮换" in response.content.decode()
    assert IssuingSeal.objects.filter(organisation=city["market"]).count() == 2


def test_a_seal_form_with_a_bad_period_shows_the_reason_on_the_form(client, factory, city):
    client.force_login(factory.superuser())
    today = datetime.date.today()
    response = client.post("/admin/licences/issuingseal/add/", {
        "organisation": city["health"].pk, "name": "卫健委印章", "algorithm": "sm2",
        "valid_from": today.isoformat(), "valid_until": today.replace(year=today.year + 11).isoformat()})  # fmt: skip
    assert response.status_code == 200 and "印章有效期不能超过 10 年" in response.content.decode()
    assert not IssuingSeal.objects.filter(organisation=city["health"]).exists()


def test_a_seal_made_in_the_admin_takes_the_inscription_given(client, factory, city):
    client.force_login(factory.superuser())
    client.post("/admin/licences/issuingseal/add/", {
        "organisation": city["health"].pk, "name": "卫健委印章", "inscription": "江澜市卫健委证照专用章", "algorithm": "sm2",
        "valid_from": datetime.date.today().isoformat(), "valid_until": a_year_from().isoformat()})  # fmt: skip
    seal = IssuingSeal.objects.get(organisation=city["health"])
    assert (
        seal.inscription == "江澜市卫健委证照专用章" and "江澜市卫健委证照专用章" in seal.appearance
    )


def test_a_seal_form_with_dates_at_the_end_of_the_calendar_is_refused_on_the_form(
    client, factory, city
):
    client.force_login(factory.superuser())
    response = client.post("/admin/licences/issuingseal/add/", {
        "organisation": city["health"].pk, "name": "卫健委印章", "algorithm": "sm2",
        "valid_from": "9999-01-01", "valid_until": "9999-12-31"})  # fmt: skip
    assert response.status_code == 200 and "印章有效期" in response.content.decode()
    assert not IssuingSeal.objects.filter(organisation=city["health"]).exists()
