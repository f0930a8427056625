from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "yiwang.catalog"
    label = "catalog"
    verbose_name = "政务信息资源目录"

    def ready(self):
        from yiwang.catalog import permissions  # noqa: F401 — registers the catalog's rules
