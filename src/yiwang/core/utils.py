"""Small helpers shared by the apps."""

from collections.abc import Iterable, Iterator
from itertools import islice


def batched(items: Iterable, size: int) -> Iterator[tuple]:
    """itertools.batched for Python 3.11."""
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


MAX_ID = 2**63 - 1  # the largest primary key the databases hold


def query_id(text: str) -> int | None:
    """An id typed into a query string or form as an int, or None for anything that is no id:
    `str.isdigit()` is true for "²" or "①", which `int()` refuses, and a number beyond a 64-bit
    key makes the database driver fail."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
