import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yiwang.core import audit, services
from yiwang.core.models import AuditEvent, AuditSeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(factory):
    return factory.superuser(username="root-admin")


def _make_events(factory, admin, n=5):
    root = factory.organisation("江澜市人民政府")
    for i in range(n):
        services.update_organisation(actor=admin, organisation=root, short_name=f"简称{i}")
    return root


def test_a_service_write_records_an_audit_event_with_before_and_after(factory, admin):
    org = factory.organisation("旧名称局")
    services.update_organisation(actor=admin, organisation=org, name="新名称局")
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.before["name"] == "旧名称局"
    assert event.after["name"] == "新名称局"
    assert event.actor_label == admin.audit_label == "root-admin（测***）"  # 测试用户
    assert event.target_id == str(org.pk)


def test_a_failed_service_write_leaves_no_audit_event(factory, admin):
    org = factory.organisation()
    with pytest.raises(Exception):  # noqa: B017 — any refusal; the point is the empty log
        services.update_organisation(actor=admin, organisation=org, uscc="BAD")
    assert not AuditEvent.objects.exists()


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(factory, admin):
    _make_events(factory, admin, 1)
    event = AuditEvent.objects.first()
    event.action = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_sealing_covers_every_waiting_event_and_verifies(factory, admin):
    _make_events(factory, admin, 7)
    seal = audit.seal_pending()
    assert seal.count == 7
    assert not AuditEvent.objects.filter(seal__isnull=True).exists()
    report = audit.verify()
    assert report.ok and report.events == 7 and report.unsealed == 0


def test_seals_chain_to_the_previous_seal(factory, admin):
    _make_events(factory, admin, 3)
    first = audit.seal_pending()
    _make_events(factory, admin, 2)
    second = audit.seal_pending()
    assert second.previous_root == first.root
    assert audit.seal_pending() is None


def test_seal_batch_size_is_respected(factory, admin, settings):
    settings.AUDIT_SEAL_BATCH = 3
    _make_events(factory, admin, 7)
    assert audit.seal_all() == 7
    assert AuditSeal.objects.count() == 3


def test_verify_names_an_event_edited_with_raw_sql(factory, admin):
    _make_events(factory, admin, 6)
    audit.seal_all()
    victim = AuditEvent.objects.order_by("id")[3]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone else", victim.id]
        )
    report = audit.verify()
    assert not report.ok
    assert report.first_broken[0] == victim.id
    assert "篡改" in report.first_broken[1]


def test_verify_names_an_event_deleted_with_raw_sql(factory, admin):
    _make_events(factory, admin, 6)
    audit.seal_all()
    victim = AuditEvent.objects.order_by("id")[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [victim.id])
    report = audit.verify()
    assert report.first_broken == (victim.id, f"审计事件 #{victim.id} 已被删除")


def test_verify_detects_a_forged_seal_entry_list(factory, admin):
    _make_events(factory, admin, 3)
    seal = audit.seal_pending()
    AuditSeal.objects.filter(pk=seal.pk).update(entries=seal.entries[:-1])
    report = audit.verify()
    assert not report.ok
    assert any("根值" in message for _id, message in report.broken)


def test_verify_detects_a_deleted_seal(factory, admin):
    _make_events(factory, admin, 2)
    first = audit.seal_pending()
    _make_events(factory, admin, 2)
    audit.seal_pending()
    AuditEvent.objects.filter(seal=first).update(seal=None)
    AuditSeal.objects.filter(pk=first.pk).delete()
    report = audit.verify()
    assert any("不相连" in message for _id, message in report.broken)


def test_audit_verify_command_fails_and_names_the_first_broken_event(factory, admin, capsys):
    _make_events(factory, admin, 4)
    call_command("audit", "seal")
    events = list(AuditEvent.objects.order_by("id"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = 'x' WHERE id IN (%s, %s)",
            [events[1].id, events[3].id],
        )
    with pytest.raises(CommandError, match=f"#{events[1].id}"):
        call_command("audit", "verify")


def test_audit_verify_command_passes_on_an_intact_log(factory, admin, capsys):
    _make_events(factory, admin, 2)
    call_command("audit", "seal")
    call_command("audit", "verify")
    assert "完整" in capsys.readouterr().out


def test_audit_events_carry_the_request_id_of_the_api_call(factory, admin, client):
    org = factory.organisation()
    client.force_login(admin)
    response = client.patch(
        f"/api/v1/organisations/{org.pk}",
        {"short_name": "新简称"},
        content_type="application/json",
        headers={"X-Request-ID": "req-12345678"},
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-12345678"
    assert AuditEvent.objects.get(action="organisation.update").request_id == "req-12345678"


def test_personal_data_is_masked_in_the_audit_log_and_secrets_are_left_out(factory):
    from yiwang.core.models import User

    number = factory.ric()
    user = User(
        username="zhao", real_name="赵小明", id_number=number, phone="13812345678", password="x"
    )
    data = audit.snapshot(user)
    assert data["id_number"] == number[:6] + "********" + number[-4:]
    assert data["phone"] == "138****5678" and data["real_name"] == "赵**"
    assert "password" not in data


def test_processes_racing_to_create_the_development_key_agree_on_one(tmp_path, settings):
    from concurrent.futures import ThreadPoolExecutor

    from yiwang.core import crypto

    path = tmp_path / "keys" / "platform_sm2.key"
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: crypto._create_key_file(path), range(16)))
    assert crypto.Sm2KeyPair.from_private_hex(path.read_text())
    assert [p.name for p in path.parent.iterdir()] == ["platform_sm2.key"]


def test_a_role_or_agency_is_named_in_the_audit_log_with_the_persons_name_masked(factory, admin):
    import datetime

    from yiwang.core.models import CompanyAgent

    person = factory.user("zhao", real_name="赵小明")
    root = factory.organisation("江澜市人民政府")
    services.grant_role(actor=admin, user=person, organisation=root, role="clerk")
    agency = CompanyAgent.objects.create(user=person, company_uscc=factory.uscc(),
                                         company_name="测试公司", valid_from=datetime.date(2026, 1, 1))  # fmt: skip
    audit.record(actor=admin, action="companyagent.create", target=agency)
    labels = list(AuditEvent.objects.values_list("target_label", flat=True))
    assert len(labels) == 2 and all("赵小明" not in label and "赵**" in label for label in labels)
