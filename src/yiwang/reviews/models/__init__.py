from .rating import Rating, Rectification
from .window_code import RatingCode

__all__ = ["Rating", "RatingCode", "Rectification"]
