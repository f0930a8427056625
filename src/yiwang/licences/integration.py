"""What the cases app calls (`yiwang.cases.approval`), when the licences app is installed.

- `issue_for_case(case, actor=...)`: an approved case whose item's result is a licence type
  gets its licence, issued in the name of the item's organisation; returns the identifier.
- `reuse_licence(case, material)`: a material replaceable by a licence type is provided by the
  applicant's valid licence of that type (免提交), recording the use; returns the identifier,
  or None when the applicant holds none. The licence passes `selectors.material_licence`,
  the same check the case page's licence panel uses.

The case is the authority here: the approving reviewer may belong to another department of
a joint review, and an applicant applying online holds no role; what is checked instead is
that the case is approved (for issuance) and that the licence is the applicant's (for reuse).
The cases app is reached only through the attributes of the objects it passes.
"""

from __future__ import annotations

from django.db import transaction

from yiwang.core.errors import ServiceError
from yiwang.licences import selectors
from yiwang.licences.models import LicenceType
from yiwang.licences.selectors import APPLICANT_CODE_TYPES
from yiwang.licences.services.issuance import issue_checked, write_use


@transaction.atomic
def issue_for_case(case, *, actor) -> str:
    """签发 the licence that is the result of an approved case; the licence data are the case's
    form fields named like the type's fields. Raises ServiceError (the case then stays open)
    when the type is unknown, the form lacks a required field or the issuer has no seal."""
    if case.status != "approved":
        raise ServiceError(
            "licence.case_not_approved", "只有准予许可的办件才能签发证照", status=409
        )
    code = case.item.result_licence_type
    licence_type = LicenceType.objects.filter(code=code, is_active=True).first()
    if licence_type is None:
        raise ServiceError("licence.type_unknown", f"事项的审批结果证照类型 {code} 未定义或已停用")
    form = case.form_data or {}
    data = {
        f["code"]: form[f["code"]]
        for f in licence_type.fields
        if form.get(f["code"]) not in (None, "")
    }
    licence = issue_checked(actor=actor, licence_type=licence_type, issuer=case.item.organisation,
                            holder_name=case.applicant_name, holder_code=case.applicant_code,
                            holder_code_type=APPLICANT_CODE_TYPES.get(case.applicant_kind, ""), data=data,
                            case_number=case.number)  # fmt: skip
    return licence.identifier


@transaction.atomic
def reuse_licence(case, material, *, identifier: str | None = None) -> str | None:
    """免提交: the applicant's valid licence of the material's type, used with the consent given
    on applying (the form says the licence will be fetched), recorded as 用证记录 with the case
    number and the item's department; returns its identifier.

    `identifier` is the licence the applicant chose; by default their newest valid one of the
    type, and None when they hold none. Either way it passes `selectors.material_licence`, the
    one check that a licence is the applicant's own and of the material's type: another
    holder's licence is refused (`licence.not_holder`), as is a chosen licence that does not
    verify as valid (`licence.not_valid`).
    """
    chosen = identifier
    if chosen is None:
        code_type = APPLICANT_CODE_TYPES.get(case.applicant_kind, "")
        newest = (selectors.valid_licences_for(holder_code=case.applicant_code, licence_type_code=material.licence_type)
                  .filter(holder_code_type=code_type).first())  # fmt: skip
        if newest is None:
            return None
        chosen = newest.identifier
    offered = selectors.material_licence(case, chosen, licence_type_code=material.licence_type)
    if not offered.verification.is_valid:
        if identifier is None:
            return None  # e.g. its seal was revoked: the applicant provides the material instead
        raise ServiceError("licence.not_valid", f"证照{offered.verification.label}，不能使用：{offered.verification.message}",
                           status=409)  # fmt: skip
    actor = case.applicant or case.registered_by
    write_use(actor=actor, licence=offered.licence, organisation=case.item.organisation,
              purpose=f"{case.item.name}：{material.name}（免提交）", case_number=case.number)  # fmt: skip
    return offered.licence.identifier
