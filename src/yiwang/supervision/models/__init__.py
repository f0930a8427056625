from .card import Card, CardEvent
from .notice import SupervisionNotice
from .report import WeeklyReport
from .stats import DailyStats

__all__ = ["Card", "CardEvent", "DailyStats", "SupervisionNotice", "WeeklyReport"]
