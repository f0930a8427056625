"""The `yiwang` console command: Django's manage.py with Yiwang's settings.

Yiwang's own subcommands: demo, serve, worker, audit verify|seal, keys list|rotate, bench, doctor,
verify FILE, timers;
every Django command (migrate, createsuperuser, ...) works as well.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yiwang", *sys.argv[1:]])


if __name__ == "__main__":
    main()
