"""Issuing licences, their new versions (变更), status changes, expiry and 用证记录."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yiwang.core import audit, crypto
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.identifiers import IdentifierError, LicenceId, validate_ric, validate_uscc
from yiwang.core.models import Organisation
from yiwang.core.permissions import is_client, is_superuser, is_user
from yiwang.licences import documents, keys
from yiwang.licences.choices import HolderCodeType, LicenceStatus, SealStatus
from yiwang.licences.models import Counter, IssuingSeal, Licence, LicenceType, LicenceUse
from yiwang.licences.permissions import case_org_ids, issuing_org_ids

MAX_VALUE_LENGTH = 2000
MAX_SAFE_INTEGER = 2**53 - 1  # what RFC 8785 (JavaScript numbers) can write exactly
TRANSITIONS = {
    LicenceStatus.SUSPENDED: {LicenceStatus.VALID},
    LicenceStatus.VALID: {LicenceStatus.SUSPENDED},
    LicenceStatus.REVOKED: {LicenceStatus.VALID, LicenceStatus.SUSPENDED},
    LicenceStatus.CANCELLED: {LicenceStatus.VALID, LicenceStatus.SUSPENDED},
}
ACTIONS = {LicenceStatus.SUSPENDED: "suspend", LicenceStatus.VALID: "resume",
           LicenceStatus.REVOKED: "revoke", LicenceStatus.CANCELLED: "cancel"}  # fmt: skip


def snapshot(licence: Licence) -> dict:
    """The audited state of a licence: no clear holder identity, the content by its SM3 digest."""
    data = audit.snapshot(licence, ["identifier", "licence_type", "issuer", "seal", "version", "number",
                                    "holder_name", "holder_code", "holder_code_type", "valid_from",
                                    "valid_until", "status", "status_reason", "case_number"])  # fmt: skip
    return {**data, "document_sm3": crypto.sm3_hex(licence.document.encode())}


_TAKE = "UPDATE licences_counter SET value = value + 1 WHERE name = %s RETURNING value"


def _next(name: str) -> int:
    """Take the next number of a named sequence (one statement); the row stays locked until the
    transaction ends, so concurrent issuers queue here rather than share a number."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, [name])
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    Counter.objects.get_or_create(name=name)  # the first number of a new sequence
    return _next(name)


def _refuse_control_characters(*texts) -> None:
    """Text with NUL or other control characters is refused: PostgreSQL cannot store NUL, and
    nothing printed on a licence needs them."""
    for text in texts:
        if isinstance(text, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in text):
            raise ServiceError("validation_failed", "文字中不能含有控制字符")
        # JSON lets a lone surrogate (\ud800) through; it has no UTF-8 form, so nothing can sign it
        if isinstance(text, str) and any("\ud800" <= c <= "\udfff" for c in text):
            raise ServiceError(
                "validation_failed", "文字中含有无效的 Unicode 字符（不成对的代理项）"
            )


def _clean_holder(licence_type: LicenceType, code: str, code_type: str) -> str:
    if code_type not in licence_type.holder_code_types:
        allowed = "、".join(HolderCodeType(t).label for t in licence_type.holder_code_types)
        raise ServiceError(
            "licence.holder_code_type", f"{licence_type.name}的持证主体代码类型应为{allowed}"
        )
    try:
        return (validate_ric if code_type == HolderCodeType.RIC else validate_uscc)(code)
    except IdentifierError as exc:
        raise ServiceError("licence.holder_code", f"持证主体代码无效：{exc.message}") from exc


def _clean_data(licence_type: LicenceType, data: dict) -> dict:
    if not isinstance(data, dict):
        raise ServiceError("licence.data", "证照信息项应为对象")
    names = licence_type.field_names
    unknown = [k for k in data if k not in names]
    if unknown:
        raise ServiceError(
            "licence.data", f"{licence_type.name}没有这些信息项：{'、'.join(map(str, unknown))}"
        )
    missing = [  # 0 and False are answers, not blanks
        names[c]
        for c in licence_type.required_codes
        if data.get(c) is None or str(data[c]).strip() == ""
    ]
    if missing:
        raise ServiceError("licence.data", f"缺少必填信息项：{'、'.join(missing)}")
    _refuse_control_characters(*data.values())
    clean = {}
    for code, value in data.items():
        if (
            not isinstance(value, str | int | bool)
            or len(str(value)) > MAX_VALUE_LENGTH
            or (isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER)
        ):
            raise ServiceError(
                "licence.data",
                f"信息项「{names[code]}」应为不超过 {MAX_VALUE_LENGTH} 字的文字或整数",
            )
        clean[code] = value.strip() if isinstance(value, str) else value
    return clean


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _period(
    licence_type: LicenceType, valid_from, valid_until
) -> tuple[datetime.date, datetime.date | None]:
    if not 1949 <= valid_from.year <= 2200 or (valid_until and valid_until.year > 2200):
        raise ServiceError("licence.validity", "有效期日期超出合理范围（1949–2200 年）")
    years = licence_type.validity_years
    if years and valid_until is None:
        valid_until = add_years(valid_from, years) - datetime.timedelta(days=1)
    if valid_until is not None and valid_until < valid_from:
        raise ServiceError("licence.validity", "有效期截止日期不能早于起始日期")
    if years and valid_until > add_years(valid_from, years):
        raise ServiceError("licence.validity", f"{licence_type.name}的有效期最长 {years} 年")
    return valid_from, valid_until


def _signing_seal(issuer: Organisation) -> IssuingSeal:
    today = timezone.localdate()
    seal = (IssuingSeal.objects.filter(organisation=issuer, status=SealStatus.ACTIVE, valid_from__lte=today,
                                       valid_until__gte=today).order_by("-created_at").first())  # fmt: skip
    if seal is None:
        raise ServiceError(
            "licence.no_seal", f"{issuer.name}没有有效的电子印章，请管理员先制作印章", status=409
        )
    return seal


def _default_issuer(actor) -> Organisation:
    if is_client(actor):
        return actor.organisation
    ids = issuing_org_ids(actor)
    if len(ids) != 1:
        raise ServiceError("licence.issuer_required", "请指明颁发机构")
    return Organisation.objects.get(pk=next(iter(ids)))


def _sign_and_save(*, licence_type, issuer, holder, number, serial, version, previous, region_code,
                   valid_from, valid_until, data, case_number) -> Licence:  # fmt: skip
    seal = _signing_seal(issuer)
    identifier = str(LicenceId(licence_type.code, issuer.uscc, serial, str(version)))
    index = _next("status-index") - 1
    issued_on = timezone.localdate()
    content = documents.content_for(identifier=identifier, licence_type=licence_type, issuer=issuer,
                                    number=number, holder=holder, region_code=region_code, issued_on=issued_on,
                                    valid_from=valid_from, valid_until=valid_until, data=data, version=version,
                                    previous=previous.identifier if previous else None, status_index=index)  # fmt: skip
    message = documents.signed_bytes(content)
    private = keys.decrypt_private_key(seal.private_key_encrypted, seal.key_id)
    licence = Licence(identifier=identifier, licence_type=licence_type, issuer=issuer, seal=seal, serial=serial,
                      version=version, previous=previous, number=number, holder_name=holder["name"],
                      holder_code=holder["code"], holder_code_type=holder["code_type"], region_code=region_code,
                      issued_on=issued_on, valid_from=valid_from, valid_until=valid_until,
                      document=message.decode(), signature=keys.sign(seal.algorithm, private, message).hex(),
                      status_index=index, case_number=case_number or "")  # fmt: skip
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError as exc:
        raise ServiceError("conflict", "证照版本冲突，请刷新后重试", status=409) from exc
    return licence


@transaction.atomic
def issue_licence(*, actor, licence_type: LicenceType, holder_name: str, holder_code: str, holder_code_type: str,
                  data: dict, valid_from: datetime.date | None = None, valid_until: datetime.date | None = None,
                  case_number: str | None = None, issuer: Organisation | None = None,
                  number: str | None = None, region_code: str | None = None) -> Licence:  # fmt: skip
    """签发 a licence: GB/T 36904 identifier, content signed with the issuer's seal (SM2 + SM3).

    For the cases app: call it when a case whose result type is `licence_type` is approved,
    with the applicant as holder and the case's 办件编号; `actor` is the approving staff member
    (a role in the issuing organisation) or a department system of it. `data` holds the
    type's own fields; `valid_until=None` applies the type's validity rule (or 长期).
    Raises ServiceError with a Chinese message for bad input, PermissionDenied otherwise.
    """
    _refuse_control_characters(holder_name, holder_code, number, case_number, region_code)
    issuer = issuer or _default_issuer(actor)
    if not (is_superuser(actor) or issuer.pk in issuing_org_ids(actor)):
        raise PermissionDenied("只有颁发机构的工作人员或其应用系统可以签发证照")
    return issue_checked(actor=actor, licence_type=licence_type, issuer=issuer, holder_name=holder_name,
                         holder_code=holder_code, holder_code_type=holder_code_type, data=data,
                         valid_from=valid_from, valid_until=valid_until, case_number=case_number,
                         number=number, region_code=region_code)  # fmt: skip


def issue_checked(*, actor, licence_type: LicenceType, issuer: Organisation, holder_name: str, holder_code: str,
                  holder_code_type: str, data: dict, valid_from=None, valid_until=None, case_number=None,
                  number=None, region_code=None) -> Licence:  # fmt: skip
    """Issue once the caller has established the authority to issue in `issuer`'s name:
    `issue_licence` by the actor's role, `integration.issue_for_case` by the approved case."""
    _refuse_control_characters(holder_name, holder_code, number, case_number, region_code)
    if not licence_type.is_active or not licence_type.issuers.filter(pk=issuer.pk).exists():
        raise ServiceError(
            "licence.not_issuer", f"{issuer.name}不是{licence_type.name}的颁发机构", status=403
        )
    if len((holder_name or "").strip()) < 2:
        raise ServiceError("licence.holder_name", "请填写持证主体名称")
    holder = {"name": holder_name.strip(), "code": _clean_holder(licence_type, holder_code, holder_code_type),
              "code_type": holder_code_type}  # fmt: skip
    valid_from, valid_until = _period(licence_type, valid_from or timezone.localdate(), valid_until)
    if valid_until is not None and valid_until < timezone.localdate():
        raise ServiceError(
            "licence.validity", f"有效期已于 {valid_until} 届满，不能签发已过期的证照"
        )
    serial = f"{_next(f'serial:{licence_type.code}:{issuer.uscc}'):08d}"
    licence = _sign_and_save(licence_type=licence_type, issuer=issuer, holder=holder,
                             number=(number or "").strip() or f"{issuer.region_code}{licence_type.code[-3:]}{serial}", serial=serial,
                             version=1, previous=None, region_code=region_code or issuer.region_code,
                             valid_from=valid_from, valid_until=valid_until,
                             data=_clean_data(licence_type, data), case_number=case_number)  # fmt: skip
    audit.record(actor=actor, action="licence.issue", target=licence, after=snapshot(licence))
    return licence


def _locked_for_change(actor, licence: Licence) -> Licence:
    locked = (
        Licence.objects.restrict(actor, "change").select_for_update().filter(pk=licence.pk).first()
    )
    if locked is None:
        raise NotFound("电子证照")
    return locked


@transaction.atomic
def change_licence(*, actor, licence: Licence, reason: str, data: dict | None = None,
                   holder_name: str | None = None, valid_until: datetime.date | None = None,
                   case_number: str | None = None) -> Licence:  # fmt: skip
    """变更: a new version (same 流水号, version + 1) with the changed data, signed anew;
    the old version becomes 已变更 and its bit is set in the revocation list."""
    _refuse_control_characters(reason, holder_name, case_number)
    old = _locked_for_change(actor, licence)
    if old.status != LicenceStatus.VALID:
        raise ServiceError(
            "licence.transition", f"{old.get_status_display()}的证照不能变更", status=409
        )
    if len((reason or "").strip()) < 2:
        raise ServiceError("validation_failed", "请说明变更原因")
    content = old.content
    merged = {**content["data"], **(data or {})}
    holder = {**content["holder"], "name": (holder_name or content["holder"]["name"]).strip()}
    if len(holder["name"]) < 2:
        raise ServiceError("licence.holder_name", "请填写持证主体名称")
    # The new version is in force from today, or from the old one's start if that is still to come.
    start, until = _period(old.licence_type, max(timezone.localdate(), old.valid_from),
                           valid_until or old.valid_until)  # fmt: skip
    new = _sign_and_save(licence_type=old.licence_type, issuer=old.issuer, holder=holder, number=old.number,
                         serial=old.serial, version=old.version + 1, previous=old, region_code=old.region_code,
                         valid_from=start, valid_until=until,
                         data=_clean_data(old.licence_type, merged), case_number=case_number or old.case_number)  # fmt: skip
    _set_status(
        actor,
        old,
        LicenceStatus.SUPERSEDED,
        f"变更为第 {new.version} 版：{reason.strip()}",
        "supersede",
    )
    _refresh_status(licence, old)
    audit.record(
        actor=actor,
        action="licence.change",
        target=new,
        after={**snapshot(new), "reason": reason.strip()},
    )
    return new


def _refresh_status(stale: Licence, fresh: Licence) -> None:
    """The caller's instance shows the new status too (the change was made on a locked copy)."""
    stale.status, stale.status_reason = fresh.status, fresh.status_reason
    stale.status_changed_at = fresh.status_changed_at


def _set_status(actor, licence: Licence, status: str, reason: str, action: str) -> None:
    before = snapshot(licence)
    licence.status, licence.status_reason = status, reason[:300]
    licence.status_changed_at = timezone.now()
    licence.save(update_fields=["status", "status_reason", "status_changed_at"])
    audit.record(
        actor=actor,
        action=f"licence.{action}",
        target=licence,
        before=before,
        after=snapshot(licence),
    )


@transaction.atomic
def set_licence_status(*, actor, licence: Licence, status: str, reason: str) -> Licence:
    """暂停 (suspended), 恢复 (valid), 吊销 (revoked, a sanction) or 注销 (cancelled, e.g. the holder
    closed down), always with a reason. 吊销 and 注销 are final."""
    _refuse_control_characters(reason)
    locked = _locked_for_change(actor, licence)
    if status not in TRANSITIONS:
        raise ServiceError("validation_failed", "状态只能是 valid、suspended、revoked 或 cancelled")
    if locked.status not in TRANSITIONS[status]:
        raise ServiceError("licence.transition",
                           f"{locked.get_status_display()}的证照不能改为{LicenceStatus(status).label}", status=409)  # fmt: skip
    if len((reason or "").strip()) < 2:
        raise ServiceError("validation_failed", "请说明原因")
    _set_status(actor, locked, status, reason.strip(), ACTIONS[status])
    _refresh_status(licence, locked)
    return locked


@transaction.atomic
def expire_licences(*, actor=None, today: datetime.date | None = None) -> int:
    """到期: mark valid or suspended licences past their end date as expired, one audit row each."""
    today = today or timezone.localdate()
    due = Licence.objects.select_for_update().filter(status__in=[LicenceStatus.VALID, LicenceStatus.SUSPENDED],
                                                     valid_until__lt=today)  # fmt: skip
    count = 0
    for licence in due.iterator(chunk_size=500):
        _set_status(
            actor,
            licence,
            LicenceStatus.EXPIRED,
            f"有效期至 {licence.valid_until} 已届满",
            "expire",
        )
        count += 1
    return count


def _user_label(actor, organisation: Organisation | None) -> str:
    if is_client(actor):
        return actor.identity
    if not is_user(actor):
        return organisation.name if organisation else "系统"
    person = actor.audit_label
    return f"{organisation.name}（{person}）" if organisation else person


@transaction.atomic
def record_licence_use(*, actor, licence: Licence, applicant_code: str, purpose: str, consent: bool,
                       case_number: str = "", organisation: Organisation | None = None) -> LicenceUse:  # fmt: skip
    """用证记录: a licence checked or used by a department, with the holder's consent.

    Who may write one into a holder's wallet: a department system (API client of an
    organisation, in its organisation's name), or staff (综合窗口, 审批) of a department taking
    part in case `case_number` whose applicant is the holder (in that department's name). Anyone
    else — a signed-in citizen who knows the holder's code, staff without such a case — is
    refused. Refused too when the licence is another holder's, when consent is missing, or when
    the licence is not valid today. (Material reuse in a case goes through
    `integration.reuse_licence`.)
    """
    _refuse_control_characters(applicant_code, purpose, case_number)
    organisation = _using_organisation(actor, licence, case_number, organisation)
    if (applicant_code or "").strip().upper() != licence.holder_code:
        raise ServiceError(
            "licence.not_holder", "该证照不属于申请人，不能作为其申请材料", status=403
        )
    if consent is not True:
        raise ServiceError("licence.consent_required", "使用证照须经持证人同意")
    if len((purpose or "").strip()) < 2:
        raise ServiceError("validation_failed", "请写明用证用途")
    return write_use(actor=actor, licence=licence, organisation=organisation, purpose=purpose,
                     case_number=case_number)  # fmt: skip


def _using_organisation(actor, licence: Licence, case_number: str,
                        organisation: Organisation | None) -> Organisation:  # fmt: skip
    """The department a use is recorded for, once the actor may use the licence at all."""
    if is_client(actor):
        return actor.organisation
    if not is_user(actor):
        raise PermissionDenied("需要部门应用系统密钥，或以办件经办人员身份登录")
    allowed = case_org_ids(
        actor, case_number=(case_number or "").strip(), holder_code=licence.holder_code
    )
    if not allowed:
        raise PermissionDenied(
            "只有部门应用系统，或办理该持证人办件的部门工作人员（须填写办件编号）可以登记用证"
        )
    if organisation is None:
        return Organisation.objects.get(pk=min(allowed))
    if organisation.pk not in allowed:
        raise PermissionDenied("只能以办理该办件的本人所在部门的名义用证")
    return organisation


def write_use(*, actor, licence: Licence, organisation: Organisation | None, purpose: str,
              case_number: str = "") -> LicenceUse:  # fmt: skip
    """Write a 用证记录 once holder, consent and the user's department were checked (by
    `record_licence_use`, or by `integration.reuse_licence` for an application)."""
    from yiwang.licences.verification import check_stored

    licence = Licence.objects.select_related("seal").get(pk=licence.pk)  # the status as of now
    result = check_stored(licence)
    if not result.is_valid:
        raise ServiceError(
            "licence.not_valid", f"证照{result.label}，不能使用：{result.message}", status=409
        )
    use = LicenceUse.objects.create(licence=licence, organisation=organisation, used_by=_user_label(actor, organisation)[:200],
                                    user=actor if is_user(actor) else None, client=actor if is_client(actor) else None,
                                    purpose=purpose.strip()[:300], case_number=(case_number or "")[:64],
                                    consent=True, verification=result.state)  # fmt: skip
    audit.record(actor=actor, action="licence.use", target=licence,
                 after={"use": use.pk, "purpose": use.purpose, "case_number": use.case_number, "consent": True})  # fmt: skip
    return use
