import csv
import gzip
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.catalog.conftest import city, legal_persons, make_resource, officer  # noqa: F401 — shared fixtures
from yiwang.catalog import services as catalog_services
from yiwang.core import identifiers

HEADER = ["uscc", "name", "legal_representative", "representative_id_number", "region_code", "registered_capital",
          "established"]  # fmt: skip


def company_row(i: int, **overrides) -> dict:
    import datetime

    row = {
        "uscc": identifiers.make_uscc(region="990100", org_body=f"{i:08d}"),
        "name": f"江澜测试{i}有限公司",
        "legal_representative": "张三",
        "representative_id_number": identifiers.make_ric(region="990102", born=datetime.date(1980, 1, 1) +
                                                         datetime.timedelta(days=i % 9000), sequence=i % 100, sex="M"),
        "region_code": "990102",
        "registered_capital": "100.50",
        "established": "2015-06-01",
    }  # fmt: skip
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], *, encoding="utf-8", header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(data: bytes, name="companies.csv"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def jsonl_bytes(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


@pytest.fixture
def published(officer, legal_persons, settings, tmp_path):  # noqa: F811
    settings.VAR_DIR = tmp_path
    return catalog_services.publish_resource(actor=officer, resource=legal_persons)
