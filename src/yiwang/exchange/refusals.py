"""Calls refused before the gateway took them — no key or a wrong one (401), a body that does
not fit the schema (422), a NUL character (400), a GovStack identity refusal — are logged too.

The gateway logs every call it takes (`gateway.Call.log`); this module logs the others, with
the caller when it is known (a call without a valid key has none) and the resource when the
path names an existing one, so that its owner sees the attempts. The row is committed before
the answer leaves, like every exchange log row. Refusals are rare, so this path may cost a
query more than the gateway's; it does not touch the lookup's hot path.
"""

from __future__ import annotations

import json
import time
from functools import wraps

from django.utils import timezone

from yiwang.catalog.models import Resource
from yiwang.core.middleware import request_id_var
from yiwang.core.permissions import is_client
from yiwang.exchange.inputs import logged_header
from yiwang.exchange.models import ExchangeLog

MAX_ID_DIGITS = 18
OPENED = "_exchange_call_opened"  # set on the request once the gateway has taken the call


def record_refusal(
    *, client, operation: str, status: int, code: str, resource_id: int | None = None,
    keys=(), purpose: str = "", case_number: str = "", latency_ms: float = 0.0,
) -> ExchangeLog:  # fmt: skip
    """One exchange log row for a call refused before (or outside) the gateway."""
    from yiwang.exchange.gateway import MAX_BATCH, subject_hash

    client = client if is_client(client) else None
    return ExchangeLog.objects.create(
        occurred_at=timezone.now(), client=client, organisation_id=client.organisation_id if client else None,
        resource_id=resource_id, operation=operation, purpose=logged_header(purpose)[:300],
        case_number=logged_header(case_number)[:64],
        key_hashes=[subject_hash(k)[:32] for k in keys if k][:MAX_BATCH], status=status,
        error_code=code[:64], request_id=request_id_var.get(), latency_ms=round(latency_ms, 3),
    )  # fmt: skip


def existing_resource_id(*, pk: str | int | None = None, code: str | None = None) -> int | None:
    """The id of the resource a refused call's path names, if there is one (any status)."""
    if pk is not None:
        pk = str(pk)
        if not (pk.isascii() and pk.isdigit() and len(pk) <= MAX_ID_DIGITS):
            return None
        return Resource.objects.filter(pk=int(pk)).values_list("pk", flat=True).first()
    if code and "\x00" not in code and len(code) <= 40:
        code = code.strip().replace("-", "/").upper()
        return Resource.objects.filter(code=code).values_list("pk", flat=True).first()
    return None


def error_code_of(response) -> str:
    try:
        return str(json.loads(response.content).get("code", ""))
    except (ValueError, AttributeError):
        return ""


def logged_refusals(operation: str):
    """A decorator of a gateway endpoint's ninja operation: an answer with an error status that
    the gateway did not log (the call never reached it) is logged here before it leaves."""

    def decorate(run):
        @wraps(run)
        def wrapper(request, *args, **kwargs):
            started = time.perf_counter()
            response = run(request, *args, **kwargs)
            if response.status_code >= 400 and not getattr(request, OPENED, False):
                key = kwargs.get("key")
                record_refusal(
                    client=getattr(request, "auth", None), operation=operation,
                    status=response.status_code, code=error_code_of(response),
                    resource_id=existing_resource_id(pk=kwargs.get("resource_id")),
                    keys=[key] if isinstance(key, str) else (),
                    purpose=request.headers.get("X-Purpose", ""),
                    case_number=request.headers.get("X-Case-Number", ""),
                    latency_ms=(time.perf_counter() - started) * 1000,
                )  # fmt: skip
            return response

        return wrapper

    return decorate
