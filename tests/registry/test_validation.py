"""Row validation for loads: data types, identifiers, header, rules, keys, export safety."""

import datetime
import time
import tracemalloc
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    make_ric,
    make_uscc,
    validate_mobile,
    validate_ric,
    validate_uscc,
)
from yiwang.core.spreadsheet import safe_cell
from yiwang.registry.validation import (
    DuplicateTracker,
    FieldSpec,
    RowError,
    RowValidator,
    Rule,
    infer_rules,
)

USCC = make_uscc(region="990100", org_body="A1234567")
RIC_MAN = make_ric(region="990102", born=datetime.date(1980, 5, 6), sequence=12, sex="M")
RIC_WOMAN_X = make_ric(region="990102", born=datetime.date(1985, 1, 1), sequence=8, sex="F")

LEGAL_PERSON = [
    FieldSpec("uscc", "统一社会信用代码", "uscc", 18, required=True, is_key=True),
    FieldSpec("name", "名称", "string", 200, required=True),
    FieldSpec("legal_representative", "法定代表人", "string", 50),
    FieldSpec("representative_id_number", "法定代表人身份号码", "ric", 18),
    FieldSpec("region_code", "行政区划代码", "region", 6),
    FieldSpec("registered_capital", "注册资本", "decimal"),
    FieldSpec("established", "成立日期", "date"),
]
PERSON = [
    FieldSpec("id_number", "公民身份号码", "ric", 18, required=True, is_key=True),
    FieldSpec("name", "姓名", "string", 50),
    FieldSpec("birth_date", "出生日期", "date"),
    FieldSpec("sex", "性别", "string", 1),
]

property_settings = settings(max_examples=300, deadline=None)


def validator_for(fields, rules=(), *, allow_test_region=True, header=None) -> RowValidator:
    validator = RowValidator(fields, rules, allow_test_region=allow_test_region)
    assert validator.check_header(header or [f.code for f in fields]) == []
    return validator


def check_one(data_type: str, cell, **options):
    """Validate a single cell of a one-field resource: (value, errors)."""
    spec = FieldSpec("f", "字段", data_type, **options)
    validator = validator_for([spec])
    values, errors = validator.validate(2, [cell])
    return (values or {}).get("f"), errors


def codes(errors: list[RowError]) -> list[str]:
    return [e.code for e in errors]


# --- strings and enums ---------------------------------------------------------


def test_a_string_is_stripped_of_surrounding_whitespace():
    assert check_one("string", "  江澜市  ") == ("江澜市", [])


def test_an_empty_optional_string_becomes_none():
    assert check_one("string", "   ") == (None, [])


def test_an_empty_required_value_is_refused_as_required():
    _value, errors = check_one("string", "", required=True)
    assert codes(errors) == ["value.required"]
    assert errors[0].message == "字段不能为空"


def test_a_string_length_is_counted_in_characters_not_bytes():
    assert check_one("string", "江澜市东湖区", length=6) == ("江澜市东湖区", [])


def test_a_string_longer_than_the_field_length_is_refused():
    _value, errors = check_one("string", "江澜市东湖区", length=5)
    assert codes(errors) == ["value.too_long"]


def test_an_enum_value_in_the_list_is_accepted():
    assert check_one("enum", "有效", enum_values=("有效", "注销")) == ("有效", [])


def test_an_enum_value_outside_the_list_is_refused():
    _value, errors = check_one("enum", "吊销", enum_values=("有效", "注销"))
    assert codes(errors) == ["value.not_in_enum"]


# --- numbers -------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [("42", 42), ("+42", 42), ("-7", -7)])
def test_an_integer_is_converted_to_int(cell, expected):
    assert check_one("integer", cell) == (expected, [])


@pytest.mark.parametrize("cell", ["4.2", "1,000", "12a", "1e3", "--1", "9" * 5000])
def test_text_that_is_not_an_integer_is_refused(cell):
    assert codes(check_one("integer", cell)[1]) == ["value.not_integer"]


def test_an_integer_beyond_64_bits_is_refused():
    assert codes(check_one("integer", str(2**63))[1]) == ["value.not_integer"]


@pytest.mark.parametrize(
    ("cell", "expected"), [("100.50", "100.50"), ("0100.5", "100.5"), ("-3", "-3"), (".5", "0.5")]
)
def test_a_decimal_is_kept_as_its_exact_canonical_string(cell, expected):
    assert check_one("decimal", cell) == (expected, [])


@pytest.mark.parametrize("cell", ["abc", "1.2.3", "NaN", "Infinity", "1e999999", "1,000.00"])
def test_text_that_is_not_a_plain_decimal_is_refused(cell):
    assert codes(check_one("decimal", cell)[1]) == ["value.not_decimal"]


def test_a_float_from_an_api_row_becomes_its_shortest_decimal_string():
    validator = validator_for([FieldSpec("f", "字段", "decimal")])
    assert validator.validate_mapping(1, {"f": 0.1}) == ({"f": "0.1"}, [])


def test_a_json_decimal_in_exponent_form_is_written_out_in_full():
    validator = validator_for([FieldSpec("f", "字段", "decimal")])
    assert validator.validate_mapping(1, {"f": Decimal("1E+5")}) == ({"f": "100000"}, [])


# --- dates, datetimes, booleans ------------------------------------------------


@pytest.mark.parametrize("cell", ["2024-01-31", "2024/01/31", "20240131", "2024/1/31"])
def test_a_date_in_an_accepted_form_becomes_iso(cell):
    assert check_one("date", cell) == ("2024-01-31", [])


@pytest.mark.parametrize("cell", ["2024-02-30", "2024-13-01", "31/01/2024", "2024-W05-3", "today"])
def test_text_that_is_not_a_date_is_refused(cell):
    assert codes(check_one("date", cell)[1]) == ["value.not_date"]


def test_an_excel_serial_number_in_a_csv_is_not_taken_for_a_date():
    assert codes(check_one("date", "45322")[1]) == ["value.not_date"]


def test_a_date_object_from_a_spreadsheet_is_accepted():
    assert check_one("date", datetime.date(2024, 1, 31)) == ("2024-01-31", [])


def test_a_midnight_datetime_object_is_accepted_as_a_date():
    assert check_one("date", datetime.datetime(2024, 1, 31)) == ("2024-01-31", [])


def test_a_datetime_with_a_time_of_day_is_not_silently_cut_to_a_date():
    assert codes(check_one("date", datetime.datetime(2024, 1, 31, 9))[1]) == ["value.not_date"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-01-31 08:30:00", "2024-01-31T08:30:00"),
        ("2024/01/31 08:30", "2024-01-31T08:30:00"),
        ("2024-01-31T08:30:00+08:00", "2024-01-31T08:30:00+08:00"),
    ],
)
def test_a_datetime_becomes_iso_8601(cell, expected):
    assert check_one("datetime", cell) == (expected, [])


@pytest.mark.parametrize("cell", ["yesterday", "2024-01-31 25:00", "08:30"])
def test_text_that_is_not_a_datetime_is_refused(cell):
    assert codes(check_one("datetime", cell)[1]) == ["value.not_datetime"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
    ],
)
def test_a_boolean_is_read_from_the_usual_spellings(cell, expected):
    assert check_one("boolean", cell) == (expected, [])


def test_text_that_is_not_a_boolean_is_refused():
    assert codes(check_one("boolean", "也许")[1]) == ["value.not_boolean"]


# --- identifiers ---------------------------------------------------------------


def test_a_valid_uscc_is_accepted():
    assert check_one("uscc", USCC) == (USCC, [])


def test_a_lowercase_uscc_with_spaces_is_normalised():
    assert check_one("uscc", f" {USCC[:9].lower()} {USCC[9:]} ") == (USCC, [])


def test_a_uscc_with_a_wrong_check_character_names_the_field_and_the_value():
    wrong = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    _value, errors = check_one("uscc", wrong)
    assert errors == [
        RowError(2, "f", "identifier.uscc.checksum", f"字段「{wrong}」校验位错误"),
    ]


def test_a_test_region_uscc_is_refused_when_the_test_region_is_not_allowed():
    spec = FieldSpec("uscc", "统一社会信用代码", "uscc")
    validator = validator_for([spec], allow_test_region=False)
    _values, errors = validator.validate(2, [USCC])
    assert codes(errors) == ["identifier.test_region"]


def test_a_valid_ric_is_accepted():
    assert check_one("ric", RIC_MAN) == (RIC_MAN, [])


def test_a_ric_with_a_lowercase_x_is_normalised():
    assert check_one("ric", RIC_WOMAN_X.lower()) == (RIC_WOMAN_X, [])


def test_a_ric_with_a_wrong_check_character_is_refused_with_the_identifier_code():
    wrong = RIC_MAN[:-1] + ("1" if RIC_MAN[-1] != "1" else "2")
    assert codes(check_one("ric", wrong)[1]) == ["identifier.ric.checksum"]


def test_a_ric_born_in_the_future_is_refused():
    future = make_ric(
        region="990102", born=datetime.date.today().replace(year=2999), sequence=1, sex="M"
    )
    assert codes(check_one("ric", future)[1]) == ["identifier.ric.birth_date"]


def test_a_known_gb_t_2260_region_is_accepted():
    assert check_one("region", "350102") == ("350102", [])


def test_a_region_not_in_gb_t_2260_is_refused():
    assert codes(check_one("region", "350199")[1]) == ["identifier.region.unknown"]


def test_a_region_that_is_not_six_digits_is_refused():
    assert codes(check_one("region", "35010")[1]) == ["identifier.region.format"]


def test_a_mobile_number_with_the_country_code_is_normalised():
    assert check_one("phone", "+86 138-0013-8000") == ("13800138000", [])


def test_a_number_that_is_not_a_mobile_is_refused():
    assert codes(check_one("phone", "12345678901")[1]) == ["identifier.mobile.format"]


def test_a_long_bad_value_is_cut_to_fifty_characters_in_the_message():
    _value, errors = check_one("uscc", "9" * 80)
    assert f"「{'9' * 50}…」" in errors[0].message


def outcome(check, value):
    try:
        return check(value)
    except IdentifierError as exc:
        return exc.code


def one_field_outcome(data_type: str, value: str):
    result, errors = check_one(data_type, value)
    return errors[0].code if errors else result


def mutations(code: str, alphabet: str):
    """A valid code with one character replaced, inserted, removed or lowercased."""
    position = st.integers(0, len(code) - 1)
    char = st.sampled_from(alphabet + alphabet.lower() + " -")
    return st.one_of(
        st.tuples(position, char).map(lambda p: code[: p[0]] + p[1] + code[p[0] + 1 :]),
        st.tuples(position, char).map(lambda p: code[: p[0]] + p[1] + code[p[0] :]),
        position.map(lambda i: code[:i] + code[i + 1 :]),
        st.just(code.lower()),
    )


@property_settings
@given(mutations(USCC, USCC_ALPHABET + "IOSVZ"))
def test_the_uscc_fast_path_agrees_with_the_identifier_validator(value):
    expected = outcome(lambda v: validate_uscc(v, allow_test_region=True), value.strip())
    assert one_field_outcome("uscc", value) == expected


@property_settings
@given(mutations(RIC_WOMAN_X, "0123456789X") | mutations(RIC_MAN, "0123456789X"))
def test_the_ric_fast_path_agrees_with_the_identifier_validator(value):
    expected = outcome(lambda v: validate_ric(v, allow_test_region=True), value.strip())
    assert one_field_outcome("ric", value) == expected


@property_settings
@given(mutations("13800138000", "0123456789+"))
def test_the_mobile_fast_path_agrees_with_the_identifier_validator(value):
    assert one_field_outcome("phone", value) == outcome(validate_mobile, value.strip())


# --- rows ----------------------------------------------------------------------


def test_a_valid_legal_person_row_comes_out_normalised():
    validator = validator_for(LEGAL_PERSON)
    row = [USCC, " 江澜云溪科技有限公司 ", "张三", RIC_MAN, "990102", "1000000.00", "2020/3/5"]
    assert validator.validate(2, row) == (
        {
            "uscc": USCC,
            "name": "江澜云溪科技有限公司",
            "legal_representative": "张三",
            "representative_id_number": RIC_MAN,
            "region_code": "990102",
            "registered_capital": "1000000.00",
            "established": "2020-03-05",
        },
        [],
    )


def test_every_error_of_a_row_is_reported_not_only_the_first():
    validator = validator_for(LEGAL_PERSON)
    row = ["X", "", "张三", "123", "99", "abc", "yesterday"]
    values, errors = validator.validate(7, row)
    assert values is None
    assert [(e.row, e.field) for e in errors] == [
        (7, "uscc"),
        (7, "name"),
        (7, "representative_id_number"),
        (7, "region_code"),
        (7, "registered_capital"),
        (7, "established"),
    ]


def test_a_row_with_fewer_cells_than_the_header_has_empty_values():
    validator = validator_for(LEGAL_PERSON)
    values, errors = validator.validate(2, [USCC, "江澜云溪科技有限公司"])
    assert errors == []
    assert values["established"] is None


def test_a_row_with_more_cells_than_the_header_is_refused():
    validator = validator_for(LEGAL_PERSON)
    _values, errors = validator.validate(2, [USCC, "名称", "", "", "", "", "", "多余"])
    assert codes(errors) == ["row.too_many_columns"]


def test_a_ten_thousand_column_row_is_refused_without_looking_at_its_cells():
    validator = validator_for(LEGAL_PERSON)
    row = ["不是代码"] * 10_000
    started = time.perf_counter()
    for _ in range(1000):
        values, errors = validator.validate(2, row)
    assert time.perf_counter() - started < 0.5
    assert (values, [(e.field, e.code) for e in errors]) == (None, [("", "row.too_many_columns")])


def test_validating_before_the_header_is_checked_is_a_programming_error():
    with pytest.raises(RuntimeError):
        RowValidator(LEGAL_PERSON, allow_test_region=True).validate(2, [USCC])


def test_a_key_field_is_required_even_when_not_marked_required():
    spec = FieldSpec("code", "编码", "string", is_key=True)
    validator = validator_for([spec])
    assert codes(validator.validate(2, [""])[1]) == ["value.required"]


def test_an_api_row_is_validated_by_field_code():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    values, errors = validator.validate_mapping(1, {"uscc": USCC, "name": "江澜云溪科技有限公司"})
    assert errors == []
    assert values["name"] == "江澜云溪科技有限公司"
    assert values["established"] is None


def test_an_api_row_with_a_list_for_a_text_field_is_refused():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    _values, errors = validator.validate_mapping(1, {"uscc": USCC, "name": ["a", "b"]})
    assert codes(errors) == ["value.not_scalar"]


def test_an_api_row_with_a_boolean_for_an_integer_field_is_refused():
    validator = RowValidator([FieldSpec("n", "数量", "integer")], allow_test_region=True)
    assert codes(validator.validate_mapping(1, {"n": True})[1]) == ["value.not_integer"]


def test_unknown_keys_of_an_api_row_are_reported_as_ignored():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    validator.validate_mapping(1, {"uscc": USCC, "name": "名称", "nickname": "x"})
    validator.validate_mapping(2, {"uscc": USCC, "name": "名称", "nickname": "y"})
    assert validator.ignored_columns == ["nickname"]


def test_an_api_row_with_more_keys_than_allowed_is_refused():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True, max_columns=10)
    row = {f"k{i}": i for i in range(11)}
    assert codes(validator.validate_mapping(1, row)[1]) == ["row.too_many_columns"]


def test_the_raw_values_of_a_quarantined_row_are_keyed_by_field_code():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    validator.check_header(["name", "备注", "uscc"])
    assert validator.raw_values(["名称", "x"]) == {"name": "名称", "uscc": None}


def test_the_raw_values_of_an_api_row_are_keyed_by_field_code():
    validator = RowValidator(LEGAL_PERSON[:2], allow_test_region=True)
    assert validator.raw_values({"uscc": "X", "nickname": "y"}) == {"uscc": "X", "name": None}


# --- header --------------------------------------------------------------------


def test_header_cells_are_matched_by_chinese_name():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    assert validator.check_header([f.name for f in LEGAL_PERSON]) == []
    values, _errors = validator.validate(2, [USCC, "江澜云溪科技有限公司", "", "", "", "", ""])
    assert values["uscc"] == USCC


def test_header_cells_match_ignoring_case_whitespace_and_a_bom():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    assert validator.check_header(["\ufeff USCC", " 名 称 "]) == []


def test_header_columns_may_come_in_any_order():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    validator.check_header(["name", "uscc"])
    assert validator.validate(2, ["名称", USCC])[0]["uscc"] == USCC


def test_a_missing_required_column_is_reported():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    errors = validator.check_header(["uscc", "legal_representative"])
    assert [(e.row, e.field, e.code) for e in errors] == [(1, "name", "header.missing_field")]


def test_a_missing_optional_column_is_not_an_error():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    assert validator.check_header(["uscc", "name"]) == []


def test_a_column_given_twice_is_reported_as_duplicate():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    errors = validator.check_header(["uscc", "name", "名称"])
    assert [(e.field, e.code) for e in errors] == [("name", "header.duplicate")]


def test_a_header_with_too_many_columns_is_refused():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True, max_columns=10)
    errors = validator.check_header(["uscc", "name"] + [f"c{i}" for i in range(9)])
    assert codes(errors) == ["header.too_many_columns"]


@pytest.mark.parametrize("header", [[], ["", "  "]])
def test_an_empty_header_is_refused(header):
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    assert codes(validator.check_header(header)) == ["header.empty"]


def test_unknown_columns_are_allowed_and_listed_as_ignored():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    assert validator.check_header(["uscc", "name", "备注"]) == []
    assert validator.ignored_columns == ["备注"]


def test_values_under_an_ignored_column_are_not_loaded():
    validator = RowValidator(LEGAL_PERSON, allow_test_region=True)
    validator.check_header(["uscc", "备注", "name"])
    values, _errors = validator.validate(2, [USCC, "随便写", "名称"])
    assert "随便写" not in values.values()


# --- rules ---------------------------------------------------------------------


def test_a_birth_date_matching_the_ric_is_accepted():
    validator = validator_for(PERSON, infer_rules(PERSON))
    assert validator.validate(2, [RIC_MAN, "张三", "1980-05-06", "男"])[1] == []


def test_a_birth_date_differing_from_the_ric_is_refused():
    validator = validator_for(PERSON, infer_rules(PERSON))
    _values, errors = validator.validate(2, [RIC_MAN, "张三", "1980-05-07", "男"])
    assert [(e.field, e.code) for e in errors] == [("birth_date", "rule.ric_birth_date")]


@pytest.mark.parametrize("sex", ["F", "女"])
def test_a_sex_differing_from_the_ric_is_refused(sex):
    validator = validator_for(PERSON, infer_rules(PERSON))
    _values, errors = validator.validate(2, [RIC_MAN, "张三", "", sex])
    assert [(e.field, e.code) for e in errors] == [("sex", "rule.ric_sex")]


@pytest.mark.parametrize(("ric", "sex"), [(RIC_MAN, "M"), (RIC_MAN, "男"), (RIC_WOMAN_X, "女")])
def test_a_sex_matching_the_ric_is_accepted(ric, sex):
    validator = validator_for(PERSON, infer_rules(PERSON))
    assert validator.validate(2, [ric, "张三", "", sex])[1] == []


def test_rules_are_not_checked_against_an_invalid_ric():
    validator = validator_for(PERSON, infer_rules(PERSON))
    _values, errors = validator.validate(2, ["123", "张三", "2001-01-01", "女"])
    assert codes(errors) == ["identifier.ric.length"]


def test_birth_date_and_sex_rules_are_inferred_from_field_codes():
    assert infer_rules(PERSON) == [
        Rule("ric_birth_date", ("id_number", "birth_date")),
        Rule("ric_sex", ("id_number", "sex")),
    ]


def test_no_rules_are_inferred_when_there_are_two_ric_fields():
    fields = [*PERSON, FieldSpec("spouse_id", "配偶身份号码", "ric")]
    assert infer_rules(fields) == []


def test_a_date_field_with_another_code_does_not_get_the_birth_date_rule():
    fields = [PERSON[0], FieldSpec("issued_on", "发证日期", "date")]
    assert infer_rules(fields) == []


def test_a_rule_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        RowValidator(PERSON, [Rule("ric_age", ("id_number", "birth_date"))])


# --- keys, duplicates, export --------------------------------------------------


def test_a_composite_key_joins_the_key_fields_in_field_order():
    fields = [
        FieldSpec("year", "年度", "integer", is_key=True),
        FieldSpec("name", "名称", "string"),
        FieldSpec("uscc", "统一社会信用代码", "uscc", is_key=True),
    ]
    validator = RowValidator(fields, allow_test_region=True)
    assert validator.key_of({"uscc": USCC, "name": "名称", "year": 2024}) == f"2024|{USCC}"


def test_a_resource_without_a_key_field_has_no_record_key():
    validator = RowValidator([FieldSpec("name", "名称", "string")], allow_test_region=True)
    with pytest.raises(ValueError):
        validator.key_of({"name": "名称"})


def test_the_duplicate_tracker_knows_a_key_only_after_seeing_it():
    tracker = DuplicateTracker()
    assert tracker.seen(USCC) is False
    assert tracker.seen(USCC) is True
    assert tracker.seen(USCC[:-1]) is False
    assert len(tracker) == 2


def _keys(n: int, start: int = 0) -> list[str]:
    """Short keys and, every third, one long enough to be kept as a digest."""
    return [f"K{i:08d}" if i % 3 else f"{'长' * 40}{i}" for i in range(start, start + n)]


def test_the_duplicate_tracker_takes_a_batch_of_new_keys_at_once_or_leaves_it_to_seen():
    tracker = DuplicateTracker(memory_keys=10)
    assert tracker.all_new(["a", "b"]) and tracker.all_new([]) and len(tracker) == 2
    assert tracker.seen("a") and tracker.seen("b")
    assert not tracker.all_new(["c", "a"])  # one seen before
    assert not tracker.all_new(["d", "d"])  # a repeat within the batch
    assert not tracker.all_new(["e", "x" * 40])  # a long key is kept as its digest by seen
    assert not tracker.all_new([str(i) for i in range(20)])  # more than memory holds
    assert len(tracker) == 2 and not tracker.seen("c") and not tracker.seen("d")
    for i in range(20):
        tracker.seen(f"k{i}")
    assert tracker.spilled and not tracker.all_new(["z"])  # keys on disk: seen asks the filter
    assert not tracker.seen("z")


def test_the_duplicate_tracker_still_knows_every_key_after_spilling_to_disk():
    tracker = DuplicateTracker(memory_keys=100)
    keys = _keys(1000)
    assert [tracker.seen(k) for k in keys] == [False] * 1000
    assert tracker.spilled and len(tracker) == 1000
    assert all(tracker.seen(k) for k in keys)
    assert not any(tracker.seen(k) for k in _keys(50, start=1000))
    assert len(tracker) == 1050
    tracker.close()
    assert len(tracker) == 0 and not tracker.seen(keys[0])


def test_the_duplicate_tracker_is_exact_when_its_filter_is_saturated():
    tracker = DuplicateTracker(memory_keys=10, filter_bits=8)  # every key hits the filter
    keys = _keys(200)
    assert not any(tracker.seen(k) for k in keys)
    assert all(tracker.seen(k) for k in keys[::7])
    tracker.close()


def test_the_duplicate_tracker_s_memory_stops_growing_with_the_number_of_keys():
    def grown_by(tracker: DuplicateTracker, keys: list[str]) -> int:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for key in keys:
                tracker.seen(key)
            return tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()

    bounded = DuplicateTracker(memory_keys=1000, filter_bits=1 << 20)
    grown_by(bounded, _keys(5000))
    assert grown_by(bounded, _keys(30_000, start=5000)) < 200_000
    bounded.close()
    unbounded = DuplicateTracker(memory_keys=10**9)
    assert grown_by(unbounded, _keys(30_000, start=5000)) > 1_500_000  # what the bound saves


@pytest.mark.parametrize("bits", [0, 7, 1000])
def test_the_duplicate_tracker_s_filter_size_is_a_power_of_two(bits):
    with pytest.raises(ValueError):
        DuplicateTracker(filter_bits=bits)


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_text_that_a_spreadsheet_would_run_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["江澜市", "a=b", "", "-12.50", "+3", 5, Decimal("-1.5"), None])
def test_normal_text_and_numbers_are_exported_unchanged(value):
    assert safe_cell(value) == value


def test_no_rules_are_inferred_when_the_id_number_is_not_the_records_key():
    fields = [
        FieldSpec("certificate_no", "出生医学证明编号", "string", is_key=True),
        FieldSpec("birth_date", "出生日期", "date"),
        FieldSpec("mother_id_number", "母亲身份号码", "ric"),
    ]
    assert infer_rules(fields) == []


# --- digits that are not decimal digits ------------------------------------------


@pytest.mark.parametrize(
    ("data_type", "cell", "code"),
    [
        ("integer", "²", "value.not_integer"),
        ("integer", "-¹²", "value.not_integer"),
        ("decimal", "²", "value.not_decimal"),
        ("decimal", "1.²", "value.not_decimal"),
        ("date", "2024-²-01", "value.not_date"),
        ("date", "²⁰²⁴0101", "value.not_date"),
        ("datetime", "²⁰²⁴-01-01 08:00", "value.not_datetime"),
        ("uscc", "91²501007", "identifier.uscc.length"),
        ("region", "99010²", "identifier.region.format"),
    ],
)
def test_a_superscript_digit_is_quarantined_not_a_crash(data_type, cell, code):
    assert codes(check_one(data_type, cell)[1]) == [code]


@pytest.mark.parametrize(
    ("data_type", "cell", "expected"),
    [
        ("integer", "１２", 12),
        ("decimal", "１２.５", "12.5"),
        ("date", "２０２４-０１-０２", "2024-01-02"),
    ],
)
def test_full_width_digits_are_read_as_the_number_they_are(data_type, cell, expected):
    assert check_one(data_type, cell) == (expected, [])


# --- the compiled row function against the general path --------------------------------

_FAST_FIELDS = [
    FieldSpec("uscc", "统一社会信用代码", "uscc", is_key=True),
    FieldSpec("name", "名称", "string", length=6, required=True),
    FieldSpec("ric", "身份号码", "ric"),
    FieldSpec("region", "区划", "region"),
    FieldSpec("capital", "资本", "decimal"),
    FieldSpec("day", "日期", "date"),
    FieldSpec("count", "数量", "integer"),
    FieldSpec("kind", "类别", "enum", enum_values=("甲", "乙")),
    FieldSpec("flag", "标志", "boolean"),
    FieldSpec("phone", "手机", "phone"),
]
_USCC = make_uscc(region="990100", org_body="FA5TPATH")
_RIC = make_ric(region="990102", born=datetime.date(1990, 1, 1), sequence=77, sex="M")
_CELLS = {
    "uscc": [_USCC, f" {_USCC} ", _USCC.lower(), _USCC[:17] + "0", "X", "", "²"],
    "name": ["张三", " 李四 ", "", "太长了的名字呀", "=cmd"],
    "ric": [_RIC, _RIC.lower(), _RIC[:17] + "0", "990102189001011234", "", "12"],
    "region": ["990100", "990102", "110000", "", "99 0100"],
    "capital": ["10", "010", "1.50", "-3", "+7", "1e3", "", "0", "²"],
    "day": ["2024-02-29", "2023-02-29", "2024/2/9", "20240209", "", "2024-13-01"],
    "count": ["1", "-2", "01", "x", "", "99999999999999999999"],
    "kind": ["甲", "丙", "", " 乙 "],
    "flag": ["是", "false", "Y", "x", ""],
    "phone": ["13800000000", "12345", "", "138 0000 0000"],
}


@given(st.fixed_dictionaries({code: st.sampled_from(values) for code, values in _CELLS.items()}),
       st.permutations(list(_CELLS)), st.booleans())  # fmt: skip
def test_the_compiled_row_function_answers_what_the_general_path_answers(row, order, trim_header):
    """The fast function may only decline (None); when it answers, it is the general answer."""
    header = order[:-1] if trim_header else order  # sometimes an optional field is absent
    fields = [f for f in _FAST_FIELDS if f.code in header or not (f.required or f.is_key)]
    fast = RowValidator(fields, allow_test_region=True)
    slow = RowValidator(fields, allow_test_region=True)
    assert fast.check_header(header) == slow.check_header(header) == []
    slow._fast = None
    cells = [row[code] for code in header]
    answer = fast._fast(cells)
    expected = slow.validate(2, cells)
    if answer is not None:
        assert (answer, []) == expected
    assert fast.validate(2, cells) == expected


def test_the_compiled_row_function_answers_a_clean_row_itself():
    fields = _FAST_FIELDS
    validator = RowValidator(fields, allow_test_region=True)
    header = [f.code for f in fields]
    validator.check_header(header)
    row = [_USCC, "张三", _RIC, "990102", "10", "2024-02-29", "3", "甲", "是", "13800000000"]
    assert validator._fast(row) is not None
    assert validator._fast(row) == validator.validate(2, row)[0]
