from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "yiwang.registry"
    label = "registry"
    verbose_name = "基础库与数据归集"

    def ready(self):
        from yiwang.registry import panels, permissions  # noqa: F401 — registers rules and resource-page panels
