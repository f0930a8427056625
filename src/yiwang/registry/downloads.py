"""Downloads of a load's quarantined rows (问题数据) as CSV, streamed row by row, each row as
the downloader may see it (personal values masked outside the owning department)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from yiwang.core.spreadsheet import safe_cell
from yiwang.registry.models import Load
from yiwang.registry.selectors import CHUNK_ROWS, quarantined_rows

HEADER = ["行号", "信息项", "错误代码", "说明", "原始数据"]


class _Line:
    """A file-like object whose write() hands the CSV line back instead of storing it."""

    def write(self, text: str) -> str:
        return text


def quarantine_rows(load: Load, actor) -> Iterator[bytes]:
    """The CSV's bytes: a UTF-8 BOM (so Excel reads Chinese), the header, then one line per row,
    formula-safe (a cell like ``=cmd|...`` is written as text)."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode() + writer.writerow(HEADER).encode()
    lines = []
    for e in quarantined_rows(actor, load):
        raw = "；".join(f"{k}={v}" for k, v in e.raw)
        lines.append(
            writer.writerow(
                [e.row, safe_cell(e.field), e.code, safe_cell(e.message), safe_cell(raw)]
            )
        )
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines).encode()
            lines.clear()
    if lines:
        yield "".join(lines).encode()


def quarantine_csv(load: Load, actor) -> StreamingHttpResponse:
    """下载问题数据: however many rows were quarantined, memory stays flat."""
    response = StreamingHttpResponse(
        quarantine_rows(load, actor), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="load-{load.pk}-errors.csv"'
    return response
