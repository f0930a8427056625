"""Items and themes in the Chinese full-text index; published ones only, ranked by use."""

from __future__ import annotations

import math

from yiwang.core import search
from yiwang.services.choices import ItemStatus, LifeEvent
from yiwang.services.models import ServiceItem, Theme

ITEM_KIND = "services.item"
THEME_KIND = "services.theme"


LIFE_EVENT_LABELS = dict(LifeEvent.choices)


def item_document(item: ServiceItem) -> tuple[int, str, str, float]:
    """An item's (id, title, body, boost) in the index; migrations pass it historical items."""
    # The body is what a visitor names the item by besides its title: the department, the
    # life event it is filed under (社保 for 社会保障卡申领), the summary, the result. Material
    # names and the item type are left out: nearly every item asks for an 申请书 or is a
    # 行政许可, so they would match everything and rank nothing.
    life_event = LIFE_EVENT_LABELS.get(item.life_event, "")
    body = " ".join([item.organisation.name, life_event, item.summary, item.result_name])
    # Use counts lift popular items a little; relevance still decides first.
    return item.pk, item.name, body, use_boost(item.use_count)


def use_boost(use_count: int) -> float:
    return math.log10(1 + use_count)


def index_item(item: ServiceItem) -> None:
    if item.status != ItemStatus.PUBLISHED:
        search.remove_document(kind=ITEM_KIND, object_id=item.pk)
        return
    search.index_documents(kind=ITEM_KIND, documents=[item_document(item)])


def index_items(items) -> None:
    """Index many published items at once (demo data, bulk loads); pass them with
    ``select_related("organisation")`` and ``prefetch_related("materials")``."""
    search.index_documents(
        kind=ITEM_KIND,
        documents=(item_document(i) for i in items if i.status == ItemStatus.PUBLISHED),
    )


def refresh_use_boosts(*, batch: int = 500) -> int:
    """Ranked by use (按办件量): re-index the published items whose use count moved since they
    were indexed — each application raises `use_count`, the index reads it when it indexes.
    Only those items are re-indexed, so a run every few minutes costs little. Answers how many."""
    from yiwang.core.models import SearchDocument

    indexed = dict(SearchDocument.objects.filter(kind=ITEM_KIND).values_list("object_id", "boost"))
    stale = [
        pk
        for pk, count in ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).values_list(
            "pk", "use_count"
        )
        if pk in indexed and abs(indexed[pk] - use_boost(count)) > 1e-9
    ]
    for start in range(0, len(stale), batch):
        index_items(
            ServiceItem.objects.filter(pk__in=stale[start : start + batch]).select_related(
                "organisation"
            )
        )
    return len(stale)


def index_theme(theme: Theme) -> None:
    if theme.status != ItemStatus.PUBLISHED:
        search.remove_document(kind=THEME_KIND, object_id=theme.pk)
        return
    body = " ".join([theme.summary, *(i.name for i in theme.items.all())])
    search.index_document(kind=THEME_KIND, object_id=theme.pk, title=theme.name, body=body, boost=1)


def search_items(query: str, *, limit: int = 20, offset: int = 0) -> list[ServiceItem]:
    ids = search.search(kind=ITEM_KIND, query=query, limit=limit, offset=offset)
    found = ServiceItem.objects.filter(pk__in=ids, status=ItemStatus.PUBLISHED).select_related(
        "organisation"
    )
    by_id = {item.pk: item for item in found}
    return [by_id[i] for i in ids if i in by_id]


def search_themes(query: str, *, limit: int = 5) -> list[Theme]:
    ids = search.search(kind=THEME_KIND, query=query, limit=limit)
    by_id = {t.pk: t for t in Theme.objects.filter(pk__in=ids, status=ItemStatus.PUBLISHED)}
    return [by_id[i] for i in ids if i in by_id]
