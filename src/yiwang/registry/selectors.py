"""Reads of the registries that depend on who asks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from yiwang.catalog.choices import ResourceStatus
from yiwang.catalog.models import Field, Resource
from yiwang.core.masking import reveal_or_mask
from yiwang.registry import quality
from yiwang.registry.keys import join_key, split_key
from yiwang.registry.models import Load, LoadError, ResourceQuality
from yiwang.registry.permissions import sees_sent_values
from yiwang.registry.validation import header_token

PERSONAL_MASKS = {"ric": "ric", "phone": "phone"}
HIDDEN = "***"  # a value shown as nothing of it: no mask kind says what may be kept
QUOTED = re.compile(r"「([^」]*)」")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
KEY_CODES = frozenset({"row.duplicate_key", "row.key_exists", "key.too_long"})
CHUNK_ROWS = 2000


def resource_quality(resource: Resource, figures: ResourceQuality | None = None) -> dict | None:
    """The resource's quality now: its registry's stored figures (see `registry.quality`) plus
    timeliness against 更新周期; None while no load has succeeded."""
    if figures is None:
        figures = ResourceQuality.objects.filter(resource=resource).first()
        if figures is None:
            return None
    dims = quality.resource_dimensions(figures, resource.update_cycle, resource.last_loaded_at)
    return {**dims, "score": quality.score(dims), "field_completeness": figures.field_completeness,
            "records": figures.records, "loads": figures.loads, "rows": figures.rows,
            "load_id": figures.last_load_id}  # fmt: skip


def quality_overview(actor) -> dict:
    """Scores per resource and per department for every published resource the actor may see.

    A department's score is the mean of its assessed resources' scores (resources never
    loaded have no score and do not count).
    """
    resources = (Resource.objects.restrict(actor, "view").filter(status=ResourceStatus.PUBLISHED)
                 .select_related("owner").order_by("owner__name", "code"))  # fmt: skip
    figures = {f.resource_id: f for f in ResourceQuality.objects.filter(resource__in=resources)}
    rows, departments = [], {}
    for resource in resources:
        q = resource_quality(resource, figures[resource.pk]) if resource.pk in figures else None
        rows.append({"resource": resource, "quality": q})
        if q:
            departments.setdefault(resource.owner_id, (resource.owner, []))[1].append(q["score"])
    by_department = sorted(
        (
            {"organisation_id": owner.pk, "name": owner.name, "score": round(sum(s) / len(s), 1),
             "resources": len(s)}
            for owner, s in departments.values()
        ),
        key=lambda d: (-d["score"], d["name"]),
    )  # fmt: skip
    return {"rows": rows, "departments": by_department}


def _text_mask_kind(field: Field) -> str:
    """Personal free text: an address keeps its district, anything else is masked like a name."""
    if field.data_type != "string":
        return ""
    if (
        "address" in field.code
        or "地址" in field.name
        or "住址" in field.name
        or "住所" in field.name
    ):
        return "address"
    return "name"


def mask_kind(field: Field) -> str:
    """How a personal field is masked: by its identifier type, else as an address or a name."""
    return PERSONAL_MASKS.get(field.data_type) or _text_mask_kind(field)


def shown_value(actor, field: Field | None, value):
    """A value of `field` as the actor may see it: a personal field's masked unless allowed.

    A value of no known field (a column that matches none) may hold anything, a phone or an
    ID number: it is hidden whole, like a personal field with no mask kind.
    """
    if field is not None and not field.is_personal:
        return value
    kind = mask_kind(field) if field is not None else ""
    if kind:
        return reveal_or_mask(actor, kind, value)
    return HIDDEN if value else value


def masked_record(actor, resource: Resource, data: dict, fields: list[Field]) -> dict:
    """A record as the actor may see it: personal fields masked unless allowed."""
    return {f.code: shown_value(actor, f, data.get(f.code)) for f in fields}


# --- quarantined rows (问题数据) ------------------------------------------------


@dataclass(frozen=True)
class QuarantinedRow:
    """A quarantined row as one reader sees it; `raw` holds the row's [column, value] pairs."""

    row: int
    field: str
    code: str
    message: str
    raw: list


def raw_cells(raw) -> list:
    """A quarantined row's cells: [name, value] pairs (a dict in loads made before 2026-12)."""
    if isinstance(raw, dict):
        return [list(item) for item in raw.items()]
    return raw or []


class QuarantineReader:
    """Shows a load's quarantined rows to one actor.

    The owning department sees the values it sent: it must fix them. Anyone else sees each
    value masked as the field it was sent for — personal fields masked, columns that match no
    field hidden — in the cells and wherever a message quotes a value (「…」).
    """

    def __init__(self, actor, load: Load):
        self.actor = actor
        self.as_sent = sees_sent_values(actor, load)
        fields = list(load.resource.fields.all())
        self.by_code = {f.code: f for f in fields}
        # a column is matched to a field as the validator matched it: by name, then by code
        self.by_column = {header_token(f.name): f for f in fields}
        self.by_column.update({header_token(f.code): f for f in fields})
        self.key_fields = [f for f in fields if f.is_key]

    def show(self, error: LoadError) -> QuarantinedRow:
        raw = raw_cells(error.raw)
        if self.as_sent:
            return QuarantinedRow(error.row, error.field, error.code, error.message, raw)
        cells = [
            [name, shown_value(self.actor, self.by_column.get(header_token(name)), value)]
            for name, value in raw
        ]
        return QuarantinedRow(error.row, error.field, error.code, self._message(error), cells)

    def _message(self, error: LoadError) -> str:
        if error.code.startswith("header."):
            return error.message  # a header problem quotes column names, not values
        if error.code in KEY_CODES:
            shown_quote = self._shown_key
        else:
            field = self.by_code.get(error.field)

            def shown_quote(text: str) -> str:
                return shown_value(self.actor, field, text)

        message = QUOTED.sub(lambda quote: f"「{shown_quote(quote.group(1))}」", error.message)
        if error.code == "rule.ric_birth_date":
            # The message also states the birth date read from the 身份号码, unquoted: the very
            # digits the number's mask hides.
            ric = next((f for f in self.key_fields if f.data_type == "ric"), None)
            head, quote_end, tail = message.rpartition("」")
            tail = ISO_DATE.sub(lambda date: shown_value(self.actor, ric, date.group()), tail)
            message = head + quote_end + tail
        return message

    def _shown_key(self, key: str) -> str:
        """A quoted record key, each key field's value shown as that field's; a key cut short
        that no longer splits into its values is hidden whole."""
        if not any(f.is_personal for f in self.key_fields):
            return key
        try:
            parts = split_key(key, len(self.key_fields))
        except ValueError:
            return HIDDEN
        return join_key(
            shown_value(self.actor, f, part) for f, part in zip(self.key_fields, parts, strict=True)
        )


class ShownQuarantine:
    """A load's quarantined rows in order, as one actor sees them, read lazily: a slice reads
    one page, iterating reads in chunks (a load may quarantine a million rows)."""

    def __init__(self, actor, load: Load):
        self.reader = QuarantineReader(actor, load)
        self.errors = load.errors.order_by("row", "id")

    def __len__(self) -> int:
        return self.errors.count()

    def __getitem__(self, index: slice) -> list[QuarantinedRow]:
        return [self.reader.show(e) for e in self.errors[index]]

    def __iter__(self):
        for error in self.errors.iterator(chunk_size=CHUNK_ROWS):
            yield self.reader.show(error)


def quarantined_rows(actor, load: Load) -> ShownQuarantine:
    """问题数据 of a load as the actor may see them (the page, the API and the download)."""
    return ShownQuarantine(actor, load)
