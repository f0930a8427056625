"""Data quality: timeliness against the 更新周期, scores per resource and per department."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from django.utils import timezone

from tests.catalog.conftest import make_resource
from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.catalog import services as catalog_services
from yiwang.catalog.models import Resource
from yiwang.registry import quality, selectors, services

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def test_a_load_within_the_update_cycle_is_timely():
    assert quality.timeliness("weekly", days_ago(6.9), now=NOW) == 1.0


def test_a_load_older_than_twice_the_update_cycle_has_no_timeliness():
    assert quality.timeliness("weekly", days_ago(14.5), now=NOW) == 0.0


def test_timeliness_falls_linearly_between_one_and_two_cycles():
    assert quality.timeliness("weekly", days_ago(10.5), now=NOW) == 0.5


def test_a_resource_never_loaded_has_no_timeliness():
    assert quality.timeliness("daily", None, now=NOW) == 0.0


def test_an_irregular_resource_is_always_timely_once_loaded():
    assert quality.timeliness("irregular", days_ago(3650), now=NOW) == 1.0


def load(officer, resource, rows):
    services.receive_file(actor=officer, resource=resource, upload=upload(csv_bytes(rows)))
    resource.refresh_from_db()
    return resource


def publish(officer, owner, code, name):
    resource = make_resource(officer, owner, code=code, name=name)
    return catalog_services.publish_resource(actor=officer, resource=resource)


@pytest.mark.django_db(transaction=True)
def test_a_late_resource_scores_lower_by_the_weight_of_timeliness(officer, published):
    resource = load(officer, published, [company_row(i) for i in range(4)])
    on_time = selectors.resource_quality(resource)
    assert on_time["timeliness"] == 1.0 and on_time["score"] == 100.0
    Resource.objects.filter(pk=resource.pk).update(
        last_loaded_at=timezone.now() - datetime.timedelta(days=3)
    )
    resource.refresh_from_db()  # a daily resource last loaded three days ago
    late = selectors.resource_quality(resource)
    assert late["timeliness"] == 0.0
    assert late["score"] == on_time["score"] - 100 * quality.WEIGHTS["timeliness"]


@pytest.mark.django_db(transaction=True)
def test_a_departments_score_is_the_mean_of_its_resources_scores(factory, officer, city, published):
    clean = load(officer, published, [company_row(i) for i in range(4)])
    dirty_rows = [company_row(i) for i in range(4)]
    dirty_rows[0]["uscc"] = "91350100M000100Y44"  # a wrong check digit
    dirty = load(
        officer, publish(officer, city["market"], "B0201/000002", "法人分支机构"), dirty_rows
    )
    publish(officer, city["market"], "B0201/000003", "从未归集的资源")  # no score: not counted
    supervisor = factory.staff("supervisor", city["root"])
    overview = selectors.quality_overview(supervisor)
    scores = [selectors.resource_quality(r)["score"] for r in (clean, dirty)]
    assert scores[0] != scores[1]
    assert overview["departments"] == [
        {"organisation_id": city["market"].pk, "name": city["market"].name,
         "score": round(sum(scores) / 2, 1), "resources": 2}
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_departments_with_the_same_name_are_scored_apart(factory, officer, city, published):
    twin = factory.organisation(city["market"].name, parent=city["health"])
    twin_officer = factory.staff("data_officer", twin)
    load(officer, published, [company_row(i) for i in range(2)])
    load(twin_officer, publish(twin_officer, twin, "B0201/000002", "县法人"), [company_row(9, uscc="bad")] +
         [company_row(i) for i in range(3)])  # fmt: skip
    overview = selectors.quality_overview(factory.staff("supervisor", city["root"]))
    assert sorted(d["organisation_id"] for d in overview["departments"]) == sorted(
        [city["market"].pk, twin.pk]
    )


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from("abcde"), st.sampled_from([None, "", "x", 0, False, 5]), max_size=5
        ),
        max_size=15,
    )
)
def test_fill_counts_are_the_number_of_rows_with_a_value_per_field(rows):
    """The load counts only what is missing per row; the result is the plain definition."""
    counters = quality.LoadCounters()
    for values in rows:
        counters.count_filled(values)
    expected = {}
    for values in rows:
        for code, value in values.items():
            if value is not None and value != "":
                expected[code] = expected.get(code, 0) + 1
    assert {k: v for k, v in counters.filled.items() if v} == expected
