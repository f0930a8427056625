"""Panels that later apps add to the resource page (quality and loads from the registry,
users from the exchange) without the catalog depending on them."""

from collections.abc import Callable

Panel = Callable[
    [object, object], dict | None
]  # (request, resource) -> {"title", "template", ...context}
_PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    _PANELS.append(panel)
    return panel


def render_context(request, resource) -> list[dict]:
    return [p for p in (panel(request, resource) for panel in _PANELS) if p]
