from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "yiwang.reviews"
    label = "reviews"
    verbose_name = "好差评"

    def ready(self):
        from yiwang.reviews import panels, permissions  # noqa: F401  (rules, case-page panel)
