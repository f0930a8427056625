"""Data quality (数据质量): the five dimensions, a score per load, per resource and per department.

- 完整性 completeness: share of non-empty values, per field and on average
- 有效性 validity: share of rows that passed validation
- 唯一性 uniqueness: share of rows whose key was not a duplicate within the batch
- 一致性 consistency: share of rows that passed the cross-field rules
- 及时性 timeliness: 1 while the last load is within the update cycle, falling to 0 at twice it
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from yiwang.catalog.choices import CYCLE_DAYS

WEIGHTS = {
    "completeness": 0.25,
    "validity": 0.30,
    "uniqueness": 0.15,
    "consistency": 0.15,
    "timeliness": 0.15,
}
DIMENSION_LABELS = {"completeness": "完整性", "validity": "有效性", "uniqueness": "唯一性", "consistency": "一致性",
                    "timeliness": "及时性"}  # fmt: skip


@dataclass
class LoadCounters:
    """What a load counts while it reads, so that quality costs no second pass."""

    rows: int = 0
    valid: int = 0
    duplicates: int = 0
    rule_failures: int = 0

    def __post_init__(self):
        self._counted = 0  # rows whose values were counted
        self._empty: dict[str, int] = {}  # per field, counted rows where it was empty or absent
        self._since: dict[str, int] = {}  # per field, rows counted before it first appeared
        self.errors: dict[str, int] = {}
        self.ignored_columns: list[str] = []
        self.replace_skipped = False

    @property
    def filled(self) -> dict[str, int]:
        """Per field, how many rows had a value."""
        return {
            code: self._counted - before - self._empty.get(code, 0)
            for code, before in self._since.items()
        }

    def summary(self) -> dict:
        """What the load page says beside the counts."""
        return {"errors": self.errors, "ignored_columns": self.ignored_columns[:50],
                "replace_skipped": self.replace_skipped}  # fmt: skip

    def count_filled(self, values: dict) -> None:
        # Per row on the load's hot path: most rows hold the same fields, mostly filled, so
        # only what is missing is counted.
        if values.keys() != self._since.keys():
            for code in values.keys() - self._since.keys():
                self._since[code] = self._counted
            for code in self._since.keys() - values.keys():
                self._empty[code] = self._empty.get(code, 0) + 1
        self._counted += 1
        if None in values.values() or "" in values.values():
            for code, value in values.items():
                if value is None or value == "":
                    self._empty[code] = self._empty.get(code, 0) + 1

    def count_error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def load_dimensions(counters: LoadCounters, field_codes: list[str]) -> dict:
    per_field = {code: ratio(counters.filled.get(code, 0), counters.rows) for code in field_codes}
    return {
        "completeness": round(sum(per_field.values()) / len(per_field), 4) if per_field else 1.0,
        "validity": ratio(counters.valid, counters.rows),
        "uniqueness": ratio(counters.rows - counters.duplicates, counters.rows),
        "consistency": ratio(counters.rows - counters.rule_failures, counters.rows),
        "field_completeness": per_field,
    }


def timeliness(cycle: str, last_loaded_at: datetime.datetime | None, now=None) -> float:
    days = CYCLE_DAYS.get(cycle)
    if last_loaded_at is None:
        return 0.0
    if days is None:
        return 1.0
    age = ((now or timezone.now()) - last_loaded_at).total_seconds() / 86400
    if age <= days:
        return 1.0
    return round(max(0.0, 1 - (age - days) / days), 4)


def score(dimensions: dict) -> float:
    return round(100 * sum(WEIGHTS[k] * dimensions[k] for k in WEIGHTS), 1)
