"""Records of a resource keyed by several fields get the key the loader gives them now.

Composite keys escape "|" and "\\" inside each value since 2026-12 (`registry.keys`); a record
stored before keeps its old text, "a|b|c" for ("a|b", "c"), which a load or a lookup of the same
values no longer finds ("a\\|b|c"). This migration recomputes every such key from the record's
data. One-field keys never changed and are not read.

Why `join_key` is imported, not copied: Django's documentation asks data migrations to use the
historical *models* (`apps.get_model`), since a model class follows the current schema, not
this migration's; plain functions a migration uses need only stay importable while it uses
them ("copy them into the migration" is its advice for when they are removed). The key is not
part of the schema: what matters is that stored keys equal what the running loader computes, so
the migration calls the very function the loader calls — a frozen copy could drift from it.
If `join_key` changes meaning again, that change needs a migration like this one; if it is
removed, copy it here first.

A registry may hold millions of records: they are read in batches by primary key (keyset
pagination, one pass over the table), only records whose key is wrong are written, and two
records that would share a key stop the migration (nothing is written) with the list of them:
an operator must decide which record to keep.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import migrations, transaction

from yiwang.registry.keys import MAX_LENGTH, join_key

BATCH_SIZE = 2000
PROBLEMS_SHOWN = 20


class CompositeKeyConflict(RuntimeError):
    """Some records cannot take their recomputed key; nothing was changed."""


@dataclass(frozen=True)
class _Move:
    pk: int
    resource_id: int
    old: str
    new: str


def composite_key_codes(Field) -> dict[int, list[str]]:
    """Per resource with more than one key field, its key fields' codes in the loader's order."""
    codes = defaultdict(list)
    keys = Field.objects.filter(is_key=True).order_by("resource_id", "position", "id")
    for resource_id, code in keys.values_list("resource_id", "code"):
        codes[resource_id].append(code)
    return {resource_id: c for resource_id, c in codes.items() if len(c) > 1}


def correct_key(codes: list[str], data) -> str | None:
    """The key the loader gives a record with this data; None when a key value is missing."""
    if not isinstance(data, dict) or any(data.get(code) is None for code in codes):
        return None
    return join_key(data[code] for code in codes)


class _Rekeying:
    """The records rekeyed so far, the moves waiting for a key to be freed, and the problems."""

    def __init__(self, Record, key_codes: dict[int, list[str]]):
        self.Record, self.key_codes = Record, key_codes
        self.rekeyed = 0
        self.deferred: list[_Move] = []
        self.problems: list[str] = []

    def check(self, rows) -> None:
        """One batch of (pk, resource_id, key, data): move the records whose key is wrong."""
        moves = []
        for pk, resource_id, key, data in rows:
            new = correct_key(self.key_codes[resource_id], data)
            if new is None:
                self.problems.append(
                    f"record {pk} (resource {resource_id}): a key field is missing from its data"
                )
            elif new == key:
                continue
            elif len(new) > MAX_LENGTH:
                self.problems.append(
                    f"record {pk} (resource {resource_id}): the key {new[:60]!r}… is longer than {MAX_LENGTH}"
                )
            else:
                moves.append(_Move(pk, resource_id, key, new))
        self.move(moves)

    def move(self, moves: list[_Move]) -> None:
        """Write the moves whose new key is free; one whose key a stale record still holds waits
        until that record has moved; one whose key a correct record holds is a conflict."""
        by_resource = defaultdict(list)
        for m in moves:
            by_resource[m.resource_id].append(m)
        free = []
        for resource_id, group in by_resource.items():
            taken = self.Record.objects.filter(
                resource_id=resource_id, key__in=[m.new for m in group]
            ).values_list("pk", "key", "data")
            holders = {key: (pk, data) for pk, key, data in taken}
            claimed = {}
            for m in group:
                holder = holders.get(m.new)
                if m.new in claimed:
                    self._conflict(m, claimed[m.new])
                elif holder is None:
                    claimed[m.new] = m.pk
                    free.append(m)
                elif correct_key(self.key_codes[resource_id], holder[1]) == m.new:
                    self._conflict(m, holder[0])
                else:
                    self.deferred.append(m)
        self.Record.objects.bulk_update([self.Record(pk=m.pk, key=m.new) for m in free], ["key"])
        self.rekeyed += len(free)

    def finish(self) -> None:
        """Retry the waiting moves while they make progress, then refuse if anything is left."""
        while self.deferred:
            waiting, self.deferred = self.deferred, []
            self.move(waiting)
            if len(self.deferred) == len(waiting):
                for m in self.deferred:
                    self.problems.append(
                        f"record {m.pk} (resource {m.resource_id}): the key {m.new!r} stays taken"
                    )
                break
        if self.problems:
            shown = "\n  ".join(self.problems[:PROBLEMS_SHOWN])
            more = len(self.problems) - PROBLEMS_SHOWN
            raise CompositeKeyConflict(
                f"{len(self.problems)} record(s) cannot take the composite key the loader now computes; "
                f"nothing was changed. Keep one record of each pair (usually the newer) or fix its data, "
                f"then run migrate again:\n  {shown}"
                + (f"\n  … and {more} more" if more > 0 else "")
            )

    def _conflict(self, move: _Move, other_pk: int) -> None:
        self.problems.append(
            f"record {move.pk} (resource {move.resource_id}, key {move.old!r}) would take the key "
            f"{move.new!r} of record {other_pk}"
        )


def recompute_composite_keys(apps, schema_editor=None, *, batch_size: int = BATCH_SIZE) -> int:
    """Give every record of a composite-key resource the key `join_key` computes from its data;
    returns how many records were rekeyed. All or nothing."""
    key_codes = composite_key_codes(apps.get_model("catalog", "Field"))
    if not key_codes:
        return 0
    Record = apps.get_model("registry", "Record")
    rekeying = _Rekeying(Record, key_codes)
    with transaction.atomic():
        last = 0
        while True:
            rows = list(
                Record.objects.filter(resource_id__in=list(key_codes), pk__gt=last)
                .order_by("pk")
                .values_list("pk", "resource_id", "key", "data")[:batch_size]
            )
            if not rows:
                break
            last = rows[-1][0]
            rekeying.check(rows)
        rekeying.finish()
    return rekeying.rekeyed


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("registry", "0005_record_without_db_constraints"),
    ]

    # New keys are what every loader since the escaping change computes: there is nothing to undo.
    operations = [migrations.RunPython(recompute_composite_keys, migrations.RunPython.noop)]
