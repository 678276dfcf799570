"""The fillable PDF's form, made right for every PDF program.

WeasyPrint turns HTML inputs into PDF fields, but in a shape that real PDF
programs misread (see ../shared/design.md, "Known traps"):

* each radio choice is listed as a field of its own beside its group, so
  programs see ``C1_1_r1.C1_1_r1``; pdftk drops values set by the group's name,
  and pdf-lib, MuPDF and pdf.js leave two ticks when an answer is changed;
* the choices' states are named ``/0``, ``/1``… instead of their values;
* there is no "off" appearance, so the form asks viewers to draw every field
  itself (``/NeedAppearances``), which Evince, Okular and poppler then do not;
* a group's accessible name is its first choice's.

:func:`repair` runs as WeasyPrint's *finisher*, on the PDF's objects before they
are written, and gives the form the shape every program expects: one field per
radio group, its widgets without names of their own and not listed as fields,
on-states named by the input's value (a level id such as ``developmental``),
an appearance for every state, no ``/NeedAppearances``, and the accessible names
the HTML gives in ``data-pdf-name``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .measure import FONT_DIR

PDF_NAME_ATTRIBUTE = "data-pdf-name"
FIELD_FONT = FONT_DIR / "AtkinsonHyperlegible-Regular.ttf"
FIELD_FONT_NAME = "AtkinsonField"  # its name in the form's resources
_SAFE_NAME = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def repair(document: Any, pdf: Any) -> None:
    """Fix the form WeasyPrint wrote into ``pdf`` (a pydyf.PDF) for ``document``."""
    import pydyf

    form = pdf.catalog.get("AcroForm")
    if form is None:
        return
    objects = _Objects(pdf)
    font = _field_font(pdf)
    widgets = [
        (box.element, box.widget_annotation)
        for page in document.pages
        for box in page._page_box.descendants()
        if getattr(box, "widget_annotation", None) is not None
    ]
    kids: set[bytes] = set()
    groups: dict[bytes, Any] = {}
    for element, widget in widgets:
        name = element.get(PDF_NAME_ATTRIBUTE)
        if widget.get("FT") == "/Btn" and "Parent" in widget:  # a radio choice
            group = objects[widget["Parent"]]
            groups[widget["Parent"]] = group
            kids.add(widget.reference)
            state = _state_name(element.get("value", ""))
            _tick_box(pdf, widget, objects[next(iter(widget["AP"]["N"].values()))], state)
            widget["AS"] = f"/{state}" if "checked" in element.attrib else "/Off"
            for key in ("T", "TU", "V"):
                widget.pop(key, None)
            if name:
                group["TU"] = pydyf.String(name)
        elif widget.get("FT") == "/Btn":  # a checkbox
            _tick_box(pdf, widget, objects[widget["AP"]["N"]["on"]], "on")
            if name:
                widget["TU"] = pydyf.String(name)
        elif widget.get("FT") == "/Tx":  # a text field
            width = abs(float(widget["Rect"][2]) - float(widget["Rect"][0]))
            height = abs(float(widget["Rect"][3]) - float(widget["Rect"][1]))
            widget["AP"] = pydyf.Dictionary({"N": _blank(pdf, pydyf.Array((0, 0, width, height)), text=True)})
            widget["DA"] = pydyf.String(f"/{FIELD_FONT_NAME} {_font_size(widget.get('DA')):.1f} Tf 0 g")
            if name:
                widget["TU"] = pydyf.String(name)
    for group in groups.values():
        group.pop("Opt", None)  # states are named by their values now
        group["V"] = "/Off"
    form["Fields"] = pydyf.Array(ref for ref in form["Fields"] if ref not in kids)
    form.pop("NeedAppearances", None)
    form["DR"] = pydyf.Dictionary({"Font": pydyf.Dictionary({FIELD_FONT_NAME: font})})
    form["DA"] = pydyf.String(f"/{FIELD_FONT_NAME} 10 Tf 0 g")
    for _, widget in widgets:
        rect = [float(v) for v in widget["Rect"]]  # lower left, upper right, as every program expects
        widget["Rect"] = pydyf.Array(
            (min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3]))
        )


def _tick_box(pdf: Any, widget: Any, drawn: Any, state: str) -> None:
    """A box's appearances: a tick when on (its state named ``state``), nothing when off (the box is printed)."""
    import pydyf

    widget["AP"] = pydyf.Dictionary(
        {"N": pydyf.Dictionary({state: _tick(pdf, drawn), "Off": _blank(pdf, drawn.extra["BBox"])})}
    )
    widget["MK"] = pydyf.Dictionary({"CA": pydyf.String("4")})  # a tick (ZapfDingbats), for programs that redraw


def _font_size(appearance: Any) -> float:
    """The size WeasyPrint gave a field (its CSS font size) in its default appearance string."""
    text = getattr(appearance, "string", b"")
    found = re.search(rb"([\d.]+) Tf", text if isinstance(text, bytes) else str(text).encode())
    return float(found.group(1)) if found else 10.0


@lru_cache(maxsize=1)
def _font_program() -> tuple[bytes, list[int], dict[str, Any]]:
    """The field font's file, its widths for WinAnsi codes 32-255, and its descriptor's metrics."""
    from fontTools.ttLib import TTFont

    data = FIELD_FONT.read_bytes()
    font = TTFont(FIELD_FONT, lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    widths = []
    for code in range(32, 256):
        char = bytes([code]).decode("cp1252", errors="replace")
        glyph = cmap.get(ord(char)) or cmap.get(32)
        widths.append(round(hmtx[glyph][0] * scale))
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    metrics = {
        "FontBBox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "Ascent": round(hhea.ascent * scale),
        "Descent": round(hhea.descent * scale),
        "CapHeight": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
    }
    return data, widths, metrics


def _field_font(pdf: Any) -> bytes:
    """The font fields are filled in: the document's own typeface, whole (not a subset), as a simple
    TrueType font in WinAnsi encoding, which every program that draws a filled field can use."""
    import pydyf

    data, widths, metrics = _font_program()
    program = pydyf.Stream([data], extra={"Length1": len(data)}, compress=True)
    pdf.add_object(program)
    descriptor = pydyf.Dictionary(
        {
            "Type": "/FontDescriptor",
            "FontName": "/AtkinsonHyperlegible-Regular",
            "Flags": 32,
            "FontBBox": pydyf.Array(metrics["FontBBox"]),
            "ItalicAngle": 0,
            "Ascent": metrics["Ascent"],
            "Descent": metrics["Descent"],
            "CapHeight": metrics["CapHeight"],
            "StemV": 80,
            "FontFile2": program.reference,
        }
    )
    pdf.add_object(descriptor)
    font = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/TrueType",
            "BaseFont": "/AtkinsonHyperlegible-Regular",
            "FirstChar": 32,
            "LastChar": 255,
            "Widths": pydyf.Array(widths),
            "Encoding": "/WinAnsiEncoding",
            "FontDescriptor": descriptor.reference,
        }
    )
    pdf.add_object(font)
    return font.reference


class _Objects:
    """pydyf objects by reference (``b"12 0 R"``)."""

    def __init__(self, pdf: Any):
        self.pdf = pdf

    def __getitem__(self, reference: bytes) -> Any:
        return self.pdf.objects[int(reference.split()[0])]


def _state_name(value: str) -> str:
    """A PDF name for a choice's on-state: its value, when the value is a plain name (level ids are)."""
    if value and all(ch in _SAFE_NAME for ch in value) and value != "Off":
        return value
    raise ValueError(f"form choice value {value!r} cannot be a PDF state name")


def _tick(pdf: Any, previous: Any) -> bytes:
    """A tick filling the box, drawn in black: the "on" appearance of a choice or checkbox."""
    import pydyf

    x0, y0, x1, y1 = (float(v) for v in previous.extra["BBox"])
    w, h = abs(x1 - x0), abs(y1 - y0)
    line = max(1.2, min(w, h) * 0.13)
    path = (
        f"q 0 G {line:.2f} w 1 J 1 j {w * 0.2:.2f} {h * 0.52:.2f} m {w * 0.42:.2f} {h * 0.24:.2f} l "
        f"{w * 0.82:.2f} {h * 0.8:.2f} l S Q"
    )
    stream = pydyf.Stream(
        [path.encode("ascii")], extra={"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array((0, 0, w, h))}
    )
    pdf.add_object(stream)
    return stream.reference


def _blank(pdf: Any, bbox: Any, text: bool = False) -> bytes:
    """An appearance that draws nothing: the box itself is printed on the page."""
    import pydyf

    x0, y0, x1, y1 = (float(v) for v in bbox)
    stream = pydyf.Stream(
        [b"/Tx BMC EMC" if text else b""],
        extra={"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array((0, 0, abs(x1 - x0), abs(y1 - y0)))},
    )
    pdf.add_object(stream)
    return stream.reference
