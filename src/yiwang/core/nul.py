"""NUL characters in input. PostgreSQL text and JSONB cannot hold them, so a value carrying one
would fail in SQL (a 500); every app refuses it up front as a 400 ``request.nul``. The query
string is checked by `core.middleware.RejectNulMiddleware`; bodies and path segments by `Text`
in the API schemas and by `has_nul` where a body is read by hand. `Text` also refuses a lone
surrogate (400 ``request.bad_unicode``), which JSON lets through and nothing can encode."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from yiwang.core.errors import ServiceError

NUL_CODE = "request.nul"
NUL_MESSAGE = "请求含有不允许的字符（NUL）"
UNICODE_CODE = "request.bad_unicode"
UNICODE_MESSAGE = "请求含有无效的 Unicode 字符（不成对的 \\uD800–\\uDFFF 转义）"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def nul_error() -> ServiceError:
    return ServiceError(NUL_CODE, NUL_MESSAGE, status=400)


def has_nul(value) -> bool:
    """Whether a string, or any key or string inside a JSON value, carries a NUL character.

    Walked without recursion: a body may nest as deep as the JSON parser allows, and a
    recursive walk from inside a request would then overflow the stack (a 500)."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)
    return False


def _no_nul(value: str) -> str:
    # A ServiceError (not a ValueError) leaves pydantic as it is, so the API answers 400 with
    # its code rather than a 422 listing the field.
    if "\x00" in value:
        raise nul_error()
    return value


def _no_lone_surrogate(value: str) -> str:
    # JSON lets a lone \ud800 escape through; it has no UTF-8 form, so no query, hash or answer
    # can hold it. Pydantic refuses one only where it measures the string (a length limit).
    if LONE_SURROGATE.search(value):
        raise ServiceError(UNICODE_CODE, UNICODE_MESSAGE, status=400)
    return value


Text = Annotated[str, AfterValidator(_no_nul), AfterValidator(_no_lone_surrogate)]
"""A string of an API schema or path that may not carry NUL (400 ``request.nul``) or a lone
surrogate (400 ``request.bad_unicode``)."""
