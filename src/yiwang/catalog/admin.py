from django.contrib import admin

from yiwang.catalog.models import (
    Demand,
    Field,
    NegativeEntry,
    Resource,
    ResourceVersion,
    Responsibility,
)


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


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """Read-mostly: resources are edited on the catalog pages, which audit and version them."""

    list_display = ["code", "name", "owner", "category", "share_type", "status", "version"]
    list_filter = ["status", "category", "share_type", "base_registry"]
    search_fields = ["code", "name", "owner__name"]
    inlines = [FieldInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ResourceVersion)
class ResourceVersionAdmin(admin.ModelAdmin):
    list_display = ["resource", "version", "note", "created_at", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(
    Demand, list_display=["requester", "resource", "description", "status"], list_filter=["status"]
)
admin.site.register(Responsibility, list_display=["organisation", "resource", "cadence"])
admin.site.register(NegativeEntry, list_display=["resource", "legal_basis"])
