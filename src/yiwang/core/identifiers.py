"""National identifiers with their check digits, and test-region generators.

- 统一社会信用代码 USCC (GB 32100, mod 31)
- 公民身份号码 resident identity number (GB 11643, ISO 7064 MOD 11-2)
- 组织机构代码 organisation code (GB 11714, mod 11)
- 行政区划代码 region code (GB/T 2260)
- 电子证照标识 licence identifier check (GB/T 36904, ISO 7064 MOD 37,36)

Validators return the normalised value or raise IdentifierError with a stable
code and a Chinese message. Region codes starting with ``99`` are unassigned
in GB/T 2260; Yiwang's demo and tests live there, and production refuses them.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import uscc as std_uscc
from stdnum.iso7064 import mod_37_36

TEST_REGION_PREFIX = "99"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
LICENCE_ID_PREFIX = "1.2.156.3005.2"
LICENCE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# The fictional test region: a city with districts and counties under code 99.
TEST_REGIONS = {
    "990000": "测试省",
    "990100": "江澜市",
    "990102": "江澜市东湖区",
    "990103": "江澜市西山区",
    "990104": "江澜市南湖区",
    "990121": "江澜市青山县",
    "990122": "江澜市白水县",
    "990123": "江澜市云溪县",
}


class IdentifierError(ValueError):
    """An identifier failed validation; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _test_region_allowed(allow_test_region: bool | None) -> bool:
    if allow_test_region is not None:
        return allow_test_region
    from django.conf import settings

    return getattr(settings, "ALLOW_TEST_REGION", False)


def _clean(value: object) -> str:
    return re.sub(r"[\s-]", "", str(value or "")).upper()


# --- 行政区划代码 -------------------------------------------------------------


def region_name(code: str) -> str | None:
    """The name of a GB/T 2260 region (or of a test region), None when unknown."""
    if code in TEST_REGIONS:
        return TEST_REGIONS[code]
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    if not info.get("county"):
        # A known province prefix alone (119999 → 北京市) is not a known region.
        return None
    county = re.sub(r"\[[^\]]*\]", "", info.get("county", "")).split(",")[0]
    return "".join(p for p in (info.get("province"), info.get("prefecture"), county) if p) or None


def validate_region(value: object, *, allow_test_region: bool | None = None) -> str:
    """Validate a 6-digit 行政区划代码 against GB/T 2260 (or the test region)."""
    code = _clean(value)
    if not re.fullmatch(r"[0-9]{6}", code):
        raise IdentifierError("identifier.region.format", "行政区划代码应为 6 位数字")
    if code.startswith(TEST_REGION_PREFIX):
        if not _test_region_allowed(allow_test_region):
            raise IdentifierError("identifier.test_region", "测试区划（99 开头）在生产环境不可使用")
        return code
    if region_name(code) is None:
        raise IdentifierError("identifier.region.unknown", "行政区划代码不在 GB/T 2260 中")
    return code


# --- 组织机构代码 GB 11714 -----------------------------------------------------


def org_code_check_char(body: str) -> str:
    """The check character of an 8-character 组织机构代码 body."""
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_org_code(value: object) -> str:
    """Validate a 9-character 组织机构代码 (GB 11714), hyphen optional."""
    code = _clean(value)
    if len(code) != 9:
        raise IdentifierError("identifier.org_code.length", "组织机构代码应为 9 位")
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        raise IdentifierError("identifier.org_code.format", "组织机构代码含有不允许的字符")
    if org_code_check_char(code[:8]) != code[8]:
        raise IdentifierError("identifier.org_code.checksum", "组织机构代码校验位错误")
    return code


# --- 统一社会信用代码 GB 32100 -------------------------------------------------


# USCC alphabet index → a digit of base 34; 34 ≡ 3 (mod 31), so int(reversed body, 34)
# is Σ index·3^i ≡ the GB 32100 weighted sum, computed in C (≈7× faster than stdnum).
_USCC_TO_BASE34 = str.maketrans(USCC_ALPHABET, "0123456789abcdefghijklmnopqrstu")


def uscc_check_char(body: str) -> str:
    """The check character of the first 17 characters of a USCC."""
    if len(body) == 17 and not body.strip(USCC_ALPHABET):
        return USCC_ALPHABET[-int(body.translate(_USCC_TO_BASE34)[::-1], 34) % 31]
    return std_uscc.calc_check_digit(body)


def validate_uscc(value: object, *, allow_test_region: bool | None = None) -> str:
    """Validate a 18-character 统一社会信用代码 (GB 32100)."""
    code = _clean(value)
    if len(code) != 18:
        raise IdentifierError("identifier.uscc.length", "统一社会信用代码应为 18 位")
    if not re.fullmatch(r"[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}", code):
        raise IdentifierError("identifier.uscc.format", "统一社会信用代码含有不允许的字符")
    if uscc_check_char(code[:17]) != code[17]:
        raise IdentifierError("identifier.uscc.checksum", "统一社会信用代码校验位错误")
    if code[2:4] == TEST_REGION_PREFIX and not _test_region_allowed(allow_test_region):
        raise IdentifierError("identifier.test_region", "测试区划（99 开头）在生产环境不可使用")
    return code


# --- 公民身份号码 GB 11643 -----------------------------------------------------


def ric_check_char(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    # stdnum's cn.ric.calc_check_digit(body + "0"), inlined: 13 ≡ 2 (mod 11) makes
    # int(body, 13) the MOD 11-2 weighted sum.
    return "0123456789X"[(1 - 2 * int(body, 13)) % 11]


def validate_ric(value: object, *, allow_test_region: bool | None = None) -> str:
    """Validate an 18-character 公民身份号码 (GB 11643): region, birth date, check."""
    code = _clean(value)
    if len(code) != 18:
        raise IdentifierError("identifier.ric.length", "公民身份号码应为 18 位")
    if not re.fullmatch(r"[0-9]{17}[0-9X]", code):
        raise IdentifierError("identifier.ric.format", "公民身份号码含有不允许的字符")
    if ric_check_char(code[:17]) != code[17]:
        raise IdentifierError("identifier.ric.checksum", "公民身份号码校验位错误")
    try:
        born = ric_birth_date(code)
    except ValueError as exc:
        raise IdentifierError("identifier.ric.birth_date", "公民身份号码中的出生日期无效") from exc
    if born > datetime.date.today() or born.year < 1880:
        raise IdentifierError("identifier.ric.birth_date", "公民身份号码中的出生日期无效")
    try:
        validate_region(code[:6], allow_test_region=allow_test_region)
    except IdentifierError as exc:
        if exc.code == "identifier.test_region":
            raise
        raise IdentifierError("identifier.ric.region", "公民身份号码中的地址码无效") from exc
    return code


def ric_birth_date(code: str) -> datetime.date:
    return datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))


def ric_sex(code: str) -> str:
    """'M' or 'F', from the parity of the 17th digit."""
    return "M" if int(code[16]) % 2 else "F"


# --- 电子证照标识 GB/T 36904 ---------------------------------------------------


@dataclass(frozen=True)
class LicenceId:
    type_code: str
    issuer_code: str
    serial: str
    version: str

    def body(self) -> str:
        return (
            f"{LICENCE_ID_PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}"
        )

    def __str__(self) -> str:
        return f"{self.body()}.{licence_check_char(self.body())}"


def licence_check_char(body: str) -> str:
    """ISO 7064 MOD 37,36 check character over the identifier's alphanumerics."""
    return mod_37_36.calc_check_digit(re.sub(r"[^0-9A-Z]", "", body.upper()), LICENCE_ALPHABET)


def validate_licence_id(value: object) -> str:
    """Validate a 电子证照标识 and its MOD 37,36 check character."""
    text = str(value or "").strip().upper()
    if not text.startswith(LICENCE_ID_PREFIX + "."):
        raise IdentifierError(
            "identifier.licence_id.prefix", f"电子证照标识应以 {LICENCE_ID_PREFIX} 开头"
        )
    parts = text[len(LICENCE_ID_PREFIX) + 1 :].split(".")
    if len(parts) != 5 or not all(re.fullmatch(r"[0-9A-Z]+", p) for p in parts):
        raise IdentifierError("identifier.licence_id.format", "电子证照标识结构不正确")
    type_code, _issuer, _serial, _version, check = parts
    if len(type_code) != 21 or len(check) != 1:
        raise IdentifierError("identifier.licence_id.format", "电子证照标识结构不正确")
    if licence_check_char(text[: -len(check) - 1]) != check:
        raise IdentifierError("identifier.licence_id.checksum", "电子证照标识校验位错误")
    return text


# --- 手机号码 ----------------------------------------------------------------


def validate_mobile(value: object) -> str:
    """Validate a mainland mobile number (11 digits starting 1[3-9])."""
    code = _clean(value).removeprefix("+86")
    if not re.fullmatch(r"1[3-9][0-9]{9}", code):
        raise IdentifierError("identifier.mobile.format", "手机号码应为 11 位，以 13–19 开头")
    return code


VALIDATORS = {
    "uscc": validate_uscc,
    "ric": validate_ric,
    "org_code": validate_org_code,
    "region": validate_region,
    "licence_id": validate_licence_id,
    "mobile": validate_mobile,
}


# --- Generators for the test region ------------------------------------------


def make_org_code(body: str) -> str:
    return body + org_code_check_char(body)


def make_uscc(*, region: str, org_body: str, registrar: str = "9", kind: str = "1") -> str:
    """Build a USCC: registrar + kind + region + 组织机构代码 + check."""
    if len(org_body) != 8 or any(c not in USCC_ALPHABET for c in org_body):
        raise ValueError("org_body must be 8 characters of the USCC alphabet (no I, O, S, V, Z)")
    body = registrar + kind + region + make_org_code(org_body)
    return body + uscc_check_char(body)


def make_ric(*, region: str, born: datetime.date, sequence: int, sex: str) -> str:
    """Build a 公民身份号码; `sequence` 0–99 picks the order code, `sex` its parity."""
    order = sequence % 100 * 10 + (1 if sex == "M" else 0) + (sequence // 100 % 5) * 2
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric_check_char(body)


def random_uscc(
    rng: random.Random, *, region: str = "990100", registrar: str = "9", kind: str = "1"
) -> str:
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    return make_uscc(region=region, org_body=body, registrar=registrar, kind=kind)


def random_ric(rng: random.Random, *, region: str = "990102", sex: str | None = None) -> str:
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 30000))
    return make_ric(
        region=region, born=born, sequence=rng.randrange(500), sex=sex or rng.choice("MF")
    )


def random_mobile(rng: random.Random) -> str:
    return rng.choice(("138", "139", "150", "186", "177", "199")) + f"{rng.randrange(10**8):08d}"


def canonical(kind: str, value: str | None) -> str | None:
    """`value` in the form it is stored and compared in (no spaces or hyphens, upper-case
    letters), when it is a valid identifier of `kind`; otherwise as it was, for the field's
    validator to refuse. A 身份号码 typed with a lower-case x is the same person's."""
    if not value:
        return value
    try:
        return VALIDATORS[kind](value)
    except IdentifierError:
        return value


def django_validator(kind: str) -> IdentifierValidator:
    """A Django field validator for one identifier kind."""
    return IdentifierValidator(kind)


class IdentifierValidator:
    """Deconstructible Django validator wrapping one of VALIDATORS."""

    def __init__(self, kind: str):
        if kind not in VALIDATORS:
            raise ValueError(kind)
        self.kind = kind

    def __call__(self, value) -> None:
        from django.core.exceptions import ValidationError

        try:
            VALIDATORS[self.kind](value)
        except IdentifierError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc

    def __eq__(self, other) -> bool:
        return isinstance(other, IdentifierValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)

    def deconstruct(self):
        return ("yiwang.core.identifiers.IdentifierValidator", (self.kind,), {})
