from tests.cases.conftest import city  # noqa: F401 — the same small city
