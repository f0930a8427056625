from .rating import Rating, Rectification

__all__ = ["Rating", "Rectification"]
