"""The paths of the GovStack Digital Registries API 1.3.0, and the aliases of earlier revisions.

Mounted under ``settings.GOVSTACK_PREFIX``; every path here is relative to it.
"""

from django.urls import path

from yiwang.exchange.choices import ExchangeOperation as Op
from yiwang.exchange.govstack import database, reads, usage, writes
from yiwang.exchange.govstack.common import endpoint

REGISTRY = "data/<str:registryname>/<str:versionnumber>"

personal_data_usage = endpoint(Op.USAGE, get=usage.personal_data_usage)
update_entries = endpoint(Op.GOVSTACK_UPDATE_ENTRIES, put=writes.update_entries)
update_or_create = endpoint(Op.GOVSTACK_UPDATE_OR_CREATE, post=writes.update_or_create)
read_value = endpoint(Op.LOOKUP, get=reads.read_value)

urlpatterns = [
    path("data/myPersonalDataUsage", personal_data_usage, name="govstack-usage"),
    path("data/MyPersonalDataUsage/1.0", personal_data_usage),  # earlier revisions
    path(REGISTRY, endpoint(Op.FILTER, get=reads.list_records), name="govstack-list"),
    path(
        f"{REGISTRY}/create",
        endpoint(Op.GOVSTACK_CREATE, post=writes.create),
        name="govstack-create",
    ),
    path(f"{REGISTRY}/exists", endpoint(Op.VERIFY, post=reads.exists), name="govstack-exists"),
    path(f"{REGISTRY}/read", endpoint(Op.LOOKUP, post=reads.read_record), name="govstack-read"),
    path(
        f"{REGISTRY}/update",
        endpoint(Op.GOVSTACK_UPDATE, put=writes.update),
        name="govstack-update",
    ),
    path(f"{REGISTRY}/updateEntries", update_entries, name="govstack-update-entries"),
    path(f"{REGISTRY}/update-entries", update_entries),
    path(f"{REGISTRY}/updateOrCreate", update_or_create, name="govstack-update-or-create"),
    path(f"{REGISTRY}/update-or-create", update_or_create),
    path(f"{REGISTRY}/<path:key>/readValue/<str:field>", read_value, name="govstack-read-value"),
    path(f"{REGISTRY}/<path:key>/read-value/<str:field>", read_value),
    path(
        f"{REGISTRY}/<path:key>/delete",
        endpoint(Op.GOVSTACK_DELETE, delete=writes.delete),
        name="govstack-delete",
    ),
    path("databases", endpoint(Op.SCHEMA, get=database.list_databases), name="govstack-databases"),
    path(
        "database/modify",
        endpoint(Op.GOVSTACK_DATABASE_MODIFY, post=database.modify_database),
        name="govstack-database-modify",
    ),
    path(
        "database/<str:database_id>",
        endpoint(Op.SCHEMA, get=database.read_database, delete=database.delete_database),
        name="govstack-database",
    ),
]
