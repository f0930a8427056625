"""Settings for the benchmark server: the platform's, with the bench URLs."""

from yiwang.settings import *  # noqa: F403

ROOT_URLCONF = "_exchange_urls"
