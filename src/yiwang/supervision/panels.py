"""电子监察's panel on the case page: the clock, stops and the case's cards."""

from yiwang.cases import panels
from yiwang.supervision.selectors import case_clock, is_supervisor


@panels.register
def clock_panel(user, case, facts):
    return {
        "template": "supervision/_case_clock.html",
        "clock": case_clock(user, case, today=facts["today"]),
        "is_supervisor": is_supervisor(user),
    }
