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
