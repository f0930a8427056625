"""Reads of e-licences that depend on who asks, and the reuse functions the cases app calls."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.core.errors import NotFound, ServiceError
from yiwang.core.identifiers import IdentifierError, validate_licence_id
from yiwang.licences.choices import HolderCodeType, LicenceStatus
from yiwang.licences.models import Licence, LicenceUse
from yiwang.licences.verification import Verification, check_stored


def wallet_for(user) -> QuerySet[Licence]:
    """卡包: the licences a citizen holds, and those of the companies they act for, newest first."""
    return (Licence.objects.restrict(user, "hold")
            .select_related("licence_type", "issuer").order_by("-created_at", "-id"))  # fmt: skip


def current_wallet_for(user) -> QuerySet[Licence]:
    """卡包 as the holder browses it (page and API): each licence in its current version; the
    versions it replaced stay reachable through `held_licence` and `versions_of`."""
    return wallet_for(user).exclude(status=LicenceStatus.SUPERSEDED)


def held_licence(user, pk: int) -> Licence:
    """One licence of the user's wallet; anyone else's is "not found"."""
    licence = wallet_for(user).select_related("seal").filter(pk=pk).first()
    if licence is None:
        raise NotFound("电子证照")
    return licence


def uses_of(licence: Licence) -> QuerySet[LicenceUse]:
    """用证记录 of one licence and its earlier versions."""
    return (
        LicenceUse.objects.filter(licence__in=versions_of(licence))
        .select_related("licence")
        .order_by("-used_at", "-id")
    )


def valid_licences_for(*, holder_code: str, licence_type_code: str, today: datetime.date | None = None) -> QuerySet[Licence]:  # fmt: skip
    """The holder's licences of one type that are valid today (latest versions only).

    For the cases app: when an item's material is replaceable by `licence_type_code`, call it
    with the applicant's 身份号码 or USCC; a non-empty answer lets the application show the
    material as provided (免提交) once the applicant consents (`integration.reuse_licence`).
    The caller must be acting for that applicant: the answer is the applicant's own data.
    """
    today = today or timezone.localdate()
    return (Licence.objects.filter(holder_code=(holder_code or "").strip().upper(),
                                   licence_type__code=licence_type_code, status=LicenceStatus.VALID,
                                   valid_from__lte=today)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("licence_type", "issuer").order_by("-created_at"))  # fmt: skip


APPLICANT_CODE_TYPES = {"person": HolderCodeType.RIC, "company": HolderCodeType.USCC}


@dataclass
class MaterialLicence:
    """A licence used as a case's material (免提交): its content and its verification now."""

    licence: Licence
    content: dict
    verification: Verification


def material_licence(case, identifier: str, *, licence_type_code: str | None = None) -> MaterialLicence:  # fmt: skip
    """The one check of a licence used as a case's material, for the cases app and the case page.

    The licence must be the applicant's own — the same 持证主体代码 and 代码类型 as the case's
    applicant (`licence.not_holder` otherwise) — and, when given, of the material's type
    (`licence.wrong_type`). An invalid licence is returned with its verification result, so
    that the caller decides (reuse refuses it, the reviewer sees why).
    """
    try:
        identifier = validate_licence_id(identifier)
    except IdentifierError as exc:
        raise ServiceError("licence.identifier", exc.message) from exc
    licence = (
        Licence.objects.select_related("seal", "licence_type", "issuer")
        .filter(identifier=identifier)
        .first()
    )
    if licence is None:
        raise NotFound("电子证照")
    if licence.holder_code != (case.applicant_code or "").strip().upper() or (
        licence.holder_code_type != APPLICANT_CODE_TYPES.get(case.applicant_kind)
    ):
        raise ServiceError(
            "licence.not_holder", "该证照不属于申请人，不能作为其申请材料", status=403
        )
    if licence_type_code and licence.licence_type.code != licence_type_code:
        raise ServiceError("licence.wrong_type", f"该材料需要的不是{licence.licence_type.name}")
    return MaterialLicence(
        licence=licence, content=licence.content, verification=check_stored(licence)
    )


def versions_of(licence: Licence) -> QuerySet[Licence]:
    """Every version of a licence (same type, issuer and 流水号), newest first."""
    return Licence.objects.filter(licence_type_id=licence.licence_type_id, issuer_id=licence.issuer_id,
                                  serial=licence.serial).order_by("-version")  # fmt: skip
