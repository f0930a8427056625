"""Keys out of server logs: a gateway lookup carries the record's key — often a 身份号码 —
in its URL path, and GovStack's readValue, delete and myPersonalDataUsage carry one in the
path or the query string. Django's request logger ("Forbidden: /api/v1/exchange/resources/1/
records/…") and the server's access log would write them in clear.

`mask_keys` replaces those segments with ``***``; `MaskKeysFilter` applies it to log records:
Django's (see ``LOGGING`` in settings) and granian's access log, whose records carry the path
as an argument (`yiwang.server.logging_config`). Project-level: it knows the exchange's and
GovStack's paths.
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
