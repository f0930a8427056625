"""Masking (脱敏) of personal data, and who may see it in the clear."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from yiwang.core.choices import MaskKind
from yiwang.core.masking import mask, mask_address, mask_name, mask_phone, mask_ric, reveal_or_mask

RIC = "990102199001010701"
PHONE = "13812345678"


# --- 身份号码 ------------------------------------------------------------------


def test_a_ric_keeps_its_region_and_last_four_characters():
    assert mask_ric(RIC) == "990102********0701"


def test_a_ric_ending_in_x_keeps_the_x():
    assert mask_ric("11010519491231002X") == "110105********002X"


def test_a_value_too_short_to_be_a_ric_is_masked_entirely():
    assert mask_ric("1234567890") == "**********"


# --- phone -------------------------------------------------------------------


def test_a_mobile_number_keeps_its_first_three_and_last_four_digits():
    assert mask_phone(PHONE) == "138****5678"


def test_a_landline_number_keeps_its_first_three_and_last_four_characters():
    assert mask_phone("0591-87654321") == "059******4321"


def test_a_phone_number_of_seven_digits_or_fewer_is_masked_entirely():
    assert mask_phone("8765432") == "*******"


# --- names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("王小明", "王**"), ("欧阳修", "欧阳*"), ("诸葛孔明", "诸葛**")],
)
def test_a_name_keeps_only_its_surname(name, masked):
    assert mask_name(name) == masked


def test_a_single_character_name_is_still_visibly_masked():
    assert mask_name("张") == "张*"


def test_a_two_character_name_starting_like_a_compound_surname_keeps_one_character():
    # 欧阳 alone is a surname 欧 with given name 阳, not a bare compound surname.
    assert mask_name("欧阳") == "欧*"


# --- address -----------------------------------------------------------------


def test_an_address_keeps_its_first_six_characters():
    assert mask_address("江澜市东湖区人民路1号") == "江澜市东湖区****"


def test_an_address_masks_the_same_length_whatever_its_length():
    assert mask_address("江澜市东湖区人民路1号3栋402室") == "江澜市东湖区****"


def test_a_short_address_keeps_only_its_first_two_characters():
    assert mask_address("东湖区人民路") == "东湖****"


# --- mask() by kind ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        (MaskKind.RIC, RIC, "990102********0701"),
        (MaskKind.PHONE, PHONE, "138****5678"),
        (MaskKind.NAME, "王小明", "王**"),
        (MaskKind.ADDRESS, "江澜市东湖区人民路1号", "江澜市东湖区****"),
    ],
)
def test_mask_applies_the_masker_of_the_field_kind(kind, value, masked):
    assert mask(kind, value) == masked


def test_mask_accepts_the_kind_as_a_plain_string():
    assert mask("phone", PHONE) == "138****5678"


def test_mask_masks_a_number_given_as_an_integer():
    assert mask(MaskKind.PHONE, 13812345678) == "138****5678"


@pytest.mark.parametrize("value", [None, ""])
@pytest.mark.parametrize("kind", [MaskKind.RIC, MaskKind.PHONE, MaskKind.NAME, MaskKind.ADDRESS])
def test_an_empty_value_passes_through_unchanged(kind, value):
    assert mask(kind, value) is value


def test_a_field_of_kind_none_is_not_masked():
    assert mask(MaskKind.NONE, "王小明") == "王小明"


def test_an_unknown_kind_passes_the_value_through_unchanged():
    assert mask("passport", "E12345678") == "E12345678"


# --- reveal_or_mask ----------------------------------------------------------


def clear_view_permission() -> Permission:
    return Permission.objects.get(
        content_type__app_label="core", codename="view_clear_personal_data"
    )


def grant_clear_view(user):
    user.user_permissions.add(clear_view_permission())
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def test_an_anonymous_visitor_sees_the_masked_value():
    assert reveal_or_mask(AnonymousUser(), MaskKind.RIC, RIC) == "990102********0701"


def test_an_ordinary_user_sees_the_masked_value(factory):
    assert reveal_or_mask(factory.user(), MaskKind.PHONE, PHONE) == "138****5678"


def test_a_superuser_sees_the_clear_value(factory):
    assert reveal_or_mask(factory.superuser(), MaskKind.RIC, RIC) == RIC


def test_an_inactive_superuser_sees_the_masked_value(factory):
    inactive = factory.superuser(is_active=False)
    assert reveal_or_mask(inactive, MaskKind.RIC, RIC) == "990102********0701"


def test_a_user_granted_the_clear_view_permission_sees_the_clear_value(factory):
    user = grant_clear_view(factory.user())
    assert reveal_or_mask(user, MaskKind.NAME, "王小明") == "王小明"


def test_a_user_in_a_group_with_the_clear_view_permission_sees_the_clear_value(factory):
    group = Group.objects.create(name="脱敏查看")
    group.permissions.add(clear_view_permission())
    user = factory.user()
    user.groups.add(group)
    assert reveal_or_mask(user, MaskKind.NAME, "王小明") == "王小明"


def test_an_inactive_user_with_the_clear_view_permission_sees_the_masked_value(factory):
    user = grant_clear_view(factory.user(is_active=False))
    assert reveal_or_mask(user, MaskKind.PHONE, PHONE) == "138****5678"
