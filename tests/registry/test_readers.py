"""Streaming readers for load files: encodings, CSV, gzip, XLSX, JSON Lines, bad input."""

import datetime
import gzip
import json
from decimal import Decimal

import pytest
from openpyxl import Workbook

from yiwang.registry.readers import (
    FIELD_SIZE_LIMIT,
    SNIFF_BYTES,
    BadRow,
    ReadError,
    detect_encoding,
    open_table,
)


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def read_all(path, fmt="csv", **options):
    with open_table(path, fmt, **options) as table:
        return table.header, list(table.rows())


def raises_code(code: str):
    return pytest.raises(ReadError, check=lambda exc: exc.code == code)


# --- encodings -----------------------------------------------------------------


def test_a_gb18030_file_is_detected(tmp_path):
    path = tmp_path / "gb.csv"
    path.write_text("统一社会信用代码,名称\n1,江澜市东湖区\n", encoding="gb18030")
    assert detect_encoding(path) == "gb18030"


def test_a_gb18030_file_is_decoded(tmp_path):
    path = tmp_path / "gb.csv"
    path.write_text("统一社会信用代码,名称\n1,江澜市东湖区\n", encoding="gb18030")
    assert read_all(path) == (["统一社会信用代码", "名称"], [(2, ["1", "江澜市东湖区"])])


def test_a_utf8_file_with_a_bom_is_read_without_the_bom(tmp_path):
    path = write(tmp_path / "bom.csv", "名称\n江澜\n".encode("utf-8-sig"))
    assert detect_encoding(path) == "utf-8-sig"
    assert read_all(path)[0] == ["名称"]


def test_a_plain_ascii_file_is_utf8(tmp_path):
    assert detect_encoding(write(tmp_path / "a.csv", b"a,b\n1,2\n")) == "utf-8"


def test_a_utf8_character_cut_by_the_sniffing_window_still_reads_as_utf8(tmp_path):
    data = b"a" * (SNIFF_BYTES - 1) + "中".encode() + b"\n" + b"b" * 10
    with pytest.raises(UnicodeDecodeError):
        data[:SNIFF_BYTES].decode("utf-8")  # the window really does cut the character
    assert detect_encoding(write(tmp_path / "cut.csv", data)) == "utf-8"


def test_a_utf16_file_is_refused_with_advice_to_save_as_utf8_or_gb18030(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_text("名称\n江澜\n", encoding="utf-16")
    with raises_code("file.encoding") as info:
        detect_encoding(path)
    assert "UTF-8" in info.value.message and "GB18030" in info.value.message


def test_a_utf16_file_without_a_bom_is_refused(tmp_path):
    path = write(tmp_path / "u16.csv", "name,city\n1,2\n".encode("utf-16-le"))
    with raises_code("file.encoding"):
        detect_encoding(path)


@pytest.mark.parametrize("data", [b"caf\xe9 au lait\n", b"a,b\n\x80\xff\n"])
def test_bytes_invalid_in_both_utf8_and_gb18030_are_refused(tmp_path, data):
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    with raises_code("file.encoding"):
        detect_encoding(write(tmp_path / "latin1.csv", data))


def test_a_file_changing_encoding_after_the_sniffing_window_fails_cleanly(tmp_path):
    data = b"a\n" + b"x\n" * (SNIFF_BYTES // 2) + "名称\n".encode("gb18030")
    with raises_code("file.encoding"):
        read_all(write(tmp_path / "mixed.csv", data))


# --- CSV -----------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path):
    with raises_code("file.empty"):
        open_table(write(tmp_path / "empty.csv", b""), "csv")


def test_a_file_of_blank_lines_is_refused_as_empty(tmp_path):
    with raises_code("file.empty"):
        open_table(write(tmp_path / "blank.csv", b"\n\n,,\n"), "csv")


def test_a_file_whose_first_row_is_blank_is_refused_as_missing_its_header(tmp_path):
    with raises_code("file.header_missing"):
        open_table(write(tmp_path / "noheader.csv", b"\n1,2\n"), "csv")


def test_a_header_only_file_yields_no_rows(tmp_path):
    assert read_all(write(tmp_path / "h.csv", b"uscc,name\n")) == (["uscc", "name"], [])


def test_a_file_larger_than_max_bytes_is_refused_before_reading(tmp_path):
    with raises_code("file.too_large"):
        open_table(write(tmp_path / "big.csv", b"a\n" + b"1\n" * 100), "csv", max_bytes=50)


def test_row_numbers_count_the_header_as_row_one(tmp_path):
    _header, rows = read_all(write(tmp_path / "r.csv", b"a,b\n1,2\n3,4\n"))
    assert rows == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_blank_rows_are_skipped_but_keep_their_row_numbers(tmp_path):
    _header, rows = read_all(write(tmp_path / "r.csv", b"a,b\n1,2\n\n,\n3,4\n"))
    assert [number for number, _cells in rows] == [2, 5]


def test_a_quoted_field_spanning_lines_is_one_row(tmp_path):
    _header, rows = read_all(write(tmp_path / "r.csv", b'a,b\n"x\ny",2\n3,4\n'))
    assert rows == [(2, ["x\ny", "2"]), (3, ["3", "4"])]


def test_windows_line_endings_are_read(tmp_path):
    assert read_all(write(tmp_path / "r.csv", b"a,b\r\n1,2\r\n")) == (["a", "b"], [(2, ["1", "2"])])


def test_a_field_larger_than_the_cap_is_a_bad_row_and_reading_goes_on(tmp_path):
    huge = b"x" * (FIELD_SIZE_LIMIT + 1)
    _header, rows = read_all(write(tmp_path / "huge.csv", b"a,b\n1,2\n" + huge + b",3\n4,5\n"))
    assert rows[0] == (2, ["1", "2"])
    assert rows[1] == (3, BadRow(3, "row.field_too_large", rows[1][1].message))
    assert rows[2] == (4, ["4", "5"])


def test_a_line_too_long_to_hold_is_a_bad_row_and_reading_goes_on(tmp_path):
    long_line = b"x," * (3 * FIELD_SIZE_LIMIT)  # 6 MiB of small fields on one line
    _header, rows = read_all(write(tmp_path / "long.csv", b"a,b\n" + long_line + b"\n4,5\n"))
    assert [(n, getattr(cells, "code", cells)) for n, cells in rows] == [
        (2, "row.too_large"),
        (3, ["4", "5"]),
    ]


def test_a_row_with_a_nul_byte_is_a_bad_row(tmp_path):
    _header, rows = read_all(write(tmp_path / "nul.csv", b"a,b\n1,2\x00\n3,4\n"))
    assert [(n, getattr(cells, "code", cells)) for n, cells in rows] == [
        (2, "row.nul_byte"),
        (3, ["3", "4"]),
    ]


def test_a_gzipped_csv_is_read(tmp_path):
    path = write(tmp_path / "data.csv.gz", gzip.compress("名称\n江澜\n".encode("gb18030")))
    assert read_all(path) == (["名称"], [(2, ["江澜"])])


def test_a_gzipped_csv_unpacking_beyond_max_bytes_is_refused(tmp_path):
    path = write(tmp_path / "bomb.csv.gz", gzip.compress(b"a\n" + b"1\n" * 500_000))
    with raises_code("file.too_large"):
        read_all(path, max_bytes=100_000)


def test_a_file_named_gz_that_is_not_gzip_is_refused(tmp_path):
    with raises_code("file.format"):
        open_table(write(tmp_path / "fake.csv.gz", b"a,b\n1,2\n"), "csv")


def test_an_xlsx_uploaded_as_csv_is_refused_as_the_wrong_format(tmp_path):
    path = tmp_path / "book.xlsx"
    Workbook().save(path)
    with raises_code("file.format"):
        open_table(path, "csv")


def test_the_rows_of_a_table_can_be_read_only_once(tmp_path):
    with open_table(write(tmp_path / "r.csv", b"a\n1\n"), "csv") as table:
        list(table.rows())
        with pytest.raises(RuntimeError):
            table.rows()


def test_an_unknown_format_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError):
        open_table(write(tmp_path / "r.txt", b"a\n"), "txt")


# --- XLSX ----------------------------------------------------------------------


def save_workbook(path, rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_an_xlsx_sheet_is_read_with_dates_and_numbers_as_text(tmp_path):
    path = save_workbook(
        tmp_path / "lp.xlsx",
        [
            ["名称", "注册资本", "成立日期", "变更时间", "人数"],
            [
                "江澜云溪",
                1000000.5,
                datetime.date(2020, 3, 5),
                datetime.datetime(2021, 1, 2, 8, 30),
                12.0,
            ],
        ],
    )
    header, rows = read_all(path, "xlsx")
    assert header == ["名称", "注册资本", "成立日期", "变更时间", "人数"]
    assert rows == [(2, ["江澜云溪", "1000000.5", "2020-03-05", "2021-01-02T08:30:00", "12"])]


def test_an_xlsx_float_keeps_the_fifteen_digits_excel_shows(tmp_path):
    path = save_workbook(tmp_path / "f.xlsx", [["a", "b"], [0.1 + 0.2, 1e-7]])
    assert read_all(path, "xlsx")[1] == [(2, ["0.3", "0.0000001"])]


def test_xlsx_empty_cells_become_empty_text_and_trailing_ones_are_dropped(tmp_path):
    path = save_workbook(tmp_path / "e.xlsx", [["a", "b", "c"], [None, "x", None, None]])
    assert read_all(path, "xlsx")[1] == [(2, ["", "x"])]


def test_blank_xlsx_rows_are_skipped_but_keep_their_row_numbers(tmp_path):
    path = save_workbook(tmp_path / "b.xlsx", [["a"], ["1"], [None], ["3"]])
    assert read_all(path, "xlsx")[1] == [(2, ["1"]), (4, ["3"])]


def test_an_xlsx_whose_first_row_is_blank_is_refused_as_missing_its_header(tmp_path):
    path = save_workbook(tmp_path / "h.xlsx", [[None], ["a"], ["1"]])
    with raises_code("file.header_missing"):
        open_table(path, "xlsx")


def test_an_empty_xlsx_sheet_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with raises_code("file.empty"):
        open_table(path, "xlsx")


def test_a_text_file_named_xlsx_is_refused_as_the_wrong_format(tmp_path):
    with raises_code("file.format"):
        open_table(write(tmp_path / "fake.xlsx", b"a,b\n1,2\n"), "xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused_as_the_wrong_format(tmp_path):
    path = write(tmp_path / "fake.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    with raises_code("file.format"):
        open_table(path, "xlsx")


# --- JSON Lines ----------------------------------------------------------------


def jsonl(*lines: str) -> bytes:
    return "\n".join(lines).encode() + b"\n"


def test_json_lines_are_read_as_mappings_numbered_by_line(tmp_path):
    path = write(tmp_path / "r.jsonl", jsonl('{"name": "江澜"}', "", '{"name": "云溪"}'))
    assert read_all(path, "jsonl") == (None, [(1, {"name": "江澜"}), (3, {"name": "云溪"})])


def test_a_bad_json_line_in_the_middle_is_a_bad_row_and_the_others_are_read(tmp_path):
    path = write(tmp_path / "r.jsonl", jsonl('{"a": 1}', '{"a": ', '{"a": 3}'))
    _header, rows = read_all(path, "jsonl")
    assert [(n, getattr(cells, "code", cells)) for n, cells in rows] == [
        (1, {"a": 1}),
        (2, "row.bad_json"),
        (3, {"a": 3}),
    ]


@pytest.mark.parametrize("line", ["[1, 2]", '"text"', "42", "null"])
def test_a_json_line_that_is_not_an_object_is_a_bad_row(tmp_path, line):
    _header, rows = read_all(write(tmp_path / "r.jsonl", jsonl(line)), "jsonl")
    assert rows[0][1].code == "row.bad_json"


def test_a_deeply_nested_json_line_is_a_bad_row(tmp_path):
    line = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _header, rows = read_all(write(tmp_path / "deep.jsonl", jsonl(line)), "jsonl")
    assert rows[0][1].code == "row.bad_json"


def test_a_deeply_nested_json_line_is_explained_in_chinese(tmp_path):
    line = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _header, rows = read_all(write(tmp_path / "deep.jsonl", jsonl(line)), "jsonl")
    assert rows[0][1].message == "该行不是有效的 JSON：嵌套层数过多"


def test_a_broken_json_line_says_where_in_chinese(tmp_path):
    _header, rows = read_all(write(tmp_path / "r.jsonl", jsonl('{"a": x}')), "jsonl")
    assert rows[0][1].message == "该行不是有效的 JSON：第 7 个字符处有误"


def test_a_json_string_holding_a_nul_character_is_a_bad_row(tmp_path):
    line = json.dumps({"name": "a\x00b"})
    _header, rows = read_all(write(tmp_path / "nul.jsonl", jsonl(line)), "jsonl")
    assert rows[0][1].code == "row.nul_byte"


@pytest.mark.parametrize("escape", ["\\ud800", "\\uDFFF", "\\ude00\\ud83d"])
def test_a_json_string_holding_a_lone_surrogate_is_a_bad_row(tmp_path, escape):
    lines = ['{"name": "a' + escape + 'b"}', '{"note": ["x", {"k": "' + escape + '"}]}',
             '{"name": "笑\\ud83d\\ude00"}']  # fmt: skip
    _header, rows = read_all(write(tmp_path / "s.jsonl", jsonl(*lines)), "jsonl")
    assert [getattr(cells, "code", None) for _n, cells in rows] == ["row.bad_json"] * 2 + [None]
    assert "Unicode" in rows[0][1].message
    assert rows[2][1] == {"name": "笑😀"}  # a surrogate pair is one character, and fine


def test_json_decimals_are_read_exactly(tmp_path):
    path = write(tmp_path / "d.jsonl", jsonl('{"capital": 100.10}'))
    assert read_all(path, "jsonl")[1] == [(1, {"capital": Decimal("100.10")})]


def test_a_json_lines_file_of_blank_lines_is_refused_as_empty(tmp_path):
    with raises_code("file.empty"):
        open_table(write(tmp_path / "blank.jsonl", b"\n  \n"), "jsonl")
