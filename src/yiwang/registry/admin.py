from django.contrib import admin

from yiwang.registry.models import Load, LoadError, QualityReport


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Load)
class LoadAdmin(ReadOnly):
    list_display = [
        "resource",
        "mode",
        "source",
        "status",
        "rows_total",
        "rows_invalid",
        "created_at",
    ]
    list_filter = ["status", "mode", "source"]


admin.site.register(LoadError, ReadOnly, list_display=["load", "row", "field", "code", "message"])
admin.site.register(QualityReport, ReadOnly, list_display=["resource", "score", "created_at"])
