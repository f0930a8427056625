"""NUL characters in input. PostgreSQL text and JSONB cannot hold them, so a value carrying one
would fail in SQL (a 500); every app refuses it up front as a 400 ``request.nul``. The query
string is checked by `core.middleware.RejectNulMiddleware`; bodies and path segments by `Text`
in the API schemas and by `has_nul` where a body is read by hand."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from yiwang.core.errors import ServiceError

NUL_CODE = "request.nul"
NUL_MESSAGE = "请求含有不允许的字符（NUL）"


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


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string of an API schema or path that may not carry NUL (400 ``request.nul``)."""
