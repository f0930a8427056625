from .card import Card, CardEvent
from .notice import SupervisionNotice
from .report import WeeklyReport
from .stats import DailyStats
from .sweep_run import SweepRun

__all__ = ["Card", "CardEvent", "DailyStats", "SupervisionNotice", "SweepRun", "WeeklyReport"]
