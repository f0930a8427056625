from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    label = "exchange"
    verbose_name = "共享交换"

    def ready(self):
        from yiwang.exchange import permissions  # noqa: F401 — registers the exchange's rules
