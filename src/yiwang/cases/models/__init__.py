from .case import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseSequence,
    CaseTask,
    ClockStop,
    Notification,
)

__all__ = [
    "Case", "CaseEvent", "CaseMaterial", "CaseSequence", "CaseTask", "ClockStop", "Notification",
]  # fmt: skip
