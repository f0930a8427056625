"""Every write of e-licences: keyword-only, atomic, permission-checked, audited.

Licence types and seals live in `setup`; issuance, 变更, status changes, expiry and
用证记录 in `issuance`. The cases app goes through `integration` (issue for a case, reuse a licence).
"""

from yiwang.licences.services.issuance import (
    change_licence,
    expire_licences,
    issue_licence,
    record_licence_use,
    set_licence_status,
)
from yiwang.licences.services.setup import (
    create_licence_type,
    create_seal,
    revoke_seal,
    rotate_seal,
)

__all__ = [
    "change_licence",
    "create_licence_type",
    "create_seal",
    "expire_licences",
    "issue_licence",
    "record_licence_use",
    "revoke_seal",
    "rotate_seal",
    "set_licence_status",
]
