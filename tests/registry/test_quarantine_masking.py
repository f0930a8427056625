"""Quarantined rows (问题数据) as each reader may see them: the owning department's data officers
see what they sent, so that they can fix it; supervisors, the bureau and administrators above
see personal values masked, on the page, through the API and in the download."""

import pytest

from tests.openapi import assert_matches_openapi
from tests.registry.conftest import HEADER, company_row, csv_bytes, upload
from yiwang.core import services as core_services
from yiwang.registry import services
from yiwang.registry.downloads import quarantine_rows
from yiwang.registry.models import Load

pytestmark = pytest.mark.django_db(transaction=True)

BAD_RIC = "990102198001010000"  # wrong check digit: quoted in the error's message
MASKED_RIC = "990102********0000"
NAME = "欧阳" + "明" * 60  # longer than the field's 50 characters: quoted, cut to 50
MASKED_NAME_START = "欧阳***"
PHONE = "13812345678"  # in a column that matches no field
SAFE_DATE = "不是日期"  # a non-personal field's bad value: everybody sees it


@pytest.fixture
def quarantined(officer, published) -> Load:
    rows = [
        company_row(1, representative_id_number=BAD_RIC, 联系电话=PHONE),
        company_row(2, legal_representative=NAME, 联系电话=PHONE),
        company_row(3, established=SAFE_DATE, 联系电话=PHONE),
    ]
    data = csv_bytes(rows, header=[*HEADER, "联系电话"])
    load = services.receive_file(actor=officer, resource=published, upload=upload(data))
    load.refresh_from_db()
    assert load.rows_invalid == 3
    return load


@pytest.fixture
def supervisor(factory, city):
    bureau = factory.organisation("江澜市政务服务和大数据管理局", parent=city["root"])
    return factory.staff("supervisor", bureau)


def _download(client, load) -> str:
    response = client.get(f"/api/v1/registry/loads/{load.pk}/errors.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _api_messages(client, load, **headers) -> str:
    response = client.get(f"/api/v1/registry/loads/{load.pk}/errors", headers=headers)
    assert_matches_openapi(response, "get", "/api/v1/registry/loads/{load_id}/errors")
    return "\n".join(e["message"] for e in response.json()["items"])


def _assert_masked(text: str) -> None:
    assert BAD_RIC not in text and MASKED_RIC in text
    assert NAME[:50] not in text and MASKED_NAME_START in text
    assert SAFE_DATE in text


def test_the_owning_data_officer_sees_the_values_sent_on_the_page(client, officer, quarantined):
    client.force_login(officer)
    page = client.get(f"/registry/loads/{quarantined.pk}/").content.decode()
    assert BAD_RIC in page and NAME[:50] in page and SAFE_DATE in page


def test_a_supervisor_sees_personal_values_masked_on_the_page(client, supervisor, quarantined):
    client.force_login(supervisor)
    page = client.get(f"/registry/loads/{quarantined.pk}/").content.decode()
    _assert_masked(page)


def test_an_administrator_above_the_owner_sees_personal_values_masked_on_the_page(
    client, factory, city, quarantined
):
    client.force_login(factory.staff("admin", city["root"]))
    page = client.get(f"/registry/loads/{quarantined.pk}/").content.decode()
    _assert_masked(page)


def test_the_owners_system_reads_the_values_sent_through_the_api(
    client, factory, city, quarantined
):
    owner_system = factory.api_client(city["market"], "market-registry")
    secret = core_services.issue_api_key(actor=factory.superuser(), client=owner_system).secret
    quarantined.client = owner_system
    quarantined.save(update_fields=["client"])
    messages = _api_messages(client, quarantined, Authorization=f"Bearer {secret}")
    assert BAD_RIC in messages and NAME[:50] in messages


def test_the_owning_data_officer_reads_the_values_sent_through_the_api(
    client, officer, quarantined
):
    client.force_login(officer)
    messages = _api_messages(client, quarantined)
    assert BAD_RIC in messages and NAME[:50] in messages


def test_a_supervisor_reads_personal_values_masked_through_the_api(client, supervisor, quarantined):
    client.force_login(supervisor)
    _assert_masked(_api_messages(client, quarantined))


def test_the_owning_data_officer_downloads_the_values_sent(client, officer, quarantined):
    client.force_login(officer)
    body = _download(client, quarantined)
    assert BAD_RIC in body and NAME[:50] in body and PHONE in body and "张三" in body


def test_a_supervisor_downloads_personal_values_masked(client, supervisor, quarantined):
    client.force_login(supervisor)
    body = _download(client, quarantined)
    _assert_masked(body)
    assert "张三" not in body and "张*" in body  # the raw cells too, not only the messages
    assert "registered_capital=100.50" in body  # a non-personal cell is left as sent


def test_a_column_that_matches_no_field_is_hidden_from_a_supervisor(
    client, supervisor, quarantined
):
    """Nothing says what an unknown column holds (a phone, here): outsiders see it hidden."""
    client.force_login(supervisor)
    body = _download(client, quarantined)
    assert PHONE not in body and "联系电话=***" in body


def test_a_column_named_by_the_fields_chinese_name_is_masked_like_the_field(
    officer, supervisor, published
):
    header = ["统一社会信用代码", "企业名称", "法定代表人", "法定代表人身份号码", "成立日期"]
    row = {"统一社会信用代码": company_row(1)["uscc"], "企业名称": "某公司", "法定代表人": "李四",
           "法定代表人身份号码": company_row(1)["representative_id_number"], "成立日期": "bad"}  # fmt: skip
    load = services.receive_file(
        actor=officer, resource=published, upload=upload(csv_bytes([row], header=header))
    )
    body = b"".join(quarantine_rows(load, supervisor)).decode("utf-8-sig")
    assert "法定代表人=李*" in body and row["法定代表人身份号码"] not in body
    assert "企业名称=某公司" in body


def test_a_key_quoted_in_a_message_is_masked_for_a_supervisor(
    officer, supervisor, city, settings, tmp_path
):
    """A resource keyed by a 身份号码: the duplicate-key message quotes the key."""
    from tests.catalog.conftest import make_resource
    from yiwang.catalog import services as catalog_services

    settings.VAR_DIR = tmp_path
    fields = [
        {"code": "ric", "name": "公民身份号码", "data_type": "ric", "is_key": True,
         "is_personal": True},
        {"code": "name", "name": "姓名", "data_type": "string", "length": 50, "is_personal": True},
    ]  # fmt: skip
    people = catalog_services.publish_resource(actor=officer, resource=make_resource(
        officer, city["market"], code="B0101/000001", name="人口信息", base_registry="population",
        fields=fields))  # fmt: skip
    ric = company_row(1)["representative_id_number"]
    data = f"ric,name\n{ric},张三\n{ric},张三\n".encode()
    load = services.receive_file(actor=officer, resource=people, upload=upload(data))
    assert load.errors.get().code == "row.duplicate_key"
    seen_by_supervisor = b"".join(quarantine_rows(load, supervisor)).decode("utf-8-sig")
    assert ric not in seen_by_supervisor and ric[:6] + "********" + ric[-4:] in seen_by_supervisor
    assert ric in b"".join(quarantine_rows(load, officer)).decode("utf-8-sig")


def test_the_birth_date_read_from_an_id_number_is_masked_for_a_supervisor(
    officer, supervisor, city, settings, tmp_path
):
    """A rule message states the birth date read from the 身份号码: the digits its mask hides."""
    from tests.catalog.conftest import make_resource
    from yiwang.catalog import services as catalog_services

    settings.VAR_DIR = tmp_path
    fields = [
        {"code": "id_number", "name": "公民身份号码", "data_type": "ric", "is_key": True,
         "is_personal": True},
        {"code": "birth_date", "name": "出生日期", "data_type": "date"},
    ]  # fmt: skip
    people = catalog_services.publish_resource(actor=officer, resource=make_resource(
        officer, city["market"], code="B0101/000001", name="人口信息", base_registry="population",
        fields=fields))  # fmt: skip
    ric = company_row(5)["representative_id_number"]  # born 1980-01-06
    data = f"id_number,birth_date\n{ric},1981-02-03\n".encode()
    load = services.receive_file(actor=officer, resource=people, upload=upload(data))
    assert load.errors.get().code == "rule.ric_birth_date"
    seen_by_supervisor = b"".join(quarantine_rows(load, supervisor)).decode("utf-8-sig")
    assert "1980-01-06" not in seen_by_supervisor and ric not in seen_by_supervisor
    assert "1981-02-03" in seen_by_supervisor  # the birth-date field is not personal here
    assert "1980-01-06" in b"".join(quarantine_rows(load, officer)).decode("utf-8-sig")
