from .card import Card, CardEvent
from .notice import SupervisionNotice
from .stats import DailyStats

__all__ = ["Card", "CardEvent", "DailyStats", "SupervisionNotice"]
