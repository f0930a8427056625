"""A load's duplicate-key tracker: memory as the number of keys grows, against a plain set.

A load remembers every key it has seen, to quarantine duplicates within the batch. The
tracker keeps a bounded number in memory and spills the rest to a temporary file; this bench
feeds it keys (18 characters, like a USCC) and reports how much the process's resident memory
grows over the second half of the keys — flat once it spills — next to a plain set of the same
keys, and what the bound costs per key.
"""

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import line

from yiwang.registry.validation import DuplicateTracker

MB = 2**20


def _resident() -> int:
    """The process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _PlainSet:
    """The unbounded way, as loads did before: every key in a set."""

    def __init__(self):
        self.keys: set[str] = set()

    def seen(self, key: str) -> bool:
        if key in self.keys:
            return True
        self.keys.add(key)
        return False

    def __len__(self) -> int:
        return len(self.keys)

    def close(self) -> None:
        self.keys = set()


def _feed(tracker, first: int, last: int) -> None:
    seen = tracker.seen
    for i in range(first, last):
        assert not seen(f"K{i:017d}")


def _growth(make, keys: int) -> tuple[int, float]:
    """(resident growth over the second half of `keys` keys, seconds for all of them)."""
    gc.collect()
    tracker = make()
    started = time.perf_counter()
    _feed(tracker, 0, keys // 2)
    halfway = _resident()
    _feed(tracker, keys // 2, keys)
    grown, seconds = _resident() - halfway, time.perf_counter() - started
    assert len(tracker) == keys
    tracker.close()
    return grown, seconds


def run(*, quick: bool = False):
    keys, memory_keys = (400_000, 50_000) if quick else (4_000_000, DuplicateTracker.MEMORY_KEYS)
    plain_growth, plain_seconds = _growth(_PlainSet, keys)
    bounded_growth, bounded_seconds = _growth(
        lambda: DuplicateTracker(memory_keys=memory_keys), keys
    )
    yield (f"# {keys:,} keys, {memory_keys:,} held in memory; resident memory grown over keys "
           f"{keys // 2:,}–{keys:,}: tracker {bounded_growth / MB:,.1f} MB, plain set {plain_growth / MB:,.1f} MB")  # fmt: skip
    yield line("dedup-memory", bounded_growth / MB, "MB grown over the second half", plain_growth / MB,
               "MB for a plain set")  # fmt: skip
    yield line(
        "dedup", keys / bounded_seconds, "keys/s", keys / plain_seconds, "keys/s into a plain set"
    )
