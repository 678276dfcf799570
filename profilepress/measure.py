"""Text widths in the vendored font, for the few sizes the code decides rather than the stylesheet.

Worksheet rating columns must hold the longest word of a scale's labels without
hyphenating it ("Unacceptable", "Implementation)"), yet stay as narrow as that
allows so the activity keeps its room. CSS cannot size a column to its longest
word and no more, so the width is measured here, from the font's own metrics.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

from .home import ENGINE_ROOT

FONT_DIR = ENGINE_ROOT / "fonts" / "atkinson-hyperlegible"
_FALLBACK_EM = 0.65  # a generous average advance, for characters the font lacks


class _Advances(Protocol):
    """fontTools' ``hmtx`` table, as read here: glyph name → (advance width, left side bearing)."""

    def __getitem__(self, glyph: str, /) -> tuple[int, int]: ...


@lru_cache(maxsize=8)
def _metrics(path: Path) -> tuple[dict[int, str], _Advances, int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    return font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm


def width_em(text: str, bold: bool = False, fonts: dict[int, Path] | None = None) -> float:
    """The advance width of ``text`` in ems of the vendored font, or of ``fonts`` (weight → file) when given."""
    weight = 700 if bold else 400
    path = (
        (fonts or {}).get(weight)
        or (fonts or {}).get(400)
        or FONT_DIR / f"AtkinsonHyperlegible-{'Bold' if bold else 'Regular'}.ttf"
    )
    cmap, hmtx, units = _metrics(Path(path))
    return sum(hmtx[cmap[ord(ch)]][0] / units if ord(ch) in cmap else _FALLBACK_EM for ch in text)
