"""Schemas of the cases (办件) API, one per direction: what callers send (`…In`), what they get (`…Out`).

Personal data of the applicant (name, 证件号码, phone) is answered masked unless the caller is
the applicant (or an agent of the applying company) or may see clear values.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

from ninja import Field, Schema
from pydantic import model_validator

from yiwang.cases import texts
from yiwang.cases.choices import (
    ApplicantKind,
    CaseStatus,
    Channel,
    ClockStopKind,
    Decision,
    MaterialSource,
    TaskStatus,
)
from yiwang.cases.permissions import agent_usccs
from yiwang.cases.services import form_definition_of
from yiwang.core.api import DbId
from yiwang.core.choices import MaskKind
from yiwang.core.masking import reveal_or_mask
from yiwang.core.nul import Text
from yiwang.core.permissions import can_see_clear, is_user
from yiwang.services.choices import FormFieldType

MATERIAL_FILE = re.compile(r"^material_([1-9][0-9]{0,17})$")


# --- in ---------------------------------------------------------------------------


class ItemRef(Schema):
    item_id: DbId | None = Field(None, description="事项编号（与 item_code 二选一）")
    item_code: Text | None = Field(None, min_length=1, max_length=40, description="实施编码")

    @model_validator(mode="after")
    def _one_item(self):
        if (self.item_id is None) == (self.item_code is None):
            raise ValueError("请填写 item_id 或 item_code 之一")
        return self


LICENCE_CONSENT = Field(
    [], max_length=200,
    description="申请人同意调用其有效电子证照替代的材料编号（免提交）；未列出的材料须上传",
)  # fmt: skip


class ThemeApplicationIn(Schema):
    form_data: dict = Field({}, description="联合申请表：字段代码 → 值")
    company_uscc: str | None = Field(
        None, min_length=18, max_length=18, description="代企业申请时，企业的统一社会信用代码"
    )
    channel: Literal[Channel.ONLINE, Channel.MOBILE, Channel.KIOSK] = Channel.ONLINE
    phone: str = Field("", max_length=11, description="联系电话；缺省为账号的手机号码")
    licence_consent: list[DbId] = LICENCE_CONSENT


class ApplicationIn(ThemeApplicationIn, ItemRef):
    form_data: dict = Field({}, description="申请表：字段代码 → 值")


class WalkInIn(ItemRef):
    applicant_kind: ApplicantKind
    applicant_name: str = Field(..., min_length=1, max_length=texts.APPLICANT_NAME_MAX)
    applicant_code: str = Field(
        ..., min_length=1, max_length=18, description="身份号码或统一社会信用代码"
    )
    form_data: dict = {}
    phone: str = Field("", max_length=11)
    paper_materials: list[DbId] = Field([], max_length=200, description="窗口收取纸质件的材料编号")
    licence_consent: list[DbId] = LICENCE_CONSENT


class CorrectionIn(Schema):
    form_data: dict | None = Field(None, description="修改的申请表字段（与原值合并）")


class AcceptIn(Schema):
    finish_now: bool = Field(False, description="即办件当场办结")
    opinion: str = Field("", max_length=texts.ACCEPT_OPINION_MAX)


class CorrectionRequestIn(Schema):
    corrections: list[str] = Field(
        ..., min_length=1, max_length=texts.CORRECTION_ITEMS_MAX,
        description=f"逐项写明需要补正的内容（每项不超过 {texts.CORRECTION_ITEM_MAX} 字）",
    )  # fmt: skip
    message: str = Field("", max_length=texts.CORRECTION_MESSAGE_MAX)


class CaseReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=texts.REFUSAL_REASON_MAX)


class WithdrawIn(Schema):
    reason: str = Field("", max_length=texts.WITHDRAW_REASON_MAX)


class TaskDecisionIn(Schema):
    decision: Decision
    opinion: str = Field("", max_length=texts.REVIEW_OPINION_MAX)


class SpecialIn(Schema):
    kind: Literal[ClockStopKind.INSPECTION, ClockStopKind.EXPERT, ClockStopKind.HEARING]
    reason: str = Field(..., min_length=1, max_length=texts.SPECIAL_REASON_MAX)
    planned_end: datetime.date


class SpecialEndIn(Schema):
    result: str = Field("", max_length=texts.SPECIAL_RESULT_MAX)


class CaseFilter(Schema):
    status: CaseStatus | None = None


# --- out --------------------------------------------------------------------------


def sees_clear(request, case) -> bool:
    """The applicant (their account, the account with their 身份号码 for a walk-in, or an agent of
    the applying company) reads their own data in clear."""
    actor = request.user
    if not is_user(actor):
        return False
    if case.applicant_id == actor.pk:
        return True
    if case.applicant_kind != ApplicantKind.COMPANY:  # a walk-in's number is their account's
        return bool(actor.id_number) and case.applicant_code == actor.id_number.upper()
    if not hasattr(request, "_yiwang_agencies"):
        request._yiwang_agencies = set(agent_usccs(actor))
    return case.applicant_code in request._yiwang_agencies


def personal(request, case, name: str):
    """One of the applicant's personal fields (`Case.PERSONAL_FIELDS`), masked unless the caller
    sees it clear; the case page shows it as the API answers it."""
    value = getattr(case, name)
    if sees_clear(request, case):
        return value
    return reveal_or_mask(request.user, case.PERSONAL_FIELDS[name], value)


def _personal(obj, context, name: str):
    return personal(context["request"], obj, name)


class CaseOut(Schema):
    number: str
    item_id: int
    item_code: str
    item_name: str
    status: CaseStatus
    status_label: str
    channel: Channel
    applicant_kind: ApplicantKind
    applicant_name: str = Field(..., description="申请人（工作人员看到脱敏值）")
    applicant_code: str = Field(..., description="证件号码（工作人员看到脱敏值）")
    contact_phone: str = Field(..., description="联系电话（工作人员看到脱敏值）")
    submitted_at: datetime.datetime
    accepted_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    due_date: datetime.date | None = Field(..., description="承诺办结日期")
    statutory_due_date: datetime.date | None = Field(..., description="法定办结日期")
    correction_notice: list[str] = Field(..., description="补正告知")
    outcome_note: str
    result_reference: str

    @staticmethod
    def resolve_item_code(obj):
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj):
        return obj.item.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_applicant_name(obj, context):
        return _personal(obj, context, "applicant_name")

    @staticmethod
    def resolve_applicant_code(obj, context):
        return _personal(obj, context, "applicant_code")

    @staticmethod
    def resolve_contact_phone(obj, context):
        return _personal(obj, context, "contact_phone")


class CaseMaterialOut(Schema):
    id: int
    material_id: int | None
    name: str
    source: MaterialSource
    source_label: str = Field(
        ..., description="上传、窗口收取纸质材料、电子证照（免提交）、共享数据（免提交）"
    )
    sha256: str
    reference: str
    consent_at: datetime.datetime | None = Field(..., description="申请人授权调用电子证照的时间")
    download_url: str | None = Field(..., description="上传文件的下载地址（无文件时为空）")
    created_at: datetime.datetime

    @staticmethod
    def resolve_source_label(obj):
        return obj.get_source_display()

    @staticmethod
    def resolve_download_url(obj):
        return f"/api/v1/cases/{obj.case.number}/materials/{obj.pk}" if obj.file else None


class TaskOut(Schema):
    id: int
    name: str
    organisation_id: int
    organisation: str
    role: str
    status: TaskStatus
    due_date: datetime.date | None
    decision: Decision | Literal[""]
    opinion: str
    completed_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name


class EventOut(Schema):
    kind: str
    message: str
    actor_label: str
    organisation: str | None
    occurred_at: datetime.datetime

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name if obj.organisation_id else None


class ClockStopOut(Schema):
    kind: ClockStopKind
    kind_label: str
    reason: str
    started_at: datetime.datetime
    planned_end: datetime.date | None
    ended_at: datetime.datetime | None

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


FORM_MASKS = {FormFieldType.RIC: MaskKind.RIC, FormFieldType.PHONE: MaskKind.PHONE}
PREFILL_MASKS = {"applicant.name": MaskKind.NAME, "applicant.id_number": MaskKind.RIC,
                 "applicant.phone": MaskKind.PHONE}  # fmt: skip
UNKNOWN_FIELD_MASK = "***"


def masked_form(request, case, definition: list[dict] | None = None) -> dict:
    """The application form, its identifiers and the applicant's name masked like the case's;
    the case page and the API answer the same. `definition` is the case's form
    (`services.form_definition_of`), passed when the caller already has it."""
    if sees_clear(request, case):
        return case.form_data
    data = dict(case.form_data)
    fields = definition if definition is not None else form_definition_of(case)
    for field in fields:
        kind = FORM_MASKS.get(field.get("type")) or PREFILL_MASKS.get(field.get("prefill", ""))
        if kind and field["code"] in data:
            data[field["code"]] = reveal_or_mask(request.user, kind, data[field["code"]])
    # A field the item's form no longer has may have held anything: hidden, not guessed at.
    if not can_see_clear(request.user, MaskKind.RIC):
        for code in data.keys() - {field["code"] for field in fields}:
            if data[code] not in ("", None):
                data[code] = UNKNOWN_FIELD_MASK
    return data


class CaseDetailOut(CaseOut):
    """One case: the receipt (回执) after submission, and what the case page shows."""

    form_data: dict = Field(
        ..., description="申请表（身份号码、手机号码、申请人姓名对工作人员脱敏）"
    )
    materials: list[CaseMaterialOut]
    tasks: list[TaskOut]
    events: list[EventOut] = Field(..., description="办理过程（时间线）")
    clock_stops: list[ClockStopOut] = Field(..., description="补正、特别程序期间暂停计时")

    @staticmethod
    def resolve_form_data(obj, context):
        return masked_form(context["request"], obj)

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.all())

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())

    @staticmethod
    def resolve_clock_stops(obj):
        return list(obj.clock_stops.all())


class MyTaskOut(TaskOut):
    """A department's task in the reviewer's list, with the case it belongs to."""

    case_number: str
    case_status: CaseStatus
    item_name: str

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_case_status(obj):
        return obj.case.status

    @staticmethod
    def resolve_item_name(obj):
        return obj.case.item.name
