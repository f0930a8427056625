"""Every write of service items and themes: keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import NotFound, PermissionDenied, ServiceError
from yiwang.core.models import Organisation
from yiwang.core.nul import has_nul
from yiwang.core.permissions import can
from yiwang.core.services import full_clean
from yiwang.services import bpmn, formdef
from yiwang.services.choices import Audience, ItemStatus
from yiwang.services.models import (
    Material,
    ProcessModel,
    ServiceItem,
    ServiceItemVersion,
    Theme,
    ThemeItem,
)
from yiwang.services.models.theme import THEME_CODE

ITEM_FIELDS = (
    "code", "name", "item_type", "audience", "life_event", "summary", "legal_basis", "conditions",
    "case_kind", "statutory_days", "promised_days", "visits", "online_depth", "immediate", "online",
    "nearby", "one_visit", "charged", "fee", "result_name", "result_licence_type",
    "window_address", "office_hours", "phone", "yellow_ratio", "yellow_days",
)  # fmt: skip
MATERIAL_FIELDS = (
    "name", "required", "form", "copies", "description", "licence_type", "resource", "example",
)  # fmt: skip
TEXT_COLUMNS = ("CharField", "TextField")
THEME_FIELDS = ("code", "name", "summary", "audience", "life_event")
# The code is a theme's address (pages, API, search): it stays as the theme was made.
THEME_CHANGES = ("name", "summary", "audience", "life_event")


def _check_owner(actor, organisation: Organisation) -> None:
    if not Organisation.objects.restrict(actor, "write_items").filter(pk=organisation.pk).exists():
        raise PermissionDenied("只能管理本单位（或下级单位）的事项")


def _check_writable(actor, obj) -> None:
    if not can(actor, "change", obj):
        raise NotFound("事项" if isinstance(obj, ServiceItem) else "主题")


def item_snapshot(item: ServiceItem) -> dict:
    data = audit.snapshot(item, [f.name for f in ServiceItem._meta.concrete_fields])
    data["participants"] = sorted(item.participants.values_list("id", flat=True))
    data["materials"] = [
        audit.snapshot(m, ["name", "required", "form", "copies", "description", "licence_type",
                           "resource"])
        for m in item.materials.all()
    ]  # fmt: skip
    return data


def _build_materials(item: ServiceItem, materials: list[dict]) -> list[Material]:
    built = []
    for position, spec in enumerate(materials, start=1):
        unknown = set(spec) - set(MATERIAL_FIELDS)
        if unknown:
            raise ServiceError("validation_failed", f"材料含未知属性：{', '.join(sorted(unknown))}")
        material = Material(item=item, position=position, **spec)
        full_clean(material, exclude=["item"])
        built.append(material)
    names = [m.name.strip() for m in built]
    if len(names) != len(set(names)):
        raise ServiceError("services.material_duplicate", "同一事项的材料名称不能重复")
    return built


def _apply(item: ServiceItem, attrs: dict) -> None:
    unknown = set(attrs) - set(ITEM_FIELDS)
    if unknown:
        raise ServiceError("validation_failed", f"事项含未知属性：{', '.join(sorted(unknown))}")
    for name, value in attrs.items():
        _set(item, name, value)


def _set(obj, name: str, value) -> None:
    field = obj._meta.get_field(name)
    if value is None and not field.null and field.get_internal_type() in TEXT_COLUMNS:
        value = ""  # a text element cleared (the API's null): the column holds no NULL
    setattr(obj, name, value)


@transaction.atomic
def create_item(
    *,
    actor,
    organisation: Organisation,
    materials: list[dict] = (),
    participants: list[Organisation] = (),
    form_definition: list | None = None,
    **attrs,
) -> ServiceItem:
    """编制事项: describe a new service item (a draft) with its materials and form."""
    _check_owner(actor, organisation)
    code = attrs.get("code")  # a NUL in it is refused by full_clean; PostgreSQL cannot query it
    if not has_nul(code) and ServiceItem.objects.filter(code=code).exists():
        raise ServiceError("conflict", f"实施编码 {attrs.get('code')} 已被使用", status=409)
    item = ServiceItem(organisation=organisation, status=ItemStatus.DRAFT)
    _apply(item, attrs)
    item.form_definition = formdef.check_definition(form_definition or [])
    full_clean(item, exclude=["process"])
    built = _build_materials(item, list(materials))
    item.save()
    Material.objects.bulk_create(built)
    item.participants.set(participants)
    audit.record(actor=actor, action="item.create", target=item, after=item_snapshot(item))
    _reindex(item)
    return item


@transaction.atomic
def update_item(
    *,
    actor,
    item: ServiceItem,
    materials: list[dict] | None = None,
    participants: list[Organisation] | None = None,
    form_definition: list | None = None,
    note: str = "",
    **changes,
) -> ServiceItem:
    """Change an item; a published item gets a new version when something really changed.

    A new form that the item's published themes (一件事) could not merge is refused: see
    `_refuse_breaking_published_themes`.
    """
    _check_writable(actor, item)
    before = item_snapshot(item)
    _apply(item, changes)
    if item.audience != before["audience"]:  # a published theme holding it must still serve all
        for theme in Theme.objects.filter(items=item, status=ItemStatus.PUBLISHED):
            _check_theme_audience(theme, [item])
    if form_definition is not None:
        item.form_definition = formdef.check_definition(form_definition)
        _refuse_breaking_published_themes(item)
    full_clean(item)
    if materials is not None:
        _replace_materials(item, _build_materials(item, _keep_examples(item, materials)))
    if participants is not None:
        item.participants.set(participants)
    item.save()
    after = item_snapshot(item)
    if _content(before) == _content(after):
        return item
    if item.status == ItemStatus.PUBLISHED:
        item.version += 1
        item.save(update_fields=["version", "updated_at"])
        after = item_snapshot(item)
        _record_version(actor, item, after, note or "变更")
    audit.record(actor=actor, action="item.update", target=item, before=before, after=after)
    _reindex(item)
    return item


def _replace_materials(item: ServiceItem, built: list[Material]) -> None:
    """The item's materials become `built`. One of the same name stays the same row, so that the
    open cases holding it still answer a 补正 of it; a case keeps (by name) one that is removed."""
    existing = {m.name.strip(): m for m in item.materials.all()}
    for material in built:
        kept = existing.pop(material.name.strip(), None)
        material.pk = kept.pk if kept else None
    Material.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()
    for material in built:
        if material.pk:
            material.save()
    Material.objects.bulk_create([m for m in built if not m.pk])


def _keep_examples(item: ServiceItem, materials: list[dict]) -> list[dict]:
    """A material sent again without an example file keeps the one it had (matched by name)."""
    examples = {m.name.strip(): m.example for m in item.materials.all() if m.example}
    return [
        spec if spec.get("example") or spec.get("name", "").strip() not in examples
        else {**spec, "example": examples[spec["name"].strip()]}
        for spec in materials
    ]  # fmt: skip


def _content(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if k not in {"updated_at", "version"}}


def _record_version(actor, item: ServiceItem, snapshot: dict, note: str) -> None:
    ServiceItemVersion.objects.create(
        item=item, version=item.version, snapshot=snapshot, note=note[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip


@transaction.atomic
def publish_item(*, actor, item: ServiceItem, note: str = "发布") -> ServiceItem:
    """发布: make an item visible to the public and open for applications."""
    _check_writable(actor, item)
    if item.status == ItemStatus.PUBLISHED:
        raise ServiceError("services.already_published", "事项已发布")
    missing = missing_elements(item)
    if missing:
        raise ServiceError(
            "services.incomplete", f"事项要素不完整，缺少：{'、'.join(missing)}",
            detail={"missing": missing},
        )  # fmt: skip
    before = item_snapshot(item)
    if ServiceItemVersion.objects.filter(item=item).exists():
        item.version += 1
    item.status = ItemStatus.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["status", "version", "published_at", "updated_at"])
    _record_version(actor, item, item_snapshot(item), note)
    audit.record(actor=actor, action="item.publish", target=item, before=before,
                 after=item_snapshot(item))  # fmt: skip
    _reindex(item)
    return item


@transaction.atomic
def suspend_item(*, actor, item: ServiceItem, reason: str) -> ServiceItem:
    """暂停: stop taking applications for an item; cases already open go on."""
    _check_writable(actor, item)
    if not reason.strip():
        raise ServiceError("validation_failed", "请填写暂停原因")
    before = item_snapshot(item)
    item.status = ItemStatus.SUSPENDED
    item.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="item.suspend", target=item, before=before,
                 after={**item_snapshot(item), "reason": reason})  # fmt: skip
    _reindex(item)
    return item


# --- 事项要素完整率 -------------------------------------------------------------

REQUIRED_ELEMENTS = (
    ("name", "事项名称"), ("item_type", "事项类型"), ("legal_basis", "设定依据"),
    ("conditions", "受理条件"), ("case_kind", "办件类型"), ("statutory_days", "法定办结时限"),
    ("promised_days", "承诺办结时限"), ("window_address", "办理地点"),
    ("office_hours", "办理时间"), ("phone", "咨询电话"), ("result_name", "审批结果"),
)  # fmt: skip


def missing_elements(item: ServiceItem) -> list[str]:
    """The required 实施清单 elements an item lacks, by their Chinese names."""
    missing = [label for name, label in REQUIRED_ELEMENTS if getattr(item, name) in (None, "")]
    if item.pk and not item.materials.exists():
        missing.append("申请材料")
    if item.online and not item.form_definition:
        missing.append("申请表")
    return missing


def completeness(item: ServiceItem) -> float:
    total = len(REQUIRED_ELEMENTS) + 2
    return round(1 - len(missing_elements(item)) / total, 4)


# --- process models -----------------------------------------------------------


@transaction.atomic
def upload_process(*, actor, item: ServiceItem, name: str, bpmn_xml: str) -> ProcessModel:
    """Attach a BPMN process drawn in bpmn.io / Camunda Modeler to an item, after checking it."""
    _check_writable(actor, item)
    if "\x00" in (name or ""):  # PostgreSQL text cannot hold it
        raise ServiceError("validation_failed", "流程名称含有不允许的字符（NUL）")
    known = set(Organisation.objects.values_list("uscc", flat=True))
    parsed = bpmn.check_process(bpmn_xml, known_departments=known)
    model = ProcessModel.objects.filter(digest=parsed.digest).first()
    if model is None:
        model = ProcessModel.objects.create(
            name=(name or parsed.name)[:100], process_id=parsed.process_id, bpmn_xml=bpmn_xml,
            digest=parsed.digest, user_tasks=[t.as_dict() for t in parsed.user_tasks],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
    if item.process_id == model.pk:
        return model
    before = item_snapshot(item)
    item.process = model
    if item.status == ItemStatus.PUBLISHED:  # a versioned change, like any other edit
        item.version += 1
    item.save(update_fields=["process", "version", "updated_at"])
    after = item_snapshot(item)
    if item.status == ItemStatus.PUBLISHED:
        _record_version(actor, item, after, f"更换审批流程：{model.name}")
    audit.record(actor=actor, action="item.process", target=item, before=before,
                 after={**after, "digest": model.digest})  # fmt: skip
    return model


def default_process() -> ProcessModel:
    """The built-in parallel review, stored once like any uploaded model (looked up once per worker)."""
    global _default_process
    if _default_process is not None:
        pk, digest = _default_process
        model = ProcessModel.objects.filter(pk=pk, digest=digest).first()
        if model is not None:
            return model
    xml = bpmn.default_xml()
    parsed = bpmn.check_process(xml)
    model, _ = ProcessModel.objects.get_or_create(
        digest=parsed.digest,
        defaults={
            "name": parsed.name, "process_id": parsed.process_id, "bpmn_xml": xml,
            "user_tasks": [t.as_dict() for t in parsed.user_tasks], "is_default": True,
        },
    )  # fmt: skip
    _default_process = (model.pk, model.digest)
    return model


_default_process: tuple[int, str] | None = None


# --- themes (一件事) ------------------------------------------------------------


@transaction.atomic
def create_theme(*, actor, lead: Organisation, items: list[ServiceItem], **attrs) -> Theme:
    """组建一件事: bundle several items with one joint form and one joint case."""
    _check_owner(actor, lead)
    unknown = set(attrs) - set(THEME_FIELDS)
    if unknown:
        raise ServiceError("validation_failed", f"主题含未知属性：{', '.join(sorted(unknown))}")
    _check_theme_items(items)
    if not re.match(THEME_CODE, str(attrs.get("code") or "")):
        message = "主题编码应为 2–40 位小写字母、数字、连字符或下划线"
        raise ServiceError("validation_failed", message, detail={"fields": {"code": [message]}})
    if Theme.objects.filter(code=attrs.get("code")).exists():
        raise ServiceError("conflict", f"主题编码 {attrs.get('code')} 已被使用", status=409)
    _refuse_form_conflicts(items)
    theme = Theme(lead=lead, **attrs)
    full_clean(theme)
    _check_theme_audience(theme, items)
    theme.save()
    _set_theme_items(theme, items)
    audit.record(actor=actor, action="theme.create", target=theme,
                 after={**_theme_snapshot(theme), "items": [i.pk for i in items]})  # fmt: skip
    _reindex_theme(theme)
    return theme


@transaction.atomic
def update_theme(
    *, actor, theme: Theme, items: list[ServiceItem] | None = None,
    lead: Organisation | None = None, **changes,
) -> Theme:  # fmt: skip
    """修改一件事: its wording, lead department or items, checked as when it was made.

    A published theme keeps its items: the joint cases under way are reviewed by its items'
    departments and issue its items' results, so changing them would change cases already
    accepted. A different bundle is a new theme.
    """
    _check_writable(actor, theme)
    unknown = set(changes) - set(THEME_CHANGES)
    if unknown:
        raise ServiceError(
            "validation_failed", f"主题含未知或不可修改的属性：{', '.join(sorted(unknown))}"
        )
    current = _items_of(theme)
    before = {**_theme_snapshot(theme), "items": [i.pk for i in current]}
    if lead is not None:
        _check_owner(actor, lead)
        theme.lead = lead
    for name, value in changes.items():
        _set(theme, name, value)
    full_clean(theme)
    if items is not None and [i.pk for i in items] != before["items"]:
        if theme.status == ItemStatus.PUBLISHED:
            raise ServiceError(
                "services.theme_published",
                "已发布的一件事不能调整所含事项：进行中的联办件仍按原事项审批；如需不同的事项组合，请组建新的一件事",
            )  # fmt: skip
        _check_theme_items(items)
        _refuse_form_conflicts(items)
        theme.theme_items.all().delete()
        _set_theme_items(theme, items)
        current = items
    _check_theme_audience(theme, current)
    theme.save()
    after = {**_theme_snapshot(theme), "items": [i.pk for i in current]}
    if _content(before) != _content(after):
        audit.record(actor=actor, action="theme.update", target=theme, before=before, after=after)
        _reindex_theme(theme)
    return theme


def _items_of(theme: Theme) -> list[ServiceItem]:
    return [ti.item for ti in theme.theme_items.select_related("item")]


def _check_theme_items(items: list[ServiceItem]) -> None:
    if len(items) < 2 or len({i.pk for i in items}) != len(items):
        raise ServiceError("services.theme_items", "一件事至少包含两个不同的事项")


def _check_theme_audience(theme: Theme, items: list[ServiceItem]) -> None:
    """Every item serves whom the theme serves: an applicant is checked against both."""
    wanted = (
        {Audience.PERSON, Audience.COMPANY} if theme.audience == Audience.BOTH else {theme.audience}
    )
    for item in items:
        served = (
            {Audience.PERSON, Audience.COMPANY}
            if item.audience == Audience.BOTH
            else {item.audience}
        )
        if not wanted <= served:
            raise ServiceError("services.theme_items", f"「{item.name}」的服务对象是{item.get_audience_display()}，"
                               f"不能纳入服务对象为{theme.get_audience_display()}的一件事")  # fmt: skip


def _set_theme_items(theme: Theme, items: list[ServiceItem]) -> None:
    ThemeItem.objects.bulk_create(
        [ThemeItem(theme=theme, item=item, position=n) for n, item in enumerate(items, start=1)]
    )


def _form_conflict(conflict: formdef.FieldConflict, message: str, **detail) -> ServiceError:
    return ServiceError(
        "services.theme_form_conflict", message,
        detail={"code": conflict.code, "items": [conflict.first.pk, conflict.second.pk],
                "difference": conflict.difference, **detail},
    )  # fmt: skip


def _refuse_form_conflicts(items: list[ServiceItem]) -> None:
    """A theme is made, changed or published only when its items' forms merge into one joint
    form (`formdef.merge_forms`), so that the form an applicant opens is never ambiguous."""
    _fields, conflicts = formdef.merge_item_forms(items)
    if conflicts:
        conflict = conflicts[0]
        raise _form_conflict(
            conflict, f"{conflict.describe()}，无法合并为一张联合申请表：请统一字段定义或改用不同的字段代码",
        )  # fmt: skip


def _refuse_breaking_published_themes(item: ServiceItem) -> None:
    """An item's new form is refused when a published theme (一件事) holding the item could no
    longer merge it with its other items' forms.

    Why refuse rather than accept the version and mark the theme as needing attention: the joint
    form is read live from the items, so a published theme with a conflict is a broken form in
    front of applicants from the moment the version is saved, and hiding or suspending the theme
    on one department's edit would withdraw a service the lead department (牵头部门) promised to
    the public without its say. Refusing keeps every published theme whole and puts the choice
    with the people who can make it: the item's department can always use a new field code, and
    the departments can agree on one definition together. Draft themes are not held against the
    item: they are checked again when published.
    """
    themes = Theme.objects.filter(items=item, status=ItemStatus.PUBLISHED).select_related("lead")
    for theme in themes:
        items = [item if other.pk == item.pk else other for other in _items_of(theme)]
        _fields, conflicts = formdef.merge_item_forms(items)
        if conflicts:
            conflict = conflicts[0]
            raise _form_conflict(
                conflict,
                f"该事项属于已发布的一件事「{theme.name}」（牵头部门：{theme.lead.name}），"
                f"修改后{conflict.describe()}，联合申请表将无法合并：请改用新的字段代码，"
                "或与牵头部门及相关事项的部门统一字段定义",
                theme=theme.pk,
            )  # fmt: skip


@transaction.atomic
def publish_theme(*, actor, theme: Theme) -> Theme:
    """发布一件事: open the joint application, once every item is published and the items'
    forms (which may have changed while the theme was a draft) still merge."""
    _check_writable(actor, theme)
    items = _items_of(theme)
    unpublished = [i.name for i in items if i.status != ItemStatus.PUBLISHED]
    if unpublished:
        raise ServiceError("services.theme_items", f"以下事项尚未发布：{'、'.join(unpublished)}")
    _refuse_form_conflicts(items)
    theme.status = ItemStatus.PUBLISHED
    theme.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="theme.publish", target=theme, after=_theme_snapshot(theme))
    _reindex_theme(theme)
    return theme


def _theme_snapshot(theme: Theme) -> dict:
    return audit.snapshot(theme, [f.name for f in Theme._meta.concrete_fields])


def _reindex(item: ServiceItem) -> None:
    from yiwang.services.search import index_item

    index_item(item)


def _reindex_theme(theme: Theme) -> None:
    from yiwang.services.search import index_theme

    index_theme(theme)
