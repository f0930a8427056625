"""Masking (脱敏) of personal data per field kind, for lists, logs and API answers.

- 身份号码: keep the 6-digit region and the last 4 characters: 990102********0701
- phone: keep the first 3 and last 4 digits: 138****5678
- name: keep the surname: 张*, 欧阳** (two-character compound surnames kept)
- address: keep the first 6 characters: 江澜市东湖区****
"""

from __future__ import annotations

from yiwang.core.choices import MaskKind
from yiwang.core.permissions import can_see_clear

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门".split()
)


def mask_ric(value: str) -> str:
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    if not value:
        return value
    keep = 2 if value[:2] in COMPOUND_SURNAMES and len(value) > 2 else 1
    return value[:keep] + "*" * max(len(value) - keep, 1)


def mask_address(value: str) -> str:
    if len(value) <= 6:
        return value[:2] + "*" * max(len(value) - 2, 1)
    return value[:6] + "****"


MASKERS = {
    MaskKind.RIC: mask_ric,
    MaskKind.PHONE: mask_phone,
    MaskKind.NAME: mask_name,
    MaskKind.ADDRESS: mask_address,
}


def mask(kind: str, value):
    """Mask `value` of a field of `kind`; empty values and unknown kinds pass unchanged."""
    if value is None or value == "":
        return value
    masker = MASKERS.get(kind)
    return masker(str(value)) if masker else value


def reveal_or_mask(actor, kind: str, value):
    """The clear value when the actor may see it, else the masked one."""
    return value if can_see_clear(actor, kind) else mask(kind, value)
