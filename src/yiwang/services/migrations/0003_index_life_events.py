"""Published items' search documents gain the name of the life event they are filed under.

A search for 社保 found none of the items filed under 社保 (社会保障卡申领 …): an item's document
held its name, department, summary and result, not its 主题分类. Items saved from now on are
indexed with it (`services.search.item_document`); this migration re-indexes, once, every
published item stored before. It imports `item_document` and the tokenizer rather than copying
them, for the reason registry migration 0006 gives: the stored tokens must be what the running
index computes. The models are the historical ones.
"""

from django.db import migrations

from yiwang.core.search import MAX_BODY_CHARS, tokenize
from yiwang.services.search import ITEM_KIND, item_document

BATCH_SIZE = 500


def index_published_items(apps, schema_editor=None) -> int:
    """Rewrite the search document of every published item; returns how many."""
    ServiceItem = apps.get_model("services", "ServiceItem")
    SearchDocument = apps.get_model("core", "SearchDocument")
    items = ServiceItem.objects.filter(status="published").select_related("organisation")
    done, batch = 0, []
    for item in items.order_by("pk").iterator(chunk_size=BATCH_SIZE):
        object_id, title, body, boost = item_document(item)
        title_tokens = tokenize(title)
        batch.append(SearchDocument(
            kind=ITEM_KIND, object_id=object_id, title=title.replace("\x00", ""),
            body=body.replace("\x00", ""), title_tokens=" ".join(title_tokens),
            tokens=" ".join(title_tokens + tokenize(body[:MAX_BODY_CHARS])), boost=boost,
        ))  # fmt: skip
        if len(batch) >= BATCH_SIZE:
            done += _upsert(SearchDocument, batch)
            batch = []
    return done + _upsert(SearchDocument, batch)


def _upsert(SearchDocument, documents) -> int:
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title", "body", "title_tokens", "tokens", "boost"],
    )
    return len(documents)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_search_index"),
        ("services", "0002_serviceitem_yellow_days_serviceitem_yellow_ratio"),
    ]

    operations = [migrations.RunPython(index_published_items, migrations.RunPython.noop)]
