from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from yiwang.cases import permissions  # noqa: F401  (registers the rules)
