"""Reading scanned, hand-ticked worksheets: pages found, straightened and read, box by box, never guessed.

A scan is a PDF of page images, a PNG, a JPEG or a (multi-page) TIFF. For each
page image:

1. **Find the page.** The four corner marks (ArUco markers, see
   :mod:`profilepress.marks`) name their corners, so a page turned any way
   (upside down too) is found the right way up. At least three are needed. A
   homography from the marks maps the page (mm) to the image, and so corrects
   rotation, skew and scale. The paper (A4 or Letter, either way round) is the
   one whose marks fit best and whose code can be read there; the page's layout
   settles it (:func:`refit`).
2. **Read its code.** The code's region is straightened and decoded by
   OpenCV; failing that, its modules' greys are thresholded and the code drawn
   again clean for the decoder (small codes on a 150 dpi scan are read so).
3. **Read its boxes**, at the places the worksheet's layout gives (kept by the
   build, or made again from the project: :class:`Layouts`), on the page
   straightened to 6 pixels a millimetre, again after a small correction fitted
   on where the printed boxes are found (:func:`refine`); a page whose printed
   boxes are still not where they should be is refused (:func:`registered`).
   Ink is measured against the paper's white: the inner part of each box (0.8 mm
   inside the printed border, averaged over half a millimetre to take the
   scanner's noise away) is

   ========  =====================================================================
   empty     less than 3 % of it has any ink (a tenth of black)
   faint     some ink, but less than 3 % of it dark (half of black): a light
             pencil, a smudge, a mark rubbed out
   ticked    3 % or more of it dark: a tick, a cross, a circle inside the box
   filled    85 % or more of it dark: a box filled in, or scribbled over
   ========  =====================================================================

   and each rating (one round of one activity: a row of boxes) is its one
   ticked or filled box; no box: no answer. **Ambiguous**, and never guessed, are:
   two or more boxes ticked or filled in one row (a box filled in beside a tick
   is a tick crossed out, or two answers: only a person can tell), and a faint
   mark anywhere in the row. Ambiguous ratings await a person's review
   (:mod:`profilepress.review`). A tick crossed out with no other box ticked
   in its row reads as that box ticked (a box filled in is a way of ticking it):
   the instructions ask for one tick a row, and a crossed-out answer beside a new
   one is what the rule catches.

Pages are grouped by worksheet: one scan file is one person's worksheet, its
pages in any order. A page scanned twice, a page from another worksheet or
another version of the profile, and a page whose marks or code cannot be read
are errors naming the file and the page, with what to do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import marks, usercache
from .errors import SourceError
from .messages import N_

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
PDF_DPI = 200  # a scan's PDF pages are drawn at this resolution
PX_MM = 6.0  # the straightened page's resolution, pixels a millimetre
INSET_MM = 0.8  # a box's inner part starts this far inside its printed border
EMPTY, FAINT, TICKED, FILLED = "empty", "faint", "ticked", "filled"
ANY_INK, DARK_INK = 0.1, 0.5  # ink levels (0 paper, 1 black): any mark at all, a pen's stroke
MARKED_SHARE, FILLED_SHARE = 0.03, 0.85
PAPERS_MM = ((297.0, 210.0), (279.4, 215.9), (210.0, 297.0), (215.9, 279.4))
NO_MARKS = "its corner marks cannot be found: none"
RESCAN = "rescan the page at 200 dpi or more, the whole sheet flat on the glass"


@dataclass(frozen=True)
class Ambiguous:
    """A rating (or priority) a person must decide: where it is, why, and the picture of its boxes."""

    key: str  # unique across scans: the file's content hash, its page and the field
    file: Path
    page: int  # the page in the scan file
    field: str
    values: tuple[str, ...]  # the boxes' values, left to right
    reason: str  # in English, marked for translation (N_): translated where shown
    crop: bytes  # PNG of the row's boxes
    boxes: tuple[tuple[float, float], ...]  # each box's centre in the crop, as fractions of its width and height


@dataclass(frozen=True)
class Crop:
    """Handwriting kept as a picture: evidence, notes, a name (there is no OCR)."""

    field: str
    png: bytes
    file: Path
    page: int


@dataclass
class PageReading:
    file: Path
    number: int  # the page in the scan file
    code: marks.PageCode
    fields: dict[str, str] = field(default_factory=dict)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    crops: list[Crop] = field(default_factory=list)
    signature: Any = None  # each box's share of dark ink, to tell a page scanned twice


@dataclass
class ScannedWorksheet:
    """One scan file's pages of one worksheet, read."""

    file: Path
    worksheet: tuple[str, str, str, str]
    pages: list[PageReading]

    @property
    def fields(self) -> dict[str, str]:
        return {k: v for page in self.pages for k, v in page.fields.items()}

    @property
    def ambiguous(self) -> list[Ambiguous]:
        return [a for page in self.pages for a in page.ambiguous]

    @property
    def crops(self) -> list[Crop]:
        return [c for page in self.pages for c in page.crops]


# --- page images from files ----------------------------------------------------------------------


def is_scan(path: Path) -> bool:
    """An image, or a PDF that is not a worksheet made by this tool (no worksheet identity in its metadata)."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return True
    if suffix != ".pdf" or not path.is_file():
        return False
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from .collect import quiet_pypdf

    try:
        with quiet_pypdf():
            return "/profilepressworksheet" not in (PdfReader(path).metadata or {})
    except (PdfReadError, OSError, ValueError):
        return False  # read as a worksheet PDF, which says what is wrong with it


def _scanned_dpi(page: Any) -> float | None:
    """A scanner's PDF page is one image over the whole page: its own resolution (72 to 300 dpi); else None."""
    import pypdfium2.raw as pdfium_c

    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
    width, height = page.get_size()
    if len(images) != 1 or not width or not height:
        return None
    left, bottom, right, top = images[0].get_bounds()
    if (right - left) * (top - bottom) < 0.9 * width * height:
        return None
    pixels, _ = images[0].get_px_size()
    return min(max(pixels / ((right - left) / 72), 72.0), 300.0)


def page_images(path: Path) -> Iterator[list[Any]]:
    """Each page of a scan file as grey images (numpy, uint8): one, or for a PDF page whose scan has another
    resolution than PDF_DPI, two drawings of it (at PDF_DPI, and at the scan's own, read when the first cannot
    be: enlarging helps some scans and blurs others). Raises ValueError when it cannot be read."""
    import numpy as np

    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(str(path))
        except Exception as exc:  # pypdfium2 raises its own PdfiumError
            raise ValueError(f"not a readable PDF ({exc})") from None
        try:
            images = []
            for index in range(len(document)):
                page = document[index]
                drawn = [np.asarray(page.render(scale=PDF_DPI / 72, grayscale=True).to_pil().convert("L"))]
                own = _scanned_dpi(page)
                if own is not None and abs(own - PDF_DPI) > 0.15 * PDF_DPI:  # also at the scan's own resolution
                    drawn.append(np.asarray(page.render(scale=own / 72, grayscale=True).to_pil().convert("L")))
                images.append(drawn)
                page.close()
        except Exception as exc:  # a damaged page: pypdfium2's own errors
            raise ValueError(f"a page of it cannot be drawn ({exc})") from None
        finally:
            document.close()
        yield from images
        return
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(path)
        frames = [
            [np.asarray(frame if frame.mode == "L" else frame.convert("L"))] for frame in ImageSequence.Iterator(image)
        ]
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"not a readable image ({exc})") from None
    yield from frames


# --- finding the page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    code: marks.PageCode
    homography: Any  # page mm → image pixels
    width: float  # the paper, mm
    height: float
    dpi: float
    marks: dict[int, Any]  # the corner marks found: {marker id: its corners in image pixels}


class PageProblem(Exception):
    """A page that cannot be read, and what to do."""

    def __init__(self, message: str, hint: str = RESCAN):
        super().__init__(message)
        self.message, self.hint = message, hint


_DETECTOR: Any = None


def _detector():
    global _DETECTOR
    if _DETECTOR is None:
        import cv2

        params = cv2.aruco.DetectorParameters()
        params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
        _DETECTOR = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), params)
    return _DETECTOR


def find_marks(gray) -> dict[int, Any]:
    """The corner marks in an image: {marker id: its 4 corners in image pixels}.

    Looked for in the image's four corners first (a fifth of its width and a quarter of its height each, the
    page's own corners however it lies on the glass), at about 150 dpi; in the whole image when fewer than
    three are found there."""
    found: dict[int, Any] = {}
    height, width = gray.shape
    h, w = height // 4, width // 5
    for top, left in ((0, 0), (0, width - w), (height - h, width - w), (height - h, 0)):
        for marker, quad in _detect(gray[top : top + h, left : left + w], 1800 / max(gray.shape)).items():
            found.setdefault(marker, quad + (left, top))
    if len(found) < 3:
        found = _detect(gray, 1800 / max(gray.shape))
    return found


def _detect(gray, scale: float) -> dict[int, Any]:
    import cv2
    import numpy as np

    scale = min(1.0, scale)
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    corners, ids, _ = _detector().detectMarkers(small)
    found: dict[int, Any] = {}
    if ids is None:
        return found
    for quad, marker in zip(corners, ids.ravel(), strict=True):
        if 0 <= marker < len(marks.MARKERS) and marker not in found:
            found[int(marker)] = quad.reshape(4, 2).astype(np.float64) / scale
    return found


def fit(found: dict[int, Any], width: float, height: float) -> tuple[Any, float]:
    """The homography (page mm → image pixels) from the marks found, on a paper of this size, and the
    largest distance (pixels) between a mark's corner as found and as the homography puts it."""
    import cv2
    import numpy as np

    src, dst = [], []
    for marker, quad in found.items():
        x, y = marks.marker_position(marker, width, height)
        s = marks.MARK_MM
        src += [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
        dst += list(quad)
    matrix, _ = cv2.findHomography(np.array(src), np.array(dst), 0)
    if matrix is None:
        return None, float("inf")
    projected = cv2.perspectiveTransform(np.array(src).reshape(-1, 1, 2), matrix).reshape(-1, 2)
    return matrix, float(np.abs(projected - np.array(dst)).max())


def locate(gray) -> Located:
    """Where the page is in the image, and its code. Raises PageProblem.

    The paper is the one whose marks fit best among those whose code can be read there (A4 and Letter are
    close once a scan is scaled by a few per cent: the page's layout, found from its code, settles it:
    :func:`refit`)."""
    import numpy as np

    found = find_marks(gray)
    if len(found) < 3:
        raise PageProblem(
            f"{NO_MARKS if not found else 'its corner marks cannot be found'} ({len(found)} of 4 seen)",
            "scan the whole sheet, its four corners inside the scan, at 200 dpi or more",
        )
    side = float(np.mean([np.linalg.norm(q[0] - q[1]) for q in found.values()]))
    dpi = side / marks.MARK_MM * 25.4
    candidates = [(*fit(found, w, h), w, h) for w, h in PAPERS_MM]
    candidates.sort(key=lambda candidate: candidate[1])
    fits = [(m, w, h) for m, error, w, h in candidates if m is not None and error <= max(2.0, side / 6)]
    if not fits:
        raise PageProblem("its corner marks do not make a page of a worksheet (is it folded or curled?)")
    for matrix, width, height in fits:
        text = read_code(gray, matrix, width, height)
        if text is not None:
            break
    else:
        hint = RESCAN if dpi < 190 else "keep the code at the foot of the page clean and flat, and scan it again"
        raise PageProblem(
            f"its code (the small square at its foot) cannot be read (scanned at about {dpi:.0f} dpi)", hint
        )
    code = marks.PageCode.parse(text)
    if code is None:
        raise PageProblem(
            f"its code reads '{text}', which is not a worksheet page's code",
            "give pages of worksheets printed by this tool",
        )
    return Located(code, matrix, width, height, dpi, found)


def refit(located: Located, width: float, height: float) -> Located:
    """The page located again on the paper its layout says it is printed on."""
    if abs(located.width - width) < 0.5 and abs(located.height - height) < 0.5:
        return located
    matrix, _ = fit(located.marks, width, height)
    if matrix is None:
        raise PageProblem("its corner marks do not fit the paper its worksheet is printed on")
    return Located(located.code, matrix, width, height, located.dpi, located.marks)


def read_code(gray, matrix, width: float, height: float) -> str | None:
    """The page code's text, or None.

    The code's region is straightened, 8 pixels a module, and decoded; failing that, each module's grey is
    the mean of its middle, and the modules, thresholded (Otsu's threshold, then a little either side of
    it), are drawn again clean for the decoder; last, a wider region is decoded as it is.
    """
    import cv2
    import numpy as np

    decoder = cv2.QRCodeDetector()
    left, top = marks.code_position(width, height)
    k = 8  # pixels a module
    for n in (25, 29, 21, 33):
        cell = marks.CODE_MM / n
        to_region = np.array([[cell / k, 0, left], [0, cell / k, top], [0, 0, 1]])
        region = cv2.warpPerspective(
            gray, matrix @ to_region, (n * k, n * k), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR
        )
        text = _decode(decoder, cv2.copyMakeBorder(region, 4 * k, 4 * k, 4 * k, 4 * k, cv2.BORDER_CONSTANT, value=255))
        if text:
            return text
        means = region.reshape(n, k, n, k)[:, 2:-2, :, 2:-2].mean(axis=(1, 3))
        otsu, _ = cv2.threshold(means.astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        for offset in (0, -12, 12, -24, 24):
            dark = means < otsu + offset
            clean = np.full(((n + 8) * 6, (n + 8) * 6), 255, np.uint8)
            clean[24 : (4 + n) * 6, 24 : (4 + n) * 6] = np.where(np.kron(dark, np.ones((6, 6), bool)), 0, 255)
            text = _decode(decoder, clean)
            if text:
                return text
    k, margin = 10, 3.0
    to_region = np.array([[1 / k, 0, left - margin], [0, 1 / k, top - margin], [0, 0, 1]])
    side = int((marks.CODE_MM + 2 * margin) * k)
    region = cv2.warpPerspective(gray, matrix @ to_region, (side, side), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR)
    return _decode(decoder, region) or None


def _decode(decoder, image) -> str:
    import cv2

    try:
        text, _, _ = decoder.detectAndDecode(image)
    except cv2.error:  # a pattern it takes for a code, and cannot decode
        return ""
    return text or ""


# --- reading the boxes ---------------------------------------------------------------------------


def straighten(gray, located: Located):
    """The page straightened to PX_MM pixels a millimetre, as ink: 0 paper, 1 black (float32)."""
    import cv2
    import numpy as np

    to_page = np.array([[1 / PX_MM, 0, 0], [0, 1 / PX_MM, 0], [0, 0, 1]])
    size = (int(located.width * PX_MM), int(located.height * PX_MM))
    page = cv2.warpPerspective(
        gray,
        located.homography @ to_page,
        size,
        flags=cv2.WARP_INVERSE_MAP | cv2.INTER_AREA,
        borderMode=cv2.BORDER_REPLICATE,
    )
    sample = page[::4, ::4]
    white = float(np.percentile(sample, 90))
    black = float(np.percentile(sample, 0.5))
    span = max(white - black, 40.0)
    return np.clip((white - page.astype(np.float32)) / span, 0.0, 1.0)


def box_state(ink, box: marks.Box) -> tuple[str, float]:
    """A printed box's state (see the module's table) and its share of dark ink."""
    import cv2

    x0 = int(round((box.x + INSET_MM) * PX_MM))
    y0 = int(round((box.y + INSET_MM) * PX_MM))
    x1 = int(round((box.x + box.width - INSET_MM) * PX_MM))
    y1 = int(round((box.y + box.height - INSET_MM) * PX_MM))
    inner = ink[y0:y1, x0:x1]
    if inner.size == 0:
        return EMPTY, 0.0
    inner = cv2.blur(inner, (3, 3))  # the scanner's noise averaged away, a pen's stroke kept
    dark = float((inner > DARK_INK).mean())
    anything = float((inner > ANY_INK).mean())
    if dark >= FILLED_SHARE:
        return FILLED, dark
    if dark >= MARKED_SHARE:
        return TICKED, dark
    if anything >= MARKED_SHARE:
        return FAINT, dark
    return EMPTY, dark


def registered(ink, boxes: list[marks.Box]) -> float:
    """How well the straightened page fits its layout: the median ink of the tick boxes' printed borders
    (about 0.8 on a page in place; near 0 when the boxes are a millimetre or more away)."""
    import numpy as np

    scores = []
    for box in boxes:
        x0, y0 = int(round(box.x * PX_MM)), int(round(box.y * PX_MM))
        x1, y1 = int(round((box.x + box.width) * PX_MM)), int(round((box.y + box.height) * PX_MM))
        band = 2  # pixels: the border (1.2 CSS px, 0.3 mm) and a little either side of it
        ring = np.concatenate(
            [
                ink[y0 : y0 + band, x0:x1].max(axis=0),
                ink[y1 - band : y1, x0:x1].max(axis=0),
                ink[y0:y1, x0 : x0 + band].max(axis=1),
                ink[y0:y1, x1 - band : x1].max(axis=1),
            ]
        )
        scores.append(float(np.median(ring)) if ring.size else 0.0)
    return float(np.median(scores)) if scores else 1.0


def decide(states: list[tuple[str, str]]) -> tuple[str | None, str]:
    """A row's answer from its boxes' (value, state): (value or None, "") or (None, why it is ambiguous)."""
    marked = [value for value, state in states if state in (TICKED, FILLED)]
    if any(state == FAINT for _, state in states):
        return None, N_("a faint mark")
    if len(marked) > 1:
        if any(state == FILLED for _, state in states):
            return None, N_("a box filled in beside another mark: a tick crossed out, or two answers")
        return None, N_("more than one box ticked")
    return (marked[0] if marked else None), ""


def _png(image) -> bytes:
    import cv2

    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    return bytes(data) if ok else b""


def _picture(ink, x0: float, y0: float, x1: float, y1: float):
    """Part of the straightened page (mm) as a grey image to show a person."""
    import numpy as np

    h, w = ink.shape
    a, b = max(0, int(y0 * PX_MM)), min(h, int(y1 * PX_MM))
    c, d = max(0, int(x0 * PX_MM)), min(w, int(x1 * PX_MM))
    return (255 - ink[a:b, c:d] * 255).astype(np.uint8)


def handwritten(ink, box: marks.Box) -> bool:
    """Whether a writing area holds writing, beyond its printed rules (long horizontal lines)."""
    import cv2
    import numpy as np

    part = ink[
        int(box.y * PX_MM) : int((box.y + box.height) * PX_MM), int(box.x * PX_MM) : int((box.x + box.width) * PX_MM)
    ]
    if part.size == 0:
        return False
    dark = (part > DARK_INK).astype(np.uint8)
    rules = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, int(12 * PX_MM)), np.uint8))
    rest = cv2.morphologyEx(
        dark & (1 - cv2.dilate(rules, np.ones((3, 1), np.uint8))), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)
    )
    return float(rest.mean()) > 0.002


def refine(ink, boxes: list[marks.Box]):
    """Where the printed boxes are on the straightened page, against where the marks put them: the small
    affine correction (3×3, page mm → page mm) that takes the one to the other, fitted on the boxes whose
    printed border is found (RANSAC, so a filled or scribbled box does not pull it); None when too few are.

    The marks are 5 mm squares in the corners: on a blurred 150 dpi scan an error of a pixel in one of them
    moves the middle of the page by half a millimetre; the boxes themselves settle it."""
    import cv2
    import numpy as np

    if not boxes:
        return None
    side = int(round(boxes[0].width * PX_MM))
    template = np.zeros((side, side), np.float32)
    template[:2, :] = template[-2:, :] = template[:, :2] = template[:, -2:] = 1.0
    search = int(round(1.5 * PX_MM))
    src, dst = [], []
    height, width = ink.shape
    for box in boxes:
        x0, y0 = int(round(box.x * PX_MM)) - search, int(round(box.y * PX_MM)) - search
        if x0 < 0 or y0 < 0 or x0 + side + 2 * search > width or y0 + side + 2 * search > height:
            continue
        window = ink[y0 : y0 + side + 2 * search, x0 : x0 + side + 2 * search]
        scores = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
        _, best, _, (dx, dy) = cv2.minMaxLoc(scores)
        if best > 0.6:
            src.append((box.x + box.width / 2, box.y + box.height / 2))
            dst.append(((x0 + dx) / PX_MM + box.width / 2, (y0 + dy) / PX_MM + box.height / 2))
    if len(src) < 6:
        return None
    matrix, inliers = cv2.estimateAffine2D(np.array(src), np.array(dst), ransacReprojThreshold=0.3)
    if matrix is None or int(inliers.sum()) < max(6, len(src) // 2):
        return None
    return np.vstack([matrix, [0.0, 0.0, 1.0]])


def read_page(gray, located: Located, layout: marks.PageLayout, file: Path, number: int, file_key: str) -> PageReading:
    """Every answer on one located page: clear ones as fields, the rest ambiguous; handwriting as pictures."""
    import cv2
    import numpy as np

    ink = straighten(gray, located)
    rows: dict[str, list[marks.Box]] = {}
    for box in layout.boxes:
        if box.value:
            rows.setdefault(box.field, []).append(box)
    correction = refine(ink, [b for boxes in rows.values() for b in boxes])
    if correction is not None:  # the page straightened again, its boxes where they are printed
        located = Located(
            located.code, located.homography @ correction, located.width, located.height, located.dpi, located.marks
        )
        ink = straighten(gray, located)
    reading = PageReading(file, number, located.code)
    for box in layout.boxes:
        if not box.value and handwritten(ink, box):
            x0, y0 = box.x - 1, box.y - 1
            reading.crops.append(
                Crop(
                    box.field, _png(_picture(ink, x0, y0, box.x + box.width + 1, box.y + box.height + 1)), file, number
                )
            )
    if rows and registered(ink, [b for boxes in rows.values() for b in boxes]) < 0.3:
        raise PageProblem(
            "its printed boxes are not where its corner marks put them (is the sheet folded, curled or "
            "cut, or was it printed scaled?)",
            "print the worksheet at actual size, and scan the sheet flat on the glass",
        )
    shares: list[float] = []
    for name, boxes in rows.items():
        boxes.sort(key=lambda b: b.x)
        measured = [box_state(ink, b) for b in boxes]
        shares += [share for _, share in measured]
        states = [(b.value, state) for b, (state, _) in zip(boxes, measured, strict=True)]
        value, why = decide(states)
        if not why:
            if value is not None:
                reading.fields[name] = value
            continue
        x0, x1 = boxes[0].x - 3, boxes[-1].x + boxes[-1].width + 3
        y0, y1 = min(b.y for b in boxes) - 3, max(b.y + b.height for b in boxes) + 3
        centres = tuple(((b.x + b.width / 2 - x0) / (x1 - x0), (b.y + b.height / 2 - y0) / (y1 - y0)) for b in boxes)
        picture = _picture(ink, x0, y0, x1, y1)
        own = np.zeros(picture.shape, bool)  # the row's own boxes shown as scanned, the rest faded
        for b in boxes:
            a, c = max(0, int((b.y - 1 - y0) * PX_MM)), max(0, int((b.x - 1 - x0) * PX_MM))
            own[a : int((b.y + b.height + 1 - y0) * PX_MM), c : int((b.x + b.width + 1 - x0) * PX_MM)] = True
        picture = np.where(own, picture, 255 - (255 - picture.astype(np.float32)) * 0.3).astype(np.uint8)
        picture = cv2.resize(picture, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        reading.ambiguous.append(
            Ambiguous(
                f"{file_key}:{number}:{name}",
                file,
                number,
                name,
                tuple(b.value for b in boxes),
                why,
                _png(picture),
                centres,
            )
        )
    reading.signature = np.array(shares)
    return reading


def file_key(path: Path) -> str:
    """A short hash of a scan file's bytes: a review's answers belong to the scan they were made from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


# --- scan files → worksheets ---------------------------------------------------------------------


LayoutFor = Callable[[marks.PageCode], tuple[marks.PageLayout, str]]  # (the page's layout, its worksheet's name)


def _first_readable(drawings: list[Any], layout_for: LayoutFor) -> tuple[Any, Located, marks.PageLayout, str]:
    """The first drawing of a page that can be located and laid out; else the last one's problem (the scan's
    own resolution: what it says of the resolution is true)."""
    for tried, gray in enumerate(drawings, start=1):
        try:
            located = locate(gray)
            layout, name = layout_for(located.code)
            return gray, refit(located, layout.width, layout.height), layout, name
        except PageProblem:
            if tried == len(drawings):
                raise
    raise PageProblem("holds no page")  # (a page has one drawing at least)


def read_file(path: Path, layout_for: LayoutFor, errors: list[SourceError]) -> list[ScannedWorksheet]:
    """One scan file's pages, located, checked and read; problems added to ``errors`` by page."""
    try:
        images = list(page_images(path))
    except ValueError as exc:
        errors.append(SourceError(path, 0, 0, str(exc), hint="give scans as PDF, PNG, JPEG or TIFF files"))
        return []
    if not images:
        errors.append(SourceError(path, 0, 0, "holds no pages"))
        return []
    key = file_key(path)
    readings: list[PageReading] = []
    names: dict[tuple, str] = {}
    problems: list[SourceError] = []
    unmarked = 0
    for number, drawings in enumerate(images, start=1):
        try:
            gray, located, layout, name = _first_readable(drawings, layout_for)
        except PageProblem as problem:
            unmarked += problem.message.startswith(NO_MARKS)
            problems.append(SourceError(path, 0, 0, f"page {number}: {problem.message}", hint=problem.hint))
            continue
        names[located.code.worksheet] = name
        readings.append(read_page(gray, located, layout, path, number, key))
    if unmarked == len(images):  # not one mark on any page: not a scan of a printed worksheet at all
        errors.append(
            SourceError(
                path,
                0,
                0,
                "not a worksheet made by this tool: it carries no worksheet identity, and no page of it shows "
                "a printed worksheet's corner marks (a fillable worksheet printed on paper has none either)",
                hint="to fill in on paper, print the printable worksheet (the PDF without -fillable in its name) "
                "and scan it at 200 dpi or more; or give filled worksheet PDFs or saved answers",
            )
        )
        return []
    errors += problems
    if not readings:
        return []
    by_sheet: dict[tuple, list[PageReading]] = {}
    for reading in readings:
        by_sheet.setdefault(reading.code.worksheet, []).append(reading)
    main = max(by_sheet, key=lambda sheet: len(by_sheet[sheet]))
    for sheet, pages in by_sheet.items():
        if sheet == main:
            continue
        for page in pages:
            errors.append(
                SourceError(
                    path,
                    0,
                    0,
                    f"page {page.number}: is a page of another worksheet ({names[sheet]}) than the file's other "
                    f"pages ({names[main]})",
                    hint="scan each person's worksheet into a file of its own, and take this page out",
                )
            )
    pages = by_sheet[main]
    seen: dict[int, PageReading] = {}
    for page in pages:
        first = seen.get(page.code.page)
        if first is not None:
            errors.append(
                SourceError(
                    path,
                    0,
                    0,
                    f"page {page.number}: is page {page.code.page} of the worksheet again (also page {first.number} "
                    "of this file): scanned twice, or two people's pages in one file",
                    hint="take out the page scanned twice; scan each person's worksheet into a file of its own",
                )
            )
            continue
        seen[page.code.page] = page
    return [ScannedWorksheet(path, main, sorted(seen.values(), key=lambda p: p.code.page))]


def twice(worksheets: list[ScannedWorksheet]) -> list[SourceError]:
    """Pages scanned twice into two files: the same page of the same worksheet, with the same ink in every box
    (each box's share of dark ink within 3 points, two boxes ticked at least: two people's ticks differ more)."""
    import numpy as np

    errors = []
    pages = [(w.file, p) for w in worksheets for p in w.pages]
    for i, (file_a, a) in enumerate(pages):
        for file_b, b in pages[i + 1 :]:
            if file_a == file_b or a.code != b.code or a.signature is None or b.signature is None:
                continue
            if a.signature.shape != b.signature.shape or (a.signature >= MARKED_SHARE).sum() < 2:
                continue
            if float(np.abs(a.signature - b.signature).max()) < 0.03:
                errors.append(
                    SourceError(
                        file_b,
                        0,
                        0,
                        f"page {b.number}: the same page as page {a.number} of {a.file.name}, scanned twice",
                        hint="give each page once",
                    )
                )
    return errors


# --- the layout of a page, from the project ------------------------------------------------------


class Layouts:
    """Each printed worksheet's layout, made again from the project: the worksheet a page code names is
    rendered as the build renders it (once per worksheet), and its boxes are those WeasyPrint lays out.

    A page is refused, not misread, when the profile's words differ from those printed (the fingerprint) or
    when its boxes would not be where they were printed (the layout hash: another engine or font)."""

    def __init__(self, project: Any, inputs: Any, options: Any):
        self.project, self.inputs, self.options = project, inputs, options
        self.made: dict[tuple, tuple[list[marks.PageLayout], Any, str]] = {}
        self.rendered: set[tuple] = set()

    def worksheet(self, code: marks.PageCode) -> tuple[list[marks.PageLayout], Any, str]:
        """(each page's layout, the worksheet's identity, its name) for the worksheet a page code names.

        The layout is the one the build kept (in the user's cache, profilepress.usercache) when it printed
        that worksheet on this machine, else made again; either is used only for a page whose boxes it puts
        where the page's code says they were printed (its layout hash), and a kept one that does not is
        made again."""
        if code.worksheet not in self.made:
            identity, name = self._identity(code)
            kept = usercache.read(marks.cache_name(code))
            pages = marks.from_record(kept) if kept is not None else None
            self.made[code.worksheet] = (pages if pages is not None else self._render(code), identity, name)
        return self.made[code.worksheet]

    def __call__(self, code: marks.PageCode) -> tuple[marks.PageLayout, str]:
        if code.version != marks.LAYOUT_VERSION:
            raise PageProblem(f"its code is of layout version {code.version}, which this tool does not read")
        pages, identity, name = self.worksheet(code)
        fits = 1 <= code.page <= len(pages) and pages[code.page - 1].key == code.layout
        if not fits and code.worksheet not in self.rendered:
            pages = self._render(code)
            self.made[code.worksheet] = (pages, identity, name)
        if not 1 <= code.page <= len(pages):
            raise PageProblem(f"its code says page {code.page}, and {name} has {len(pages)} pages")
        layout = pages[code.page - 1]
        if layout.key != code.layout:
            raise PageProblem(
                f"it is page {code.page} of {name}, but its boxes are not where this version of the tool puts "
                "them (printed with other fonts or another version of the tool)",
                "collect it with the version of the tool that printed it",
            )
        return layout, name

    def _identity(self, code: marks.PageCode) -> tuple[Any, str]:
        """The worksheet's identity and name, after checking that the profile's words are those printed."""
        from . import forms

        scope, scale, _ = self._target(code)
        profile = self.inputs.profile
        name = "the whole-profile worksheet" if scope.kind == "profile" else f"the worksheet for {scope.code}"
        identity = forms.identity(profile, self.inputs.scales[scale], scope.competencies(profile))
        if identity.fingerprint[:8].upper() != code.fingerprint:
            raise PageProblem(
                f"it is a page of {name} as printed from another version of the profile (its activities' words "
                "or codes have changed since)",
                "collect it with the profile sources it was printed from (--source), or print the worksheet again",
            )
        return identity, name

    def _render(self, code: marks.PageCode) -> list[marks.PageLayout]:
        from dataclasses import replace

        from .document import render_target
        from .project import Target
        from .render import Renderer

        scope, scale, (brand, lang, paper) = self._target(code)
        target = Target(f"worksheets/{scope.slug}.pdf", "worksheet", "pdf", brand, paper, scope=scope, translation=lang)
        rendered = render_target(
            Renderer(self.project.templates_dir), self.project, self.inputs, target, replace(self.options, scale=scale)
        )
        self.rendered.add(code.worksheet)
        return rendered.layout

    def _target(self, code: marks.PageCode) -> tuple[Any, str, tuple[str, str | None, str]]:
        """The scope, scale and edition (brand, language, paper) a page code names, found in the project."""
        from .model import scopes
        from .pdf import PAPER_SIZES

        profile = self.inputs.profile
        found = [
            scope
            for kind in ("profile", "domain", "competency")
            for scope in scopes(profile, kind)
            if (scope.code or "ALL") == code.scope
        ]
        scale = next((s for s in self.inputs.scales if marks.scale_key(s) == code.scale), None)
        editions = [
            (brand, lang, paper)
            for brand in self.inputs.brands
            for lang in (None, *self.inputs.translated)
            for paper in PAPER_SIZES
            if marks.edition_key(brand, lang, paper) == code.edition
        ]
        if not found:
            raise PageProblem(
                f"it is a page of a worksheet for {code.scope}, which the profile no longer has",
                "collect it with the profile sources it was printed from (--source)",
            )
        if scale is None or not editions:
            what = "rating scale" if scale is None else "brand, language or paper"
            raise PageProblem(
                f"it was printed with a {what} this project does not have",
                "collect it in the project that printed it",
            )
        return found[0], scale, editions[0]
