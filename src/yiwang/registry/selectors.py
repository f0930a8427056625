"""Reads of the registries that depend on who asks."""

from __future__ import annotations

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Field, Resource
from yiwang.core.masking import reveal_or_mask
from yiwang.registry import quality
from yiwang.registry.models import QualityReport

PERSONAL_MASKS = {"ric": "ric", "phone": "phone"}


def latest_report(resource: Resource) -> QualityReport | None:
    return QualityReport.objects.filter(resource=resource).select_related("load").first()


def resource_quality(resource: Resource, report: QualityReport | None = None) -> dict | None:
    """The resource's quality now: its last load's dimensions plus timeliness against 更新周期."""
    report = report or latest_report(resource)
    if report is None:
        return None
    dims = {
        "completeness": report.completeness, "validity": report.validity, "uniqueness": report.uniqueness,
        "consistency": report.consistency,
        "timeliness": quality.timeliness(resource.update_cycle, resource.last_loaded_at),
    }  # fmt: skip
    return {**dims, "score": quality.score(dims), "report": report}


def quality_overview(actor) -> dict:
    """Scores per resource and per department for every published resource the actor may see.

    A department's score is the mean of its assessed resources' scores (resources never
    loaded have no score and do not count).
    """
    resources = (Resource.objects.restrict(actor, "view").filter(status=ResourceStatus.PUBLISHED)
                 .select_related("owner").order_by("owner__name", "code"))  # fmt: skip
    reports = {}
    for report in QualityReport.objects.filter(resource__in=resources).order_by(
        "resource_id", "-created_at"
    ):
        reports.setdefault(report.resource_id, report)
    rows, departments = [], {}
    for resource in resources:
        q = resource_quality(resource, reports.get(resource.pk)) if resource.pk in reports else None
        rows.append({"resource": resource, "quality": q})
        if q:
            departments.setdefault(resource.owner_id, (resource.owner, []))[1].append(q["score"])
    by_department = sorted(
        (
            {"organisation_id": owner.pk, "name": owner.name, "score": round(sum(s) / len(s), 1),
             "resources": len(s)}
            for owner, s in departments.values()
        ),
        key=lambda d: (-d["score"], d["name"]),
    )  # fmt: skip
    return {"rows": rows, "departments": by_department}


def _text_mask_kind(field: Field) -> str:
    """Personal free text: an address keeps its district, anything else is masked like a name."""
    if field.data_type != "string":
        return ""
    if (
        "address" in field.code
        or "地址" in field.name
        or "住址" in field.name
        or "住所" in field.name
    ):
        return "address"
    return "name"


def mask_kind(field: Field) -> str:
    """How a personal field is masked: by its identifier type, else as an address or a name."""
    return PERSONAL_MASKS.get(field.data_type) or _text_mask_kind(field)


def masked_record(actor, resource: Resource, data: dict, fields: list[Field]) -> dict:
    """A record as the actor may see it: personal fields masked unless allowed."""
    shown = {}
    for f in fields:
        value = data.get(f.code)
        if f.is_personal:
            kind = mask_kind(f)
            value = reveal_or_mask(actor, kind, value) if kind else ("***" if value else value)
        shown[f.code] = value
    return shown
