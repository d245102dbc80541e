"""Unit labels as PDF: A4 sheets of 3×8 labels, or one 60×40 mm label per page for label printers.

Each label carries a QR code to the unit's public page (一物一码, ``BASE_URL/u/SERIAL``), the serial
as a Code 128 barcode across the full width (wide bars scan best), and model and serial as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext as _
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128Auto
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shouhou.core.env import is_loopback_url
from shouhou.core.pdf_fonts import cjk_font, draw_text
from shouhou.core.pdf_fonts import text_width as pdf_text_width
from shouhou.registry.models import Unit

MAX_LABELS: Final = 5000


@dataclass(frozen=True)
class Sheet:
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_x: float
    margin_y: float


FORMATS: Final[dict[str, Sheet]] = {
    # The common 24-up A4 label sheet: 70 × 37 mm, no gaps, 4.5 mm top and bottom.
    "a4": Sheet(A4[0], A4[1], 3, 8, 70 * mm, 37 * mm, 0, 0.5 * (A4[1] - 8 * 37 * mm)),
    "60x40": Sheet(60 * mm, 40 * mm, 1, 1, 60 * mm, 40 * mm, 0, 0),
}


def public_url(base_url: str, serial: str) -> str:
    return f"{base_url.rstrip('/')}/u/{serial}"


def loopback_warning(base_url: str) -> str | None:
    """What the pages that print labels say when the QR codes would point at this machine only
    (SHOUHOU_BASE_URL unset while serving on 127.0.0.1): a phone scanning them opens nothing."""
    if not is_loopback_url(base_url):
        return None
    return _("标签二维码将指向 %(url)s，这是本机地址，用手机扫码无法打开。打印前请把 SHOUHOU_BASE_URL "
             "设为客户和同事能访问的地址（如 https://service.example.cn），或用 --host 0.0.0.0 启动。") % {
        "url": base_url}


def _draw_label(canvas: Canvas, unit: Unit, x: float, y: float, sheet: Sheet, base_url: str,
                font: str) -> None:
    pad = 3 * mm
    width, height = sheet.label_width, sheet.label_height
    # Bottom band: the barcode across the whole width.
    bar_height = height * 0.28
    # The quiet zones are the label's own padding (more than the 10 modules Code 128 asks for).
    modules = Code128Auto(unit.serial, barWidth=1, humanReadable=0, quiet=0).width
    barcode = Code128Auto(unit.serial, barWidth=(width - 2 * pad) / modules, barHeight=bar_height,
                          humanReadable=0, quiet=0)
    barcode.drawOn(canvas, x + pad, y + pad * 0.8)

    # Top area: QR code on the left, text on the right.
    qr_size = height - bar_height - 2.6 * pad
    qr_y = y + height - pad * 0.6 - qr_size
    _draw_qr(canvas, public_url(base_url, unit.serial), x + pad * 0.6, qr_y, qr_size)

    text_x = x + pad * 0.6 + qr_size + 1.5 * mm
    text_width = x + width - pad - text_x
    model = unit.product_model
    top = y + height - pad - 2.2 * mm
    draw_text(canvas, text_x, top, _fit(model.code, font, 9, text_width), 9, font)
    draw_text(canvas, text_x, top - 3.8 * mm, _fit(model.name, font, 6.5, text_width), 6.5, font)
    draw_text(canvas, text_x, top - 8 * mm, "序列号 S/N", 6, font)
    size = 9.0
    while size > 5 and pdf_text_width(unit.serial, size, font) > text_width:
        size -= 0.5
    draw_text(canvas, text_x, top - 11.5 * mm, unit.serial, size, font)


def _draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float, *, border: int = 4) -> None:
    """TEXT as a QR code (level M) filling a SIZE square at X, Y, quiet zone of BORDER modules included.

    Drawn straight onto the canvas as one filled path of the dark runs of each row: reportlab's
    QrCodeWidget builds a shape object per run and encodes twice (bounds, then drawing), which made
    a sheet of a few hundred labels take minutes."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.make()
    count = qr.getModuleCount()
    box = size / (count + 2 * border)
    path = canvas.beginPath()
    for r in range(count):
        row_y = y + size - (r + border + 1) * box
        c = 0
        while c < count:
            if not qr.isDark(r, c):
                c += 1
                continue
            start = c
            while c < count and qr.isDark(r, c):
                c += 1
            path.rect(x + (start + border) * box, row_y, (c - start) * box, box)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdf_text_width(text, size, font) <= width:
        return text
    while text and pdf_text_width(text + "…", size, font) > width:
        text = text[:-1]
    return text + "…"


def labels_pdf(units: Iterable[Unit], *, fmt: str, base_url: str) -> bytes:
    """The labels of UNITS as one PDF in format FMT ("a4" or "60x40")."""
    sheet = FORMATS[fmt]
    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(sheet.page_width, sheet.page_height), pageCompression=1)
    canvas.setTitle("设备标签")
    canvas.setCreator("Shouhou")
    per_page = sheet.columns * sheet.rows
    count = 0
    for count, unit in enumerate(units, start=1):
        slot = (count - 1) % per_page
        if slot == 0 and count > 1:
            canvas.showPage()
        column, row = slot % sheet.columns, slot // sheet.columns
        x = sheet.margin_x + column * sheet.label_width
        y = sheet.page_height - sheet.margin_y - (row + 1) * sheet.label_height
        _draw_label(canvas, unit, x, y, sheet, base_url, font)
    if count == 0:
        draw_text(canvas, 10 * mm, sheet.page_height - 15 * mm, "没有符合条件的设备。", 10, font)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
