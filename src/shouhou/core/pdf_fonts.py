"""One CJK font for every PDF Shouhou writes (labels, RMA documents), registered once.

Looks for a CJK font with TrueType outlines on the system and embeds it (subset): WenQuanYi
(fonts-wqy-microhei / -zenhei), Droid Sans Fallback (fonts-droid-fallback), then Debian's
fonts-noto-cjk. reportlab cannot embed PostScript (CFF) outlines, which is what Noto Sans CJK
ships, so with only Noto installed it is skipped. The fallback is reportlab's built-in CID font
``STSong-Light``, which PDF viewers map to a Chinese system font, so PDFs still carry Chinese
text where no usable font package is installed.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Final

from reportlab.pdfbase import pdfmetrics

FONT_NAME: Final = "ShouhouCJK"
FALLBACK_CID: Final = "STSong-Light"

# (path, subfont index): in NotoSansCJK-Regular.ttc the collection order is JP, KR, SC, TC, HK.
CANDIDATES: Final[tuple[tuple[str, int], ...]] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
)


@functools.cache
def cjk_font() -> str:
    """Register and return the name of the font to use for Chinese text.

    ``SHOUHOU_PDF_FONT=/path/font.ttc[:index]`` picks a font explicitly.
    """
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    candidates: list[tuple[str, int]] = []
    explicit = os.environ.get("SHOUHOU_PDF_FONT", "").strip()
    if explicit:
        font_file, _sep, font_index = explicit.partition(":")
        candidates.append((font_file, int(font_index or 0)))
    candidates.extend(CANDIDATES)
    for path, index in candidates:
        if not Path(path).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
        except (TTFError, OSError, ValueError):
            # PostScript-outline OTFs are not supported by reportlab's TTFont: try the next one.
            continue
        return FONT_NAME
    return cid_font()


def cid_font() -> str:
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    return FALLBACK_CID


LATIN_FONT: Final = "Helvetica"


def _covers(font_name: str) -> frozenset[int] | None:
    """Code points the font has glyphs for, or None when it covers everything we write."""
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    mapping = getattr(face, "charToGlyph", None)
    return frozenset(mapping) if mapping else None


@functools.cache
def _coverage(font_name: str) -> frozenset[int] | None:
    return _covers(font_name)


def text_runs(text: str, font_name: str | None = None) -> list[tuple[str, str]]:
    """Split TEXT into (font, chunk) runs: characters the CJK font lacks (Droid Sans Fallback has
    no Latin letters) are set in Helvetica."""
    font_name = font_name or cjk_font()
    covered = _coverage(font_name)
    runs: list[tuple[str, str]] = []
    for ch in text:
        name = font_name if covered is None or ord(ch) in covered or ord(ch) > 0x2E7F else LATIN_FONT
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + ch)
        else:
            runs.append((name, ch))
    return runs


def text_width(text: str, size: float, font_name: str | None = None) -> float:
    return sum(pdfmetrics.stringWidth(chunk, name, size) for name, chunk in text_runs(text, font_name))


def draw_text(canvas: object, x: float, y: float, text: str, size: float, font_name: str | None = None) -> float:
    """Draw TEXT at (x, y) on a reportlab canvas, switching fonts per run; returns its width."""
    start = x
    for name, chunk in text_runs(text, font_name):
        canvas.setFont(name, size)  # type: ignore[attr-defined]
        canvas.drawString(x, y, chunk)  # type: ignore[attr-defined]
        x += pdfmetrics.stringWidth(chunk, name, size)
    return x - start
