"""Filtering a registry's records on the fields its owner declared filterable (可作为查询条件).

Each filterable field gets a partial expression index over that resource's records, so a
filtered listing over millions of records is an index lookup. Field codes are checked
against the catalog's pattern before they reach SQL; values are always bound parameters.
"""

from __future__ import annotations

from django.db import connection

from yiwang.catalog.models import Resource
from yiwang.catalog.models.resource import FIELD_CODE


def field_expression(code: str) -> str:
    """The SQL expression of one field's value as text, the same in the index and the query."""
    if not FIELD_CODE.match(code):
        raise ValueError(f"not a field code: {code!r}")
    if connection.vendor == "postgresql":
        return f"(data ->> '{code}')"
    return f"CAST(json_extract(data, '$.{code}') AS TEXT)"


def ensure_filter_indexes(resource: Resource) -> list[str]:
    """Create the partial indexes of the resource's filterable fields (idempotent)."""
    created = []
    with connection.cursor() as cursor:
        for code in resource.fields.filter(filterable=True).values_list("code", flat=True):
            name = f"registry_record_f{resource.pk}_{code}"[:63]
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON registry_record ({field_expression(code)}) "
                f"WHERE resource_id = {int(resource.pk)}"
            )
            created.append(name)
    return created


def filter_records(queryset, filters: dict[str, str]):
    """Narrow a resource's records to those whose fields equal the given values."""
    for code, value in filters.items():
        # The field code passed FIELD_CODE in field_expression; the value is a bound parameter.
        queryset = queryset.extra(where=[f"{field_expression(code)} = %s"], params=[str(value)])  # noqa: S610

    return queryset
