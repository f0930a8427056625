"""Parts that later apps add to the case page (the clock and cards from 电子监察, the rating
from 好差评) without the cases app depending on them; the same shape as the catalog's panels."""

from collections.abc import Callable

# (user, case, facts) -> {"template": ..., **context} or None; facts holds what the page knows
# already (is_applicant, at_window, today).
Panel = Callable[[object, object, dict], dict | None]
_PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    _PANELS.append(panel)
    return panel


def collect(user, case, facts: dict) -> tuple[list[str], dict]:
    """The templates to include, in registration order, and the context they read."""
    templates, context = [], {}
    for panel in _PANELS:
        found = panel(user, case, facts)
        if found:
            found = dict(found)
            templates.append(found.pop("template"))
            context.update(found)
    return templates, context
