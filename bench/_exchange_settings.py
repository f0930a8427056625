"""Settings for the benchmark server: the platform's, with the bench URLs. The bare endpoint
takes the same lean stack as the gateway (`yiwang.wsgi`), so that the two differ only in what
the gateway does: authentication, grant, masking and the durable log."""

from yiwang.settings import *  # noqa: F403

ROOT_URLCONF = "_exchange_urls"
MACHINE_PATH_PREFIXES = [*MACHINE_PATH_PREFIXES, "/bench/bare/"]  # noqa: F405
