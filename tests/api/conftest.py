from tests.catalog.conftest import city, officer  # noqa: F401 — shared fixtures
from tests.exchange.conftest import companies, health  # noqa: F401 — shared fixtures
