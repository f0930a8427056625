"""National identifiers: standard examples, check characters, test region, bad input."""

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db.migrations.writer import MigrationWriter
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core import identifiers
from yiwang.core.identifiers import (
    LICENCE_ALPHABET,
    ORG_CODE_ALPHABET,
    USCC_ALPHABET,
    IdentifierError,
    LicenceId,
    make_org_code,
    make_ric,
    make_uscc,
    ric_check_char,
    uscc_check_char,
    validate_licence_id,
    validate_mobile,
    validate_org_code,
    validate_region,
    validate_ric,
    validate_uscc,
)

USCC_EXAMPLE = "91350100M000100Y43"
RIC_EXAMPLE = "11010519491231002X"
ORG_CODE_EXAMPLE = "D2143569X"
RIC_ALPHABET = "0123456789X"
KNOWN_REGIONS = ["110105", "350102", "440305", "310115", "990102", "990121"]

property_settings = settings(max_examples=200, deadline=None)


def raises_code(code: str):
    """pytest.raises for an IdentifierError whose stable code is `code`."""
    return pytest.raises(IdentifierError, check=lambda exc: exc.code == code)


def substitutions(code: str, alphabet: str):
    """Every string that differs from `code` in exactly one character taken from `alphabet`."""
    for i, original in enumerate(code):
        for replacement in alphabet:
            if replacement != original:
                yield code[:i] + replacement + code[i + 1 :]


def undetected(validate, code: str, alphabet: str) -> list[str]:
    """The single substitutions of `code` that `validate` accepts."""
    accepted = []
    for variant in substitutions(code, alphabet):
        try:
            validate(variant)
        except IdentifierError:
            continue
        accepted.append(variant)
    return accepted


def ric_with_body(body: str) -> str:
    """A 公民身份号码 with a correct check character, whatever the body says."""
    return body + ric_check_char(body)


def uscc_with_body(body: str) -> str:
    return body + uscc_check_char(body)


def licence(type_code="A" * 21, issuer=USCC_EXAMPLE, serial="0001", version="1") -> str:
    return str(LicenceId(type_code, issuer, serial, version))


# --- strategies --------------------------------------------------------------

uscc_chars = st.sampled_from(USCC_ALPHABET)
org_bodies = st.text(st.sampled_from(ORG_CODE_ALPHABET), min_size=8, max_size=8)
alnum = st.sampled_from(LICENCE_ALPHABET)


@st.composite
def usccs(draw):
    return make_uscc(
        region=draw(st.text(st.sampled_from("0123456789"), min_size=6, max_size=6)),
        org_body=draw(st.text(uscc_chars, min_size=8, max_size=8)),
        registrar=draw(uscc_chars),
        kind=draw(uscc_chars),
    )


@st.composite
def rics(draw):
    return make_ric(
        region=draw(st.sampled_from(KNOWN_REGIONS)),
        born=draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31))),
        sequence=draw(st.integers(0, 499)),
        sex=draw(st.sampled_from("MF")),
    )


@st.composite
def licence_ids(draw):
    return str(
        LicenceId(
            type_code=draw(st.text(alnum, min_size=21, max_size=21)),
            issuer_code=draw(usccs()),
            serial=draw(st.text(alnum, min_size=1, max_size=12)),
            version=draw(st.text(st.sampled_from("0123456789"), min_size=1, max_size=3)),
        )
    )


# --- standard examples -------------------------------------------------------


def test_the_standard_uscc_example_is_valid():
    assert validate_uscc(USCC_EXAMPLE, allow_test_region=False) == USCC_EXAMPLE


def test_the_standard_ric_example_is_valid_outside_the_test_region():
    assert validate_ric(RIC_EXAMPLE, allow_test_region=False) == RIC_EXAMPLE


def test_the_standard_org_code_example_is_valid():
    assert validate_org_code(ORG_CODE_EXAMPLE) == ORG_CODE_EXAMPLE


def test_an_org_code_written_with_its_hyphen_is_normalised():
    assert validate_org_code("D2143569-X") == ORG_CODE_EXAMPLE


def test_the_standard_ric_example_is_a_woman_born_on_new_years_eve_1949():
    assert identifiers.ric_birth_date(RIC_EXAMPLE) == datetime.date(1949, 12, 31)
    assert identifiers.ric_sex(RIC_EXAMPLE) == "F"


# --- generated codes validate ------------------------------------------------


@property_settings
@given(usccs())
def test_a_generated_uscc_validates(code):
    assert validate_uscc(code, allow_test_region=True) == code


@property_settings
@given(rics())
def test_a_generated_ric_validates(code):
    assert validate_ric(code, allow_test_region=True) == code


@property_settings
@given(
    st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
    st.integers(0, 499),
    st.sampled_from("MF"),
)
def test_a_generated_ric_carries_its_birth_date_and_sex(born, sequence, sex):
    code = make_ric(region="990102", born=born, sequence=sequence, sex=sex)
    assert identifiers.ric_birth_date(code) == born
    assert identifiers.ric_sex(code) == sex


@property_settings
@given(org_bodies)
def test_a_generated_org_code_validates(body):
    code = make_org_code(body)
    assert validate_org_code(code) == code


@property_settings
@given(licence_ids())
def test_a_generated_licence_id_validates(code):
    assert validate_licence_id(code) == code


# --- single substitutions are caught -----------------------------------------


@property_settings
@given(usccs())
def test_every_single_character_substitution_in_a_uscc_is_caught(code):
    assert undetected(lambda v: validate_uscc(v, allow_test_region=True), code, USCC_ALPHABET) == []


@property_settings
@given(rics())
def test_every_single_character_substitution_in_a_ric_is_caught(code):
    assert undetected(lambda v: validate_ric(v, allow_test_region=True), code, RIC_ALPHABET) == []


@property_settings
@given(st.text(st.sampled_from("0123456789"), min_size=8, max_size=8))
def test_every_single_character_substitution_in_an_all_digit_org_code_is_caught(body):
    assert undetected(validate_org_code, make_org_code(body), "0123456789") == []


@property_settings
@given(org_bodies)
def test_the_only_org_code_substitutions_missed_are_body_characters_eleven_apart_in_value(body):
    # GB 11714 weighs 36 character values modulo 11, so 0/B/M/X (0, 11, 22, 33) look alike.
    code = make_org_code(body)
    value = ORG_CODE_ALPHABET.index
    eleven_apart = {
        code[:i] + new + code[i + 1 :]
        for i, old in enumerate(body)
        for new in ORG_CODE_ALPHABET
        if new != old and (value(new) - value(old)) % 11 == 0
    }
    assert set(undetected(validate_org_code, code, ORG_CODE_ALPHABET)) == eleven_apart


def test_the_org_code_check_cannot_see_a_substitution_eleven_apart_in_value():
    # GB 11714's mod 11 over a 36-character alphabet: D (13) and 2 (2) weigh the same.
    assert validate_org_code("22143569X") == "22143569X"


@settings(max_examples=40, deadline=None)
@given(licence_ids())
def test_every_single_character_substitution_in_a_licence_id_is_caught(code):
    assert undetected(validate_licence_id, code, LICENCE_ALPHABET) == []


def test_a_single_changed_character_in_the_standard_uscc_is_caught():
    with raises_code("identifier.uscc.checksum"):
        validate_uscc("91350100M000100Y44", allow_test_region=False)


def test_a_single_changed_digit_in_the_standard_ric_is_caught():
    with raises_code("identifier.ric.checksum"):
        validate_ric("11010519491231003X", allow_test_region=False)


def test_a_single_changed_character_in_the_standard_org_code_is_caught():
    with raises_code("identifier.org_code.checksum"):
        validate_org_code("D2143568X")


# --- the test region ---------------------------------------------------------


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # digits to \\d, not to a person


def test_identifiers_with_digits_other_than_ascii_are_refused_with_their_code():
    uscc = make_uscc(region="990100", org_body="T0000001")
    ric = make_ric(region="990102", born=datetime.date(1980, 1, 1), sequence=1, sex="M")
    with raises_code("identifier.region.format"):
        validate_region("99" + "0102".translate(ARABIC_INDIC), allow_test_region=True)
    with raises_code("identifier.uscc.format"):  # it was a bare ValueError: a crashed load
        validate_uscc(
            uscc[:2] + uscc[2:8].translate(ARABIC_INDIC) + uscc[8:], allow_test_region=True
        )
    with pytest.raises(IdentifierError):
        validate_ric(ric[:6] + ric[6:17].translate(ARABIC_INDIC) + ric[17], allow_test_region=True)
    with pytest.raises(IdentifierError):
        validate_mobile("13" + "800138000".translate(ARABIC_INDIC))


def test_a_test_region_code_is_accepted_when_the_test_region_is_allowed():
    assert validate_region("990102", allow_test_region=True) == "990102"


def test_a_test_region_code_is_refused_when_the_test_region_is_not_allowed():
    with raises_code("identifier.test_region"):
        validate_region("990102", allow_test_region=False)


def test_a_test_region_uscc_is_accepted_when_the_test_region_is_allowed():
    code = make_uscc(region="990100", org_body="T0000001")
    assert validate_uscc(code, allow_test_region=True) == code


def test_a_test_region_uscc_is_refused_when_the_test_region_is_not_allowed():
    with raises_code("identifier.test_region"):
        validate_uscc(make_uscc(region="990100", org_body="T0000001"), allow_test_region=False)


def test_a_uscc_is_in_the_test_region_by_its_third_and_fourth_characters_only():
    code = make_uscc(region="359900", org_body="T0000001", registrar="9", kind="9")
    assert validate_uscc(code, allow_test_region=False) == code


def test_a_test_region_ric_is_accepted_when_the_test_region_is_allowed():
    code = make_ric(region="990102", born=datetime.date(1990, 1, 1), sequence=7, sex="M")
    assert validate_ric(code, allow_test_region=True) == code


def test_a_test_region_ric_is_refused_when_the_test_region_is_not_allowed():
    code = make_ric(region="990102", born=datetime.date(1990, 1, 1), sequence=7, sex="M")
    with raises_code("identifier.test_region"):
        validate_ric(code, allow_test_region=False)


def test_the_django_setting_refuses_the_test_region_when_no_argument_is_given(settings):
    settings.ALLOW_TEST_REGION = False
    with raises_code("identifier.test_region"):
        validate_uscc(make_uscc(region="990100", org_body="T0000001"))


def test_the_django_setting_allows_the_test_region_when_no_argument_is_given(settings):
    settings.ALLOW_TEST_REGION = True
    code = make_uscc(region="990100", org_body="T0000001")
    assert validate_uscc(code) == code


def test_an_explicit_argument_overrides_the_django_setting(settings):
    settings.ALLOW_TEST_REGION = True
    with raises_code("identifier.test_region"):
        validate_region("990102", allow_test_region=False)


# --- region names ------------------------------------------------------------


def test_a_gb_t_2260_region_has_its_name():
    assert "朝阳" in identifiers.region_name("110105")


def test_a_test_region_has_its_fictional_name():
    assert identifiers.region_name("990102") == "江澜市东湖区"


def test_an_unknown_county_under_a_known_province_has_no_name():
    assert identifiers.region_name("119999") is None


def test_a_province_code_is_a_known_region():
    assert validate_region("350000", allow_test_region=False) == "350000"


def test_a_prefecture_code_is_a_known_region():
    assert validate_region("350100", allow_test_region=False) == "350100"


# --- bad input: USCC ---------------------------------------------------------


@pytest.mark.parametrize("value", [USCC_EXAMPLE[:-1], USCC_EXAMPLE + "0", ""])
def test_a_uscc_of_the_wrong_length_is_refused(value):
    with raises_code("identifier.uscc.length"):
        validate_uscc(value, allow_test_region=False)


def test_none_is_refused_as_a_uscc():
    with raises_code("identifier.uscc.length"):
        validate_uscc(None, allow_test_region=False)


def test_a_lowercase_uscc_with_spaces_is_normalised():
    assert validate_uscc(" 91350100m 000100y43 ", allow_test_region=False) == USCC_EXAMPLE


@pytest.mark.parametrize("position", [0, 1, 8, 17])
@pytest.mark.parametrize("letter", "IOZSV")
def test_a_uscc_letter_outside_gb_32100_is_refused(letter, position):
    # A check character cannot be computed over these letters, so it is a format error.
    code = USCC_EXAMPLE[:position] + letter + USCC_EXAMPLE[position + 1 :]
    with raises_code("identifier.uscc.format"):
        validate_uscc(code, allow_test_region=False)


def test_a_uscc_with_a_letter_in_its_region_is_refused():
    with raises_code("identifier.uscc.format"):
        validate_uscc(uscc_with_body("91A50100M000100Y4"), allow_test_region=False)


def test_a_uscc_with_a_wrong_check_character_is_refused():
    with raises_code("identifier.uscc.checksum"):
        validate_uscc(USCC_EXAMPLE[:-1] + "4", allow_test_region=False)


# --- bad input: 公民身份号码 ----------------------------------------------------


@pytest.mark.parametrize("value", [RIC_EXAMPLE[:-1], RIC_EXAMPLE + "1", "110105491231002"])
def test_a_ric_of_the_wrong_length_is_refused(value):
    with raises_code("identifier.ric.length"):
        validate_ric(value, allow_test_region=False)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_ric_is_refused(value):
    with raises_code("identifier.ric.length"):
        validate_ric(value, allow_test_region=False)


def test_a_lowercase_ric_with_spaces_is_normalised():
    assert validate_ric("110105 19491231 002x", allow_test_region=False) == RIC_EXAMPLE


def test_a_ric_with_a_letter_in_its_body_is_refused():
    with raises_code("identifier.ric.format"):
        validate_ric("1101051949123100AX", allow_test_region=False)


def test_a_ric_with_a_wrong_check_character_is_refused():
    with raises_code("identifier.ric.checksum"):
        validate_ric(RIC_EXAMPLE[:-1] + "0", allow_test_region=False)


@pytest.mark.parametrize("birth", ["19491331", "19490230", "19490001", "19491200"])
def test_a_ric_with_an_impossible_birth_date_is_refused(birth):
    with raises_code("identifier.ric.birth_date"):
        validate_ric(ric_with_body(f"110105{birth}002"), allow_test_region=False)


def test_a_ric_born_tomorrow_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with raises_code("identifier.ric.birth_date"):
        validate_ric(ric_with_body(f"110105{tomorrow:%Y%m%d}002"), allow_test_region=False)


def test_a_ric_born_before_1880_is_refused():
    with raises_code("identifier.ric.birth_date"):
        validate_ric(ric_with_body("11010518791231002"), allow_test_region=False)


def test_a_ric_born_today_is_accepted():
    code = ric_with_body(f"110105{datetime.date.today():%Y%m%d}002")
    assert validate_ric(code, allow_test_region=False) == code


@pytest.mark.parametrize("region", ["000000", "119999", "123456", "119900"])
def test_a_ric_with_an_unknown_region_is_refused(region):
    with raises_code("identifier.ric.region"):
        validate_ric(ric_with_body(f"{region}19491231002"), allow_test_region=False)


# --- bad input: region -------------------------------------------------------


@pytest.mark.parametrize("value", ["11010", "1101050", "11010A", "", None])
def test_a_region_code_that_is_not_six_digits_is_refused(value):
    with raises_code("identifier.region.format"):
        validate_region(value, allow_test_region=False)


@pytest.mark.parametrize("value", ["000000", "119999", "123456", "119900"])
def test_a_region_code_not_in_gb_t_2260_is_refused(value):
    with raises_code("identifier.region.unknown"):
        validate_region(value, allow_test_region=False)


# --- bad input: 组织机构代码 ----------------------------------------------------


@pytest.mark.parametrize("value", ["D2143569", "D2143569X0", "", None])
def test_an_org_code_of_the_wrong_length_is_refused(value):
    with raises_code("identifier.org_code.length"):
        validate_org_code(value)


def test_a_lowercase_org_code_with_spaces_is_normalised():
    assert validate_org_code(" d214 3569-x ") == ORG_CODE_EXAMPLE


def test_an_org_code_check_character_other_than_a_digit_or_x_is_refused():
    with raises_code("identifier.org_code.format"):
        validate_org_code("D2143569Y")


def test_an_org_code_with_punctuation_is_refused():
    with raises_code("identifier.org_code.format"):
        validate_org_code("D2143*69X")


def test_an_org_code_with_a_wrong_check_character_is_refused():
    with raises_code("identifier.org_code.checksum"):
        validate_org_code("D21435690")


# --- bad input: 电子证照标识 ----------------------------------------------------


def test_a_lowercase_licence_id_is_normalised():
    code = licence()
    assert validate_licence_id(f"  {code.lower()} ") == code


@pytest.mark.parametrize("value", ["1.2.156.3005.3.X", "2.156.3005.2.A", "", None])
def test_a_licence_id_with_the_wrong_prefix_is_refused(value):
    with raises_code("identifier.licence_id.prefix"):
        validate_licence_id(value)


def test_a_licence_id_with_too_few_parts_is_refused():
    code = licence()
    without_version = code.rsplit(".", 2)[0] + "." + code[-1]
    with raises_code("identifier.licence_id.format"):
        validate_licence_id(without_version)


def test_a_licence_id_with_too_many_parts_is_refused():
    code = licence()
    with raises_code("identifier.licence_id.format"):
        validate_licence_id(code[:-2] + ".0" + code[-2:])


def test_a_licence_id_with_an_empty_part_is_refused():
    with raises_code("identifier.licence_id.format"):
        validate_licence_id(licence().replace(".0001.", "..", 1))


def test_a_licence_id_whose_type_code_is_not_21_characters_is_refused():
    body = f"{identifiers.LICENCE_ID_PREFIX}.{'A' * 20}.{USCC_EXAMPLE}.0001.1"
    with raises_code("identifier.licence_id.format"):
        validate_licence_id(f"{body}.{identifiers.licence_check_char(body)}")


def test_a_licence_id_with_a_two_character_check_is_refused():
    with raises_code("identifier.licence_id.format"):
        validate_licence_id(licence() + "0")


def test_a_licence_id_with_a_wrong_check_character_is_refused():
    code = licence()
    wrong = "0" if code[-1] != "0" else "1"
    with raises_code("identifier.licence_id.checksum"):
        validate_licence_id(code[:-1] + wrong)


# --- mobile numbers ----------------------------------------------------------


def test_a_mainland_mobile_number_is_valid():
    assert validate_mobile("13812345678") == "13812345678"


def test_a_mobile_number_with_the_country_code_is_normalised():
    assert validate_mobile("+8613812345678") == "13812345678"


def test_a_mobile_number_written_with_spaces_and_hyphens_is_normalised():
    assert validate_mobile("+86 138-1234-5678") == "13812345678"


@pytest.mark.parametrize(
    "value", ["12345678901", "1381234567", "138123456789", "10812345678", "", None]
)
def test_a_number_that_is_not_a_mainland_mobile_is_refused(value):
    with raises_code("identifier.mobile.format"):
        validate_mobile(value)


# --- the Django validator ----------------------------------------------------


def test_the_django_validator_accepts_a_valid_code(settings):
    settings.ALLOW_TEST_REGION = False
    assert identifiers.django_validator("uscc")(USCC_EXAMPLE) is None


def test_the_django_validator_raises_a_validation_error_with_the_stable_code():
    with pytest.raises(ValidationError) as caught:
        identifiers.django_validator("uscc")(USCC_EXAMPLE[:-1] + "4")
    assert caught.value.code == "identifier.uscc.checksum"


def test_the_django_validator_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        identifiers.django_validator("passport")


def test_the_django_validator_deconstructs_to_an_importable_equal_validator():
    path, args, kwargs = identifiers.django_validator("uscc").deconstruct()
    module, _, name = path.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(*args, **kwargs)
    assert rebuilt == identifiers.django_validator("uscc")
    assert rebuilt != identifiers.django_validator("ric")


def test_the_django_validator_can_be_written_into_a_migration():
    source, imports = MigrationWriter.serialize(identifiers.django_validator("uscc"))
    assert source == "yiwang.core.identifiers.IdentifierValidator('uscc')"
    assert imports == {"import yiwang.core.identifiers"}
