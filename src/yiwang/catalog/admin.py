from django.contrib import admin

from yiwang.catalog.models import (
    Demand,
    Field,
    NegativeEntry,
    Resource,
    ResourceVersion,
    Responsibility,
)
from yiwang.core.admin import AuditedAdmin


class FieldInline(admin.TabularInline):
    model = Field
    extra = 0
    fields = [
        "position",
        "code",
        "name",
        "data_type",
        "length",
        "required",
        "is_key",
        "is_personal",
        "filterable",
    ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly(admin.ModelAdmin):
    """Resources and versions are edited on the catalog pages, which check, audit and version them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Resource)
class ResourceAdmin(ReadOnly):
    list_display = ["code", "name", "owner", "category", "share_type", "status", "version"]
    list_filter = ["status", "category", "share_type", "base_registry"]
    search_fields = ["code", "name", "owner__name"]
    inlines = [FieldInline]


@admin.register(ResourceVersion)
class ResourceVersionAdmin(ReadOnly):
    list_display = ["resource", "version", "note", "created_at", "created_by"]


@admin.register(Demand)
class DemandAdmin(AuditedAdmin):
    list_display = ["requester", "resource", "description", "status"]
    list_filter = ["status"]


@admin.register(Responsibility)
class ResponsibilityAdmin(AuditedAdmin):
    list_display = ["organisation", "resource", "cadence"]


@admin.register(NegativeEntry)
class NegativeEntryAdmin(ReadOnly):
    """Entries change through the catalog's services, which keep 共享类型 in step and version it."""

    list_display = ["resource", "legal_basis"]
