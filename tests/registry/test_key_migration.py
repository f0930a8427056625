"""Migration 0006: records stored before composite keys were escaped get the loader's key."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from tests.catalog.conftest import make_resource
from tests.registry.test_keys import LICENCE_FIELDS
from yiwang.registry.keys import join_key
from yiwang.registry.models import Record

migration = importlib.import_module("yiwang.registry.migrations.0006_recompute_composite_keys")

pytestmark = pytest.mark.django_db


@pytest.fixture
def licences(officer, city):
    """A resource keyed by two fields (发证地 + 证号)."""
    return make_resource(officer, city["market"], code="D0301/000003", name="许可证",
                         category="department", base_registry="", fields=LICENCE_FIELDS)  # fmt: skip


def _record(resource, key: str, **data) -> Record:
    return Record.objects.create(resource=resource, key=key, data=data, updated_at=timezone.now())


def _keys(resource) -> dict[int, str]:
    return dict(Record.objects.filter(resource=resource).values_list("pk", "key"))


def test_a_value_holding_the_separator_gets_the_escaped_key(licences):
    old = _record(licences, "a|b|c", region="a|b", number="c", holder="甲")
    lookup = join_key(["a|b", "c"])  # what a load or a lookup of the same values computes
    assert not Record.objects.filter(resource=licences, key=lookup).exists()
    assert migration.recompute_composite_keys(apps) == 1
    old.refresh_from_db()
    assert old.key == "a\\|b|c" == join_key(["a|b", "c"])


def test_a_key_that_is_already_right_is_not_written(licences):
    right = _record(licences, "990100|A-001", region="990100", number="A-001", holder="乙")
    stamp = right.updated_at
    assert migration.recompute_composite_keys(apps) == 0
    right.refresh_from_db()
    assert (right.key, right.updated_at) == ("990100|A-001", stamp)


def test_records_are_read_in_batches_and_all_get_their_key(licences):
    records = [_record(licences, f"r|{n}|x", region=f"r|{n}", number="x") for n in range(5)]
    records.append(_record(licences, "plain|1", region="plain", number="1"))
    assert migration.recompute_composite_keys(apps, batch_size=2) == 5
    assert set(_keys(licences).values()) == {f"r\\|{n}|x" for n in range(5)} | {"plain|1"}


def test_a_backslash_value_gets_the_escaped_key_even_when_another_record_held_it(licences):
    """("a\\", "b|c") was stored as "a\\|b|c", the very key ("a|b", "c") takes now."""
    first = _record(licences, "a|b|c", region="a|b", number="c")
    second = _record(licences, "a\\|b|c", region="a\\", number="b|c")
    assert migration.recompute_composite_keys(apps, batch_size=1) == 2
    assert _keys(licences) == {
        first.pk: join_key(["a|b", "c"]),
        second.pk: join_key(["a\\", "b|c"]),
    }


def test_a_single_key_resource_is_left_untouched(officer, city, licences):
    people = make_resource(officer, city["market"])  # keyed by uscc alone
    plain = _record(people, "x|y", uscc="x|y")
    odd = _record(people, "not-from-data", uscc="something else")
    assert migration.recompute_composite_keys(apps) == 0
    assert _keys(people) == {plain.pk: "x|y", odd.pk: "not-from-data"}


def test_two_records_that_would_share_a_key_stop_the_migration_and_change_nothing(licences):
    """A load after the change stored the same values again under the new key."""
    stale = _record(licences, "a|b|c", region="a|b", number="c", holder="旧")
    fresh = _record(licences, "a\\|b|c", region="a|b", number="c", holder="新")
    other = _record(licences, "x|y|z", region="x|y", number="z")
    with pytest.raises(migration.CompositeKeyConflict) as refused:
        migration.recompute_composite_keys(apps)
    assert f"record {stale.pk}" in str(refused.value) and f"record {fresh.pk}" in str(refused.value)
    assert _keys(licences) == {stale.pk: "a|b|c", fresh.pk: "a\\|b|c", other.pk: "x|y|z"}


def test_a_key_that_would_grow_too_long_stops_the_migration(licences):
    long = _record(licences, "|" * 130 + "|x", region="|" * 130, number="x")
    with pytest.raises(migration.CompositeKeyConflict, match="longer than 255"):
        migration.recompute_composite_keys(apps)
    long.refresh_from_db()
    assert long.key == "|" * 130 + "|x"


def test_a_record_missing_a_key_value_stops_the_migration(licences):
    _record(licences, "a|b|c", region="a|b")
    with pytest.raises(migration.CompositeKeyConflict, match="missing"):
        migration.recompute_composite_keys(apps)


@pytest.mark.django_db(transaction=True)
def test_a_record_the_loader_stores_now_already_has_the_migrations_key(
    officer, licences, settings, tmp_path
):
    """A record loaded now already has the key the migration computes: nothing to do."""
    from tests.registry.conftest import upload
    from yiwang.catalog import services as catalog_services
    from yiwang.registry import services

    settings.VAR_DIR = tmp_path
    resource = catalog_services.publish_resource(actor=officer, resource=licences)
    services.receive_file(actor=officer, resource=resource,
                          upload=upload("region,number,holder\na|b,c\\d,甲\n".encode()))  # fmt: skip
    before = _keys(resource)
    assert len(before) == 1
    assert migration.recompute_composite_keys(apps) == 0
    assert _keys(resource) == before
