"""The licences' panel on the case page: each e-licence provided in place of a material (免提交),
with its 照面 data and a fresh verification result, for the reviewers (and the applicant)."""

from yiwang.cases import panels
from yiwang.licences.face import face_of
from yiwang.licences.models import Licence
from yiwang.licences.verification import check_stored


@panels.register
def licence_materials(user, case, facts):
    references = [
        m.reference for m in case.materials.all() if m.source == "licence" and m.reference
    ]
    if not references:
        return None
    found = Licence.objects.filter(identifier__in=references).select_related(
        "licence_type", "issuer"
    )
    shown = []
    for licence in found:
        if licence.holder_code != case.applicant_code:
            continue  # never show a licence that is not the applicant's own
        shown.append(
            {"face": face_of(licence), "verification": check_stored(licence), "licence": licence}
        )
    return {"template": "licences/_case_licences.html", "case_licences": shown} if shown else None
