import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.exchange.test_gateway import get, granted
from tests.registry.conftest import company_row
from yiwang.core import crypto
from yiwang.exchange.models import ExchangeLog, ExchangeSeal, ExchangeSubject
from yiwang.exchange.sealing import EXCHANGE_LOG
from yiwang.exchange.tasks import seal_exchange_log

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logged(client, health, officer, companies):
    granted(health, officer, companies)
    for i in range(4):
        get(client, companies, company_row(i)["uscc"], health["headers"])
    get(client, companies, "91350100M000100Y43", health["headers"])  # a 404, logged too
    return list(ExchangeLog.objects.order_by("id"))


def test_the_exchange_log_is_sealed_by_its_task_and_verifies(logged):
    assert seal_exchange_log.enqueue().return_value == len(logged)
    report = EXCHANGE_LOG.verify()
    assert report.ok and report.events == len(logged) and report.unsealed == 0


def test_an_edited_purpose_is_named(logged):
    EXCHANGE_LOG.seal_all(limit=100)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE exchange_exchangelog SET purpose = %s WHERE id = %s",
            ["另一个用途", logged[2].id],
        )
    assert EXCHANGE_LOG.verify().first_broken[0] == logged[2].id


def test_a_deleted_subject_breaks_its_log_row(logged):
    EXCHANGE_LOG.seal_all(limit=100)
    subject = ExchangeSubject.objects.filter(log=logged[1]).first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM exchange_exchangesubject WHERE id = %s", [subject.id])
    assert EXCHANGE_LOG.verify().first_broken[0] == logged[1].id


def test_the_verify_command_covers_both_logs(logged, capsys):
    call_command("audit", "seal")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "审计事件完整" in out and "交换日志完整" in out
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM exchange_exchangesubject WHERE log_id = %s", [logged[0].id])
        cursor.execute("DELETE FROM exchange_exchangelog WHERE id = %s", [logged[0].id])

    with pytest.raises(CommandError, match=f"交换日志：#{logged[0].id}"):
        call_command("audit", "verify", "--log", "exchange")


def test_the_exchange_log_verifies_across_a_platform_key_rotation(
    logged, client, health, companies, settings, tmp_path
):
    settings.VAR_DIR = tmp_path  # this test's own development key, rotated below
    crypto.platform_key.cache_clear()
    EXCHANGE_LOG.seal_all(limit=100)
    call_command("keys", "rotate")
    get(client, companies, company_row(5)["uscc"], health["headers"])
    EXCHANGE_LOG.seal_all(limit=100)
    crypto.platform_key.cache_clear()
    assert ExchangeSeal.objects.values("key_fingerprint").distinct().count() == 2
    report = EXCHANGE_LOG.verify()
    assert report.ok and report.events == len(logged) + 1
