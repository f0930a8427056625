"""How long the free text written on a case may be: one limit per kind of text, checked by
the services, so that a page and the API refuse the same, and declared in the API's schemas.
The applicant reads most of these in their messages and on the case page."""

from __future__ import annotations

from yiwang.core.errors import ServiceError

ACCEPT_OPINION_MAX = 500
APPLICANT_NAME_MAX = 200  # Case.applicant_name: the window types it for a walk-in
CORRECTION_ITEMS_MAX = 50  # 补正 items, one per thing to fix
CORRECTION_ITEM_MAX = 500
CORRECTION_MESSAGE_MAX = 500
REFUSAL_REASON_MAX = 1000
WITHDRAW_REASON_MAX = 1000
REVIEW_OPINION_MAX = 2000
SPECIAL_REASON_MAX = 1000
SPECIAL_RESULT_MAX = 1000


def check_length(text: str, limit: int, what: str) -> None:
    """Refuse `text` (as it will be stored, stripped) when it is longer than `limit`, or when it
    carries NUL, which PostgreSQL text cannot hold."""
    if "\x00" in (text or ""):
        raise ServiceError("validation_failed", f"{what}含有不允许的字符（NUL）")
    if len((text or "").strip()) > limit:
        raise ServiceError("validation_failed", f"{what}不能超过 {limit} 字，请精简后再提交")
