"""yiwang serve: the production server (granian, `yiwang.server`) on 127.0.0.1, optionally with a worker."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from yiwang.server import DEFAULT_THREADS, command, write_logging_config


class Command(BaseCommand):
    help = "在 127.0.0.1 上启动生产级服务（granian）；--with-worker 同时启动后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1),
                            help="进程数（默认每个 CPU 核一个，至少 2 个）")  # fmt: skip
        parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                            help="每个进程的线程数（等待数据库时其他线程接着处理请求）")  # fmt: skip
        parser.add_argument(
            "--with-worker", action="store_true", help="同时运行后台任务进程，Ctrl-C 一并停止"
        )

    def handle(self, *args, port, workers, with_worker, threads=DEFAULT_THREADS, **options):
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        # Loopback only: a TLS-terminating reverse proxy faces the network. The access log
        # masks record keys (身份号码) in paths and query strings.
        log_config = write_logging_config(Path(settings.VAR_DIR) / "server-logging.json")
        server = command(port=port, workers=workers, threads=threads, access_log=True,
                         log_config=log_config, log_level="info")  # fmt: skip
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
