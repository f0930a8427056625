"""Settings for the test run: the foundation's settings in the `test` environment."""

import os

os.environ["YIWANG_ENV"] = "test"

from yiwang.settings import *  # noqa: F403

# A file, not memory, so that tests can hand the database to a subprocess (the kill -9 test).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
