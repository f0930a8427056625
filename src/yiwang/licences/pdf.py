"""The licence as a PDF: the 照面 rows, the signing seal (its inscription drawn in red, the same
design as its stored SVG image) and the verification QR.

Chinese text uses reportlab's built-in CID font STSong-Light: the PDF names the font and the
reader supplies the glyphs (Adobe-GB1), so no font file is shipped or fetched.
"""

from __future__ import annotations

import io
import math

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from yiwang.licences.face import Face, face_of, qr_code

FONT = "STSong-Light"
MAX_LINES = 6  # of one value
VALUE_WIDTH = A4[0] - 200 - 70  # points from the value column to the right margin
ROW_FLOOR = 250  # the lowest row: below are the QR code, the seal and the issuer lines
CUT_NOTE = "（照面篇幅有限，未尽内容见电子证照签名 JSON，或扫码在线核验）"
SEAL_RED = colors.HexColor("#d0021b")
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def licence_pdf(licence) -> bytes:
    """Render one licence on an A4 page."""
    face = face_of(licence)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{face.title} {face.identifier}")
    canvas.setAuthor(face.issuer)
    width, height = A4
    _frame(canvas, face, width, height)
    _rows(canvas, face, width, height)
    _qr(canvas, face.identifier, 60, 90)
    draw_seal(canvas, licence.seal.inscription, width - 150, 170, 60)
    canvas.setFont(FONT, 12)
    canvas.drawRightString(width - 70, 150, f"颁发机构：{face.issuer}")
    canvas.drawRightString(width - 70, 130, f"颁发日期：{face.issued_on}")
    canvas.setFont(FONT, 8)
    canvas.drawString(60, 60, f"电子证照标识：{face.identifier}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _frame(canvas: Canvas, face: Face, width: float, height: float) -> None:
    colour = colors.HexColor(face.colour)
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(3)
    canvas.rect(36, 36, width - 72, height - 72)
    canvas.setLineWidth(1)
    canvas.rect(42, 42, width - 84, height - 84)
    canvas.setFillColor(colour)
    canvas.setFont(FONT, 30)
    canvas.drawCentredString(width / 2, height - 110, face.title)
    canvas.setFillColor(colors.black)


def _wrap(text: str, width: float, size: float = 13) -> list[str]:
    """`text` in lines no wider than `width` points (CJK and Latin measured as drawn)."""
    lines, line = [], ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, FONT, size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line]


def _lines(value: str) -> list[str]:
    """A value in lines that fit the row, at most MAX_LINES; a cut value ends with "…"."""
    lines = _wrap(value, VALUE_WIDTH)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _rows(canvas: Canvas, face: Face, width: float, height: float) -> None:
    """The 照面 rows, down to ROW_FLOOR; what does not fit is said to be cut, never drawn over
    the QR code and the seal."""
    y = height - 170
    for label, value in face.rows:
        lines = _lines(value)
        if y - 20 * (len(lines) - 1) < ROW_FLOOR:
            canvas.setFont(FONT, 10)
            canvas.drawString(80, y, CUT_NOTE)
            return
        canvas.setFont(FONT, 13)
        canvas.drawString(80, y, label)
        for line in lines:
            canvas.drawString(200, y, line)
            y -= 20
        y -= 10
    if any(len(_wrap(value, VALUE_WIDTH)) > MAX_LINES for _label, value in face.rows):
        canvas.setFont(FONT, 10)
        canvas.drawString(80, max(y, ROW_FLOOR), CUT_NOTE)


def _qr(canvas: Canvas, identifier: str, x: float, y: float, size: float = 90) -> None:
    matrix = list(qr_code(identifier).matrix)
    cell = size / len(matrix)
    canvas.setFillColor(colors.black)
    for row, bits in enumerate(matrix):
        for col, bit in enumerate(bits):
            if bit:
                canvas.rect(
                    x + col * cell, y + size - (row + 1) * cell, cell, cell, stroke=0, fill=1
                )
    canvas.setFont(FONT, 9)
    canvas.drawString(x, y - 14, "扫码核验真伪")


def draw_seal(canvas: Canvas, name: str, cx: float, cy: float, radius: float) -> None:
    """A red seal: ring, star, and the seal's inscription on the upper arc (as `face.seal_svg`)."""
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(3)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    star = canvas.beginPath()
    for i in range(10):
        r = radius * (0.3 if i % 2 == 0 else 0.12)
        angle = math.pi / 2 + math.pi * i / 5
        point = (cx + r * math.cos(angle), cy + r * math.sin(angle))
        if i == 0:
            star.moveTo(*point)
        else:
            star.lineTo(*point)
    star.close()
    canvas.drawPath(star, stroke=0, fill=1)
    _arc_text(canvas, name, cx, cy, radius * 0.75, radius * 0.22)
    canvas.restoreState()


def _arc_text(canvas: Canvas, text: str, cx: float, cy: float, radius: float, size: float) -> None:
    span = min(math.radians(240), len(text) * size * 1.1 / radius)
    canvas.setFont(FONT, size)
    for i, char in enumerate(text):
        angle = math.pi / 2 + span / 2 - (span * (i + 0.5) / len(text))
        canvas.saveState()
        canvas.translate(cx + radius * math.cos(angle), cy + radius * math.sin(angle))
        canvas.rotate(math.degrees(angle) - 90)
        canvas.drawCentredString(0, -size / 3, char)
        canvas.restoreState()
