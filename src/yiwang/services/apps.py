from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "yiwang.services"
    label = "services"
    verbose_name = "政务服务事项"

    def ready(self):
        from yiwang.services import permissions  # noqa: F401  (registers the rules)
