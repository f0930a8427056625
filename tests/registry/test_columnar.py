"""Column-at-a-time validation: a row it calls clean is one the row validator takes as it is."""

import dataclasses
import datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core.identifiers import make_ric, make_uscc
from yiwang.demo import generator
from yiwang.registry.columnar import ColumnarValidator
from yiwang.registry.keys import MAX_LENGTH as MAX_KEY_LENGTH
from yiwang.registry.validation import FieldSpec, RowValidator, infer_rules

USCC = make_uscc(region="990100", org_body="A1234567")
USCC_BEIJING = make_uscc(region="110101", org_body="MA1B2C3D")
RIC_BEIJING_X = make_ric(region="110101", born=datetime.date(1990, 3, 4), sequence=7, sex="M")
PEOPLE = [generator.person(7, i) for i in range(2)]
RICS = [p.id_number for p in PEOPLE] + [
    RIC_BEIJING_X,
    make_ric(region="310115", born=datetime.date(1880, 1, 28), sequence=0, sex="F"),
    make_ric(region="440305", born=datetime.date(1909, 2, 27), sequence=1, sex="M"),
    make_ric(region="110101", born=datetime.date(1938, 3, 26), sequence=2, sex="F"),
]


def _wrong_check(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


def _ric_born(born: str, region: str = "990102") -> str:
    """A 身份号码 with a right check digit around a birth date that may not exist."""
    body = f"{region}{born}123"
    return body + "0123456789X"[(1 - 2 * int(body, 13)) % 11]


# Per data type: cells the row validator takes unchanged, and near-misses that it normalises,
# refuses or (for a few) takes unchanged too — only the row validator's answer counts.
CANONICAL = {
    "uscc": [USCC, USCC_BEIJING, make_uscc(region="310115", org_body="0000000Y")],
    "ric": RICS,
    "region": ["110101", "310115", "990102", "990100", "999999"],
    "phone": ["13800138000", "19912345678"],
    "decimal": ["0", "12", "1.50", "-0.5", "0.000", "-0.0", "123456789012345678901234567890"],
    "integer": ["0", "7", "-7", "123456789012345678", "-123456789012345678"],
    "date": ["2024-02-29", "0001-01-01", "9999-12-31"] + [p.birth_date.isoformat() for p in PEOPLE],
}
NEAR = {
    "uscc": [_wrong_check(USCC), _wrong_check(USCC_BEIJING), USCC.lower(), USCC_BEIJING.lower(),
             USCC[:17], USCC + "0", USCC.replace("A", "I"), "中" * 6, "统一社会信用代码统一社会信用代码统一", "９" * 18,
             f"{USCC[:9]}-{USCC[9:]}", f"{USCC[:6]} {USCC[6:]}"],
    "ric": [RIC_BEIJING_X.lower(), *map(_wrong_check, RICS), _ric_born("19800230"),
            _ric_born("18700101"), _ric_born("29990101"), _ric_born("19800101", "110199"),
            _ric_born("19800101", "000000"), RICS[0][:17], "١" * 18, "中" * 6],
    "region": ["110199", "119999", "000000", "11010", "1101011", "99 0102", "١١٠١٠١", "٩٩٠١٠٢"],
    "phone": ["12800138000", "+8613800138000", "138-0013-8000", "1380013800", "１３８００１３８０００"],
    "decimal": ["012", "+1.5", "-0", "1e5", "1.", ".5", "١٢", "²", "NaN", "Infinity", "1_000",
                "1.2.3", "--1", "0x10"],
    "integer": ["-0", "+7", "00", "9223372036854775807", "-9223372036854775808",
                "9223372036854775808", "1234567890123456789", "١٢", "²", "1.0", "1e3", "1_000"],
    "date": ["2024-02-30", "2023-02-29", "2024/1/5", "2024/01/05", "0000-01-01", "20240105",
             "2024-1-05", "2024-13-01", "２０２４-01-05", "१९८०-01-01", "2024-01-05T00:00"],
}  # fmt: skip
EDGES = [" ", "\u3000", "\xa0", "\x1c", "\t", "\n", "\u2028", "\x85"]
SEX_CELLS = ["M", "F", "m", "f", "男", "女", "1", "2", "X", "男 "]
TEXT_CHARS = "ab|\\中文𝕏😀\x00\x07 \u3000\xa0\x1c\t"
TEXT = st.text(st.sampled_from(TEXT_CHARS), max_size=8)


def canonical_cells(spec: FieldSpec) -> st.SearchStrategy:
    """Cells a field takes as they are (when within its length): what most loads hold."""
    if spec.data_type == "enum":
        values = st.sampled_from(spec.enum_values)
    elif spec.data_type == "string":
        limit = spec.length or 8
        exact = ["a" * limit, "中" * limit, "😀" * limit, "a|b\\c"[:limit]]
        text = st.text(st.sampled_from(TEXT_CHARS), min_size=1, max_size=limit)
        values = st.sampled_from(exact) | text.filter(lambda t: t == t.strip())
        if spec.code in ("sex", "性别"):
            values |= st.sampled_from(SEX_CELLS[:-1])
    else:
        values = st.sampled_from(CANONICAL[spec.data_type])
        if spec.data_type == "integer":
            values |= st.integers(-(10**18) + 1, 10**18 - 1).map(str)  # 19 digits: not sure
        if spec.data_type == "date":
            values |= st.dates().map(datetime.date.isoformat)
        if spec.code in ("sex", "性别"):  # a sex coded as a number
            values |= st.sampled_from(["1", "2", "3"])
    if spec.required or spec.is_key:
        return values
    return st.integers(0, 4).flatmap(lambda n: values if n else st.just(""))


def near_cells(spec: FieldSpec) -> st.SearchStrategy:
    """Cells to normalise or refuse, or that only look wrong: edges, blanks, near-misses."""
    if spec.data_type == "enum":
        near = st.sampled_from(["a", "A ", "Ａ", *SEX_CELLS])
    elif spec.data_type == "string":
        limit = spec.length or 8
        near = st.sampled_from(["a" * (limit + 1), "中" * (limit + 1), "😀" * (limit + 1)]) | TEXT
    else:
        near = st.sampled_from(NEAR[spec.data_type])
        if spec.data_type == "integer":
            near |= st.integers(-(2**64), 2**64).map(str)
    edged = st.tuples(canonical_cells(spec), st.sampled_from(EDGES), st.booleans())
    edged = edged.map(lambda t: t[0] + t[1] if t[2] else t[1] + t[0])
    return near | edged | st.sampled_from(["", " ", "\u3000\t", "\xa0", "\x1c"])


TYPES = ["string", "enum", "uscc", "ric", "region", "phone", "decimal", "integer", "date"]
ENUM_VALUES = ("甲", "乙", "a|b", "A")


@st.composite
def field_specs(draw, code: str, data_type: str, *, is_key: bool = False) -> FieldSpec:
    length = None
    if data_type in ("string", "enum"):
        length = draw(st.none() | st.integers(1, 6))
    elif data_type in ("uscc", "ric"):
        length = draw(st.sampled_from([None, None, 18, 18, 17]))
    enum = ENUM_VALUES if data_type == "enum" else ()
    required = is_key or draw(st.booleans())
    return FieldSpec(code, f"信息项{code}", data_type, length, required, is_key, enum)


@st.composite
def resources(draw) -> list[FieldSpec]:
    """A key (a USCC, a 身份号码 with birth date and sex, or two fields), then a few others."""
    kind = draw(st.sampled_from(["uscc", "ric", "pair"]))
    if kind == "pair":
        types = draw(st.lists(st.sampled_from(TYPES), min_size=2, max_size=2))
        fields = [draw(field_specs(f"key{n}", t, is_key=True)) for n, t in enumerate(types)]
    else:
        fields = [draw(field_specs(kind, kind, is_key=True))]
    if kind == "ric":
        fields.append(draw(field_specs(draw(st.sampled_from(["birth_date", "出生日期"])), "date")))
        sex_type = draw(st.sampled_from(["string", "enum", "integer"]))
        sex = draw(field_specs(draw(st.sampled_from(["sex", "性别"])), sex_type))
        if sex_type == "enum":
            sex = dataclasses.replace(sex, length=None, enum_values=("男", "女", "M"))
        fields.append(sex)
    others = draw(st.lists(st.sampled_from(TYPES), max_size=4))
    fields += [draw(field_specs(f"{t}{n}", t)) for n, t in enumerate(others)]
    return fields


@st.composite
def rows_of(draw, header_fields):
    """A row of (cell, whether it is canonical): all canonical, or with a few near-misses;
    a birth date and sex often those of its 身份号码, so that the rules can hold."""
    near = draw(st.sampled_from([0, 0, 1, 1, 2, len(header_fields)]))
    odd = set(draw(st.lists(st.integers(0, len(header_fields) - 1), max_size=near)))
    row = [draw(TEXT) if f is None else draw(canonical_cells(f)) for f in header_fields]
    codes = [None if f is None else f.code for f in header_fields]
    ric = row[codes.index("ric")] if "ric" in codes else ""
    for n, code in enumerate(codes):
        if ric and code in ("birth_date", "出生日期") and draw(st.booleans()):
            row[n] = f"{ric[6:10]}-{ric[10:12]}-{ric[12:14]}"
        if ric and code in ("sex", "性别") and draw(st.booleans()):
            row[n] = draw(
                st.sampled_from(["男", "M", "m", "1"] if int(ric[16]) % 2 else ["女", "F", "2"])
            )
    marked = [(cell, True) for cell in row]
    for n in odd:
        if header_fields[n] is not None:
            marked[n] = (draw(near_cells(header_fields[n])), False)
    return marked


@st.composite
def loads(draw):
    """A resource, a header for it (any order, an optional field or two left out, an
    ignored column, codes or names) and rows of cells with whether each is canonical."""
    fields = draw(resources())
    kept = [f for f in fields if f.required or f.is_key or draw(st.booleans())]
    header_fields = draw(st.permutations(kept)) + draw(st.sampled_from([[], [None]]))
    by_name = draw(st.booleans())
    header = [("备注" if f is None else f.name if by_name else f.code) for f in header_fields]
    rows = [draw(rows_of(header_fields)) for _ in range(draw(st.integers(1, 6)))]
    return fields, header, rows, draw(st.sampled_from([True, True, False]))


def columnar_for(fields, header=None, *, allow_test_region=True):
    validator = RowValidator(fields, infer_rules(fields), allow_test_region=allow_test_region)
    assert validator.check_header(header or [f.code for f in fields]) == []
    return validator, ColumnarValidator.for_validator(validator)


def typed(values: dict) -> list:
    """A row's values with their types and order: 1 and 1.0, or "1" and 1, differ."""
    return [(code, value, type(value)) for code, value in values.items()]


def assert_as_the_row_validator(validator, rows, checked) -> list:
    """The contract: a clean row is one the row validator takes, with the same key and JSON,
    and `empty` counts the clean rows' empty values. Returns each row's row-validator values."""
    assert len(checked.clean) == len(rows)
    assert len(checked.keys) == len(checked.data) == sum(checked.clean)
    answers = [validator.validate(n + 2, cells) for n, cells in enumerate(rows)]
    clean_values = [values for (values, _e), ok in zip(answers, checked.clean, strict=True) if ok]
    for values, key, data in zip(clean_values, checked.keys, checked.data, strict=True):
        assert values is not None
        assert key == validator.key_of(values)
        assert typed(orjson.loads(data)) == typed(values)
    if clean_values:
        empties = {code: sum(v[code] is None for v in clean_values) for code in clean_values[0]}
        assert checked.empty == empties
    return [values for values, _errors in answers]


@settings(max_examples=800, deadline=None)
@given(loads())
def test_a_clean_row_is_one_the_row_validator_takes_unchanged_and_a_canonical_one_is_clean(load):
    fields, header, drawn, allow_test_region = load
    validator, columnar = columnar_for(fields, header, allow_test_region=allow_test_region)
    rows = [[cell for cell, _canonical in row] for row in drawn]
    checked = columnar.check(rows)
    answers = assert_as_the_row_validator(validator, rows, checked)
    for row, values, ok in zip(drawn, answers, checked.clean, strict=True):
        canonical = all(is_canonical for _cell, is_canonical in row)
        if canonical and values is not None and len(validator.key_of(values)) <= MAX_KEY_LENGTH:
            assert ok, row  # ordinary clean data takes the fast path


# --- examples -------------------------------------------------------------------

COMPANY = [
    FieldSpec("uscc", "统一社会信用代码", "uscc", 18, required=True, is_key=True),
    FieldSpec("name", "名称", "string", 200, required=True),
    FieldSpec("legal_representative", "法定代表人", "string", 50),
    FieldSpec("representative_id_number", "法定代表人身份号码", "ric", 18),
    FieldSpec("region_code", "行政区划代码", "region", 6),
    FieldSpec("registered_capital", "注册资本", "integer"),
    FieldSpec("established", "成立日期", "date"),
    FieldSpec("industry", "行业", "string", 50),
    FieldSpec("address", "住所", "string", 200),
]
PERSON = [
    FieldSpec("id_number", "公民身份号码", "ric", 18, required=True, is_key=True),
    FieldSpec("name", "姓名", "string", 50),
    FieldSpec("sex", "性别", "enum", enum_values=("M", "F")),
    FieldSpec("birth_date", "出生日期", "date"),
    FieldSpec("region_code", "户籍地", "region"),
    FieldSpec("phone", "手机号码", "phone"),
]


def company_rows(count: int) -> list[list[str]]:
    companies = [generator.company(11, i, people=50).row() for i in range(count)]
    return [[str(c[f.code]) for f in COMPANY] for c in companies]


def test_generated_company_rows_are_all_clean_with_the_row_validators_json():
    validator, columnar = columnar_for(COMPANY)
    rows = company_rows(200)
    checked = columnar.check(rows)
    assert all(checked.clean)
    assert_as_the_row_validator(validator, rows, checked)
    assert checked.data[0] == orjson.dumps(validator.validate(2, rows[0])[0])


def test_generated_people_are_clean_with_their_birth_date_and_sex_rules():
    validator, columnar = columnar_for(PERSON)
    people = [generator.person(3, i).row() for i in range(100)]
    rows = [[str(p[f.code]) for f in PERSON] for p in people]
    checked = columnar.check(rows)
    assert all(checked.clean)
    assert_as_the_row_validator(validator, rows, checked)


def test_a_sex_or_birth_date_the_identity_number_contradicts_is_not_clean():
    _validator, columnar = columnar_for(PERSON)
    person = generator.person(3, 0)
    other_sex = "F" if person.sex == "M" else "M"
    row = [person.id_number, person.name, person.sex, str(person.birth_date), "", ""]
    wrong_sex = [*row[:2], other_sex, *row[3:]]
    wrong_day = [*row[:3], str(person.birth_date + datetime.timedelta(days=1)), *row[4:]]
    assert columnar.check([row, wrong_sex, wrong_day]).clean == [True, False, False]


def test_a_row_with_a_bad_check_digit_is_not_clean():
    _validator, columnar = columnar_for(COMPANY)
    good = company_rows(1)[0]
    bad_uscc = [_wrong_check(good[0]), *good[1:]]
    bad_ric = [*good[:3], _wrong_check(good[3]), *good[4:]]
    assert columnar.check([good, bad_uscc, bad_ric]).clean == [True, False, False]


def test_test_region_identifiers_are_clean_only_where_the_test_region_is_allowed():
    fields = [FieldSpec("uscc", "统一社会信用代码", "uscc", is_key=True),
              FieldSpec("owner", "身份号码", "ric"), FieldSpec("region", "区划", "region")]  # fmt: skip
    rows = [[USCC, "", ""], [USCC_BEIJING, RICS[0], ""], [USCC_BEIJING, "", "990102"],
            [USCC_BEIJING, RIC_BEIJING_X, "110101"]]  # fmt: skip
    _validator, production = columnar_for(fields, allow_test_region=False)
    _validator, demo = columnar_for(fields, allow_test_region=True)
    assert production.check(rows).clean == [False, False, False, True]
    assert demo.check(rows).clean == [True, True, True, True]


def test_a_resource_with_a_datetime_or_boolean_field_is_left_to_the_row_validator():
    for data_type in ("datetime", "boolean"):
        fields = [*COMPANY, FieldSpec("other", "其他", data_type)]
        _validator, columnar = columnar_for(fields)
        assert columnar is None


def test_empty_counts_the_clean_rows_empty_values_per_field_including_absent_ones():
    fields = [*COMPANY, FieldSpec("note", "备注", "string")]
    header = [f.code for f in COMPANY]
    validator, columnar = columnar_for(fields, header)
    rows = company_rows(3)
    rows[0][2] = rows[0][6] = rows[1][2] = ""
    rows[2][0] = "bad"  # not clean: not counted
    rows[2][5] = ""
    checked = columnar.check(rows)
    assert checked.clean == [True, True, False]
    assert checked.empty == {f.code: 0 for f in COMPANY} | {"legal_representative": 2,
                                                           "established": 1, "note": 2}  # fmt: skip
    assert_as_the_row_validator(validator, rows, checked)


def test_a_composite_key_escapes_bars_and_backslashes_as_join_key_does():
    fields = [
        FieldSpec("a", "甲", "string", is_key=True),
        FieldSpec("b", "乙", "integer", is_key=True),
    ]
    validator, columnar = columnar_for(fields)
    rows = [["a|b\\", "-12"], ["a", "0"], ["\\|", "7"]]
    checked = columnar.check(rows)
    assert checked.keys == ["a\\|b\\\\|-12", "a|0", "\\\\\\||7"]
    assert_as_the_row_validator(validator, rows, checked)


# --- bad input --------------------------------------------------------------------


def test_cells_with_nul_and_control_characters_are_answered_as_the_row_validator_does():
    validator, columnar = columnar_for(COMPANY)
    good = company_rows(1)[0]
    rows = [good]
    for char in ("\x00", "\x01", "\x1b", "\x7f", "\x1c", "\u2028", "\ufeff"):
        for column in range(len(good)):
            for cell in (good[column] + char, char + good[column], good[column][:3] + char):
                rows.append([*good[:column], cell, *good[column + 1 :]])
    checked = columnar.check(rows)
    assert_as_the_row_validator(validator, rows, checked)
    assert checked.clean[0]
    assert sum(checked.clean) > 1  # a NUL inside a name is text like any other


def test_very_long_cells_are_answered_as_the_row_validator_does():
    fields = [*COMPANY, FieldSpec("notes", "说明", "string")]
    validator, columnar = columnar_for(fields)
    good = [*company_rows(1)[0], "x"]
    rows = [good] + [[*good[:n], "9" * 10_000, *good[n + 1 :]] for n in range(len(good))]
    rows.append([*good[:-1], "中" * 10_000])
    checked = columnar.check(rows)
    assert_as_the_row_validator(validator, rows, checked)
    assert checked.clean[0] and checked.clean[-1] and checked.clean[-2]
    assert not any(checked.clean[1:-2])


def test_an_identifier_cell_of_eighteen_bytes_of_chinese_is_not_clean_and_raises_nothing():
    _validator, columnar = columnar_for(COMPANY)
    good = company_rows(1)[0]
    rows = [good, ["统一社会信用", *good[1:]], [*good[:3], "身份号码中文", *good[4:]]]
    assert columnar.check(rows).clean == [True, False, False]


def test_field_codes_that_look_like_column_patterns_keep_their_own_values():
    fields = [FieldSpec("^a.*$", "甲", "string"), FieldSpec("ab", "乙", "string", is_key=True),
              FieldSpec("ok0", "丙", "integer"), FieldSpec('"q"', "丁", "string")]  # fmt: skip
    validator, columnar = columnar_for(fields)
    rows = [["x", "y", "1", "z"]]
    checked = columnar.check(rows)
    assert checked.clean == [True]
    assert_as_the_row_validator(validator, rows, checked)


def test_a_cell_that_is_not_unicode_text_raises_the_error_loading_falls_back_on():
    # A lone surrogate (a file decoded with surrogateescape) cannot become a polars string;
    # loading catches UnicodeError and sends the batch to the row validator.
    _validator, columnar = columnar_for(COMPANY)
    good = company_rows(1)[0]
    with pytest.raises(UnicodeError):
        columnar.check([good, [good[0], "a\udcff", *good[2:]]])
