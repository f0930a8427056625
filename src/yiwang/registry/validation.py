"""Row validation for loads (数据归集) into the base registries.

A load checks each row against the resource's fields (信息项, `FieldSpec`). The
`RowValidator` compiles one checker closure per field once per load, so the
per-row path is a loop of plain function calls: no regex, no per-row objects
beyond the clean-values dict (and `RowError`s for bad rows).

Every error carries a stable code (``value.required``, ``identifier.uscc.checksum``,
``rule.ric_sex`` …) and a Chinese message naming the field and the bad value.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from yiwang.core.identifiers import (
    _USCC_TO_BASE34,
    TEST_REGION_PREFIX,
    USCC_ALPHABET,
    IdentifierError,
    ric_birth_date,
    ric_check_char,
    ric_sex,
    validate_mobile,
    validate_region,
    validate_ric,
    validate_uscc,
)
from yiwang.registry.keys import join_key

SHOWN_VALUE_CHARS = 50
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what every supported database stores as an integer
BIRTH_DATE_CODES = frozenset({"birth_date", "birthday", "date_of_birth", "出生日期"})
SEX_CODES = frozenset({"sex", "gender", "性别"})
# M/F, 男/女, and the GB/T 2261.1 codes 1 (男) / 2 (女).
SEX_VALUES = {"M": "M", "F": "F", "m": "M", "f": "F", "男": "M", "女": "F", "1": "M", "2": "F"}
SEX_LABELS = {"M": "男", "F": "女"}
BOOLEAN_VALUES = {
    "true": True, "false": False, "1": True, "0": False, "是": True, "否": False,
    "y": True, "n": False, "yes": True, "no": False,
}  # fmt: skip
# The kind name an IdentifierError message starts with, per identifier data type.
IDENTIFIER_LABELS = {
    "uscc": "统一社会信用代码",
    "ric": "公民身份号码",
    "region": "行政区划代码",
    "phone": "手机号码",
}
STRINGISH_TYPES = frozenset({"string", "enum", *IDENTIFIER_LABELS})
_DIGITS = "0123456789"


@dataclass(frozen=True)
class FieldSpec:
    """One 信息项 of a resource as the validator needs it; `data_type` is a DataType value."""

    code: str
    name: str
    data_type: str
    length: int | None = None
    required: bool = False
    is_key: bool = False
    enum_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowError:
    """Why a row (row 1 = the header) was quarantined; `field` is "" for row-level errors."""

    row: int
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class Rule:
    """A check across fields: "ric_birth_date" (ric, date) or "ric_sex" (ric, sex)."""

    kind: str
    fields: tuple[str, ...]


class _Invalid(Exception):
    """Raised by a field checker; the validator turns it into a RowError."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message


def shown(value: object) -> str:
    """A value as quoted in a message, cut to 50 characters."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS] + "…"


def infer_rules(fields: Sequence[FieldSpec]) -> list[Rule]:
    """The cross-field rules a resource's fields imply (birth date and sex from the 身份号码).

    Only when the record is about that person: the 身份号码 is the record's key. A birth
    certificate's mother's number says nothing about the child's birth date.
    """
    rics = [f for f in fields if f.data_type == "ric"]
    if len(rics) != 1 or not rics[0].is_key:
        return []

    rules = []
    for f in fields:
        code = f.code.strip().lower()
        if f.data_type == "date" and code in BIRTH_DATE_CODES:
            rules.append(Rule("ric_birth_date", (rics[0].code, f.code)))
        elif code in SEX_CODES:
            rules.append(Rule("ric_sex", (rics[0].code, f.code)))
    return rules


def header_token(cell: object) -> str:
    """A header cell as matched to a field's code or name: no spaces, BOM or required marks (*)."""
    text = cell if isinstance(cell, str) else "" if cell is None else str(cell)
    return "".join(text.replace("\ufeff", "").split()).strip("*＊").casefold()


def _allow_test_region(allow: bool | None) -> bool:
    if allow is not None:
        return allow
    from django.conf import settings

    return bool(getattr(settings, "ALLOW_TEST_REGION", False))


class RowValidator:
    """Validates and normalises the rows of one load against a resource's fields.

    Call `check_header` first for tabular files, then `validate` per row (cells in
    header order); JSON Lines and API rows go through `validate_mapping`.
    Key fields count as required: a record cannot be stored without its key.
    """

    def __init__(
        self,
        fields: Sequence[FieldSpec],
        rules: Iterable[Rule] = (),
        *,
        allow_test_region: bool | None = None,
        max_columns: int = 500,
    ):
        self.fields = list(fields)
        self.rules = list(rules)
        self.max_columns = max_columns
        self._allow_test = _allow_test_region(allow_test_region)
        self._today = datetime.date.today()
        self._regions: dict[str, object] = {}  # region code → normalised code or IdentifierError
        self._parts: dict[str, tuple] = {}  # per field: (convert, required, limit, is plain text)
        self._checkers = {f.code: self._compile(f) for f in self.fields}
        self._fast: Callable[[Sequence[object]], dict | None] | None = None
        self._key_codes = tuple(f.code for f in self.fields if f.is_key)
        self._rule_checks = [self._compile_rule(rule) for rule in self.rules]
        self._ignored: list[str] = []
        self._columns: list[tuple[str, int, Callable]] | None = None
        self._absent: list[tuple[str, Callable]] = []
        self._width = 0

    # --- header ----------------------------------------------------------------

    @property
    def ignored_columns(self) -> list[str]:
        """Header cells (or JSON keys) that match no field; their data is not loaded."""
        return list(self._ignored)

    def check_header(self, header: Sequence[object]) -> list[RowError]:
        """Match header cells to fields by code or Chinese name; report what is wrong."""
        if len(header) > self.max_columns:
            message = f"表头有 {len(header)} 列，超过上限 {self.max_columns} 列"
            return [RowError(1, "", "header.too_many_columns", message)]
        tokens = [header_token(cell) for cell in header]
        if not any(tokens):
            return [RowError(1, "", "header.empty", "表头为空")]
        by_token = {header_token(f.name): f for f in self.fields}
        by_token.update({header_token(f.code): f for f in self.fields})
        errors: list[RowError] = []
        self._ignored = []
        found: dict[str, int] = {}
        for index, (cell, token) in enumerate(zip(header, tokens, strict=True)):
            spec = by_token.get(token)
            if spec is None:
                self._ignored.append(str(cell) if token else f"第 {index + 1} 列（无列名）")
            elif spec.code in found:
                message = (
                    f"列「{spec.name}」重复（第 {found[spec.code] + 1} 列和第 {index + 1} 列）"
                )
                errors.append(RowError(1, spec.code, "header.duplicate", message))
            else:
                found[spec.code] = index
        for f in self.fields:
            if f.code not in found and (f.required or f.is_key):
                message = f"缺少必填列「{f.name}」（{f.code}）"
                errors.append(RowError(1, f.code, "header.missing_field", message))
        self._width = len(header)
        self._columns = [(code, i, self._checkers[code]) for code, i in found.items()]
        self._absent = [
            (f.code, self._checkers[f.code]) for f in self.fields if f.code not in found
        ]
        self._fast = None if errors else self._compile_fast(found)
        return errors

    # --- rows ------------------------------------------------------------------

    def validate(self, row_number: int, cells: Sequence[object]) -> tuple[dict | None, list]:
        """Check one row aligned to the header: (clean values, []) or (None, every error)."""
        columns = self._columns
        if columns is None:
            raise RuntimeError("check_header() must be called before validate()")
        if self._fast is not None:
            values = self._fast(cells)
            if values is not None:
                return values, []
        n = len(cells)
        if n != self._width:
            if n > self._width:
                message = f"该行有 {n} 列，多于表头的 {self._width} 列"
                return None, [RowError(row_number, "", "row.too_many_columns", message)]
            cells = [*cells, *([""] * (self._width - n))]
        values: dict = {}
        errors: list | None = None
        for code, index, check in columns:
            try:
                values[code] = check(cells[index])
            except _Invalid as exc:
                if errors is None:
                    errors = []
                errors.append(RowError(row_number, code, exc.code, exc.message))
        for code, check in self._absent:
            try:
                values[code] = check(None)
            except _Invalid as exc:
                if errors is None:
                    errors = []
                errors.append(RowError(row_number, code, exc.code, exc.message))
        return self._finish(row_number, values, errors)

    def validate_mapping(self, row_number: int, mapping: Mapping) -> tuple[dict | None, list]:
        """Check one JSON Lines / API row whose keys are field codes."""
        if len(mapping) > self.max_columns:
            message = f"该行有 {len(mapping)} 个字段，超过上限 {self.max_columns} 个"
            return None, [RowError(row_number, "", "row.too_many_columns", message)]
        for key in mapping.keys() - self._checkers.keys():
            if str(key) not in self._ignored:
                self._ignored.append(str(key))
        values: dict = {}
        errors: list | None = None
        get = mapping.get
        for code, check in self._checkers.items():
            try:
                values[code] = check(get(code))
            except _Invalid as exc:
                if errors is None:
                    errors = []
                errors.append(RowError(row_number, code, exc.code, exc.message))
        return self._finish(row_number, values, errors)

    def _finish(self, row_number: int, values: dict, errors: list | None):
        for rule_check in self._rule_checks:
            error = rule_check(values)
            if error is not None:
                if errors is None:
                    errors = []
                errors.append(RowError(row_number, *error))
        if errors:
            return None, errors
        return values, []

    def raw_values(self, cells: Sequence[object] | Mapping) -> dict:
        """What a row holds per field code, unchecked (fill counts of quarantined rows)."""
        if isinstance(cells, Mapping):
            return {code: cells.get(code) for code in self._checkers}
        n = len(cells)
        return {code: cells[i] if i < n else None for code, i, _check in self._columns or ()}

    def key_of(self, values: Mapping) -> str:
        """The record key: the key fields' values in field order (see `registry.keys`)."""
        if not self._key_codes:
            raise ValueError("the resource has no key field")
        return join_key([values[code] for code in self._key_codes])

    # --- compilation -----------------------------------------------------------

    def _compile(self, spec: FieldSpec) -> Callable[[object], object]:
        """The checker of one field: raw cell → normalised value, or raise _Invalid."""
        convert, from_object = _CONVERTERS[spec.data_type](self, spec)
        name = spec.name
        required = spec.required or spec.is_key
        limit = spec.length if spec.data_type in STRINGISH_TYPES else None
        self._parts[spec.code] = (convert, required, limit, spec.data_type == "string")

        def check(raw):
            if raw.__class__ is str:
                text = raw.strip()
            elif raw is None:
                text = ""
            elif isinstance(raw, str):
                text = str(raw).strip()
            else:
                text = from_object(raw)
                if text.__class__ is not str:
                    return text  # a typed value (date, int, bool …) converted directly
                text = text.strip()
            if not text:
                if required:
                    raise _Invalid("value.required", f"{name}不能为空")
                return None
            value = convert(text)
            if limit is not None and len(value) > limit:
                raise _Invalid(
                    "value.too_long",
                    f"{name}「{shown(value)}」长度 {len(value)}，超过 {limit} 个字符",
                )
            return value

        return check

    def _compile_fast(self, found: dict[str, int]) -> Callable[[Sequence[object]], dict | None]:
        """One function for the common row — the header's width, every cell text (or None) that
        its field takes as it is — inlining what `check` does per field, so that a row costs
        one call instead of one per field. It answers None whenever it is not sure, and
        `validate` then takes the general path, which gives the same values or says what is
        wrong (a property test holds the two to the same answers).

        The source holds only column indexes and names of objects passed in its namespace,
        never anything from the header or the data.
        """
        namespace: dict[str, object] = {"rules": tuple(self._rule_checks)}
        lines = ["def fast(cells):", f"    if len(cells) != {self._width}:", "        return None"]
        keys = []
        for n, (code, index) in enumerate(found.items()):
            convert, required, limit, plain = self._parts[code]
            namespace[f"convert{n}"], namespace[f"code{n}"] = convert, code
            lines += [
                f"    r = cells[{index}]",
                "    if r.__class__ is str:",
                "        t = r.strip()",
                "    elif r is None:",
                "        t = ''",
                "    else:",
                "        return None",
                "    if t:",
                f"        v{n} = t" if plain else "        try:",
            ]
            if not plain:
                lines += [f"            v{n} = convert{n}(t)", "        except _Invalid:",
                          "            return None"]  # fmt: skip
            if limit is not None:
                lines += [f"        if len(v{n}) > {int(limit)}:", "            return None"]
            lines += ["    else:", "        return None" if required else f"        v{n} = None"]
            keys.append(f"code{n}: v{n}")
        for m, (code, _check) in enumerate(self._absent):
            namespace[f"absent{m}"] = code
            if self._parts[code][1]:
                lines.append("    return None")  # a required field missing from the header
            keys.append(f"absent{m}: None")
        lines += ["    values = {" + ", ".join(keys) + "}", "    for rule in rules:",
                  "        if rule(values) is not None:", "            return None",
                  "    return values"]  # fmt: skip
        namespace["_Invalid"] = _Invalid
        exec(compile("\n".join(lines), "<row validator>", "exec"), namespace)  # noqa: S102
        return namespace["fast"]

    def _compile_rule(self, rule: Rule) -> Callable[[dict], tuple[str, str, str] | None]:
        names = {f.code: f.name for f in self.fields}
        ric_code, other = rule.fields
        if ric_code not in names or other not in names:
            raise ValueError(f"rule {rule.kind} names an unknown field: {rule.fields}")
        ric_name, other_name = names[ric_code], names[other]
        if rule.kind == "ric_birth_date":

            def check_birth_date(values):
                ric, date = values.get(ric_code), values.get(other)
                if ric is None or date is None or date == (born := _ric_iso_birth_date(ric)):
                    return None
                message = f"{other_name}「{date}」与{ric_name}中的出生日期 {born} 不一致"
                return other, "rule.ric_birth_date", message

            return check_birth_date
        if rule.kind == "ric_sex":

            def check_sex(values):
                ric, sex = values.get(ric_code), values.get(other)
                wanted = SEX_VALUES.get(sex) if isinstance(sex, str) else None
                if ric is None or wanted is None or wanted == (actual := ric_sex(ric)):
                    return None
                message = f"{other_name}「{sex}」与{ric_name}中的性别（{SEX_LABELS[actual]}）不一致"
                return other, "rule.ric_sex", message

            return check_sex
        raise ValueError(f"unknown rule kind: {rule.kind}")


def _ric_iso_birth_date(ric: str) -> str:
    return f"{ric[6:10]}-{ric[10:12]}-{ric[12:14]}"


# --- converters, one per data type ---------------------------------------------
# Each factory returns (convert, from_object): `convert` takes stripped, non-empty
# text; `from_object` takes a non-str value and returns either text (checked like
# any cell) or a final typed value.


def _object_as_text(spec: FieldSpec):
    def from_object(raw):
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if isinstance(raw, (int, Decimal)):
            return str(raw)
        if isinstance(raw, float):
            return repr(raw)
        if isinstance(raw, (datetime.date, datetime.time)):
            return raw.isoformat()
        raise _Invalid("value.not_scalar", f"{spec.name}应为单个值，不能是列表或对象")

    return from_object


def _string(validator: RowValidator, spec: FieldSpec):
    return str, _object_as_text(spec)


def _enum(validator: RowValidator, spec: FieldSpec):
    allowed = frozenset(spec.enum_values)
    listed = shown("、".join(spec.enum_values))

    def convert(text):
        if text in allowed:
            return text
        raise _Invalid("value.not_in_enum", f"{spec.name}「{shown(text)}」不在可选值（{listed}）中")

    return convert, _object_as_text(spec)


def _integer(validator: RowValidator, spec: FieldSpec):
    def fail(text):
        return _Invalid("value.not_integer", f"{spec.name}「{shown(text)}」不是整数")

    def convert(text):
        digits = text[1:] if text[0] in "+-" else text
        if not digits.isdigit():
            raise fail(text)
        try:
            value = int(text)
        except ValueError:  # a non-ASCII digit int() refuses, or more than 4,300 digits
            raise fail(text) from None
        if INT_MIN <= value <= INT_MAX:
            return value
        raise _Invalid("value.not_integer", f"{spec.name}「{shown(text)}」超出整数范围")

    def from_object(raw):
        if isinstance(raw, (bool, datetime.date, datetime.time)):
            raise fail(raw)
        if isinstance(raw, int):
            return convert(str(raw))
        if isinstance(raw, (float, Decimal)):
            if _is_finite(raw) and raw == int(raw):
                return convert(str(int(raw)))
            raise fail(raw)
        return as_text(raw)

    as_text = _object_as_text(spec)
    return convert, from_object


def _is_finite(number: float | Decimal) -> bool:
    return number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)


def _decimal(validator: RowValidator, spec: FieldSpec):
    def fail(text):
        return _Invalid("value.not_decimal", f"{spec.name}「{shown(text)}」不是数值")

    def convert(text):
        if text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1):
            return text  # a plain whole number is already what Decimal would print
        # Plain notation only: no exponent (1e999999 would print a million digits), no NaN.
        digits = text[1:] if text[0] in "+-" else text
        if not digits.replace(".", "", 1).isdigit():
            raise fail(text)
        try:
            return format(Decimal(text), "f")
        except InvalidOperation:
            raise fail(text) from None

    def from_object(raw):
        if isinstance(raw, (bool, datetime.date, datetime.time)):
            raise fail(raw)
        if isinstance(raw, int):
            return str(raw)
        if not isinstance(raw, (float, Decimal)):
            return as_text(raw)
        if not _is_finite(raw):
            raise fail(raw)
        number = Decimal(repr(raw)) if isinstance(raw, float) else raw
        if not -40 <= number.adjusted() <= 40:
            raise fail(raw)
        return format(number, "f")

    as_text = _object_as_text(spec)
    return convert, from_object


def _parse_date(text: str) -> datetime.date | None:
    """YYYY-MM-DD, YYYY/MM/DD (month and day may be one digit) or YYYYMMDD; else None."""
    if len(text) == 8 and text.isdigit():
        parts = (text[:4], text[4:6], text[6:])
    elif text[4:5] in ("-", "/"):
        parts = text.split(text[4])
        if len(parts) != 3 or len(parts[0]) != 4 or not 1 <= len(parts[1]) <= 2:
            return None
        if not 1 <= len(parts[2]) <= 2:
            return None
    else:
        return None
    if not (parts[0] + parts[1] + parts[2]).isdigit():
        return None
    try:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _date(validator: RowValidator, spec: FieldSpec):
    def fail(value):
        message = (
            f"{spec.name}「{shown(value)}」不是有效日期（应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD）"
        )
        return _Invalid("value.not_date", message)

    canonical: dict[str, bool] = {}  # per load: a file holds a few thousand distinct days

    def convert(text):
        known = canonical.get(text)
        if known:
            return text
        if (
            len(text) == 10
            and text[4] == "-"
            and text[7] == "-"
            and not text.strip("-0123456789")
            and text[:4].isdigit()
        ):
            try:  # already canonical: fromisoformat only has to check the day exists
                datetime.date.fromisoformat(text)
            except ValueError:
                raise fail(text) from None
            if len(canonical) < 100_000:
                canonical[text] = True
            return text
        day = _parse_date(text)
        if day is None:
            raise fail(text)
        return day.isoformat()

    def from_object(raw):
        if isinstance(raw, datetime.datetime):
            if raw.time() != datetime.time(0):
                raise fail(raw.isoformat())
            return raw.date().isoformat()
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        raise fail(raw)  # an Excel serial number is a number, not a date

    return convert, from_object


def _datetime(validator: RowValidator, spec: FieldSpec):
    def fail(value):
        message = f"{spec.name}「{shown(value)}」不是有效日期时间（如 2024-01-31 08:30:00）"
        return _Invalid("value.not_datetime", message)

    def convert(text):
        if text[4:5] == "/" and text[7:8] == "/":
            text = text[:10].replace("/", "-") + text[10:]
        if not (text[:4].isdigit() and text[4:5] == "-"):
            raise fail(text)
        try:
            return datetime.datetime.fromisoformat(text).isoformat()
        except ValueError:
            raise fail(text) from None

    def from_object(raw):
        if isinstance(raw, datetime.datetime):
            return raw.isoformat()
        if isinstance(raw, datetime.date):
            return datetime.datetime.combine(raw, datetime.time(0)).isoformat()
        raise fail(raw)

    return convert, from_object


def _boolean(validator: RowValidator, spec: FieldSpec):
    def fail(value):
        message = f"{spec.name}「{shown(value)}」不是是/否值（可填 是/否、true/false、1/0、Y/N）"
        return _Invalid("value.not_boolean", message)

    def convert(text):
        value = BOOLEAN_VALUES.get(text.lower())
        if value is None:
            raise fail(text)
        return value

    def from_object(raw):
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        raise fail(raw)

    return convert, from_object


def _identifier_error(spec: FieldSpec, text: str, exc: IdentifierError) -> _Invalid:
    label = IDENTIFIER_LABELS[spec.data_type]
    rest = exc.message.removeprefix(label)
    if rest == exc.message:
        rest = "：" + rest
    return _Invalid(exc.code, f"{spec.name}「{shown(text)}」{rest}")


def _slow_identifier(spec: FieldSpec, validate: Callable[[str], str]):
    def slow(text):
        try:
            return validate(text)
        except IdentifierError as exc:
            raise _identifier_error(spec, text, exc) from None

    return slow


def _uscc(validator: RowValidator, spec: FieldSpec):
    allow = validator._allow_test
    slow = _slow_identifier(spec, lambda text: validate_uscc(text, allow_test_region=allow))

    def convert(text):
        # Fast path accepts exactly what validate_uscc accepts unchanged; anything else
        # goes to validate_uscc, which normalises it or says what is wrong. The check is
        # uscc_check_char's, inlined: the body's characters are checked just before.
        if (
            len(text) == 18
            and not text.strip(USCC_ALPHABET)
            and text[2:8].isdigit()
            and USCC_ALPHABET[-int(text[16::-1].translate(_USCC_TO_BASE34), 34) % 31] == text[17]
            and (allow or text[2:4] != TEST_REGION_PREFIX)
        ):
            return text
        return slow(text)

    return convert, _object_as_text(spec)


def _known_region(validator: RowValidator, code: str) -> object:
    """validate_region's answer for a code, cached per load (a city has a few thousand codes)."""
    known = validator._regions.get(code)
    if known is None:
        try:
            known = validate_region(code, allow_test_region=validator._allow_test)
        except IdentifierError as exc:
            known = exc
        if len(validator._regions) < 100_000:
            validator._regions[code] = known
    return known


def _ric(validator: RowValidator, spec: FieldSpec):
    allow = validator._allow_test
    today = validator._today
    regions = validator._regions
    birth_dates: dict[str, bool] = {}  # YYYYMMDD → is a possible birth date
    slow = _slow_identifier(spec, lambda text: validate_ric(text, allow_test_region=allow))

    def birth_date_ok(text):
        try:
            born = ric_birth_date(text)
        except ValueError:
            return False
        return 1880 <= born.year and born <= today

    def convert(text):
        # Fast path accepts exactly what validate_ric accepts unchanged (it is stricter
        # only in using the load's start date as "today"); the rest goes to validate_ric.
        if (
            len(text) == 18
            and not text[:17].strip(_DIGITS)
            and ric_check_char(text[:17]) == text[17]
        ):
            region = regions.get(text[:6])
            if region is None:
                region = _known_region(validator, text[:6])
            born_ok = birth_dates.get(text[6:14])
            if born_ok is None:
                born_ok = birth_date_ok(text)
                if len(birth_dates) < 100_000:
                    birth_dates[text[6:14]] = born_ok
            if born_ok and region.__class__ is str:
                return text
        return slow(text)

    return convert, _object_as_text(spec)


def _region(validator: RowValidator, spec: FieldSpec):
    def convert(text):
        known = _known_region(validator, text)
        if known.__class__ is str:
            return known
        raise _identifier_error(spec, text, known)

    return convert, _object_as_text(spec)


def _phone(validator: RowValidator, spec: FieldSpec):
    slow = _slow_identifier(spec, validate_mobile)

    def convert(text):
        if len(text) == 11 and text[0] == "1" and text[1] in "3456789" and not text.strip(_DIGITS):
            return text
        return slow(text)

    return convert, _object_as_text(spec)


_CONVERTERS = {
    "string": _string,
    "enum": _enum,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "datetime": _datetime,
    "boolean": _boolean,
    "uscc": _uscc,
    "ric": _ric,
    "region": _region,
    "phone": _phone,
}


# --- duplicates and export -----------------------------------------------------


class DuplicateTracker:
    """Remembers the record keys of one load to find duplicates within it, in bounded memory.

    A short key (most are: a USCC or 身份号码 is 18 characters) is kept as itself, a longer one
    as its 16-byte blake2b digest; keys and digests never collide (one is text, one bytes).
    Up to `memory_keys` of them are held in a set (about 90 bytes each, ≈ 95 MB at the
    default). When the set is full its keys go to disk as one sorted run of digests in a
    temporary file (`_SpilledKeys`), and a fixed-size bit filter is marked for each: a later
    key whose two bits are not both set cannot be on disk, so only the rare key that hits the
    filter is looked up there. Past that point the memory a load takes no longer grows with
    its file, at about 2–3 µs more per row.
    """

    SHORT = 32
    MEMORY_KEYS = 1 << 20  # files of up to a million rows never touch the disk
    FILTER_BITS = 1 << 28  # 32 MB; ≈ 0.01 % false hits with 1 M keys on disk, ≈ 0.5 % with 10 M

    def __init__(self, *, memory_keys: int | None = None, filter_bits: int | None = None):
        filter_bits = filter_bits if filter_bits is not None else self.FILTER_BITS
        if filter_bits & (filter_bits - 1) or filter_bits < 8:
            raise ValueError("filter_bits must be a power of two ≥ 8")
        self._memory: set = set()
        self._memory_keys = memory_keys if memory_keys is not None else self.MEMORY_KEYS
        self._mask = filter_bits - 1
        self._filter: bytearray | None = None
        self._disk: _SpilledKeys | None = None

    def seen(self, key: str) -> bool:
        """True when the key was seen before; otherwise remember it and return False."""
        token = key if len(key) <= self.SHORT else _digest(key)
        if token in self._memory:
            return True
        if self._filter is not None and self._maybe_on_disk(token):
            return True
        self._memory.add(token)
        if len(self._memory) > self._memory_keys:
            self._spill()
        return False

    def all_new(self, keys: list[str]) -> bool:
        """`seen` for a batch of keys at once, with set operations instead of a call per key:
        True when none was seen before and none repeats within the batch (all are remembered
        then); False, remembering none, when that is not so or not sure without `seen` (keys
        on disk, or too long), for the caller to ask `seen` key by key."""
        if not keys:
            return True
        if self._filter is not None or len(self._memory) + len(keys) > self._memory_keys:
            return False
        if max(map(len, keys)) > self.SHORT:
            return False
        batch = set(keys)
        if len(batch) != len(keys) or not self._memory.isdisjoint(batch):
            return False
        self._memory |= batch
        return True

    def __len__(self) -> int:
        return len(self._memory) + (len(self._disk) if self._disk is not None else 0)

    @property
    def spilled(self) -> bool:
        """True once keys have gone to disk."""
        return self._disk is not None

    def close(self) -> None:
        """Forget every key (and delete the file holding some)."""
        if self._disk is not None:
            self._disk.close()
        self._memory, self._filter, self._disk = set(), None, None

    def _maybe_on_disk(self, token) -> bool:
        h, mask, bits = hash(token), self._mask, self._filter  # hash(): per process, as the filter
        i, j = h & mask, (h >> 32) & mask
        if bits[i >> 3] & (1 << (i & 7)) and bits[j >> 3] & (1 << (j & 7)):
            return (token if token.__class__ is bytes else _digest(token)) in self._disk
        return False

    def _spill(self) -> None:
        if self._disk is None:
            self._disk, self._filter = _SpilledKeys(), bytearray((self._mask + 1) >> 3)
        bits, mask = self._filter, self._mask
        for token in self._memory:
            h = hash(token)
            i, j = h & mask, (h >> 32) & mask
            bits[i >> 3] |= 1 << (i & 7)
            bits[j >> 3] |= 1 << (j & 7)
        self._disk.add([t if t.__class__ is bytes else _digest(t) for t in self._memory])
        self._memory = set()


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=_SpilledKeys.WIDTH).digest()


class _SpilledKeys:
    """Key digests on disk: sorted runs in one temporary file, each searched with `bisect`
    reading single digests (the file's pages stay the OS's cache, not the process's memory)."""

    WIDTH = 16

    def __init__(self):
        self._file = tempfile.TemporaryFile(prefix="yiwang-keys-")
        self._runs: list[tuple[int, int]] = []  # (first digest's index, end index)

    def add(self, digests: list[bytes]) -> None:
        digests.sort()
        start = self._file.seek(0, os.SEEK_END) // self.WIDTH
        self._file.write(b"".join(digests))
        self._file.flush()
        self._runs.append((start, start + len(digests)))

    def __getitem__(self, index: int) -> bytes:  # what bisect reads: the index-th digest
        return os.pread(self._file.fileno(), self.WIDTH, index * self.WIDTH)

    def __contains__(self, digest: bytes) -> bool:
        for start, end in self._runs:
            i = bisect.bisect_left(self, digest, start, end)
            if i < end and self[i] == digest:
                return True
        return False

    def __len__(self) -> int:
        return self._runs[-1][1] if self._runs else 0

    def close(self) -> None:
        self._file.close()
