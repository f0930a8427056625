from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    label = "exchange"
    verbose_name = "共享交换"

    def ready(self):
        from yiwang.exchange import panels, permissions  # noqa: F401 — rules and the resource-page panel
