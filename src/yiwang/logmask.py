"""Keys out of server logs: a gateway lookup carries the record's key — often a 身份号码 —
in its URL path, and GovStack's readValue, delete and myPersonalDataUsage carry one in the
path or the query string. Django's request logger ("Forbidden: /api/v1/exchange/resources/1/
records/…") and gunicorn's access log would write them in clear.

`mask_keys` replaces those segments with ``***``; `MaskKeysFilter` applies it to log records
(see ``LOGGING`` in settings) and `MaskedAccessLogger` to gunicorn's access log (``yiwang serve``
passes it as ``--logger-class``). Project-level: it knows the exchange's and GovStack's paths.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
_PATTERNS = (
    # /api/v1/exchange/resources/{id}/records/{key}
    re.compile(r"(/exchange/resources/[^/\s?#\"]+/records/)[^/\s?#\"]+"),
    # GovStack …/data/{registry}/{version}/{key}/readValue|read-value|delete… (a key may hold "/")
    re.compile(
        r"(/data/[^/\s?#\"]+/[^/\s?#\"]+/)[^\s?#\"]+?(?=/(?:readValue|read-value|delete)\b)"
    ),
    # GovStack myPersonalDataUsage?userId={身份号码 or USCC}
    re.compile(r"([?&]userId=)[^&\s#\"]+", re.IGNORECASE),
)


def mask_keys(text: str) -> str:
    """`text` with the keys of gateway and GovStack paths replaced by ``***``."""
    if "/records/" not in text and "/data/" not in text and "serid=" not in text.lower():
        return text  # the common case: nothing to look at
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m[1] + MASK, text)
    return text


def _masked(value):
    return mask_keys(value) if isinstance(value, str) else value


class MaskKeysFilter(logging.Filter):
    """Masks keys in a record's message and its string arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_keys(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover — gunicorn is a dependency of `yiwang serve` only
    _GunicornLogger = object


class MaskedAccessLogger(_GunicornLogger):
    """gunicorn's logger with the request line, path and query string of access-log lines masked."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "q", "{raw_uri}e", "{path_info}e", "{query_string}e"):
            if name in atoms:
                atoms[name] = _masked(atoms[name])
        return atoms
