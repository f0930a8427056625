from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    label = "exchange"
    verbose_name = "共享交换"

    def ready(self):
        from yiwang.catalog.services import on_negative_listing
        from yiwang.exchange import panels, permissions  # noqa: F401 — rules and the resource-page panel
        from yiwang.exchange.services import suspend_grants_for_negative_list

        on_negative_listing(suspend_grants_for_negative_list)
