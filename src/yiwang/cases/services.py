"""Applications and the one window (综合窗口): submit, register, accept, 补正, refuse, withdraw.

Every write is keyword-only, atomic, permission-checked and audited, and adds a
line to the case's timeline. Review by departments is in `approval.py`.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yiwang.cases import approval, clock, texts
from yiwang.cases.choices import (
    ApplicantKind,
    CaseStatus,
    Channel,
    ClockStopKind,
    TaskStatus,
)
from yiwang.cases.materials import asked_materials, provide_materials, store_upload
from yiwang.cases.models import Case, CaseEvent, CaseSequence, Notification
from yiwang.cases.notify import notify_applicant
from yiwang.cases.permissions import is_window_clerk
from yiwang.core import audit, identifiers
from yiwang.core.choices import Role
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.permissions import can, has_role, is_user
from yiwang.services import formdef
from yiwang.services.choices import Audience, CaseKind, ItemStatus
from yiwang.services.models import ServiceItem


def case_snapshot(case: Case) -> dict:
    fields = [f.name for f in Case._meta.concrete_fields if f.name != "workflow_state"]
    return audit.snapshot(case, fields)


def make_event(
    case: Case, kind: str, message: str, *, actor=None, organisation=None, when=None
) -> CaseEvent:
    """A line of the case's timeline, not yet saved (for a bulk insert)."""
    label = getattr(actor, "audit_label", "") if actor is not None else "系统"
    return CaseEvent(
        case=case, kind=kind, message=message, actor_label=label or "系统",
        organisation=organisation, occurred_at=when or timezone.now(),
    )  # fmt: skip


def add_event(case: Case, kind: str, message: str, *, actor=None, organisation=None) -> None:
    make_event(case, kind, message, actor=actor, organisation=organisation).save()


def next_number(item: ServiceItem, day) -> str:
    """办件编号: the item's 实施编码 + yyyymmdd + a 4-digit sequence of that day."""
    prefix = f"{item.code}{day:%Y%m%d}"
    for _ in range(3):
        try:
            with transaction.atomic():
                seq, _ = CaseSequence.objects.select_for_update().get_or_create(prefix=prefix)
                seq.last += 1
                seq.save(update_fields=["last"])
                return f"{prefix}{seq.last:04d}"
        except IntegrityError:
            continue  # two first cases of the day raced to create the row; the loser retries
    raise ServiceError("cases.number_busy", "办件编号生成繁忙，请稍后重试", status=409)


# --- who applies ----------------------------------------------------------------


def _applicant_of(actor, *, company_uscc: str | None) -> dict:
    """The applicant's identity as the platform knows it (real-name account or agency)."""
    if not is_user(actor):
        raise PermissionDenied("请先登录再申请")
    if company_uscc:
        agency = actor.agencies.filter(company_uscc=company_uscc).first()
        today = timezone.localdate()
        if (
            agency is None
            or agency.valid_from > today
            or (agency.valid_until and agency.valid_until < today)
        ):
            raise PermissionDenied("您不是该企业的有效代理人")
        return {"applicant_kind": ApplicantKind.COMPANY, "applicant_name": agency.company_name,
                "applicant_code": agency.company_uscc}  # fmt: skip
    if not actor.id_number:
        raise PermissionDenied("请先完成实名认证（填写公民身份号码）再申请")
    return {"applicant_kind": ApplicantKind.PERSON, "applicant_name": actor.real_name,
            "applicant_code": actor.id_number}  # fmt: skip


def _check_audience(item, kind: str, *, what: str = "该事项") -> None:
    """The applicant is one the item (or the theme, 一件事) serves: 自然人, 法人 or both."""
    wanted = {ApplicantKind.PERSON: Audience.PERSON, ApplicantKind.COMPANY: Audience.COMPANY}[kind]
    if item.audience not in (wanted, Audience.BOTH):
        raise ServiceError(
            "cases.wrong_audience", f"{what}的服务对象是{item.get_audience_display()}"
        )


def _check_open_item(item: ServiceItem, *, online: bool, what: str = "该事项") -> None:
    if item.status != ItemStatus.PUBLISHED:
        raise ServiceError("cases.item_closed", f"{what}当前不受理申请")
    if online and not item.online:
        raise ServiceError("cases.not_online", f"{what}不能网上申请，请到窗口办理")


def _contact_phone(phone: str) -> str:
    """联系电话 given with an application: a mobile number, like the account's own; "" if none."""
    if not (phone or "").strip():
        return ""
    try:
        return identifiers.validate_mobile(phone)
    except identifiers.IdentifierError as exc:
        raise ServiceError("validation_failed", f"联系电话：{exc}") from exc


# --- submission -----------------------------------------------------------------


# Form fields the platform fills from who applies: they must name that applicant, or the case
# would contradict itself (a company's agent typing another company's USCC into the form).
IDENTITY_PREFILLS = {
    "applicant.id_number": ApplicantKind.PERSON,
    "company.uscc": ApplicantKind.COMPANY,
}


def _cleaned_form(definition: list[dict], form_data: dict, applicant: dict) -> dict:
    """The form's values, typed and checked, or a ServiceError naming the first bad field."""
    cleaned, errors = formdef.clean_submission(definition, form_data or {})
    for field in definition:
        value = str(cleaned.get(field["code"]) or "").upper()
        if (
            IDENTITY_PREFILLS.get(field.get("prefill", "")) == applicant["applicant_kind"]
            and value
            and value != applicant["applicant_code"].upper()
        ):
            errors.setdefault(
                field["code"], f"{field['label']}须为申请人（{applicant['applicant_name']}）的号码"
            )
    if errors:
        raise ServiceError(
            "validation_failed", next(iter(errors.values())), detail={"fields": errors}
        )
    return cleaned


def _new_case(*, item, applicant, channel, form_data, actor, registered_by=None, phone="") -> Case:
    cleaned = _cleaned_form(item.form_definition, form_data, applicant)
    now = timezone.now()
    case = Case.objects.create(
        number=next_number(item, timezone.localdate(now)), item=item, item_version=item.version,
        channel=channel, form_data=cleaned, status=CaseStatus.SUBMITTED, submitted_at=now,
        registered_by=registered_by, contact_phone=phone,
        applicant=actor if registered_by is None else None, **applicant,
    )  # fmt: skip
    case.participants.set([item.organisation_id, *item.participants.values_list("id", flat=True)])
    ServiceItem.objects.filter(pk=item.pk).update(use_count=F("use_count") + 1)
    return case


@transaction.atomic
def submit_application(
    *, actor, item: ServiceItem, form_data: dict, uploads: dict | None = None,
    company_uscc: str | None = None, channel: str = Channel.ONLINE, phone: str = "",
    licence_consent=(),
) -> Case:  # fmt: skip
    """网上申请: an applicant submits; they get a case number and a receipt (回执).

    `licence_consent`: the materials whose e-licence the applicant agreed to have used
    (免提交); any other material is uploaded, or read from shared data where it can be.
    """
    _check_open_item(item, online=True)
    if channel not in (Channel.ONLINE, Channel.MOBILE, Channel.KIOSK):
        raise ServiceError("validation_failed", "申请渠道无效")
    applicant = _applicant_of(actor, company_uscc=company_uscc)
    _check_audience(item, applicant["applicant_kind"])
    case = _new_case(item=item, applicant=applicant, channel=channel, form_data=form_data,
                     actor=actor, phone=_contact_phone(phone) or actor.phone)  # fmt: skip
    missing = provide_materials(case, uploads or {}, licence_consent=licence_consent)
    if missing:
        raise ServiceError("cases.materials_missing", f"请上传：{'、'.join(missing)}",
                           detail={"missing": missing})  # fmt: skip
    add_event(case, "submitted", f"提交申请（{case.get_channel_display()}）", actor=actor)
    audit.record(actor=actor, action="case.submit", target=case, after=case_snapshot(case))
    notify_applicant(case, f"您的申请已提交，办件编号 {case.number}，请等待受理。")
    return case


# What an applicant reads when a theme's items no longer merge into one form (see
# services.selectors.theme_form_conflicts): never a form that would be read two ways.
THEME_FORM_PENDING = "该一件事的联合申请表有待牵头部门调整，暂不受理在线申请；请分别申请其中的事项"


@transaction.atomic
def submit_theme_application(
    *, actor, theme, form_data: dict, uploads: dict | None = None,
    company_uscc: str | None = None, channel: str = Channel.ONLINE, phone: str = "",
    licence_consent=(),
) -> Case:  # fmt: skip
    """一件事: one joint form and one joint case for all the theme's items; each document once.

    The case is numbered under the theme's first item; every department of every item
    reviews it in parallel, and it is due by the longest promised limit among the items.
    """
    from yiwang.services.selectors import theme_form, theme_form_conflicts, theme_items

    if theme.status != ItemStatus.PUBLISHED:
        raise ServiceError("cases.item_closed", "该一件事主题当前不受理申请")
    if theme_form_conflicts(theme):
        raise ServiceError("cases.item_closed", THEME_FORM_PENDING)
    items = theme_items(theme)
    for item in items:  # which of the theme's items stops it, by name
        _check_open_item(item, online=True, what=f"「{item.name}」")
    applicant = _applicant_of(actor, company_uscc=company_uscc)
    _check_audience(theme, applicant["applicant_kind"], what="该一件事")
    for item in items:
        _check_audience(item, applicant["applicant_kind"], what=f"「{item.name}」")
    cleaned = _cleaned_form(theme_form(theme), form_data, applicant)
    lead, now = items[0], timezone.now()
    case = Case.objects.create(
        number=next_number(lead, timezone.localdate(now)), item=lead, item_version=lead.version, theme=theme,
        channel=channel, form_data=cleaned, status=CaseStatus.SUBMITTED, submitted_at=now,
        contact_phone=_contact_phone(phone) or actor.phone, applicant=actor, **applicant,
    )  # fmt: skip
    departments = []
    for item in items:
        for org_id in [item.organisation_id, *item.participants.values_list("id", flat=True)]:
            if org_id not in departments:
                departments.append(org_id)
    case.participants.set(departments)
    ServiceItem.objects.filter(pk__in=[i.pk for i in items]).update(use_count=F("use_count") + 1)
    missing = provide_materials(case, uploads or {}, licence_consent=licence_consent)
    if missing:
        raise ServiceError(
            "cases.materials_missing", f"请上传：{'、'.join(missing)}", detail={"missing": missing}
        )
    add_event(case, "submitted", f"提交一件事申请「{theme.name}」（{case.get_channel_display()}），"
              f"含 {len(items)} 个事项", actor=actor)  # fmt: skip
    audit.record(actor=actor, action="case.submit", target=case, after=case_snapshot(case))
    notify_applicant(
        case, f"您的一件事申请「{theme.name}」已提交，办件编号 {case.number}，请等待受理。"
    )
    return case


def is_immediate(case: Case) -> bool:
    """Whether the case may be finished at acceptance: its item, or every item of its theme
    (一件事), is a 即办件; one 承诺件 among them is reviewed by its department."""
    items = [case.item]
    if case.theme_id:
        from yiwang.services.selectors import theme_items

        items = theme_items(case.theme)
    return all(item.case_kind == CaseKind.IMMEDIATE for item in items)


def form_definition_of(case: Case) -> list[dict]:
    """The form the case was applied with: the item's, or the theme's joint form."""
    if case.theme_id:
        from yiwang.services.selectors import theme_form

        return theme_form(case.theme)
    return case.item.form_definition


@transaction.atomic
def register_walk_in(
    *, actor, item: ServiceItem, applicant_kind: str, applicant_name: str, applicant_code: str,
    form_data: dict, phone: str = "", uploads: dict | None = None,
    paper_materials: list[int] = (), channel: str = Channel.WINDOW, licence_consent=(),
) -> Case:  # fmt: skip
    """窗口登记: a clerk registers the application of someone at the window; the applicant's
    consent to use their e-licences (`licence_consent`) is given at the window."""
    if not (
        is_window_clerk(actor)
        or item.organisation_id in _clerk_orgs(actor)
        or item.participants.filter(pk__in=_clerk_orgs(actor)).exists()
    ):
        raise PermissionDenied("只能登记本部门参与办理的事项")
    _check_open_item(item, online=False)
    if applicant_kind not in ApplicantKind.values:
        raise ServiceError("validation_failed", "申请人类型无效")
    check = (
        identifiers.validate_ric
        if applicant_kind == ApplicantKind.PERSON
        else (identifiers.validate_uscc)
    )
    try:
        code = check(applicant_code)
    except identifiers.IdentifierError as exc:
        raise ServiceError("validation_failed", f"申请人证件号码：{exc}") from exc
    if not applicant_name.strip():
        raise ServiceError("validation_failed", "请填写申请人姓名或名称")
    texts.check_length(applicant_name, texts.APPLICANT_NAME_MAX, "申请人姓名或名称")
    _check_audience(item, applicant_kind)
    applicant = {"applicant_kind": applicant_kind, "applicant_name": applicant_name.strip(),
                 "applicant_code": code}  # fmt: skip
    case = _new_case(item=item, applicant=applicant, channel=channel, form_data=form_data,
                     actor=actor, registered_by=actor, phone=_contact_phone(phone))  # fmt: skip
    missing = provide_materials(case, uploads or {}, paper=set(paper_materials),
                                licence_consent=licence_consent)  # fmt: skip
    if missing:
        raise ServiceError("cases.materials_missing", f"缺少材料：{'、'.join(missing)}",
                           detail={"missing": missing})  # fmt: skip
    add_event(case, "registered", f"窗口登记（{case.get_channel_display()}）", actor=actor)
    audit.record(actor=actor, action="case.register", target=case, after=case_snapshot(case))
    return case


def _clerk_orgs(actor) -> set[int]:
    from yiwang.core.permissions import org_ids_with_role

    return org_ids_with_role(actor, Role.CLERK)


def _check_clerk(actor, case: Case) -> None:
    if not can(actor, "view", case):
        raise NotFound("办件")
    if not can(actor, "accept", case):
        raise PermissionDenied("只有参与办理部门的综合窗口人员可以受理")


def _check_status(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise ServiceError(
            "cases.wrong_status",
            f"办件当前状态为「{case.get_status_display()}」，不能执行此操作",
            status=409,
        )


# --- one window -------------------------------------------------------------------


@transaction.atomic
def accept_case(*, actor, case: Case, finish_now: bool = False, opinion: str = "") -> Case:
    """受理: the window accepts; the clock starts and the item's process runs.

    A 即办件 may be finished at acceptance (`finish_now`): it is approved at once.
    """
    texts.check_length(opinion, texts.ACCEPT_OPINION_MAX, "受理意见")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_clerk(actor, case)
    _check_status(case, CaseStatus.SUBMITTED)
    before = case_snapshot(case)
    now = timezone.now()
    case.status = CaseStatus.ACCEPTED
    case.accepted_at, case.accepted_by = now, actor if is_user(actor) else None
    clock.set_due_dates(case)
    case.save()
    add_event(case, "accepted", "已受理" + (f"：{opinion}" if opinion else ""), actor=actor)
    if finish_now:
        if not is_immediate(case):
            raise ServiceError("cases.not_immediate", "只有即办件可以当场办结")
        approval.finish(case, approved=True, actor=actor, note=opinion or "即办件当场办结")
    else:
        approval.start_process(case, actor=actor)
    audit.record(actor=actor, action="case.accept", target=case, before=before,
                 after=case_snapshot(case))  # fmt: skip
    notify_applicant(case, f"您的办件 {case.number} 已受理，承诺于 {case.due_date} 前办结。"
                     if case.is_open else f"您的办件 {case.number} 已办结。")  # fmt: skip
    return case


@transaction.atomic
def request_correction(*, actor, case: Case, corrections: list[str], message: str = "") -> Case:
    """补正: tell the applicant exactly what to fix, all at once (一次性告知); the clock stops."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_clerk(actor, case)
    _check_status(case, CaseStatus.SUBMITTED)
    corrections = _corrections(corrections, message)
    before = case_snapshot(case)
    case.status = CaseStatus.CORRECTION
    case.correction_notice = corrections
    case.save(update_fields=["status", "correction_notice", "updated_at"])
    clock.stop(case, kind=ClockStopKind.CORRECTION, reason="；".join(corrections))
    add_event(case, "correction", "请补正：" + "；".join(corrections) + (f"（{message}）" if message else ""), actor=actor)  # fmt: skip
    audit.record(actor=actor, action="case.correction", target=case, before=before,
                 after=case_snapshot(case))  # fmt: skip
    notify_applicant(case, f"您的办件 {case.number} 需要补正：" + "；".join(corrections))
    return case


def _corrections(corrections: list[str], message: str) -> list[str]:
    corrections = [c.strip() for c in corrections if c and c.strip()]
    if not corrections:
        raise ServiceError("validation_failed", "请逐项写明需要补正的内容")
    if len(corrections) > texts.CORRECTION_ITEMS_MAX:
        raise ServiceError("validation_failed",
                           f"补正内容最多 {texts.CORRECTION_ITEMS_MAX} 项，请合并后再提交")  # fmt: skip
    for item in corrections:
        texts.check_length(item, texts.CORRECTION_ITEM_MAX, "每项补正内容")
    texts.check_length(message, texts.CORRECTION_MESSAGE_MAX, "补正说明")
    return corrections


@transaction.atomic
def request_review_correction(
    *, actor, case: Case, corrections: list[str], message: str = ""
) -> Case:
    """审查中补正: a reviewer of a department with an open task tells the applicant all that is
    to fix at once (一次性告知). The clock stops, and no department decides, until the
    applicant answers; then the due dates move by the working days it stopped."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    own = (
        case.tasks.restrict(actor, "change")
        .filter(status=TaskStatus.OPEN)
        .select_related("organisation")
        .first()
    )
    if own is None:
        if can(actor, "view", case):
            raise PermissionDenied("只有本办件有待办任务的部门可以在审查中要求补正")
        raise NotFound("办件")
    _check_status(case, CaseStatus.ACCEPTED)
    corrections = _corrections(corrections, message)
    before = case_snapshot(case)
    clock.stop(case, kind=ClockStopKind.CORRECTION, reason="；".join(corrections),
               organisation=own.organisation)  # fmt: skip
    case.correction_notice = corrections
    case.save(update_fields=["correction_notice", "updated_at"])
    add_event(case, "correction", f"审查中请补正（{own.organisation.name}）：" + "；".join(corrections)
              + (f"（{message}）" if message else "") + "，期间暂停计时", actor=actor,
              organisation=own.organisation)  # fmt: skip
    audit.record(actor=actor, action="case.review_correction", target=case, before=before,
                 after={**case_snapshot(case), "organisation": own.organisation_id})  # fmt: skip
    notify_applicant(case, f"您的办件 {case.number} 在审查中需要补正：" + "；".join(corrections))
    return case


def awaits_review_correction(case: Case) -> bool:
    """Whether an accepted case waits for the applicant's 补正 asked during review."""
    if case.status != CaseStatus.ACCEPTED:
        return False
    stop = clock.open_stop(case)
    return stop is not None and stop.kind == ClockStopKind.CORRECTION


def may_answer_correction(actor, case: Case) -> bool:
    """Who sends a 补正: the applicant, or for a case registered at the window (a walk-in, who may
    have no account) a clerk who may accept it."""
    return can(actor, "apply", case) or (
        case.registered_by_id is not None and can(actor, "accept", case)
    )


@transaction.atomic
def submit_correction(
    *, actor, case: Case, form_data: dict | None = None, uploads: dict | None = None
) -> Case:
    """The applicant sends what was asked and the clock runs again: before acceptance the case
    waits for acceptance again; during review it goes on, its due dates moved by the stop.
    A walk-in applicant brings it back to the window, where a clerk records it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not may_answer_correction(actor, case):
        raise NotFound("办件")
    in_review = awaits_review_correction(case)
    if not in_review:
        _check_status(case, CaseStatus.CORRECTION)
    before = case_snapshot(case)
    if form_data is not None:
        # The same checks as the application: a 补正 must not name another applicant either.
        applicant = {"applicant_kind": case.applicant_kind, "applicant_name": case.applicant_name,
                     "applicant_code": case.applicant_code}  # fmt: skip
        case.form_data = _cleaned_form(
            form_definition_of(case), {**case.form_data, **form_data}, applicant
        )
    materials = {m.pk: m for m, _required in asked_materials(case)}
    for key, upload in (uploads or {}).items():
        material = materials.get(int(key))
        if material is None:
            raise ServiceError("validation_failed", "上传的材料不属于该办件")
        case.materials.filter(material=material).delete()
        store_upload(case, material, upload)
    if not in_review:
        case.status = CaseStatus.SUBMITTED
    case.save(update_fields=["status", "form_data", "updated_at"])
    days = clock.resume(case)
    add_event(case, "corrected", "已提交补正材料" + (f"，恢复计时（顺延 {days} 个工作日）"
              if in_review else ""), actor=actor)  # fmt: skip
    audit.record(actor=actor, action="case.corrected", target=case, before=before,
                 after=case_snapshot(case))  # fmt: skip
    return case


@transaction.atomic
def refuse_case(*, actor, case: Case, reason: str) -> Case:
    """不予受理: the window refuses, with the reason the applicant will read."""
    texts.check_length(reason, texts.REFUSAL_REASON_MAX, "不予受理理由")
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_clerk(actor, case)
    _check_status(case, CaseStatus.SUBMITTED, CaseStatus.CORRECTION)
    if len(reason.strip()) < 4:
        raise ServiceError("validation_failed", "请写明不予受理的理由和依据")
    before = case_snapshot(case)
    clock.end_without_moving(case)
    case.status = CaseStatus.REFUSED
    case.finished_at = timezone.now()
    case.outcome_note = reason.strip()
    case.refused_by = actor if is_user(actor) else None
    case.save(update_fields=["status", "finished_at", "outcome_note", "refused_by", "updated_at"])
    add_event(case, "refused", f"不予受理：{reason.strip()}", actor=actor)
    audit.record(actor=actor, action="case.refuse", target=case, before=before,
                 after=case_snapshot(case))  # fmt: skip
    notify_applicant(case, f"您的办件 {case.number} 不予受理：{reason.strip()}")
    return case


@transaction.atomic
def withdraw_case(*, actor, case: Case, reason: str = "") -> Case:
    """撤回: the applicant withdraws a case that is not finished."""
    texts.check_length(reason, texts.WITHDRAW_REASON_MAX, "撤回原因")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not can(actor, "apply", case):
        raise NotFound("办件")
    _check_status(case, CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED)
    before = case_snapshot(case)
    clock.end_without_moving(case)
    approval.cancel_tasks(case)
    case.status = CaseStatus.WITHDRAWN
    case.finished_at = timezone.now()
    case.outcome_note = reason.strip()
    case.save(update_fields=["status", "finished_at", "outcome_note", "updated_at"])
    add_event(case, "withdrawn", "申请人撤回申请" + (f"：{case.outcome_note}" if case.outcome_note else ""),
              actor=actor)  # fmt: skip
    audit.record(actor=actor, action="case.withdraw", target=case, before=before,
                 after=case_snapshot(case))  # fmt: skip
    return case


@transaction.atomic
def mark_messages_read(*, actor) -> int:
    """站内消息已读: the user's unread site messages are marked read; answers how many."""
    if not is_user(actor):
        raise PermissionDenied("请先登录")
    count = Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        audit.record(actor=actor, action="notification.read", target=actor, after={"count": count})
    return count


def ensure_staff_or_applicant(actor, case: Case) -> None:
    if not can(actor, "view", case) and not has_role(actor, Role.SUPERVISOR):
        raise NotFound("办件")
