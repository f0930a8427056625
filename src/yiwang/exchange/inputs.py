"""Checks of raw input shared by the exchange's API, GovStack adaptor and pages, so that bad
input is a clear 400, never a 500.

- NUL characters: `core.nul`.
- Numbers typed by people: `str.isdigit()` is true for "²" or "①", which `int()` refuses.
- Text headers (X-Purpose, X-Case-Number): UTF-8, percent-encoded, decoded strictly — a garbled
  用途 would otherwise be stored and shown to the people whose data was read.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from yiwang.core.errors import ServiceError

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


def ascii_int(
    raw, *, default: int | None = None, low: int = 1, high: int = 2**31 - 1
) -> int | None:
    """`raw` as an integer if it is ASCII digits within [low, high], else `default`."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return default
    value = int(text)
    return value if low <= value <= high else default
