from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self):
        from yiwang.licences import permissions  # noqa: F401 — registers the licences' rules
