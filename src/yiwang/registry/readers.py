"""Streaming readers for load files (数据归集): CSV (UTF-8 or GB18030, optionally
gzipped), XLSX and JSON Lines.

`open_table` checks what can be checked up front (size, encoding, format, header)
and raises `ReadError`; `Table.rows()` then streams `(row_number, cells)` with
memory bounded by the longest line, never the file. A row that cannot be parsed
comes out as a `BadRow` in place of its cells, so the load quarantines it and
goes on. Row numbers are what a person sees: the header is row 1 (CSV records
are counted like spreadsheet rows, so a quoted field spanning lines is one row);
JSON Lines rows are line numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import gzip
import io
import itertools
import json
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

FORMATS = ("csv", "xlsx", "jsonl")
SNIFF_BYTES = 64 * 1024
FIELD_SIZE_LIMIT = 1024 * 1024  # characters in one CSV field
LINE_SIZE_LIMIT = 4 * 1024 * 1024  # characters in one physical line
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
SAVE_AS = "请用 Excel 或 WPS 另存为 UTF-8 或 GB18030 编码的 CSV"


class ReadError(Exception):
    """The file as a whole cannot be read; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class BadRow:
    """Stands in for the cells of a row that could not be parsed."""

    row_number: int
    code: str
    message: str


class Table:
    """An open load file: its header (None for JSON Lines) and a single pass over its rows."""

    def __init__(self, header: list[str] | None, rows: Iterator, close: Callable[[], None]):
        self.header = header
        self._rows: Iterator | None = rows
        self._close = close

    def rows(self) -> Iterator[tuple[int, list[str] | dict | BadRow]]:
        """Yield (row_number, cells) once; blank rows are skipped, numbering is kept."""
        if self._rows is None:
            raise RuntimeError("the rows of a table can be read only once")
        rows, self._rows = self._rows, None
        return rows

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_table(path: str | os.PathLike, fmt: str, *, max_bytes: int | None = None) -> Table:
    """Open a load file of format "csv" (".gz" too), "xlsx" or "jsonl" for streaming."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    path = os.fspath(path)
    size = os.stat(path).st_size
    if max_bytes is not None and size > max_bytes:
        raise ReadError("file.too_large", f"文件大小 {size} 字节，超过上限 {max_bytes} 字节")
    if size == 0:
        raise ReadError("file.empty", "文件为空")
    if fmt == "xlsx":
        return _open_xlsx(path)
    encoding = detect_encoding(path)
    stream = io.TextIOWrapper(_open_bytes(path, max_bytes), encoding=encoding, newline="")
    try:
        if fmt == "csv":
            return _open_csv(stream, encoding)
        return _open_jsonl(stream, encoding)
    except BaseException:
        stream.close()
        raise


# --- encoding -------------------------------------------------------------------


def detect_encoding(path: str | os.PathLike) -> str:
    """ "utf-8-sig", "utf-8" or "gb18030", judged on the first 64 KiB (of a .gz: unpacked)."""
    with _open_bytes(os.fspath(path), None) as stream:
        head = _read_or_fail(stream, SNIFF_BYTES)
        complete = len(head) < SNIFF_BYTES or not _read_or_fail(stream, 1)
    if head.startswith(UTF8_BOM):
        return "utf-8-sig"
    if head.startswith(UTF16_BOMS):
        raise ReadError("file.encoding", f"文件是 UTF-16 编码，{SAVE_AS}")
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise ReadError(
            "file.format", "这是 Excel 或压缩文件，不是文本文件；XLSX 请按 XLSX 格式上传"
        )
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 or UTF-32 without a BOM
        raise ReadError("file.encoding", f"文件像是 UTF-16/UTF-32 编码，{SAVE_AS}")
    for encoding in ("utf-8", "gb18030"):
        # An incremental decoder keeps back a multibyte character cut at the 64 KiB mark.
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ReadError("file.encoding", f"无法识别文件编码，{SAVE_AS}")


def _read_or_fail(stream, size: int) -> bytes:
    try:
        return stream.read(size)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise ReadError("file.format", "不是有效的 gzip 压缩文件") from exc


class _LimitedReader(io.RawIOBase):
    """Unpacked bytes of a .gz, refusing more than max_bytes (a gzip bomb)."""

    def __init__(self, inner, max_bytes: int):
        self._inner = inner
        self._left = max_bytes
        self._max_bytes = max_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._inner.readinto(buffer)
        self._left -= count
        if self._left < 0:
            message = f"解压后超过上限 {self._max_bytes} 字节"
            raise ReadError("file.too_large", message)
        return count

    def close(self) -> None:
        self._inner.close()
        super().close()


def _open_bytes(path: str, max_bytes: int | None):
    if not path.lower().endswith(".gz"):
        return open(path, "rb")  # the Table owns and closes it
    unpacked = gzip.open(path, "rb")
    if max_bytes is None:
        return unpacked
    return io.BufferedReader(_LimitedReader(unpacked, max_bytes))


# --- CSV ------------------------------------------------------------------------


class _GuardedLines:
    """Physical lines for csv.reader, each at most LINE_SIZE_LIMIT characters.

    A line holding a NUL byte, or too long to hold in memory, is replaced by an
    empty line; `problem` says why, for the row that contained it.
    """

    def __init__(self, stream):
        self.stream = stream
        self.problem: tuple[str, str] | None = None

    def __iter__(self) -> Iterator[str]:
        readline = self.stream.readline
        limit = LINE_SIZE_LIMIT
        while line := readline(limit):
            if len(line) >= limit and line[-1] not in "\r\n":
                while (more := readline(limit)) and more[-1] not in "\r\n":
                    pass
                self.problem = ("row.too_large", f"该行超过 {limit} 个字符，无法读取")
                yield "\n"
            elif "\x00" in line:
                self.problem = ("row.nul_byte", "该行含有空字符（NUL），可能是二进制内容")
                yield "\n"
            else:
                yield line


def _open_csv(stream, encoding: str) -> Table:
    csv.field_size_limit(FIELD_SIZE_LIMIT)  # process-wide; a bigger field is a row error
    lines = _GuardedLines(stream)
    records = _csv_records(csv.reader(lines), lines, encoding)
    first = next(records, None)
    if first is None:
        raise ReadError("file.empty", "文件为空")
    _number, cells = first
    if isinstance(cells, BadRow):
        raise ReadError("file.header_missing", f"第 1 行表头无法读取：{cells.message}")
    if not any(cell.strip() for cell in cells):
        if any(True for _ in _skip_blank(records)):
            raise ReadError("file.header_missing", "第 1 行应为表头（列名），但它是空行")
        raise ReadError("file.empty", "文件中没有内容")
    return Table(cells, _skip_blank(records), stream.close)


def _csv_records(reader, lines: _GuardedLines, encoding: str):
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            lines.problem = None
            if "field larger than field limit" in str(exc):
                message = f"该行有字段超过 {FIELD_SIZE_LIMIT} 个字符"
                yield number, BadRow(number, "row.field_too_large", message)
            else:
                yield number, BadRow(number, "row.bad_csv", f"该行不是有效的 CSV：{exc}")
            continue
        except UnicodeDecodeError as exc:
            message = f"第 {number + 1} 行附近的内容不是 {encoding} 编码，{SAVE_AS}"
            raise ReadError("file.encoding", message) from exc
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise ReadError("file.format", "gzip 压缩文件已损坏或不完整") from exc
        number += 1
        if lines.problem is not None:
            yield number, BadRow(number, *lines.problem)
            lines.problem = None
        else:
            yield number, cells


def _skip_blank(records):
    for number, cells in records:
        if cells.__class__ is not list or any(cells):
            yield number, cells


# --- XLSX -----------------------------------------------------------------------


def _open_xlsx(path: str) -> Table:
    with open(path, "rb") as file:
        if file.read(4) != ZIP_MAGIC:
            raise ReadError("file.format", "不是 XLSX 文件；旧版 .xls 请另存为 .xlsx 或 CSV")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any parser failure on an uploaded file is a format error
        raise ReadError("file.format", "不是有效的 XLSX 文件") from exc
    try:
        if not workbook.worksheets:
            raise ReadError("file.empty", "工作簿中没有工作表")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # don't trust the stored size: rows come as they are
        rows = _xlsx_rows(sheet.iter_rows(values_only=True))
        first = next(rows, None)
        if first is None:
            raise ReadError("file.empty", "第一个工作表为空")
        number, header = first
        if number != 1:
            raise ReadError("file.header_missing", "第 1 行应为表头（列名），但它是空行")
        return Table(header, rows, workbook.close)
    except BaseException:
        workbook.close()
        raise


def _xlsx_rows(values: Iterator[tuple]):
    number = 0
    while True:
        try:
            row = next(values)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet part inside a valid zip
            raise ReadError("file.format", f"XLSX 第 {number + 1} 行附近内容损坏") from exc
        number += 1
        cells = [v if v.__class__ is str else _xlsx_text(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            yield number, cells


def _xlsx_text(value: object) -> str:
    """A cell value as the text a person sees in Excel (dates as ISO, no "5.0")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = format(value, ".15g")  # Excel keeps 15 significant digits
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


# --- JSON Lines -----------------------------------------------------------------


def _open_jsonl(stream, encoding: str) -> Table:
    rows = _jsonl_rows(stream, encoding)
    first = next(rows, None)
    if first is None:
        raise ReadError("file.empty", "文件中没有内容")
    return Table(None, itertools.chain((first,), rows), stream.close)


def _jsonl_rows(stream, encoding: str):
    lines = _GuardedLines(stream)
    number = 0
    try:
        for number, line in enumerate(lines, 1):
            if lines.problem is not None:
                yield number, BadRow(number, *lines.problem)
                lines.problem = None
            elif line.strip():
                yield number, _json_object(number, line)
    except UnicodeDecodeError as exc:
        message = f"第 {number + 1} 行附近的内容不是 {encoding} 编码，请另存为 UTF-8"
        raise ReadError("file.encoding", message) from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ReadError("file.format", "gzip 压缩文件已损坏或不完整") from exc


def _json_object(number: int, line: str) -> dict | BadRow:
    try:
        value = json.loads(line, parse_float=Decimal)  # decimals stay exact
    except json.JSONDecodeError as exc:  # the parser's own words are English: say where, in Chinese
        return BadRow(number, "row.bad_json", f"该行不是有效的 JSON：第 {exc.pos + 1} 个字符处有误")
    except RecursionError:
        return BadRow(number, "row.bad_json", "该行不是有效的 JSON：嵌套层数过多")
    except ValueError:  # e.g. an integer of more digits than Python converts
        return BadRow(
            number, "row.bad_json", "该行不是有效的 JSON：含有无法读取的值（如位数过多的数字）"
        )
    if not isinstance(value, dict):
        return BadRow(number, "row.bad_json", "该行不是 JSON 对象（应为 {...}）")
    if "\\u0000" not in line and not _SURROGATE_ESCAPE.search(line):
        return value
    try:
        if _holds(value, lambda text: "\x00" in text):
            return BadRow(number, "row.nul_byte", "该行含有空字符（\\u0000）")
        if _holds(value, _not_unicode):
            message = "该行含有无效的 Unicode 字符（不成对的 \\uD800–\\uDFFF 转义）"
            return BadRow(number, "row.bad_json", message)
    except RecursionError:
        return BadRow(number, "row.bad_json", "该行 JSON 嵌套过深")
    return value


# A \\uD800–\\uDFFF escape: JSON lets one stand alone, but then it is no character at all,
# and no value holding it can be stored or encoded again.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _not_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _holds(value: object, test) -> bool:
    """Whether a string anywhere in a parsed JSON value (keys too) passes `test`."""
    if isinstance(value, str):
        return test(value)
    if isinstance(value, dict):
        return any(_holds(k, test) or _holds(v, test) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds(v, test) for v in value)
    return False
