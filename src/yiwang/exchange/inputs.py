"""Checks of raw input shared by the exchange's API, GovStack adaptor and pages, so that bad
input is a clear 400, never a 500.

- NUL characters: PostgreSQL text and JSONB cannot hold them, so a key, claim or query value
  carrying one would fail in SQL. The query string is checked by
  `core.middleware.RejectNulMiddleware`; bodies and path segments here.
- Numbers typed by people: `str.isdigit()` is true for "²" or "①", which `int()` refuses.
- Text headers (X-Purpose, X-Case-Number): UTF-8, percent-encoded, decoded strictly — a garbled
  用途 would otherwise be stored and shown to the people whose data was read.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import unquote

from pydantic import AfterValidator

from yiwang.core.errors import ServiceError

NUL_CODE = "request.nul"
NUL_MESSAGE = "请求含有不允许的字符（NUL）"


def nul_error() -> ServiceError:
    return ServiceError(NUL_CODE, NUL_MESSAGE, status=400)


HEADER_ENCODING_CODE = "request.header_encoding"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def header_encoding_error(name: str) -> ServiceError:
    return ServiceError(
        HEADER_ENCODING_CODE,
        f"{name} 请求头须为 UTF-8 百分号编码（如“核验”应写作 %E6%A0%B8%E9%AA%8C）",
        status=400,
    )


def header_text(raw: str | None) -> str | None:
    """A percent-encoded UTF-8 header value, decoded and stripped; None if it is not one.

    Not one: a raw non-ASCII character (the client sent bytes without encoding them; WSGI hands
    them over as Latin-1 mojibake), a malformed %-escape, or escapes that are not UTF-8.
    """
    raw = raw or ""
    if not raw.isascii() or _BAD_ESCAPE.search(raw):
        return None
    try:
        return unquote(raw, errors="strict").strip()
    except UnicodeDecodeError:
        return None


def logged_header(raw: str | None) -> str:
    """A text header as the log row of a refused call keeps it: decoded, without NUL; empty if
    it is not UTF-8 percent-encoded (what it says is unknown)."""
    return (header_text(raw) or "").replace("\x00", "")


def has_nul(value) -> bool:
    """Whether a string, or any key or string inside a JSON value, carries a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def _no_nul(value: str) -> str:
    # A ServiceError (not a ValueError) leaves pydantic as it is, so the API answers 400 with
    # its code rather than a 422 listing the field.
    if "\x00" in value:
        raise nul_error()
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string of an API schema or path that may not carry NUL (400 ``request.nul``)."""


def ascii_int(
    raw, *, default: int | None = None, low: int = 1, high: int = 2**31 - 1
) -> int | None:
    """`raw` as an integer if it is ASCII digits within [low, high], else `default`."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return default
    value = int(text)
    return value if low <= value <= high else default
