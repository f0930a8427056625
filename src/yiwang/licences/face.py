"""照面: the rows a licence shows, from its signed content and its type's layout, shared by the
HTML face and the PDF; the QR code; the seal image that a seal keeps from when it was made."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno

from yiwang.core.identifiers import region_name
from yiwang.licences import documents
from yiwang.licences.choices import HolderCodeType


def chinese_date(iso: str | None) -> str:
    if not iso:
        return "长期"
    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def core_values(content: dict) -> dict[str, str]:
    holder = content.get("holder") or {}
    return {
        "number": content.get("number", ""),
        "holder_name": holder.get("name", ""),
        "holder_code": holder.get("code", ""),
        "issuer_name": (content.get("issuer") or {}).get("name", ""),
        "issued_on": chinese_date(content.get("issued_on")),
        "validity": f"{chinese_date(content.get('valid_from'))} 至 {chinese_date(content.get('valid_until'))}",
        "region_name": region_name(content.get("region_code", ""))
        or content.get("region_code", ""),
        "identifier": content.get("id", ""),
    }


@dataclass
class Face:
    title: str
    colour: str
    rows: list[tuple[str, str]]
    issuer: str
    issued_on: str
    identifier: str
    holder_kind: str


def face_of(licence) -> Face:
    """The 照面 of a licence: its type's layout filled from the signed content."""
    content = licence.content
    values = {**core_values(content), **{k: str(v) for k, v in (content.get("data") or {}).items()}}
    rows = [(label, values.get(code, "")) for code, label in licence.licence_type.face_layout]
    kind = HolderCodeType(content["holder"]["code_type"]).label
    return Face(title=content.get("name", ""), colour=licence.licence_type.face_colour, rows=rows,
                issuer=values["issuer_name"], issued_on=values["issued_on"], identifier=content.get("id", ""),
                holder_kind=kind)  # fmt: skip


def qr_code(identifier: str) -> segno.QRCode:
    """The licence's QR code: the public verify URL carrying the identifier."""
    return segno.make(documents.verification_url(identifier), error="m")


def qr_data_uri(identifier: str) -> str:
    return qr_code(identifier).svg_data_uri(scale=4, border=2)


def seal_svg(
    inscription: str, *, size: int = 160, colour: str = "#d0021b", element_id: str = "seal-arc"
) -> str:
    """A seal image: a red ring, a five-pointed star and the inscription (印文) along a 240° arc.
    Drawn once when a seal is made (`IssuingSeal.appearance`)."""
    r = size / 2
    points = " ".join(
        f"{r + (r * 0.28 if i % 2 == 0 else r * 0.11) * math.sin(math.pi * i / 5):.1f},"
        f"{r - (r * 0.28 if i % 2 == 0 else r * 0.11) * math.cos(math.pi * i / 5):.1f}"
        for i in range(10)
    )
    text = escape(inscription)
    arc = r * 0.7
    dx, dy = arc * math.cos(math.radians(30)), arc * math.sin(math.radians(30))
    length = arc * math.radians(240) * 0.96
    font = min(size * 0.13, length / max(len(inscription), 1))
    return (
        f'<svg class="seal" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" '
        f'height="{size}" role="img" aria-label="{text}电子印章">'
        f'<circle cx="{r}" cy="{r}" r="{r - 4}" fill="none" stroke="{colour}" stroke-width="5"/>'
        f'<polygon points="{points}" fill="{colour}"/>'
        f'<path id="{element_id}" d="M {r - dx:.1f},{r + dy:.1f} A {arc:.1f},{arc:.1f} 0 1 1 {r + dx:.1f},{r + dy:.1f}" '
        f'fill="none"/>'
        f'<text fill="{colour}" font-size="{font:.1f}" font-weight="bold">'
        f'<textPath href="#{element_id}" startOffset="50%" text-anchor="middle" textLength="{length:.0f}" '
        f'lengthAdjust="spacing">{text}</textPath></text>'
        f"</svg>"
    )
