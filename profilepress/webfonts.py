"""Fonts embedded in an HTML document, so that it looks as its PDF does, offline.

A font is subset to the characters the document uses (fontTools) and written
into the page as a WOFF data URI: no file beside the page, no network. The
subset is deterministic, so the same document gives the same bytes.
"""

from __future__ import annotations

import base64
import html as _html
import io
import re
from pathlib import Path

ATKINSON = {
    (400, "normal"): "fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf",
    (700, "normal"): "fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Bold.ttf",
    (400, "italic"): "fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Italic.ttf",
    (700, "italic"): "fonts/atkinson-hyperlegible/AtkinsonHyperlegible-BoldItalic.ttf",
}


def subset_woff(path: Path, text: str) -> bytes:
    """The font at ``path`` cut down to the characters of ``text`` (and the basic Latin set), as WOFF."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | set(map(chr, range(0x20, 0x7F))))))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out, reorderTables=True)
    return out.getvalue()


def font_faces(family: str, files: dict[tuple[int, str], str], root: Path, text: str) -> str:
    """@font-face rules with each face embedded, subset to ``text``."""
    rules = []
    for (weight, style), relative in sorted(files.items()):
        data = base64.b64encode(subset_woff(root / relative, text)).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
            f'src: url("data:font/woff;base64,{data}") format("woff"); }}'
        )
    return "\n".join(rules) + "\n"


PLACEHOLDER = "/* embedded fonts */"
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def embed(html: str, families: list[tuple[str, dict[tuple[int, str], str]]], root: Path) -> str:
    """The HTML with these font families embedded where the base template leaves room for them.

    Each face is subset to the characters of the page's text (and its attribute
    values, such as alternative text), so the page stays small.
    """
    if not families or PLACEHOLDER not in html:
        return html
    text = _html.unescape(_TAG.sub(" ", html)) + "".join(re.findall(r'(?:alt|aria-label|title)="([^"]*)"', html))
    faces = "".join(font_faces(family, files, root, text) for family, files in families)
    return html.replace(PLACEHOLDER, faces, 1)
