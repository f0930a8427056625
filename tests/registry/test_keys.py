"""Record keys: composite keys stay distinct whatever their values hold."""

import pytest

from tests.catalog.conftest import make_resource
from tests.registry.conftest import upload
from yiwang.catalog import services as catalog_services
from yiwang.registry import services
from yiwang.registry.keys import join_key, split_key, stored_key
from yiwang.registry.models import Record

LICENCE_FIELDS = [
    {"code": "region", "name": "发证地", "data_type": "string", "length": 20, "is_key": True},
    {"code": "number", "name": "证号", "data_type": "string", "length": 20, "is_key": True},
    {"code": "holder", "name": "持证者", "data_type": "string", "length": 50},
]


def test_values_holding_the_separator_give_two_different_keys():
    assert join_key(["a|b", "c"]) != join_key(["a", "b|c"])


def test_values_holding_the_escape_character_give_two_different_keys():
    assert join_key(["a\\", "b"]) != join_key(["a", "\\b"])


def test_a_key_without_separator_or_backslash_is_joined_as_before():
    assert join_key(["990100", "A-001", 7]) == "990100|A-001|7"


def test_a_one_field_key_is_the_plain_value_even_with_a_separator():
    assert join_key(["a|b\\c"]) == "a|b\\c"


@pytest.mark.parametrize(
    "parts", [["a|b", "c"], ["a", "b|c"], ["\\", "|"], ["", ""], ["x\\|y", "z"]]
)
def test_split_key_gives_back_the_joined_values(parts):
    assert split_key(join_key(parts), len(parts)) == parts


def test_split_key_refuses_a_key_with_another_number_of_values():
    with pytest.raises(ValueError):
        split_key("a|b|c", 2)


@pytest.fixture
def licences(officer, city, settings, tmp_path):
    """A published resource keyed by two fields (发证地 + 证号)."""
    settings.VAR_DIR = tmp_path
    resource = make_resource(officer, city["market"], code="D0301/000003", name="许可证", category="department",
                             base_registry="", fields=LICENCE_FIELDS)  # fmt: skip
    return catalog_services.publish_resource(actor=officer, resource=resource)


@pytest.mark.django_db(transaction=True)
def test_a_load_keeps_two_records_whose_joined_values_would_have_clashed(officer, licences):
    resource = licences
    data = "region,number,holder\na|b,c,甲\na,b|c,乙\n".encode()
    load = services.receive_file(actor=officer, resource=resource, upload=upload(data))
    load.refresh_from_db()
    assert (load.rows_written, load.rows_invalid) == (2, 0)
    holders = {
        split_key(r.key, 2)[0]: r.data["holder"] for r in Record.objects.filter(resource=resource)
    }
    assert holders == {"a|b": "甲", "a": "乙"}


@pytest.mark.django_db(transaction=True)
def test_the_govstack_adaptor_finds_a_record_by_the_key_the_load_stored(officer, licences):
    from yiwang.exchange.govstack.common import key_of

    resource = licences
    services.receive_file(
        actor=officer, resource=resource, upload=upload("region,number,holder\na|b,c,甲\n".encode())
    )
    key = key_of(resource, {"region": "a|b", "number": "c"})
    assert Record.objects.get(resource=resource, key=key).data["holder"] == "甲"


def test_a_key_as_typed_is_read_as_stored_value_by_value():
    typed = join_key(["11010519491231002x", " 甲|乙 "])
    assert stored_key(["ric", "string"], typed) == join_key(["11010519491231002X", "甲|乙"])
    assert stored_key(["uscc"], " 91350100m000100y43 ") == "91350100M000100Y43"
    assert stored_key(["ric", "string"], "only-one-value") == "only-one-value"
