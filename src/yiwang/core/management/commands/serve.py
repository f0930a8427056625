"""yiwang serve: the production WSGI server (gunicorn) on 127.0.0.1, optionally with a worker."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "在 127.0.0.1 上启动生产级 WSGI 服务（gunicorn）；--with-worker 同时启动后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
        parser.add_argument(
            "--with-worker", action="store_true", help="同时运行后台任务进程，Ctrl-C 一并停止"
        )

    def handle(self, *args, port, workers, with_worker, **options):
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        # Loopback only: a TLS-terminating reverse proxy faces the network.
        server = [
            sys.executable,
            "-m",
            "gunicorn",
            "yiwang.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--logger-class",  # masks record keys (身份号码) in access-log lines
            "yiwang.logmask.MaskedAccessLogger",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ]
        children = [subprocess.Popen(server)]
        if with_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "yiwang.cli", "worker"]))
        self.stdout.write(f"一网已启动：http://127.0.0.1:{port}/ （Ctrl-C 停止）")
        try:
            while all(child.poll() is None for child in children):
                try:
                    children[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
