"""Reads of service items and themes that depend on who asks, and the merged views of a theme."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from yiwang.core import search
from yiwang.core.choices import Role
from yiwang.core.models import Organisation
from yiwang.core.permissions import has_role
from yiwang.services import formdef
from yiwang.services.choices import (
    COMPANY_EVENTS,
    PERSON_EVENTS,
    Audience,
    FormFieldType,
    ItemStatus,
)
from yiwang.services.models import Material, ServiceItem, Theme
from yiwang.services.search import ITEM_KIND
from yiwang.services.services import missing_elements

# A page shows how many items match up to this many ("500+" beyond).
MAX_SEARCH_HITS = 500
# A query matching more items than this ranks title matches by use instead of by bm25
# (see core.search.search): thousands of matches of one character cost, and mean, little.
BROAD_AFTER = 200
# What a result list shows (the API's summary too); the long texts and the form stay unread.
SUMMARY_FIELDS = (
    "code", "name", "item_type", "audience", "life_event", "case_kind", "promised_days",
    "immediate", "online", "nearby", "one_visit", "status", "version", "use_count",
    "organisation__name", "organisation__uscc",
)  # fmt: skip


def items(
    actor, *, q=None, organisation_id=None, life_event=None, audience=None, status=None
) -> QuerySet | list[ServiceItem] | SearchResults:
    """The items `actor` may see, filtered; a query `q` (published items only) ranks by
    Chinese full-text relevance, then by use: alone it answers `SearchResults`, fetched a
    page at a time; with other filters, a list of the 500 best matches that pass them."""
    qs = ServiceItem.objects.restrict(actor, "view").select_related("organisation")
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if life_event:
        qs = qs.filter(life_event=life_event)
    if audience:
        # An item for 自然人和法人 serves either audience.
        qs = qs.filter(audience__in=[audience, Audience.BOTH])
    if status:
        qs = qs.filter(status=status)
    if q and q.strip():
        if organisation_id or life_event or audience or status not in (None, ItemStatus.PUBLISHED):
            ids = search.search(kind=ITEM_KIND, query=q, limit=MAX_SEARCH_HITS)
            by_id = {item.pk: item for item in qs.filter(pk__in=ids).order_by()}
            return [by_id[pk] for pk in ids if pk in by_id]
        return SearchResults(q)
    return qs.order_by("-use_count", "code")


class SearchResults:
    """The published items matching a query, best first, fetched one page at a time
    (a Paginator and the API's pagination slice it and ask its length).

    The index holds published items only, and published items are public: the page is
    fetched by primary key alone, without the permission rule's status condition that
    could lead SQLite to scan the status index instead.
    """

    def __init__(self, query: str):
        self.query, self._count = query, None

    @property
    def capped(self) -> bool:
        return len(self) >= MAX_SEARCH_HITS

    def __len__(self) -> int:
        if self._count is None:
            self._count = search.count(kind=ITEM_KIND, query=self.query, at_most=MAX_SEARCH_HITS)
        return self._count

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        start = key.start or 0
        stop = len(self) if key.stop is None else key.stop
        ids = search.search(kind=ITEM_KIND, query=self.query, limit=stop - start, offset=start,
                            broad=len(self) > BROAD_AFTER)  # fmt: skip
        found = (
            ServiceItem.objects.select_related("organisation")
            .only(*SUMMARY_FIELDS)
            .filter(pk__in=ids)
            .order_by()
        )
        by_id = {item.pk: item for item in found if item.status == ItemStatus.PUBLISHED}
        return [by_id[pk] for pk in ids if pk in by_id]


def published_items(actor=None, **filters):
    return items(actor, status=ItemStatus.PUBLISHED, **filters)


def themes(actor, *, status=None) -> QuerySet:
    qs = Theme.objects.restrict(actor, "view").select_related("lead").prefetch_related("items")
    return qs.filter(status=status) if status else qs


def life_events(audience: str) -> list:
    """主题分类 of 个人 (person) or 法人 (company), in the order a portal lists them."""
    return list(PERSON_EVENTS if audience == Audience.PERSON else COMPANY_EVENTS)


def departments_with_items() -> QuerySet:
    """Active organisations that implement at least one published item, with how many (an
    inactive one's page is not found)."""
    return (
        Organisation.objects.filter(is_active=True, service_items__status=ItemStatus.PUBLISHED)
        .annotate(item_count=Count("service_items"))
        .order_by("-item_count", "name")
    )


# --- 一件事: one set of materials, one form -----------------------------------


@dataclass
class ThemeMaterial:
    """A document of a theme: asked once however many of its items need it."""

    key: str
    material: Material
    required: bool
    items: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.material.name

    @property
    def replaceable(self) -> bool:
        return self.material.replaceable


def theme_items(theme: Theme) -> list[ServiceItem]:
    return [
        ti.item
        for ti in theme.theme_items.select_related("item__organisation").prefetch_related(
            "item__materials__resource"
        )
    ]


def theme_materials(theme: Theme) -> list[ThemeMaterial]:
    """The theme's materials de-duplicated by `Material.dedup_key`, in item order; a document
    is required when any item requires it."""
    merged: dict[str, ThemeMaterial] = {}
    for item in theme_items(theme):
        for material in item.materials.all():
            key = material.dedup_key
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = ThemeMaterial(key=key, material=material, required=False)
            entry.required = entry.required or material.required
            entry.items.append(item.name)
    return list(merged.values())


def theme_form(theme: Theme) -> list[dict]:
    """One joint form: the items' fields merged by code (`formdef.merge_forms`)."""
    fields, _conflicts = _joint_form(theme)
    return [{**f, "type_label": FormFieldType(f["type"]).label} for f in fields]


def theme_form_conflicts(theme: Theme) -> list[formdef.FieldConflict]:
    """The field codes the theme's items define in ways one form cannot hold. The services
    refuse them; a theme made before they did, or changed behind their back, may still have some."""
    _fields, conflicts = _joint_form(theme)
    return conflicts


def _joint_form(theme: Theme):
    return formdef.merge_item_forms(theme_items(theme))


# --- 事项要素完整率 -------------------------------------------------------------


@dataclass
class DepartmentCompleteness:
    organisation: Organisation
    total: int = 0
    incomplete: list[tuple[ServiceItem, list[str]]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return 1.0 if not self.total else 1 - len(self.incomplete) / self.total


def completeness_by_department(actor) -> list[DepartmentCompleteness]:
    """Per department the actor administers (all for supervisors): its items and those
    lacking required 实施清单 elements, worst rate first."""
    action = "view" if has_role(actor, Role.SUPERVISOR) else "change"
    qs = ServiceItem.objects.restrict(actor, action)
    found: dict[int, DepartmentCompleteness] = {}
    for item in qs.select_related("organisation").prefetch_related("materials").order_by("code"):
        entry = found.setdefault(
            item.organisation_id, DepartmentCompleteness(organisation=item.organisation)
        )
        entry.total += 1
        missing = missing_elements(item)
        if missing:
            entry.incomplete.append((item, missing))
    return sorted(found.values(), key=lambda d: (d.rate, d.organisation.name))


# --- the applicant's side -----------------------------------------------------


def prefill_values(definition: list[dict], user) -> dict:
    """Values the platform fills in for a signed-in applicant (applicant.* and company.*).

    Registry prefills (``registry:…``) are fetched by the cases app as logged exchanges.
    """
    if not getattr(user, "is_authenticated", False):
        return {}
    agency = user.agencies.in_force().order_by("id").first() if hasattr(user, "agencies") else None
    sources = {
        "applicant.name": getattr(user, "real_name", ""),
        "applicant.id_number": getattr(user, "id_number", ""),
        "applicant.phone": getattr(user, "phone", ""),
        "company.name": agency.company_name if agency else "",
        "company.uscc": agency.company_uscc if agency else "",
    }
    return {
        f["code"]: sources[f["prefill"]] for f in definition if sources.get(f.get("prefill") or "")
    }
