"""A change of the subject-hash key (主体摘要密钥) never detaches a person's data-usage history
when the earlier key is listed in YIWANG_SUBJECT_HASH_PREVIOUS_KEYS."""

import datetime

import pytest
from django.test import override_settings

from tests.core.test_settings import run_yiwang
from tests.exchange.conftest import person
from tests.exchange.test_gateway import get, granted
from tests.exchange.test_govstack import PEOPLE, query, send
from tests.exchange.test_govstack import get as govstack_get
from tests.registry.conftest import company_row
from yiwang.exchange.gateway import subject_hash, subject_hashes
from yiwang.exchange.models import ExchangeLog

pytestmark = pytest.mark.django_db(transaction=True)

OLD_KEY = "old-subject-hash-key-" + "a" * 32
NEW_KEY = "new-subject-hash-key-" + "b" * 32
# What the code before YIWANG_SUBJECT_HASH_KEY existed wrote for LEGACY_ID under this SECRET_KEY.
LEGACY_SECRET_KEY = "a-secret-key-an-installation-had-before-this-change-0123456789"
LEGACY_ID = "110101199003077777"
LEGACY_HASH = "89850e3a9a16cfe21917e56df23d99a6bbc48663c19e401495f41279b3d40b96"


def usage_count(client, user) -> int:
    client.force_login(user)
    return client.get("/api/v1/exchange/my-data-usage").json()["count"]


@pytest.fixture
def read_under_old_key(client, settings, health, officer, people):
    """person(1)'s record read by the health commission while OLD_KEY was the key."""
    settings.SUBJECT_HASH_KEY, settings.SUBJECT_HASH_PREVIOUS_KEYS = OLD_KEY, []
    granted(health, officer, people)
    assert get(client, people, person(1)["id_number"], health["headers"]).status_code == 200
    return person(1)["id_number"]


def test_history_written_under_an_old_key_is_found_when_the_old_key_is_listed(
    client, factory, settings, read_under_old_key
):
    settings.SUBJECT_HASH_KEY, settings.SUBJECT_HASH_PREVIOUS_KEYS = NEW_KEY, [OLD_KEY]
    citizen = factory.user("citizen1", id_number=read_under_old_key)
    assert usage_count(client, citizen) == 1
    assert "江澜市卫生健康委员会" in client.get("/exchange/my-data/").content.decode()


def test_history_written_under_an_old_key_is_lost_when_the_old_key_is_not_listed(
    client, factory, settings, read_under_old_key
):
    settings.SUBJECT_HASH_KEY, settings.SUBJECT_HASH_PREVIOUS_KEYS = NEW_KEY, []
    assert usage_count(client, factory.user("citizen1", id_number=read_under_old_key)) == 0


def test_calls_after_a_key_change_are_written_under_the_new_key_only(
    client, factory, settings, health, people, read_under_old_key
):
    settings.SUBJECT_HASH_KEY, settings.SUBJECT_HASH_PREVIOUS_KEYS = NEW_KEY, [OLD_KEY]
    get(client, people, read_under_old_key, health["headers"])
    newest = ExchangeLog.objects.latest("occurred_at")
    assert newest.subjects.get().subject_hash == subject_hash(read_under_old_key)
    assert newest.key_hashes == [subject_hash(read_under_old_key)[:32]]
    assert subject_hash(read_under_old_key) == subject_hashes(read_under_old_key)[0]
    assert usage_count(client, factory.user("citizen1", id_number=read_under_old_key)) == 2


def test_a_company_agent_keeps_the_companys_history_after_a_key_change(
    client, factory, settings, health, officer, companies
):
    from yiwang.core.models import CompanyAgent

    settings.SUBJECT_HASH_KEY = OLD_KEY
    granted(health, officer, companies)
    uscc = company_row(2)["uscc"]
    get(client, companies, uscc, health["headers"])
    agent = factory.user("agent2")
    CompanyAgent.objects.create(
        user=agent, company_uscc=uscc, company_name="测试公司", valid_from=datetime.date(2020, 1, 1)
    )
    settings.SUBJECT_HASH_KEY, settings.SUBJECT_HASH_PREVIOUS_KEYS = NEW_KEY, [OLD_KEY]
    assert usage_count(client, agent) == 1


def test_govstack_personal_data_usage_matches_history_under_a_previous_key(
    client, settings, health, officer, people, hospital, market_system
):
    settings.SUBJECT_HASH_KEY = OLD_KEY
    granted(health, officer, people)
    ric = person(1)["id_number"]
    send(client, "post", f"{PEOPLE}/read", hospital, query(id_number=ric))
    settings.SUBJECT_HASH_KEY, settings.SUBJECT_HASH_PREVIOUS_KEYS = NEW_KEY, [OLD_KEY]
    with override_settings(GOVSTACK_USAGE_CLIENTS=[market_system["client"].identity]):
        response = govstack_get(client, "data/myPersonalDataUsage", market_system["headers"],
                                userId=ric, databaseId="B0101-000001")  # fmt: skip
    assert response.status_code == 200
    assert [e["readerInstitutionName"] for e in response.json()] == ["江澜市卫生健康委员会"]


def test_the_key_derived_from_secret_key_hashes_as_before_the_setting_existed(settings):
    settings.SUBJECT_HASH_KEY = LEGACY_SECRET_KEY
    assert subject_hash(LEGACY_ID) == LEGACY_HASH


def test_without_a_dedicated_key_the_secret_key_is_the_subject_hash_key(tmp_path):
    code = f"from yiwang.exchange.gateway import subject_hash; print(subject_hash({LEGACY_ID!r}))"
    result = run_yiwang("shell", "-c", code,
                        env={"YIWANG_SECRET_KEY": LEGACY_SECRET_KEY, "YIWANG_VAR_DIR": str(tmp_path)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == LEGACY_HASH


def test_an_installation_moving_off_secret_key_keeps_history_by_listing_the_old_secret_key(
    client, factory, settings, health, officer, people
):
    settings.SUBJECT_HASH_KEY = settings.SECRET_KEY  # the fallback: no dedicated key yet
    granted(health, officer, people)
    ric = person(3)["id_number"]
    get(client, people, ric, health["headers"])
    settings.SUBJECT_HASH_KEY = NEW_KEY
    settings.SUBJECT_HASH_PREVIOUS_KEYS = [settings.SECRET_KEY]
    assert usage_count(client, factory.user("citizen3", id_number=ric)) == 1
