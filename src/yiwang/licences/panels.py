"""The licences' panel on the case page: each e-licence provided in place of a material (免提交),
with its 照面 data and a fresh verification result, for the reviewers (and the applicant).

Every reference goes through `selectors.material_licence`, the check reuse uses: a reference to
a licence that is not the applicant's own is shown as refused, never with its data."""

from yiwang.cases import panels
from yiwang.core.errors import ServiceError
from yiwang.licences.face import face_of
from yiwang.licences.selectors import material_licence


@panels.register
def licence_materials(user, case, facts):
    provided = [m for m in case.materials.all() if m.source == "licence" and m.reference]
    if not provided:
        return None
    shown, refused = [], []
    for material in provided:
        wanted = material.material.licence_type if material.material_id else None
        try:
            found = material_licence(case, material.reference, licence_type_code=wanted or None)
        except ServiceError as exc:  # not the applicant's, another type, unknown
            refused.append({"name": material.name, "message": exc.message})
            continue
        shown.append({"face": face_of(found.licence), "verification": found.verification,
                      "licence": found.licence})  # fmt: skip
    return {"template": "licences/_case_licences.html", "case_licences": shown,
            "refused_licences": refused}  # fmt: skip
