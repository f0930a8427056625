"""A case's materials (申请材料): uploaded, taken on paper at the window, or provided by the
platform itself (免提交).

The platform provides a material in two ways, each only when it really can:

- **shared data** (共享数据): the applicant's own record in the material's resource, read
  through the exchange's platform read (`exchange.platform.read_own_record`) in the name of the
  item's department — a logged exchange the applicant sees in 我的数据使用记录. Without a
  record, the applicant provides the document.
- **e-licence** (电子证照): the applicant's valid licence of the material's type, used only
  when the applicant consented to it on the form (a checkbox per material); the use is
  recorded by the licences app and the consent time on the material. Without consent, or
  without a valid licence, the applicant provides the document.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.utils import timezone

from yiwang.cases.choices import MaterialSource
from yiwang.cases.models import Case, CaseMaterial
from yiwang.core.errors import ServiceError
from yiwang.services.models import Material

MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MATERIAL_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".ofd", ".doc", ".docx", ".xls", ".xlsx"}


def asked_materials(case: Case) -> list[tuple[Material, bool]]:
    """What the case asks for, with whether each is required: the item's materials, or a
    theme's (一件事) de-duplicated across its items."""
    if case.theme_id:
        from yiwang.services.selectors import theme_materials

        return [(entry.material, entry.required) for entry in theme_materials(case.theme)]
    return [(m, m.required) for m in case.item.materials.select_related("resource")]


def store_upload(case: Case, material: Material, upload) -> CaseMaterial:
    name = getattr(upload, "name", "") or "材料"
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in MATERIAL_TYPES:
        raise ServiceError(
            "cases.material_type", f"「{material.name}」的文件类型不支持：{suffix or '无扩展名'}"
        )
    if not upload.size:
        raise ServiceError("cases.material_empty", f"「{material.name}」的文件为空，请重新选择")
    if upload.size > MAX_MATERIAL_BYTES:
        raise ServiceError("cases.material_too_large", f"「{material.name}」超过 20 MB", status=413)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = CaseMaterial(case=case, material=material, name=material.name,
                          source=MaterialSource.UPLOAD, sha256=digest.hexdigest())  # fmt: skip
    stored.file.save(f"{case.number}-{material.pk}{suffix}", upload, save=False)
    stored.save()
    return stored


def provide_materials(
    case: Case, uploads: dict, *, paper: set[int] = frozenset(), licence_consent=frozenset()
) -> list[str]:
    """Record each material the case asks for; answers the names of required ones missing.

    The platform's reads come last, and only when nothing else is missing: a refused
    application should not have read anybody's data for nothing.
    """
    missing, to_fetch = [], []
    consent = {int(pk) for pk in licence_consent}
    for material, required in asked_materials(case):
        upload = uploads.get(material.pk) or uploads.get(str(material.pk))
        if upload is not None:
            store_upload(case, material, upload)
        elif material.pk in paper:
            CaseMaterial.objects.create(case=case, material=material, name=material.name,
                                        source=MaterialSource.PAPER)  # fmt: skip
        elif material.resource_id or (material.licence_type and material.pk in consent):
            to_fetch.append((material, required))
        elif required:
            missing.append(material.name)
    if missing:
        return missing
    for material, required in to_fetch:
        if not reuse_material(case, material, consent=material.pk in consent) and required:
            missing.append(material.name)
    return missing


def reuse_material(case: Case, material: Material, *, consent: bool = False) -> bool:
    """免提交: record a material the platform fetches itself; False when the applicant must
    provide it (no record in the shared resource, no consent, or no valid licence)."""
    if material.resource_id and _has_shared_record(case, material):
        CaseMaterial.objects.create(
            case=case, material=material, name=material.name, source=MaterialSource.SHARED,
            reference=material.resource.code,
        )  # fmt: skip
        return True
    if consent and material.licence_type and apps.is_installed("yiwang.licences"):
        from yiwang.licences.integration import reuse_licence

        reference = reuse_licence(case, material)
        if reference:
            CaseMaterial.objects.create(
                case=case, material=material, name=material.name,
                source=MaterialSource.LICENCE, reference=reference, consent_at=timezone.now(),
            )  # fmt: skip
            return True
    return False


def _has_shared_record(case: Case, material: Material) -> bool:
    """Whether the resource holds the applicant's own record: a read of its key alone, logged
    as an exchange of the item's department with the case number."""
    from yiwang.exchange.platform import read_own_record

    resource = material.resource
    record = read_own_record(
        organisation=case.item.organisation, resource_code=resource.code,
        subject_code=case.applicant_code, field_codes=[f.code for f in resource.key_fields],
        purpose=f"材料免提交：{case.item.name}·{material.name}"[:300], case_number=case.number,
    )  # fmt: skip
    return bool(record)


def licence_offers(materials, *, holder_code: str) -> dict[int, object]:
    """For the apply page: per material replaceable by an e-licence, the applicant's valid
    licence of that type (the applicant may consent to its use), when the licences app is
    installed."""
    wanted = [m for m in materials if m.licence_type]
    if not wanted or not holder_code or not apps.is_installed("yiwang.licences"):
        return {}
    from yiwang.licences.selectors import valid_licences_for

    offers = {}
    for material in wanted:
        licence = valid_licences_for(
            holder_code=holder_code, licence_type_code=material.licence_type
        ).first()
        if licence is not None:
            offers[material.pk] = licence
    return offers
