"""What makes a printed worksheet readable by a machine: corner marks, a page code, and the layout record.

Every page of a printable worksheet PDF carries, in its margins and outside
the text, four corner marks (ArUco markers 0–3 of the 4×4 dictionary, 5 mm,
6 mm from the paper's edges: top left, top right, bottom right, bottom left)
and, centred at the foot, an 11 mm QR code: the page's identity, as
``PP1:<scope>:<fingerprint>:<scale><edition>:<page>:<layout>``::

    PP1          the layout version (how marks, code and boxes are placed)
    scope        ALL for the whole profile, else the domain's or competency's code (D1, C12)
    fingerprint  the first 8 hex digits of the worksheet's fingerprint (its competencies' codes and words)
    scale        4 hex digits of a hash of the rating scale's id
    edition      4 hex digits of a hash of the brand, the translation's language and the paper
    page         the page's number in the worksheet
    layout       6 hex digits of a hash of where the page's boxes are

Nothing else is needed to read a scan: :mod:`profilepress.scan` finds the
marks, reads the code, renders the same worksheet again from the project
(the scale, brand, language and paper found by their hashes) and takes the
boxes' places from that layout, after checking that the page's boxes are where
its code says (the layout hash) and that the profile's words are those printed
(the fingerprint). The marks and the code are drawn as vectors, as artifacts
(not part of the tagged content), into each page after WeasyPrint's layout.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

LAYOUT_VERSION = "PP1"
MARK_MM = 5.0  # an ArUco marker's side, its black border included (6 cells)
MARK_INSET_MM = 6.0  # from the paper's edges to the marker's outer side
CODE_MM = 11.0  # the QR code's side
CODE_FOOT_MM = 6.2  # from the paper's foot to the code's lower side
# ArUco 4×4 (DICT_4X4_50) markers 0 to 3, 6 × 6 cells row by row, 1 black (tests/test_scans.py checks them
# against OpenCV's dictionary): 0 top left, 1 top right, 2 bottom right, 3 bottom left.
MARKERS = (
    "111111101001110101111001111011111111",
    "111111111111100001101101101011111111",
    "111111111001111001111011100101111111",
    "111111101101101101110111110011111111",
)
SCAN_FIELD = "data-scan"  # on a printed box or writing area: the form field it stands for
SCAN_VALUE = "data-scan-value"  # on a printed box: the value a tick in it gives
PX_MM = 25.4 / 96  # a CSS pixel in mm


def short_hash(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:digits].upper()


def scale_key(scale: str) -> str:
    return short_hash(f"scale\0{scale}", 4)


def edition_key(brand: str, lang: str | None, paper: str) -> str:
    return short_hash(f"edition\0{brand}\0{lang or ''}\0{paper}", 4)


@dataclass(frozen=True)
class PageCode:
    """A printed page's identity, as its QR code carries it."""

    scope: str  # ALL, or a domain's or competency's code
    fingerprint: str  # 8 hex digits
    scale: str  # scale_key
    edition: str  # edition_key
    page: int
    layout: str  # layout_key of the page's boxes
    version: str = LAYOUT_VERSION

    def text(self) -> str:
        return f"{self.version}:{self.scope}:{self.fingerprint}:{self.scale}{self.edition}:{self.page}:{self.layout}"

    @property
    def worksheet(self) -> tuple[str, str, str, str]:
        """What the page is a page of: the same for every page of one printed worksheet."""
        return (self.scope, self.fingerprint, self.scale, self.edition)

    @classmethod
    def parse(cls, text: str) -> PageCode | None:
        found = re.fullmatch(
            r"(PP\d+):([A-Z0-9.]+):([0-9A-F]{8}):([0-9A-F]{4})([0-9A-F]{4}):(\d{1,3}):([0-9A-F]{6})", text
        )
        if found is None:
            return None
        version, scope, fp, scale, edition, page, layout = found.groups()
        return cls(scope, fp, scale, edition, int(page), layout, version)


def base_code(html: str, scope_code: str, scale: str, brand: str, lang: str | None, paper: str) -> dict[str, str]:
    """What every page of one worksheet's code shares, from its HTML (the identity it carries) and its target."""
    found = re.search(r'<meta name="profilepress-worksheet" content="([^"]*)"', html)
    if found is None:
        raise ValueError("a worksheet without its identity cannot carry page codes")
    import json

    fingerprint = json.loads(html_lib.unescape(found.group(1)))["fingerprint"]
    return {
        "scope": scope_code or "ALL",
        "fingerprint": fingerprint[:8].upper(),
        "scale": scale_key(scale),
        "edition": edition_key(brand, lang, paper),
    }


# --- the layout record ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A printed box (``value`` set: a tick in it means that value) or writing area (``value`` empty), in mm
    from the page's top left corner."""

    field: str
    value: str
    x: float
    y: float
    width: float
    height: float

    def as_list(self) -> list:
        return [self.field, self.value, self.x, self.y, self.width, self.height]


@dataclass(frozen=True)
class PageLayout:
    width: float  # the page's size, mm
    height: float
    boxes: tuple[Box, ...]

    @property
    def key(self) -> str:
        """A hash of where the page's boxes are, to the tenth of a millimetre (tick boxes only)."""
        text = ";".join(f"{b.field}={b.value}@{b.x:.1f},{b.y:.1f},{b.width:.1f}" for b in self.boxes if b.value)
        return short_hash(f"{self.width:.1f}x{self.height:.1f};{text}", 6)


def layout(document: Any) -> list[PageLayout]:
    """Each page's printed boxes and writing areas, from WeasyPrint's laid-out document."""
    pages = []
    for page in document.pages:
        box = page._page_box
        found = []
        for child in box.descendants():
            element = getattr(child, "element", None)
            if element is None or SCAN_FIELD not in element.attrib or child.element_tag not in ("span",):
                continue
            if getattr(child, "is_for_root_element", False):
                continue
            found.append(
                Box(
                    element.get(SCAN_FIELD),
                    element.get(SCAN_VALUE, ""),
                    round(child.border_box_x() * PX_MM, 2),
                    round(child.border_box_y() * PX_MM, 2),
                    round(child.border_width() * PX_MM, 2),
                    round(child.border_height() * PX_MM, 2),
                )
            )
        unique = tuple(dict.fromkeys(found))  # a box split into fragments is listed once per fragment
        pages.append(PageLayout(round(box.margin_width() * PX_MM, 2), round(box.margin_height() * PX_MM, 2), unique))
    return pages


def cache_name(base: dict[str, str] | PageCode) -> str:
    """The user cache's entry for a worksheet's layout record (profilepress.usercache)."""
    if isinstance(base, PageCode):
        scope, fp, scale, edition = base.worksheet
    else:
        scope, fp, scale, edition = base["scope"], base["fingerprint"], base["scale"], base["edition"]
    return f"layout-{LAYOUT_VERSION}-{scope}-{fp}-{scale}{edition}.json".lower()


def record(pages: list[PageLayout]) -> bytes:
    """A worksheet's layout record, as JSON."""
    import json

    data = [{"size": [p.width, p.height], "boxes": [b.as_list() for b in p.boxes]} for p in pages]
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def from_record(data: bytes) -> list[PageLayout] | None:
    """A layout record read back; None when it is not one."""
    import json

    try:
        pages = json.loads(data)
        return [
            PageLayout(
                float(p["size"][0]),
                float(p["size"][1]),
                tuple(Box(str(f), str(v), float(x), float(y), float(w), float(h)) for f, v, x, y, w, h in p["boxes"]),
            )
            for p in pages
        ]
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def codes(base: dict[str, str], pages: list[PageLayout]) -> list[PageCode]:
    return [PageCode(page=n, layout=p.key, **base) for n, p in enumerate(pages, start=1)]


# --- drawing -------------------------------------------------------------------------------------


def marker_position(index: int, width: float, height: float) -> tuple[float, float]:
    """The top left corner of marker ``index`` on a page (mm from the page's top left)."""
    near, far_x, far_y = MARK_INSET_MM, width - MARK_INSET_MM - MARK_MM, height - MARK_INSET_MM - MARK_MM
    return ((near, near), (far_x, near), (far_x, far_y), (near, far_y))[index]


def code_position(width: float, height: float) -> tuple[float, float]:
    """The QR code's top left corner (mm)."""
    return ((width - CODE_MM) / 2, height - CODE_FOOT_MM - CODE_MM)


def qr_matrix(text: str) -> list[list[int]]:
    import segno

    code = segno.make_qr(text, error="m", boost_error=False)
    return [list(row) for row in code.matrix]


def _cells(matrix: list[list[int]] | list[str], x: float, y: float, cell: float, height: float) -> list[str]:
    """PDF rectangles for a matrix's dark cells (runs in a row joined), in points, y up."""
    pt = 72 / 25.4
    ops = []
    for r, row in enumerate(matrix):
        c = 0
        cells = [int(str(v)) for v in row]
        while c < len(cells):
            if not cells[c]:
                c += 1
                continue
            start = c
            while c < len(cells) and cells[c]:
                c += 1
            left, top = x + start * cell, y + r * cell
            ops.append(
                f"{left * pt:.3f} {(height - top - cell) * pt:.3f} {(c - start) * cell * pt:.3f} {cell * pt:.3f} re"
            )
    return ops


def page_marks(code: PageCode, width: float, height: float) -> bytes:
    """The content stream that draws one page's corner marks and code, as an artifact."""
    ops = ["/Artifact BMC", "q", "0 g"]
    for index, bits in enumerate(MARKERS):
        mx, my = marker_position(index, width, height)
        rows = [bits[i : i + 6] for i in range(0, 36, 6)]
        ops += _cells(rows, mx, my, MARK_MM / 6, height)
    matrix = qr_matrix(code.text())
    cx, cy = code_position(width, height)
    ops += _cells(matrix, cx, cy, CODE_MM / len(matrix), height)
    ops += ["f", "Q", "EMC"]
    return "\n".join(ops).encode("ascii")


def draw(pdf: Any, codes_: list[PageCode], pages: list[PageLayout]) -> None:
    """Add each page's marks to ``pdf`` (a pydyf.PDF, in WeasyPrint's finisher), after its own content."""
    import pydyf

    numbers = pdf.pages["Kids"][::3]
    for number, code, page in zip(numbers, codes_, pages, strict=True):
        page_object = pdf.objects[number]
        before = pydyf.Stream([b"q"])
        after = pydyf.Stream([b"Q", page_marks(code, page.width, page.height)])
        pdf.add_object(before)
        pdf.add_object(after)
        contents = page_object["Contents"]
        existing = list(contents) if isinstance(contents, pydyf.Array) else [contents]
        page_object["Contents"] = pydyf.Array([before.reference, *existing, after.reference])
