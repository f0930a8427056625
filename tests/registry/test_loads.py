import io
import json

import pytest
from openpyxl import Workbook

from tests.registry.conftest import HEADER, company_row, csv_bytes, gzip_bytes, jsonl_bytes, upload
from yiwang.catalog import services as catalog_services
from yiwang.catalog.models import Resource
from yiwang.core.errors import ServiceError
from yiwang.registry import services
from yiwang.registry.models import Load, QualityReport, Record
from yiwang.registry.validation import DuplicateTracker

pytestmark = pytest.mark.django_db(transaction=True)


def load_file(officer, resource, data, name="companies.csv", mode="upsert") -> Load:
    load = services.receive_file(
        actor=officer, resource=resource, upload=upload(data, name), mode=mode
    )
    load.refresh_from_db()
    return load


def test_a_clean_csv_is_loaded_keyed_by_uscc(officer, published):
    rows = [company_row(i) for i in range(50)]
    load = load_file(officer, published, csv_bytes(rows))
    assert load.status == "succeeded" and load.rows_written == 50 and load.rows_invalid == 0
    record = Record.objects.get(resource=published, key=rows[7]["uscc"])
    assert (
        record.data["registered_capital"] == "100.50" and record.data["established"] == "2015-06-01"
    )
    published.refresh_from_db()
    assert published.last_loaded_at is not None


def test_bad_rows_are_quarantined_with_row_field_code_and_message(officer, published):
    rows = [company_row(i) for i in range(10)]
    rows[3]["uscc"] = rows[3]["uscc"][:-1] + ("0" if rows[3]["uscc"][-1] != "0" else "1")
    rows[5]["name"] = ""
    rows[6]["established"] = "2015-13-45"
    load = load_file(officer, published, csv_bytes(rows))
    assert (load.rows_valid, load.rows_invalid, load.rows_written) == (7, 3, 7)
    errors = {(e.row, e.field, e.code) for e in load.errors.all()}
    assert (5, "uscc", "identifier.uscc.checksum") in errors  # row 5 of the file: header is row 1
    assert (7, "name", "value.required") in errors
    assert (8, "established", "value.not_date") in errors
    assert all(e.message for e in load.errors.all())


def test_duplicate_keys_inside_one_batch_keep_the_first_and_quarantine_the_rest(officer, published):
    rows = [company_row(1), company_row(2), company_row(1, name="重复的公司")]
    load = load_file(officer, published, csv_bytes(rows))
    assert load.rows_written == 2
    assert load.errors.get().code == "row.duplicate_key"
    assert Record.objects.get(key=rows[0]["uscc"]).data["name"] == rows[0]["name"]


def test_duplicates_are_found_after_the_load_s_keys_spill_to_disk(officer, published, monkeypatch):
    monkeypatch.setattr(DuplicateTracker, "MEMORY_KEYS", 4)  # a big file's behaviour, in 30 rows
    rows = [company_row(i) for i in range(20)] + [
        company_row(i, name="重复的公司") for i in (0, 3, 19)
    ]
    rows += [company_row(i) for i in range(20, 27)]
    load = load_file(officer, published, csv_bytes(rows))
    assert (load.rows_written, load.rows_invalid) == (27, 3)
    assert sorted(e.row for e in load.errors.all()) == [22, 23, 24]
    assert {e.code for e in load.errors.all()} == {"row.duplicate_key"}
    assert Record.objects.get(key=rows[0]["uscc"]).data["name"] == rows[0]["name"]


def test_a_json_line_with_a_lone_surrogate_is_quarantined_not_a_crash(officer, published):
    """json.loads lets a lone \\ud800 escape through as a str that cannot be encoded again."""
    good = json.dumps(company_row(1), ensure_ascii=False)
    bad = json.dumps(company_row(2), ensure_ascii=False).replace("有限公司", "有限\\ud800公司")
    load = load_file(officer, published, (good + "\n" + bad + "\n").encode(), name="c.jsonl")
    assert load.status == "succeeded" and load.rows_written == 1
    assert [(e.row, e.code) for e in load.errors.all()] == [(2, "row.bad_json")]


def test_a_uscc_with_arabic_indic_digits_is_quarantined_not_a_crash(officer, published):
    rows = [company_row(1), company_row(2)]
    uscc = rows[1]["uscc"]
    rows[1]["uscc"] = (
        uscc[:2] + uscc[2:8].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + uscc[8:]
    )
    load = load_file(officer, published, csv_bytes(rows))
    assert load.status == "succeeded" and load.rows_written == 1
    assert [(e.row, e.code) for e in load.errors.all()] == [(3, "identifier.uscc.format")]


def test_a_gb18030_file_is_detected_and_decoded(officer, published):
    load = load_file(officer, published, csv_bytes([company_row(1)], encoding="gb18030"))
    assert load.status == "succeeded"
    assert Record.objects.get().data["legal_representative"] == "张三"


def test_xlsx_jsonl_and_gzip_csv_load_the_same_way(officer, published):
    workbook = Workbook()
    sheet = workbook.active
    rows = [company_row(i) for i in range(3)]
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert load_file(officer, published, buffer.getvalue(), "c.xlsx").rows_written == 3
    assert (
        load_file(officer, published, jsonl_bytes([company_row(10)]), "c.jsonl").rows_written == 1
    )
    assert (
        load_file(
            officer, published, gzip_bytes(csv_bytes([company_row(20)])), "c.csv.gz"
        ).rows_written
        == 1
    )
    assert Record.objects.count() == 5


def test_upsert_updates_insert_refuses_existing_and_replace_drops_the_missing(officer, published):
    load_file(officer, published, csv_bytes([company_row(1), company_row(2)]))
    upsert = load_file(
        officer, published, csv_bytes([company_row(1, name="新名称"), company_row(3)])
    )
    assert upsert.rows_written == 2 and Record.objects.count() == 3
    assert Record.objects.get(key=company_row(1)["uscc"]).data["name"] == "新名称"
    insert = load_file(
        officer, published, csv_bytes([company_row(1), company_row(4)]), mode="insert"
    )
    assert insert.rows_written == 1 and insert.errors.get().code == "row.key_exists"
    replace = load_file(officer, published, csv_bytes([company_row(2)]), mode="replace")
    assert replace.rows_deleted == 3
    assert list(Record.objects.values_list("key", flat=True)) == [company_row(2)["uscc"]]


def test_an_api_batch_is_kept_as_json_lines_and_loaded(officer, published, settings):
    load = services.receive_batch(
        actor=officer, resource=published, rows=[company_row(1), {"uscc": "bad"}]
    )
    load.refresh_from_db()
    assert load.source == "api" and load.rows_written == 1 and load.rows_invalid == 1
    raw = (settings.VAR_DIR / load.file_path).read_text(encoding="utf-8")
    assert '"uscc": "bad"' in raw


def test_a_quality_report_scores_the_load(officer, published):
    rows = [company_row(i) for i in range(8)] + [
        company_row(1),
        company_row(100, legal_representative=""),
    ]
    rows[2]["uscc"] = "91350100M000100Y44"
    load = load_file(officer, published, csv_bytes(rows))
    report = QualityReport.objects.get(load=load)
    assert report.validity == 0.8 and report.uniqueness == 0.9
    assert report.field_completeness["legal_representative"] == 0.9
    assert 0 < report.score < 100


def test_the_birth_date_must_agree_with_the_id_number(officer, city, settings, tmp_path):
    from tests.catalog.conftest import make_resource

    settings.VAR_DIR = tmp_path
    fields = [
        {"code": "id_number", "name": "公民身份号码", "data_type": "ric", "is_key": True},
        {"code": "name", "name": "姓名", "data_type": "string", "is_personal": True},
        {"code": "birth_date", "name": "出生日期", "data_type": "date"},
        {"code": "sex", "name": "性别", "data_type": "enum", "enum_values": ["男", "女"]},
    ]
    people = make_resource(officer, city["market"], code="B0101/000001", name="人口", base_registry="population",
                           fields=fields)  # fmt: skip
    catalog_services.publish_resource(actor=officer, resource=people)
    ric = company_row(5)["representative_id_number"]  # born 1980-01-06, male
    data = f"id_number,name,birth_date,sex\n{ric},张三,1980-01-06,男\n{ric[:-1]}X,李四,1980-01-06,男\n".encode()
    good = load_file(officer, people, data)
    assert good.rows_written == 1
    good_ric = company_row(6)["representative_id_number"]  # born 1980-01-07, male
    bad_rows = f"id_number,name,birth_date,sex\n{ric},张三,1981-01-06,女\n{good_ric},王五,1980-01-07,男\n".encode()
    bad = load_file(officer, people, bad_rows)
    assert {e.code for e in bad.errors.all()} >= {"rule.ric_birth_date", "rule.ric_sex"}
    assert QualityReport.objects.get(load=bad).consistency == 0.5


def test_another_departments_officer_cannot_load(factory, city, published):
    other = factory.staff("data_officer", city["health"])
    with pytest.raises(ServiceError) as caught:
        load_file(other, published, csv_bytes([company_row(1)]))
    assert caught.value.code == "not_found"


def test_a_draft_resource_cannot_be_loaded(officer, city, settings, tmp_path):
    from tests.catalog.conftest import make_resource

    settings.VAR_DIR = tmp_path
    draft = make_resource(officer, city["market"], code="B0201/000002", name="草稿")
    with pytest.raises(ServiceError) as caught:
        load_file(officer, draft, csv_bytes([company_row(1)]))
    assert caught.value.code == "load.resource_not_published"


def test_a_load_can_be_rerun_after_the_catalog_is_fixed(officer, published):
    rows = [
        company_row(1, region_code="990199")
    ]  # not a region the city has… but valid test region
    rows.append(company_row(2, registered_capital="一百万"))
    first = load_file(officer, published, csv_bytes(rows))
    assert first.rows_invalid == 1
    fields = [dict(code=f.code, name=f.name, data_type="string" if f.code == "registered_capital" else f.data_type,
                   length=f.length, required=f.required, is_key=f.is_key, is_personal=f.is_personal)
              for f in published.fields.all()]  # fmt: skip
    catalog_services.update_resource(
        actor=officer, resource=published, fields=fields, note="注册资本改为文本"
    )
    second = services.rerun_load(actor=officer, load=first)
    second.refresh_from_db()
    assert second.rerun_of == first and second.rows_invalid == 0 and second.sha256 == first.sha256


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.csv", "file.empty"),
        ("uscc,name\n".encode("utf-16"), "utf16.csv", "file.encoding"),
        (b"not a spreadsheet", "fake.xlsx", "file.format"),
        (b"\n\n", "blank.csv", "file.empty"),
        (b",,\n1,2,3\n", "noheader.csv", "file.header_missing"),
    ],
)
def test_bad_files_fail_with_a_clear_code_and_nothing_is_written(
    officer, published, data, name, code
):
    try:
        load = load_file(officer, published, data, name)
    except ServiceError as exc:  # refused at the door
        assert exc.code == code
        return
    assert load.status == "failed" and load.error_code == code and load.error_message
    assert not Record.objects.exists()


def test_a_wrong_header_fails_the_load_and_names_the_missing_column(officer, published):
    load = load_file(officer, published, b"code,title\n1,2\n")
    assert load.status == "failed" and load.error_code == "header.missing_field"
    assert load.errors.filter(field="uscc", code="header.missing_field").exists()


def test_a_row_with_ten_thousand_columns_is_quarantined(officer, published):
    data = csv_bytes([company_row(1)]) + (",x" * 10_000).encode() + b"\n"
    load = load_file(officer, published, data)
    assert load.rows_written == 1
    assert load.errors.get().code == "row.too_many_columns"


def test_a_file_larger_than_the_limit_is_refused(officer, published, settings):
    settings.REGISTRY_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ServiceError) as caught:
        load_file(officer, published, csv_bytes([company_row(i) for i in range(5)]))
    assert caught.value.code == "file.too_large"


def test_an_unsupported_extension_is_refused(officer, published):
    with pytest.raises(ServiceError) as caught:
        load_file(officer, published, b"x", "data.pdf")
    assert caught.value.code == "file.format"


def test_a_resource_changed_while_its_load_runs_fails_the_load(officer, published, monkeypatch):
    """The change comes from another connection while the rows are being read (on PostgreSQL a
    first load is then inside its one transaction); the load notices at the end, writes nothing."""
    import threading

    from django.db import connections

    from yiwang.registry import loading

    original = loading._read

    def read_then_change(*args, **kwargs):
        counters = original(*args, **kwargs)

        def change():
            catalog_services.update_resource(
                actor=officer, resource=Resource.objects.get(pk=published.pk), summary="并发修改",
                note="并发",
            )  # fmt: skip
            connections.close_all()

        other = threading.Thread(target=change)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()
        return counters

    monkeypatch.setattr(loading, "_read", read_then_change)
    load = load_file(officer, published, csv_bytes([company_row(1)]))
    assert load.status == "failed" and load.error_code == "load.resource_changed"
    assert not Record.objects.exists()
    assert Resource.objects.get(pk=published.pk).summary == "并发修改"


def test_the_quarantine_download_is_formula_safe(officer, published, client):
    rows = [company_row(1, name="=cmd|' /C calc'!A0", established="bad")]
    load = load_file(officer, published, csv_bytes(rows))
    client.force_login(officer)
    response = client.get(f"/api/v1/registry/loads/{load.pk}/errors.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "value.not_date" in body
    assert "=cmd" in body and ",=cmd" not in body and "'" in body


def test_a_load_with_no_valid_row_fails_and_does_not_count_as_delivered(officer, published):
    load = load_file(officer, published, csv_bytes([company_row(1, uscc="bad")]))
    assert load.status == "failed" and load.error_code == "load.no_valid_rows"
    published.refresh_from_db()
    assert published.last_loaded_at is None and load.errors.count() == 1


def test_replace_with_bad_rows_keeps_the_records_it_would_have_dropped(officer, published):
    load_file(officer, published, csv_bytes([company_row(1), company_row(2)]))
    load = load_file(
        officer,
        published,
        csv_bytes([company_row(1), company_row(2, established="bad")]),
        mode="replace",
    )
    assert load.status == "succeeded" and load.rows_deleted == 0 and load.stats["replace_skipped"]
    assert Record.objects.count() == 2


def test_columns_that_match_no_field_are_reported(officer, published):
    data = csv_bytes([dict(company_row(1), remark="x")], header=[*HEADER, "remark"])
    load = load_file(officer, published, data)
    assert load.stats["ignored_columns"] == ["remark"]


def test_recovery_also_fails_the_job_of_a_dead_load(officer, published):
    import datetime

    from django.utils import timezone

    from yiwang.core.models import Job
    from yiwang.registry import loading

    load = load_file(officer, published, csv_bytes([company_row(1)]))
    job = Job.objects.create(kind="registry.load", title="x", status="running")
    Load.objects.filter(pk=load.pk).update(status="validating", job=job,
                                           heartbeat_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    assert loading.recover_stale_loads() == 1
    assert Job.objects.get(pk=job.pk).status == "failed"


def test_a_merging_load_is_given_longer_before_it_is_declared_dead(officer, published):
    import datetime

    from django.utils import timezone

    from yiwang.registry import loading

    load = load_file(officer, published, csv_bytes([company_row(1)]))
    Load.objects.filter(pk=load.pk).update(
        status="merging", heartbeat_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert loading.recover_stale_loads() == 0


@pytest.fixture
def notes(officer, city):
    """A published resource keyed by free text without a length (so a key may be very long)."""
    from tests.catalog.conftest import make_resource

    fields = [{"code": "title", "name": "标题", "data_type": "string", "is_key": True},
              {"code": "body", "name": "内容", "data_type": "string"}]  # fmt: skip
    resource = make_resource(officer, city["market"], code="D0301/000009", name="公告", category="department",
                             base_registry="", fields=fields)  # fmt: skip
    return catalog_services.publish_resource(actor=officer, resource=resource)


def test_a_key_longer_than_the_registry_stores_is_quarantined_and_the_rest_loaded(
    officer, published, notes
):
    data = f"title,body\n{'长' * 256},太长\n{'短' * 255},正好\n".encode()
    load = load_file(officer, notes, data)
    assert (load.status, load.rows_written, load.rows_invalid) == ("succeeded", 1, 1)
    error = load.errors.get()
    assert (error.row, error.code) == (2, "key.too_long")
    assert "256" in error.message and "255" in error.message
    assert Record.objects.get(resource=notes).key == "短" * 255


def test_an_unexpected_error_fails_the_load_and_its_job_at_once(officer, published, monkeypatch):
    from django.db import DataError

    from yiwang.core.models import Job
    from yiwang.registry import loading

    def flush(self, staged, errors, counters):
        raise DataError("value too long for type character varying(255)\nCONTEXT: COPY … 张三")

    # Wherever the rows go: the staging table, or straight into an empty registry.
    monkeypatch.setattr(loading._StagingSink, "flush", flush)
    monkeypatch.setattr(loading._DirectSink, "flush", flush)
    load = load_file(officer, published, csv_bytes([company_row(1)]))
    assert load.status == "failed" and load.error_code == "load.internal_error"
    assert "DataError" in load.error_message and "张三" not in load.error_message
    assert load.finished_at is not None
    assert Job.objects.get(pk=load.job_id).status == "failed"
    assert not Record.objects.exists()


def test_an_unexpected_error_without_a_job_fails_the_load_and_returns_it(
    officer, published, monkeypatch
):
    from yiwang.registry import loading

    def broken_conclusion(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(loading, "_conclude", broken_conclusion)
    load = services.receive_file(actor=officer, resource=published, upload=upload(csv_bytes([company_row(1)])),
                                 background=False)  # fmt: skip
    load = loading.run_load(load)
    assert (load.status, load.error_code) == ("failed", "load.internal_error")


def test_replace_with_in_batch_duplicates_still_drops_the_missing_records(officer, published):
    load_file(officer, published, csv_bytes([company_row(1), company_row(2), company_row(3)]))
    load = load_file(officer, published, csv_bytes([company_row(1), company_row(2), company_row(1, name="重复")]),
                     mode="replace")  # fmt: skip
    assert (load.status, load.rows_written, load.rows_deleted) == ("succeeded", 2, 1)
    assert not load.stats["replace_skipped"]
    assert sorted(Record.objects.values_list("key", flat=True)) == sorted(
        [company_row(1)["uscc"], company_row(2)["uscc"]]
    )


def test_replace_with_a_duplicate_and_a_bad_row_keeps_the_missing_records(officer, published):
    load_file(officer, published, csv_bytes([company_row(1), company_row(2), company_row(3)]))
    rows = [company_row(1), company_row(1), company_row(2, established="bad")]
    load = load_file(officer, published, csv_bytes(rows), mode="replace")
    assert load.rows_deleted == 0 and load.stats["replace_skipped"]
    assert Record.objects.count() == 3


def test_an_upload_runs_as_a_job_whose_progress_reaches_the_total(officer, published):
    from yiwang.core.models import Job

    load = load_file(officer, published, csv_bytes([company_row(i) for i in range(30)]))
    job = Job.objects.get(pk=load.job_id)
    assert (job.kind, job.status) == ("registry.load", "succeeded")
    assert job.total == 30 and job.done == job.total
    assert job.result["written"] == 30


def test_progress_reaches_the_total_when_the_estimate_was_wrong(officer, published):
    from yiwang.core.models import Job

    rows = [company_row(i) for i in range(5)]
    rows[2]["name"] = (
        "第一行\n第二行"  # a quoted line break: the newline estimate counts one row too many
    )
    load = load_file(officer, published, csv_bytes(rows))
    job = Job.objects.get(pk=load.job_id)
    assert load.rows_total == 5 and (job.done, job.total) == (5, 5)


def test_the_quarantine_csv_is_written_in_chunks_not_built_whole(officer, published):
    from yiwang.registry.downloads import CHUNK_ROWS, quarantine_rows
    from yiwang.registry.models import LoadError

    load = load_file(officer, published, csv_bytes([company_row(1)]))
    LoadError.objects.bulk_create(
        LoadError(load=load, row=n, field="name", code="value.required", message="企业名称不能为空")
        for n in range(2, CHUNK_ROWS * 2 + 12)
    )
    chunks = list(quarantine_rows(load, officer))
    assert len(chunks) == 4  # the header, two full chunks, the rest
    assert sum(chunk.count(b"\n") for chunk in chunks) == 1 + CHUNK_ROWS * 2 + 10


def test_a_quarantined_row_keeps_its_cells_in_the_files_order(officer, published):
    header = ["备注", *HEADER, "备注"]
    row = dict(company_row(1, established="bad"), 备注="x")
    load = load_file(officer, published, csv_bytes([row], header=header))
    raw = load.errors.get().raw
    assert [
        name for name, _value in raw
    ] == header  # both 备注 columns, in order, on every database


def test_the_quarantine_csv_still_reads_rows_kept_as_a_json_object(officer, published):
    from yiwang.registry.downloads import quarantine_rows

    load = load_file(officer, published, csv_bytes([company_row(1, established="bad")]))
    load.errors.update(raw={"uscc": "X", "established": "bad"})
    assert "uscc=X；established=bad" in b"".join(quarantine_rows(load, officer)).decode("utf-8-sig")
