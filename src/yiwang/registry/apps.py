from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "yiwang.registry"
    label = "registry"
    verbose_name = "基础库与数据归集"

    def ready(self):
        # Rules, resource-page panels, and how a load job's result reads on the job page.
        from yiwang.registry import panels, permissions, tasks  # noqa: F401
