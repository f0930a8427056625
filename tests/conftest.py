import pytest


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # argon2 is the production hasher; tests hash with MD5 to stay fast (except where they test hashing).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def factory(db):
    from tests import factories

    return factories
