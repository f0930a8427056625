import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # argon2 is the production hasher; tests hash with MD5 to stay fast (except where they test hashing).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def factory(db):
    from tests import factories

    return factories


@pytest.fixture(autouse=True)
def _fresh_gateway_caches():
    # The gateway reuses resource definitions and call counts for a few seconds per process;
    # tests recreate rows with the same ids, so each test starts with empty caches.
    from yiwang.exchange import gateway

    gateway._resources.clear()
    gateway._counts.clear()
