"""PDF stage: HTML → PDF bytes through WeasyPrint, safely and reproducibly.

* Resources are fetched by :class:`SafeFetcher` only: files inside the allowed
  folders (templates, fonts, brands) and ``data:`` URIs. Anything else — another
  file, any network URL — fails the build with a message naming the resource,
  rather than giving a PDF silently missing its logo.
* No attachments: HTML asking WeasyPrint to embed a file is refused.
* Tagged PDF/UA-1 with the document's title shown in the window and its language, and each passage in
  another language tagged with it (:func:`profilepress.pdftags.tag_languages`).
* The same HTML gives the same bytes: the identifier is a hash of the HTML,
  dates come only from the HTML (SOURCE_DATE_EPOCH), fonts are subset by
  HarfBuzz (fontTools' fallback stamps the current time into each font).
* Rendering returns bytes; nothing is written here (see :mod:`profilepress.write`).

WeasyPrint is imported only when a PDF is made: importing it costs about a second.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import acroform, fontconfig, marks, pdftags
from .errors import UserError

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}  # width, height (portrait)
BLEED = "3mm"
PDF_VARIANT = "pdf/ua-1"

_ATTACHMENT = re.compile(r"<(?:link|a)\b[^>]*\brel\s*=\s*[\"']?[^\"'>]*\battachment\b", re.IGNORECASE)


@dataclass(frozen=True)
class PrintOptions:
    """How a document is put on paper."""

    paper: str = "a4"  # a key of PAPER_SIZES
    marks: bool = False  # add 3 mm bleed and crop marks for a print shop

    def __post_init__(self) -> None:
        if self.paper not in PAPER_SIZES:
            raise UserError(f"unknown paper size '{self.paper}'; choose one of: {', '.join(PAPER_SIZES)}")

    def context(self) -> dict:
        """What templates need to lay out the page."""
        width, height = PAPER_MM[self.paper]
        return {
            "paper": PAPER_SIZES[self.paper],
            "marks": self.marks,
            "bleed": BLEED,
            "width_mm": width,
            "height_mm": height,
        }


@dataclass
class RenderLog:
    """What a render fetched, refused and warned about (for dependencies, errors and --strict)."""

    fetched: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    page_tops: list[str] = field(default_factory=list)  # elements (by id) with nothing laid out above them
    room_below: dict[str, float] = field(default_factory=dict)  # mm from an element's foot to its page's
    layout: list[marks.PageLayout] = field(default_factory=list)  # each page's boxes, when it carries page codes


class _Collect(logging.Handler):
    def __init__(self, into: list[str]):
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(short(record.getMessage()))


_DATA_URL = re.compile(r"data:([\w.+/-]*)[;,][^\s'\"]*")
MAX_WARNING = 300


def short(message: str) -> str:
    """A warning fit to print: a data: URL shown by its type and length, never whole; at most 300 characters."""
    message = " ".join(message.split())  # one line
    message = _DATA_URL.sub(lambda m: f"data:{m.group(1) or 'text/plain'},… ({len(m.group(0)):,} characters)", message)
    return message if len(message) <= MAX_WARNING else message[: MAX_WARNING - 1] + "…"


def make_fetcher(allowed_dirs: list[Path], log: RenderLog):
    """A WeasyPrint URL fetcher that serves only local files under ``allowed_dirs`` and data: URIs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = [Path(d).resolve() for d in allowed_dirs]

    class SafeFetcher(URLFetcher):
        def __init__(self) -> None:
            # fail_on_errors: any refusal stops the render instead of a silent warning.
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True, timeout=5)

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                return self._refuse(
                    url,
                    "only files inside the project's template, font and brand "
                    "folders may be used; network URLs are never fetched",
                )
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path == root or root in path.parents for root in roots):
                return self._refuse(url, "the file is outside the template, font and brand folders")
            if not path.is_file():
                return self._refuse(url, "the file does not exist")
            log.fetched.append(path)
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

        def _refuse(self, url: str, why: str):
            log.refused.append(f"{url}: {why}")
            raise PermissionError(f"{url}: {why}")

    return SafeFetcher()


def _identifier(html: str, forms: bool = False) -> bytes:
    """The PDF's /ID, from its content: the HTML and what turns it into PDF.

    (WeasyPrint's own content hash, ``pdf_identifier=True``, serialises the
    whole PDF a second time; hashing the input is as stable and much cheaper.)
    """
    import weasyprint

    digest = hashlib.sha256(f"{weasyprint.__version__}\0{PDF_VARIANT}\0{forms}\0{html}".encode())
    return digest.hexdigest()[:32].encode("ascii")


def _page_tops(anchors: dict[str, tuple[float, float, float, float]]) -> list[str]:
    """The elements on a page that nothing else on it is laid out above: they start the page.

    (Elements that contain them, such as their section, start there too.)
    """
    return [
        name
        for name, (_, top, _, _) in anchors.items()
        if not any(bottom <= top + 0.5 for _, _, _, bottom in anchors.values())
    ]


def _room_below(page) -> dict[str, float]:
    """For each element (by id) on a page, the room under it to the foot of the page's content area, in mm."""
    box = page._page_box
    foot = box.content_box_y() + box.height
    return {name: (foot - bottom) * 25.4 / 96 for name, (_, _, _, bottom) in page.anchors.items()}


def _finisher(forms: bool, codes: list[marks.PageCode] | None = None, pages: list[marks.PageLayout] | None = None):
    """Repairs made on the PDF's objects before they are written: table headers, and the form; and each
    page's corner marks and code, when it carries them."""

    def finish(document, pdf) -> None:
        pdftags.repair_tables(pdf)
        if forms:
            acroform.repair(document, pdf)
        if codes is not None and pages is not None:
            marks.draw(pdf, codes, pages)

    return finish


def html_to_pdf(
    html: str,
    base_dir: Path,
    allowed_dirs: list[Path],
    log: RenderLog | None = None,
    *,
    forms: bool = False,
    custom_metadata: bool = False,
    relayout: Callable[[list[str], dict[str, float]], str | None] | None = None,
    page_codes: dict[str, str] | None = None,
) -> bytes:
    """Render HTML to PDF bytes. Relative URLs resolve against ``base_dir``.

    ``forms`` turns HTML inputs into PDF form fields; ``custom_metadata`` copies
    the document's own ``<meta>`` names into the PDF's information dictionary.
    ``relayout``: given the ids of the elements that start a page in a layout,
    and the room under each element to the foot of its page (mm), None to keep
    the layout, or other HTML to lay out instead (the PDF is written once).
    ``page_codes``: what every page's code shares (:func:`profilepress.marks.base_code`); each page then
    gets corner marks and its code, and ``log.layout`` the boxes of each page (:mod:`profilepress.marks`).
    """
    if _ATTACHMENT.search(html):
        raise UserError("the document asks to embed a file as a PDF attachment; attachments are not allowed")
    weasyprint = fontconfig.weasyprint()  # only the vendored fonts, never the machine's
    pdftags.tag_languages()  # a passage's lang reaches its structure element
    from weasyprint.text.ffi import harfbuzz_subset
    from weasyprint.urls import FatalURLFetchingError

    if harfbuzz_subset is None:
        raise UserError(
            "the HarfBuzz subset library (libharfbuzz-subset0) is missing, so PDFs would not be "
            "reproducible; run 'make' or scripts/install-system-deps.sh"
        )
    log = log if log is not None else RenderLog()
    fetcher = make_fetcher(allowed_dirs, log)
    logger = logging.getLogger("weasyprint")
    collect = _Collect(log.warnings)
    logger.addHandler(collect)
    base_url = base_dir.resolve().as_uri() + "/"
    try:
        while True:
            log.warnings.clear()
            options = {
                "pdf_variant": PDF_VARIANT,
                "pdf_identifier": _identifier(html, forms),
                "pdf_forms": forms,
                "custom_metadata": custom_metadata,
            }
            document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
            log.page_tops = [name for page in document.pages for name in _page_tops(page.anchors)]
            log.room_below = {name: room for page in document.pages for name, room in _room_below(page).items()}
            again = relayout(log.page_tops, log.room_below) if relayout is not None else None
            if again is None:
                break
            if _ATTACHMENT.search(again):
                raise UserError("the document asks to embed a file as a PDF attachment; attachments are not allowed")
            html, document = again, None  # the first layout is let go before the second is made
        log.pages = len(document.pages)
        codes = None
        if page_codes is not None:
            log.layout = marks.layout(document)
            codes = marks.codes(page_codes, log.layout)
        return document.write_pdf(finisher=_finisher(forms, codes, log.layout), **options)
    except FatalURLFetchingError as exc:
        reason = log.refused[-1] if log.refused else str(exc.__cause__ or exc)
        raise UserError(f"resource refused: {reason}") from None
    finally:
        logger.removeHandler(collect)
