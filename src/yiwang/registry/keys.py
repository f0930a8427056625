"""Record keys (主键): the key fields' values of a record as one string.

A record is stored under one string key. With one key field the key is that field's value
as is. With several, the values are joined with "|" in field order, and a "|" or "\\" inside
a value is escaped with "\\", so that ("a|b", "c") and ("a", "b|c") stay two keys. A value
without those characters is written unchanged: keys stored before escaping existed keep
their meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "|"
ESCAPE = "\\"
MAX_LENGTH = 255  # registry_record.key and registry_stagedrow.key are varchar(255)


def _escape(part: str) -> str:
    if ESCAPE in part:
        part = part.replace(ESCAPE, ESCAPE + ESCAPE)
    if SEPARATOR in part:
        part = part.replace(SEPARATOR, ESCAPE + SEPARATOR)
    return part


def join_key(parts: Iterable[object]) -> str:
    """The key of a record from its key fields' values, in field order."""
    texts = [str(part) for part in parts]
    if len(texts) == 1:
        return texts[0]  # nothing to separate: a one-field key is the plain value
    return SEPARATOR.join(_escape(text) for text in texts)


def split_key(key: str, count: int) -> list[str]:
    """The `count` key values a key was joined from; ValueError when it does not hold `count`."""
    if count == 1:
        return [key]
    parts, current, chars = [], [], iter(key)
    for char in chars:
        if char == ESCAPE:
            current.append(next(chars, ESCAPE))
        elif char == SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if len(parts) != count:
        raise ValueError(f"the key holds {len(parts)} values, not {count}")
    return parts


IDENTIFIER_TYPES = ("ric", "uscc")  # stored as core.identifiers normalises them


def as_stored(data_type: str, text: str) -> str:
    """A value of a field of `data_type` written as a load stores it, as far as finding it
    needs: trimmed, and a 身份号码 or 统一社会信用代码 in capitals without spaces or hyphens
    (people write a 身份号码's final X in lowercase)."""
    if data_type in IDENTIFIER_TYPES:
        return "".join(text.split()).replace("-", "").upper()
    return text.strip()


def stored_key(data_types: list[str], key: str) -> str:
    """A key as someone wrote it, as the registry stores it: each value `as_stored` by its key
    field's data type (in field order). A key that does not hold that many values is left as it
    was (it finds nothing)."""
    try:
        parts = split_key(key, len(data_types))
    except ValueError:
        return key
    return join_key(as_stored(t, part) for t, part in zip(data_types, parts, strict=True))
