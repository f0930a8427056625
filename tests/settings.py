"""Settings for the test run: the foundation's settings in the `test` environment."""

import os

os.environ["YIWANG_ENV"] = "test"

from yiwang.settings import *  # noqa: F403
