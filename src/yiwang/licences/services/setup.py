"""Licence types (证照类型) and issuing seals (电子印章): created and rotated by admins."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import Organisation
from yiwang.core.permissions import administered_org_ids, is_superuser
from yiwang.core.services import full_clean
from yiwang.licences import keys
from yiwang.licences.choices import SealAlgorithm, SealStatus
from yiwang.licences.face import seal_svg
from yiwang.licences.models import IssuingSeal, LicenceType

SEAL_FIELDS = [
    "organisation",
    "name",
    "inscription",
    "algorithm",
    "key_id",
    "public_key",
    "valid_from",
    "valid_until",
    "status",
]
TYPE_FIELDS = [
    "code",
    "name",
    "defining_org",
    "holder_code_types",
    "fields",
    "validity_years",
    "face_layout",
]
MAX_SEAL_YEARS = 10


def administers(actor, organisation: Organisation) -> bool:
    return is_superuser(actor) or organisation.pk in administered_org_ids(actor)


@transaction.atomic
def create_licence_type(*, actor, defining_org: Organisation, code_suffix: str, name: str,
                        holder_code_types: list[str], fields: list[dict] | None = None,
                        validity_years: int | None = None, face_layout: list | None = None,
                        issuers: list[Organisation] | None = None, face_colour: str = "#b22222") -> LicenceType:  # fmt: skip
    """Define a 证照类型: code = the defining body's USCC + `code_suffix` (3 digits)."""
    if not administers(actor, defining_org):
        raise PermissionDenied("只有定义机构的管理员可以定义证照类型")
    licence_type = LicenceType(code=f"{defining_org.uscc}{code_suffix}", name=name.strip(),
                               defining_org=defining_org, holder_code_types=holder_code_types,
                               fields=fields or [], validity_years=validity_years, face_colour=face_colour)  # fmt: skip
    if face_layout is not None:
        licence_type.face_layout = face_layout
    full_clean(licence_type)
    licence_type.save()
    licence_type.issuers.set(issuers or [defining_org])
    audit.record(actor=actor, action="licence_type.create", target=licence_type,
                 after={**audit.snapshot(licence_type, TYPE_FIELDS), "issuers": [o.pk for o in issuers or [defining_org]]})  # fmt: skip
    return licence_type


def check_seal_input(*, name: str, inscription: str, algorithm: str, valid_from: datetime.date,
                     valid_until: datetime.date) -> None:  # fmt: skip
    """Raise ServiceError for a seal that cannot be made (also what the admin form checks)."""
    if algorithm not in SealAlgorithm.values:
        raise ServiceError("validation_failed", "印章算法只能是 sm2 或 ed25519")
    if len((name or "").strip()) < 2:
        raise ServiceError("validation_failed", "请填写印章名称")
    if not 2 <= len((inscription or "").strip()) <= 40:
        raise ServiceError("validation_failed", "印文应为 2–40 个字")
    if not (1949 <= valid_from.year and valid_until.year <= 2200):
        raise ServiceError("validation_failed", "印章有效期日期超出合理范围（1949–2200 年）")
    if valid_until < valid_from:
        raise ServiceError("validation_failed", "印章有效期截止日期不能早于启用日期")
    if (valid_until - valid_from).days > 366 * MAX_SEAL_YEARS:  # no date arithmetic near date.max
        raise ServiceError("validation_failed", f"印章有效期不能超过 {MAX_SEAL_YEARS} 年")


def _new_seal(organisation, name, valid_from, valid_until, algorithm, inscription=None) -> IssuingSeal:  # fmt: skip
    algorithm = algorithm or settings.YIWANG["SEAL_ALGORITHM"]
    inscription = (inscription or organisation.name).strip()
    check_seal_input(name=name, inscription=inscription, algorithm=algorithm, valid_from=valid_from,
                     valid_until=valid_until)  # fmt: skip
    private, public = keys.generate(algorithm)
    key_id = keys.key_id_for(public)
    seal = IssuingSeal(organisation=organisation, name=name.strip(), algorithm=algorithm, key_id=key_id,
                       public_key=public.hex(), private_key_encrypted=keys.encrypt_private_key(private, key_id),
                       valid_from=valid_from, valid_until=valid_until, inscription=inscription,
                       appearance=seal_svg(inscription, element_id=f"seal-{key_id[:12]}"))  # fmt: skip
    full_clean(seal)
    seal.save()
    return seal


@transaction.atomic
def create_seal(*, actor, organisation: Organisation, name: str, valid_until: datetime.date,
                valid_from: datetime.date | None = None, algorithm: str | None = None,
                inscription: str | None = None) -> IssuingSeal:  # fmt: skip
    """Make an organisation's 电子印章: a new key pair (SM2 by default), the private key encrypted,
    and its image drawn once from the inscription (印文; the organisation's name by default)."""
    if not administers(actor, organisation):
        raise PermissionDenied("只有本单位的管理员可以制作电子印章")
    seal = _new_seal(
        organisation, name, valid_from or timezone.localdate(), valid_until, algorithm, inscription
    )
    audit.record(
        actor=actor, action="seal.create", target=seal, after=audit.snapshot(seal, SEAL_FIELDS)
    )
    return seal


@transaction.atomic
def rotate_seal(*, actor, seal: IssuingSeal, valid_until: datetime.date | None = None,
                name: str | None = None, algorithm: str | None = None) -> IssuingSeal:  # fmt: skip
    """轮换: a new key takes over signing (same inscription and image design); the old seal is
    retired and keeps verifying what it signed."""
    seal = IssuingSeal.objects.select_for_update().filter(pk=seal.pk).first()
    if (
        seal is None
        or not IssuingSeal.objects.restrict(actor, "change").filter(pk=seal.pk).exists()
    ):
        raise NotFound("电子印章")
    if seal.status != SealStatus.ACTIVE:
        raise ServiceError("seal.not_active", "只有启用中的印章可以轮换")
    today = timezone.localdate()
    new = _new_seal(seal.organisation, name or seal.name, today, valid_until or today + (seal.valid_until - seal.valid_from),
                    algorithm or seal.algorithm, seal.inscription)  # fmt: skip
    before = audit.snapshot(seal, SEAL_FIELDS)
    seal.status, seal.replaced_by = SealStatus.RETIRED, new
    seal.save(update_fields=["status", "replaced_by"])
    audit.record(actor=actor, action="seal.rotate", target=seal, before=before,
                 after={**audit.snapshot(seal, SEAL_FIELDS), "replaced_by": new.key_id})  # fmt: skip
    audit.record(
        actor=actor, action="seal.create", target=new, after=audit.snapshot(new, SEAL_FIELDS)
    )
    return new


@transaction.atomic
def revoke_seal(*, actor, seal: IssuingSeal, reason: str) -> IssuingSeal:
    """作废 a compromised seal: what it signed no longer verifies, online or offline."""
    if not IssuingSeal.objects.restrict(actor, "change").filter(pk=seal.pk).exists():
        raise NotFound("电子印章")
    if len(reason.strip()) < 2:
        raise ServiceError("validation_failed", "请说明作废原因")
    before = audit.snapshot(seal, SEAL_FIELDS)
    seal.status = SealStatus.REVOKED
    seal.save(update_fields=["status"])
    audit.record(actor=actor, action="seal.revoke", target=seal, before=before,
                 after={**audit.snapshot(seal, SEAL_FIELDS), "reason": reason.strip()})  # fmt: skip
    return seal
