"""WSGI entry point: the web stack for people, and a lean one for department systems' calls.

Calls of the shared-data gateway carry an API key and no cookies; they skip the middleware
that only pages need — static files, sessions, locale, CSRF, authentication, messages,
CSP, htmx, login throttling — and go through `settings.MACHINE_MIDDLEWARE` instead
(ADR 0019). Which paths take the lean stack is `settings.MACHINE_PATH_PREFIXES`.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
web = get_wsgi_application()


def _machine_handler():
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    everything = settings.MIDDLEWARE
    settings.MIDDLEWARE = settings.MACHINE_MIDDLEWARE  # read once, by the handler's constructor
    try:
        return WSGIHandler()
    finally:
        settings.MIDDLEWARE = everything


def _dispatcher(machine, prefixes: tuple[str, ...]):
    def application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(prefixes):
            return machine(environ, start_response)
        return web(environ, start_response)

    return application


def _prefixes() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(settings.MACHINE_PATH_PREFIXES)


application = _dispatcher(_machine_handler(), _prefixes())
