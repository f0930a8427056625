"""The catalog's entries in the platform's Chinese search index."""

from yiwang.catalog.models import Resource
from yiwang.core import search

KIND = "catalog.resource"


def index_resource(resource: Resource) -> None:
    fields = " ".join(f"{f.name} {f.code}" for f in resource.fields.all())
    body = f"{resource.code} {resource.summary} {resource.owner.name} {resource.get_category_display()} {fields}"
    search.index_document(kind=KIND, object_id=resource.pk, title=resource.name, body=body)


def search_resources(query: str, *, limit: int = 200) -> list[int]:
    return search.search(kind=KIND, query=query, limit=limit)
