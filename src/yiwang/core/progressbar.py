"""A progress bar for the terminal, drawn on stderr (the CLI face of JobProgress)."""

import sys


def draw(stage: str, done: int, total: int, *, stream=None, width: int = 30) -> None:
    stream = stream or sys.stderr
    filled = int(width * done / total) if total else width
    stream.write(f"\r  {stage} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    if total and done >= total:
        stream.write("\n")
    stream.flush()
