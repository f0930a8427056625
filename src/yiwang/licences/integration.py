"""What the cases app calls (`yiwang.cases.approval`), when the licences app is installed.

- `issue_for_case(case, actor=...)`: an approved case whose item's result is a licence type
  gets its licence, issued in the name of the item's organisation; returns the identifier.
- `reuse_licence(case, material)`: a material replaceable by a licence type is provided by the
  applicant's valid licence of that type (免提交), recording the use; returns the identifier,
  or None when the applicant holds none.

The case is the authority here: the approving reviewer may belong to another department of
a joint review, and an applicant applying online holds no role; what is checked instead is
that the case is approved (for issuance) and that the licence is the applicant's (for reuse).
The cases app is reached only through the attributes of the objects it passes.
"""

from __future__ import annotations

from django.db import transaction

from yiwang.core.errors import ServiceError
from yiwang.licences import selectors
from yiwang.licences.choices import HolderCodeType
from yiwang.licences.models import LicenceType
from yiwang.licences.services.issuance import issue_checked, write_use

APPLICANT_CODE_TYPES = {"person": HolderCodeType.RIC, "company": HolderCodeType.USCC}


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
def reuse_licence(case, material) -> str | None:
    """免提交: the applicant's valid licence of the material's type, used with the consent given
    on applying (the form says the licence will be fetched), recorded as 用证记录 with the
    case number and the item's department; None when the applicant holds no valid one."""
    code_type = APPLICANT_CODE_TYPES.get(case.applicant_kind, "")
    licence = (selectors.valid_licences_for(holder_code=case.applicant_code, licence_type_code=material.licence_type)
               .filter(holder_code_type=code_type).first())  # fmt: skip
    if licence is None:
        return None
    actor = case.applicant or case.registered_by
    write_use(actor=actor, licence=licence, organisation=case.item.organisation,
              purpose=f"{case.item.name}：{material.name}（免提交）", case_number=case.number)  # fmt: skip
    return licence.identifier
