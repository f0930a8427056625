"""A resource's quality describes its registry as it stands, not its last batch.

Completeness is measured over the stored records; validity, uniqueness and consistency are
weighted by rows over the loads that still hold records in the registry.
"""

import importlib
import io
import re

import pytest
from openpyxl import load_workbook

from tests.catalog.conftest import make_resource
from tests.registry.conftest import company_row, csv_bytes, upload
from yiwang.catalog import services as catalog_services
from yiwang.registry import quality, selectors, services
from yiwang.registry.models import Load, QualityReport, Record, ResourceQuality

pytestmark = pytest.mark.django_db(transaction=True)

BAD_USCC = "91350100M000100Y44"  # a wrong check digit


def load_rows(officer, resource, rows, mode="upsert") -> Load:
    load = services.receive_file(
        actor=officer, resource=resource, upload=upload(csv_bytes(rows)), mode=mode
    )
    load.refresh_from_db()
    resource.refresh_from_db()
    return load


def push_batch(officer, resource, rows) -> Load:
    load = services.receive_batch(actor=officer, resource=resource, rows=rows)
    load.refresh_from_db()
    resource.refresh_from_db()
    return load


def dirty(rows: list[dict], every: int) -> list[dict]:
    """The rows with every `every`-th one given a bad 统一社会信用代码."""
    return [{**row, "uscc": BAD_USCC} if n % every == 0 else row for n, row in enumerate(rows)]


def test_a_small_batch_after_a_bulk_load_moves_validity_only_by_its_share(officer, published):
    load_rows(officer, published, [company_row(i) for i in range(300)])
    before = selectors.resource_quality(published)
    assert (before["validity"], before["score"], before["records"]) == (1.0, 100.0, 300)
    batch = push_batch(
        officer, published, [company_row(1000), company_row(1001), company_row(1002, uscc="bad")]
    )
    assert QualityReport.objects.get(load=batch).validity == 0.6667  # the batch's own report
    after = selectors.resource_quality(published)
    assert after["validity"] == round(302 / 303, 4)
    assert after["records"] == 302 and after["rows"] == 303 and after["loads"] == 2
    assert before["score"] - after["score"] <= 100 * 3 / 303


def test_a_clean_small_batch_does_not_hide_a_dirty_bulk_load(officer, published):
    load_rows(officer, published, dirty([company_row(i) for i in range(100)], every=10))
    push_batch(officer, published, [company_row(i) for i in range(1000, 1003)])
    q = selectors.resource_quality(published)
    assert q["validity"] == round(93 / 103, 4)
    assert q["score"] < 100


def test_completeness_is_measured_over_the_stored_records(officer, published):
    load_rows(officer, published, [company_row(i) for i in range(4)])
    assert selectors.resource_quality(published)["field_completeness"]["legal_representative"] == 1
    push_batch(officer, published, [company_row(0, legal_representative="")])  # emptied by upsert
    q = selectors.resource_quality(published)
    assert q["field_completeness"]["legal_representative"] == 0.75
    assert q["completeness"] == round((6 + 0.75) / 7, 4)


def test_a_new_record_without_a_value_lowers_completeness_by_its_share(officer, published):
    load_rows(officer, published, [company_row(i) for i in range(9)])
    push_batch(officer, published, [company_row(9, legal_representative=None)])
    assert (
        selectors.resource_quality(published)["field_completeness"]["legal_representative"] == 0.9
    )


def test_a_replace_load_starts_the_figures_afresh(officer, published):
    load_rows(officer, published, dirty([company_row(i) for i in range(10)], every=2))
    assert selectors.resource_quality(published)["validity"] == 0.5
    load_rows(officer, published, [company_row(i) for i in range(20, 24)], mode="replace")
    q = selectors.resource_quality(published)
    assert (q["validity"], q["records"], q["rows"], q["loads"]) == (1.0, 4, 4, 1)


def test_a_replace_load_that_kept_the_old_records_keeps_their_load_in_the_figures(
    officer, published
):
    load_rows(officer, published, [company_row(i) for i in range(6)])
    snapshot = [company_row(i) for i in range(20, 23)] + [company_row(23, uscc="bad")]
    load = load_rows(officer, published, snapshot, mode="replace")
    assert load.stats["replace_skipped"] is True  # a snapshot with bad rows deletes nothing
    q = selectors.resource_quality(published)
    assert (q["records"], q["rows"], q["validity"]) == (9, 10, 0.9)


def test_a_load_whose_records_were_all_overwritten_no_longer_counts(officer, published):
    load_rows(officer, published, dirty([company_row(i) for i in range(10)], every=5))
    load_rows(officer, published, [company_row(i) for i in range(10)])  # the corrected delivery
    q = selectors.resource_quality(published)
    assert (q["validity"], q["loads"], q["rows"], q["records"]) == (1.0, 1, 10, 10)


def test_a_failed_batch_leaves_the_resource_figures_as_they_were(officer, published):
    load_rows(officer, published, [company_row(i) for i in range(5)])
    before = ResourceQuality.objects.get(resource=published)
    failed = push_batch(officer, published, [company_row(50, uscc="bad")])
    assert failed.status == "failed"
    after = ResourceQuality.objects.get(resource=published)
    assert (after.validity, after.rows, after.last_load_id) == (1.0, 5, before.last_load_id)


def test_the_department_score_follows_the_registry_figures(factory, officer, city, published):
    load_rows(officer, published, [company_row(i) for i in range(200)])
    push_batch(officer, published, [company_row(1000, uscc="bad"), company_row(1001)])
    other = catalog_services.publish_resource(
        actor=officer,
        resource=make_resource(officer, city["market"], code="B0201/000002", name="法人分支机构"),
    )
    load_rows(officer, other, dirty([company_row(i) for i in range(20)], every=4))
    overview = selectors.quality_overview(factory.staff("supervisor", city["root"]))
    scores = [selectors.resource_quality(r)["score"] for r in (published, other)]
    assert scores[0] >= 99.5  # not the 50 % valid batch, which alone would score 85
    assert overview["departments"][0]["score"] == round(sum(scores) / 2, 1)


def test_the_xlsx_export_carries_the_registry_figures(client, officer, published):
    load_rows(officer, published, [company_row(i) for i in range(30)])
    push_batch(
        officer, published, [company_row(100, uscc="bad"), company_row(0, legal_representative="")]
    )
    q = selectors.resource_quality(published)
    client.force_login(officer)
    export = client.get("/registry/quality/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content))["资源质量"]
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    exported = dict(zip(header, row, strict=True))
    assert exported["得分"] == q["score"] and exported["有效性"] == q["validity"] == round(
        31 / 32, 4
    )
    assert exported["完整性"] == q["completeness"] < 1
    assert (exported["登记簿记录数"], exported["计入批次数"], exported["计入行数"]) == (30, 2, 32)


def test_the_xlsx_export_gives_the_last_load_in_local_time_as_the_pages_do(
    client, officer, published
):
    import datetime

    from yiwang.catalog.models import Resource

    load_rows(officer, published, [company_row(i) for i in range(3)])
    evening_utc = datetime.datetime(2026, 12, 4, 21, 31, 15, 213106, tzinfo=datetime.UTC)
    Resource.objects.filter(pk=published.pk).update(last_loaded_at=evening_utc)
    client.force_login(officer)
    export = client.get("/registry/quality/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content))["资源质量"]
    exported = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]], strict=True))
    assert exported["最近归集"] == "2026-12-05 05:31"  # Asia/Shanghai, the next morning
    page = client.get(f"/catalog/resources/{published.pk}/").content.decode()
    assert "2026-12-05 05:31" in page


def test_the_resource_page_says_what_the_figures_are_computed_over(client, officer, published):
    load_rows(officer, published, [company_row(i) for i in range(12)])
    push_batch(officer, published, [company_row(100)])
    client.force_login(officer)
    page = client.get(f"/catalog/resources/{published.pk}/").content.decode()
    text = re.sub(r"<[^>]+>|\s+", "", page)
    assert "完整性按当前登记簿13条记录计算" in text
    assert "按仍有记录在库的2个归集批次共13行加权" in text


def test_the_quality_page_says_what_the_figures_are_computed_over(client, officer, published):
    load_rows(officer, published, [company_row(i) for i in range(3)])
    client.force_login(officer)
    text = re.sub(r"<[^>]+>|\s+", "", client.get("/registry/quality/").content.decode())
    assert "完整性按各资源当前登记簿中的记录计算" in text
    assert '<tddata-label="记录数">3</td>' in re.sub(
        r"\s+", "", client.get("/registry/quality/").content.decode()
    )


def test_the_resource_quality_api_gives_the_registry_figures(client, officer, published):
    load_rows(officer, published, [company_row(i) for i in range(8)])
    batch = push_batch(officer, published, [company_row(100, uscc="bad"), company_row(101)])
    client.force_login(officer)
    body = client.get(f"/api/v1/registry/resources/{published.pk}/quality").json()
    assert (body["validity"], body["records"], body["rows"], body["loads"]) == (0.9, 9, 10, 2)
    assert body["load_id"] == str(batch.pk)
    assert Record.objects.filter(resource=published).count() == 9


def test_the_migration_measures_the_resources_loaded_before_it(officer, city, published):
    from django.apps import apps

    migration = importlib.import_module("yiwang.registry.migrations.0007_resource_quality")
    load_rows(officer, published, dirty([company_row(i) for i in range(10)], every=5))
    last = push_batch(officer, published, [company_row(50)])
    catalog_services.publish_resource(
        actor=officer,
        resource=make_resource(officer, city["market"], code="B0201/000002", name="未归集"),
    )
    kept = ResourceQuality.objects.values().get(resource=published)
    ResourceQuality.objects.all().delete()  # as before the migration
    assert migration.measure_loaded_resources(apps) == 1
    measured = ResourceQuality.objects.values().get(resource=published)
    ignored = {"id", "measured_at"}
    assert {k: v for k, v in measured.items() if k not in ignored} == {
        k: v for k, v in kept.items() if k not in ignored
    }
    assert (measured["last_load_id"], measured["records"], measured["validity"]) == (
        last.pk,
        9,
        round(9 / 11, 4),
    )


def test_a_field_code_that_is_not_a_code_never_reaches_the_sql(published):
    with pytest.raises(ValueError, match="not a field code"):
        quality.measure_registry(published.pk, ["name", "x') OR 1=1 --"])


def test_a_small_batch_soon_after_a_measurement_waits_for_the_next_measuring_load(
    officer, published, time_machine
):
    """Under 0.1 % of the registry within ten minutes of the last measurement: no scan of the
    registry; the next load after ten minutes takes that batch in with its own."""
    import datetime

    from django.utils import timezone

    time_machine.move_to(timezone.now())
    load_rows(officer, published, [company_row(i) for i in range(3000)])
    push_batch(officer, published, [company_row(5000), company_row(5001, uscc="bad")])
    held = selectors.resource_quality(published)
    assert (held["records"], held["validity"], held["loads"]) == (3000, 1.0, 1)
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=11))
    push_batch(officer, published, [company_row(5002)])
    taken_in = selectors.resource_quality(published)
    assert (taken_in["records"], taken_in["loads"]) == (3002, 3)
    assert taken_in["validity"] == round((3000 + 1 + 1) / 3003, 4)
