"""XLSX helpers shared by exports: formula-safe cells and a streaming writer."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value that a spreadsheet shows as text, never runs as a formula (OWASP CSV injection).

    Text that could start a formula gets a leading single quote; plain signed numbers
    written as text ("-12.5") and non-text values are left alone.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        number = value[1:] if value[0] in "+-" else ""
        if number and number.replace(".", "", 1).isdigit() and number.isascii():
            return value
        return "'" + value
    return value


def read_safe_cell(text: str) -> str:
    """Text as it was before `safe_cell`: the quote it put before a formula-like text taken away,
    so that an export imports back unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def xlsx_bytes(sheets: dict[str, tuple[list[str], Iterable[Iterable]]]) -> bytes:
    """Write {sheet title: (header, rows)} as an XLSX file in write-only (streaming) mode."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_bold(workbook, h, bold) for h in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(workbook, text, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(workbook.worksheets[-1], value=text)
    cell.font = font
    return cell
