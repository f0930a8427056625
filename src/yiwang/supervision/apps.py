from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self):
        from yiwang.supervision import panels, permissions  # noqa: F401  (rules, case-page panel)
