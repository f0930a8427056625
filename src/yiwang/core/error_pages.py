"""The pages people see when a page is refused: in Chinese, with what the platform said.

Django's own pages are English ("Not Found", "Forbidden", "CSRF verification failed"). A
refusal raised with a Chinese message (``Http404("办件不存在或无权访问")``, a service's
``PermissionDenied``) shows that message; Django's English texts ("No Case matches the given
query.") are not shown, and neither is anything about the request beyond its path.
"""

from __future__ import annotations

from django.shortcuts import render


def _said(exception) -> str:
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and not message.isascii() else ""


def bad_request(request, exception=None):
    return render(request, "400.html", {"said": _said(exception)}, status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"said": _said(exception)}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"said": _said(exception)}, status=404)


def csrf_failure(request, reason: str = ""):
    """A form sent from a page that has expired (or from another site)."""
    return render(request, "403_csrf.html", status=403)
