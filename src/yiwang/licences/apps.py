from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self):
        from yiwang.licences import panels, permissions  # noqa: F401 — rules, case-page panel
