"""Known answers: the GB/T 36904 check character against ISO/IEC 7064 MOD 37,36 computed here
from its definition (not through python-stdnum), and RFC 8785 canonical JSON against the RFC's
own examples (section 3.2.2, the key ordering of 3.2.3, the numbers of Appendix B)."""

import json
import re
import struct

import pytest

from tests.licences.conftest import issue_business
from yiwang.core.identifiers import (
    IdentifierError,
    LicenceId,
    licence_check_char,
    validate_licence_id,
)
from yiwang.licences import documents

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def iso7064_mod_37_36(text: str) -> str:
    """ISO/IEC 7064 hybrid system with M = 36: start with P = M; for each character value a,
    S = (P + a) mod M, taken as M when 0, and P = 2S mod (M + 1); the check character c is the
    one that makes (P + c) mod M = 1."""
    m, p = 36, 36
    for char in text:
        s = (p + ALPHABET.index(char)) % m or m
        p = (2 * s) % (m + 1)
    return ALPHABET[(1 - p) % m]


def test_the_mod_37_36_definition_worked_by_hand():
    # "A" (a = 10): S = (36 + 10) mod 36 = 10, P = 20 mod 37 = 20; c = (1 − 20) mod 36 = 17 → "H".
    # "0" (a = 0): S = 36 mod 36 = 0 → 36, P = 72 mod 37 = 35; c = (1 − 35) mod 36 = 2 → "2".
    assert (iso7064_mod_37_36("A"), iso7064_mod_37_36("0")) == ("H", "2")
    assert licence_check_char("A") == "H" and licence_check_char("0") == "2"


@pytest.mark.parametrize(("type_code", "issuer", "serial", "version"), [
    ("11990100T00000044A001", "11990100T00000044A", "00000001", "1"),
    ("12990000MB0000001X002", "11990100T00000044A", "99999999", "17"),
    ("91990000000000000A999", "91990000000000000A", "00000000", "1"),
])  # fmt: skip
def test_the_identifier_check_character_follows_iso_7064_mod_37_36(
    type_code, issuer, serial, version
):
    identifier = str(LicenceId(type_code, issuer, serial, version))
    body, check = identifier.rsplit(".", 1)
    assert check == iso7064_mod_37_36(re.sub(r"[^0-9A-Z]", "", body))


def test_a_known_identifier_has_check_character_b():
    assert str(LicenceId("11990100T00000044A001", "11990100T00000044A", "00000001", "1")) == (
        "1.2.156.3005.2.11990100T00000044A001.11990100T00000044A.00000001.1.B"
    )


@pytest.mark.django_db
def test_an_issued_licence_carries_the_independently_computed_check_character(city, types, company):
    identifier = issue_business(city, types, company).identifier
    body, check = identifier.rsplit(".", 1)
    assert check == iso7064_mod_37_36(body.replace(".", ""))


def test_every_other_check_character_is_refused():
    body = "1.2.156.3005.2.11990100T00000044A001.11990100T00000044A.00000001.1"
    right = iso7064_mod_37_36(body.replace(".", ""))
    assert validate_licence_id(f"{body}.{right}")
    for wrong in ALPHABET.replace(right, ""):
        with pytest.raises(IdentifierError):
            validate_licence_id(f"{body}.{wrong}")


# --- RFC 8785 ---------------------------------------------------------------------

APPENDIX_B = [  # IEEE 754 bit pattern → the RFC's serialisation (the finite samples)
    ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"), ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"), ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]  # fmt: skip


def canonical(value) -> str:
    """What a licence's signature covers: the project's RFC 8785 canonical form, as text."""
    return documents.signed_bytes(value).decode()


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_numbers_serialise_as_in_rfc_8785_appendix_b(bits, expected):
    assert canonical(struct.unpack(">d", bytes.fromhex(bits))[0]) == expected


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000"])
def test_nan_and_infinity_have_no_canonical_form(bits):
    assert documents.presented_bytes(struct.unpack(">d", bytes.fromhex(bits))[0]) is None


def test_the_rfc_8785_section_3_2_2_example_numbers_strings_and_literals():
    text = r"""{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"""
    assert canonical(json.loads(text)) == (
        r'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        r'"string":"€$\u000f\nA'
        "'"
        r'B\"\\\\\"/"}'
    )


def test_the_rfc_8785_section_3_2_3_keys_sort_by_utf_16_code_units():
    text = r"""{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"""
    assert canonical(json.loads(text)) == (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",'
        '"€":"Euro Sign","\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
