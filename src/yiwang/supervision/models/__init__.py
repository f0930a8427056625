from .card import Card, CardEvent
from .notice import SupervisionNotice

__all__ = ["Card", "CardEvent", "SupervisionNotice"]
