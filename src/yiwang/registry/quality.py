"""Data quality (数据质量): the five dimensions, a score per load, per resource and per department.

- 完整性 completeness: share of non-empty values, per field and on average
- 有效性 validity: share of rows that passed validation
- 唯一性 uniqueness: share of rows whose key was not a duplicate within the batch
- 一致性 consistency: share of rows that passed the cross-field rules
- 及时性 timeliness: 1 while the last load is within the update cycle, falling to 0 at twice it

A load's report (`QualityReport`) measures that batch as it arrived. A resource's quality
(`ResourceQuality`, and so its department's score) describes its registry as it stands, so that
a 3-row API batch after a million-row load moves the figures by its share and no more:

- completeness is measured over the records stored now: a field emptied by an upsert, or a new
  record without it, lowers it by that record's share;
- validity, uniqueness and consistency are weighted by rows over the loads that still hold at
  least one record in the registry (each record remembers the load that last wrote it). A
  `replace` load that deleted what it lacked thus starts the figures afresh; one that kept the
  old records (its snapshot had bad rows) leaves their loads counted; a delivery whose records
  were all overwritten by a later one drops out. A load wholly rejected stores nothing and
  changes nothing (its own report says what was wrong).

The figures cost one scan of the resource's records, grouped by load (about half a second per
million records of seven fields on PostgreSQL); it runs once per load, in the transaction that
merges it (`measure_registry`), and once per deletion of records through the GovStack API, never
when a page is shown. A change of under 0.1 % of the registry within ten minutes of the last
measurement skips it (`loading.SMALL_SHARE`, `REMEASURE_AFTER`): the next change that measures
takes it in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from yiwang.catalog.choices import CYCLE_DAYS
from yiwang.registry.filtering import field_expression

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
        self.stored = 0  # rows kept for the registry (valid, the first of their key)
        self._stored_empty: dict[str, int] = {}  # per field, kept rows where it was empty

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

    def count_filled(self, values: dict, *, stored: bool = False) -> None:
        """Count a row's filled fields, and as a row kept for the registry when `stored`."""
        # Per row on the load's hot path: most rows hold the same fields, mostly filled, so
        # only what is missing is counted.
        if values.keys() != self._since.keys():
            for code in values.keys() - self._since.keys():
                self._since[code] = self._counted
            for code in self._since.keys() - values.keys():
                self._empty[code] = self._empty.get(code, 0) + 1
        self._counted += 1
        if stored:
            self.stored += 1
        if None in values.values() or "" in values.values():
            for code, value in values.items():
                if value is None or value == "":
                    self._empty[code] = self._empty.get(code, 0) + 1
                    if stored:
                        self._stored_empty[code] = self._stored_empty.get(code, 0) + 1

    def count_stored(self, values: dict) -> None:
        """A row kept for the registry whose fields `count_filled` counted already."""
        self.stored += 1
        for code, value in values.items():
            if value is None or value == "":
                self._stored_empty[code] = self._stored_empty.get(code, 0) + 1

    def stored_filled(self, field_codes: list[str]) -> dict[str, int]:
        """Per field, how many rows kept for the registry had a value."""
        return {code: self.stored - self._stored_empty.get(code, 0) for code in field_codes}

    def count_columns(self, rows: int, empty: dict[str, int]) -> None:
        """`count_filled` of `rows` rows at once, each holding the fields of `empty`, which
        says per field how many of them were empty."""
        if not rows:
            return
        if empty.keys() != self._since.keys():
            for code in empty.keys() - self._since.keys():
                self._since[code] = self._counted
            for code in self._since.keys() - empty.keys():
                self._empty[code] = self._empty.get(code, 0) + rows
        self._counted += rows
        for code, count in empty.items():
            if count:
                self._empty[code] = self._empty.get(code, 0) + count

    def count_stored_columns(self, rows: int, empty: dict[str, int]) -> None:
        """`count_stored` of `rows` rows at once; `empty` as for `count_columns`."""
        self.stored += rows
        for code, count in empty.items():
            if count:
                self._stored_empty[code] = self._stored_empty.get(code, 0) + count

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


@dataclass(frozen=True)
class RegistryFigures:
    """What `measure_registry` finds: the registry's completeness and its loads' weighted figures."""

    records: int
    field_completeness: dict[str, float]
    loads: int
    rows: int
    validity: float
    uniqueness: float
    consistency: float

    @property
    def completeness(self) -> float:
        per_field = self.field_completeness
        return round(sum(per_field.values()) / len(per_field), 4) if per_field else 1.0


def measure_registry(resource_id: int, field_codes: list[str]) -> RegistryFigures:
    """Measure a resource's registry in one scan: per load that still holds records, how many
    it holds and how many of them have each field filled, with that load's report beside it.

    Plain SQL on the two tables, no model: migration 0007 uses it for the resources loaded
    before it. A record whose load is gone (or that no report describes) counts for
    completeness only.
    """
    # field_expression lets only catalog field codes through; the resource is a bound parameter.
    filled = "".join(f", COUNT(NULLIF({field_expression(code)}, ''))" for code in field_codes)
    sql = (
        f"WITH stored AS (SELECT load_id, COUNT(*) AS records{filled} FROM registry_record "  # noqa: S608
        "WHERE resource_id = %s GROUP BY load_id) "
        "SELECT stored.*, q.rows, q.validity, q.uniqueness, q.consistency FROM stored "
        "LEFT JOIN registry_qualityreport q ON q.load_id = stored.load_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [resource_id])
        per_load = cursor.fetchall()
    records, filled_counts = 0, [0] * len(field_codes)
    loads = rows = valid = unique = consistent = 0
    width = len(field_codes)
    for load_id, held, *rest in per_load:
        counts, (load_rows, validity, uniqueness, consistency) = rest[:width], rest[width:]
        records += held
        filled_counts = [total + n for total, n in zip(filled_counts, counts, strict=True)]
        if load_id is not None and load_rows is not None:
            loads += 1
            rows += load_rows
            valid += load_rows * validity
            unique += load_rows * uniqueness
            consistent += load_rows * consistency
    return RegistryFigures(
        records=records,
        field_completeness={code: ratio(n, records) for code, n in zip(field_codes, filled_counts, strict=True)},
        loads=loads, rows=rows, validity=_weighted(valid, rows), uniqueness=_weighted(unique, rows),
        consistency=_weighted(consistent, rows),
    )  # fmt: skip


def first_load_figures(
    counters: LoadCounters, field_codes: list[str], dims: dict
) -> RegistryFigures:
    """What `measure_registry` would find after a load into an empty registry, from what the
    load counted: its kept rows are the registry, its report the only one (no scan)."""
    records = counters.stored
    filled = counters.stored_filled(field_codes)
    return RegistryFigures(
        records=records, field_completeness={code: ratio(filled[code], records) for code in field_codes},
        loads=1, rows=counters.rows, validity=_weighted(counters.rows * dims["validity"], counters.rows),
        uniqueness=_weighted(counters.rows * dims["uniqueness"], counters.rows),
        consistency=_weighted(counters.rows * dims["consistency"], counters.rows),
    )  # fmt: skip


def _weighted(total: float, rows: int) -> float:
    """A row-weighted share; the reports' ratios are rounded, so the sum is rounded back."""
    return round(total / rows, 4) if rows else 1.0


def resource_dimensions(figures, cycle: str, last_loaded_at, now=None) -> dict:
    """The five dimensions of a resource: its stored figures and timeliness now."""
    return {
        "completeness": figures.completeness, "validity": figures.validity,
        "uniqueness": figures.uniqueness, "consistency": figures.consistency,
        "timeliness": timeliness(cycle, last_loaded_at, now),
    }  # fmt: skip
