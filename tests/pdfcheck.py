"""Reading PDFs back: their text as a reader copies it (PyMuPDF, fast), and their structure, fields and
tags the way an accessibility checker reads them.

The tag-tree functions take a PDF opened with pypdf (``PdfReader``) or with pikepdf (``pikepdf.Pdf``, qpdf's
parser: a tenth of pypdf's time on a large tag tree); the text of tagged elements needs pypdf.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pypdf import PdfReader

PDF = PdfReader | pikepdf.Pdf


def _list(value) -> list:
    """A /K (one kid, or an array of them, or none) as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | pikepdf.Array) else [value]


def resolved(value):
    """An object itself, when pypdf gives a reference to it (pikepdf resolves references as it reads)."""
    return value.get_object() if hasattr(value, "get_object") else value


def _is_dictionary(value) -> bool:
    return isinstance(value, dict | pikepdf.Dictionary)


def root_of(pdf: PDF):
    """The document's catalogue (/Root)."""
    return pdf.Root if isinstance(pdf, pikepdf.Pdf) else pdf.trailer["/Root"]


def _page_numbers(pdf: PDF) -> dict[int, int]:
    """Each page's object number → its index."""
    if isinstance(pdf, pikepdf.Pdf):
        return {page.obj.objgen[0]: i for i, page in enumerate(pdf.pages)}
    return {page.indirect_reference.idnum: i for i, page in enumerate(pdf.pages)}


def page_texts(pdf: Path | bytes) -> list[str]:
    """Each page's text, as a PDF viewer's "copy text" gives it (MuPDF's extraction: a tenth of pypdf's time)."""
    import pymupdf

    document = pymupdf.open(pdf) if isinstance(pdf, Path) else pymupdf.open(stream=pdf, filetype="pdf")
    with document:
        return [page.get_text() for page in document]


def structure_elements(reader: PDF):
    """Every element of the tag tree, depth first: (role, element dictionary)."""
    stack = [resolved(root_of(reader)["/StructTreeRoot"])]
    while stack:
        node = stack.pop()
        if "/S" in node:
            yield str(node["/S"]), node
        for kid in reversed(_list(node.get("/K"))):
            kid = resolved(kid)
            if _is_dictionary(kid):
                stack.append(kid)


def figures_without_alt(reader: PDF) -> int:
    """How many tagged figures (images) have no alternative text."""
    return sum(
        1 for role, node in structure_elements(reader) if role == "/Figure" and not str(node.get("/Alt", "")).strip()
    )


def figure_count(reader: PDF) -> int:
    return sum(1 for role, _ in structure_elements(reader) if role == "/Figure")


# --- what a screen reader hears: text of tagged elements, tables and their headers ------------------


def marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text of every marked-content sequence: (page index, MCID) → text, as the content streams draw it."""
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(reader.pages):
        stack: list = []

        def before(operator, operands, cm, tm, stack=stack):
            if operator == b"BDC":
                properties = operands[1] if len(operands) > 1 else None
                mcid = properties.get("/MCID") if hasattr(properties, "get") else None
                stack.append(int(mcid) if mcid is not None else None)
            elif operator == b"BMC":
                stack.append(None)
            elif operator == b"EMC" and stack:
                stack.pop()

        def text(value, cm, tm, font, size, stack=stack, index=index):
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is not None and value:
                texts[(index, mcid)] = texts.get((index, mcid), "") + value

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def element_text(reader: PdfReader, element, texts: dict[tuple[int, int], str], pages: dict | None = None) -> str:
    """The text inside a tagged element, in order (its marked content, and its children's)."""
    pages = pages if pages is not None else {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    page = element.get("/Pg")
    page_index = pages.get(page.idnum) if page is not None else None
    kids = element.get("/K")
    kids = kids if isinstance(kids, list) else ([] if kids is None else [kids])
    parts = []
    for kid in kids:
        if isinstance(kid, int):
            parts.append(texts.get((page_index, kid), ""))
            continue
        kid = kid.get_object()
        if not hasattr(kid, "get"):
            continue
        if kid.get("/Type") == "/MCR":
            parts.append(texts.get((pages.get(kid["/Pg"].idnum, page_index), int(kid["/MCID"])), ""))
        elif "/S" in kid:
            parts.append(element_text(reader, kid, texts, pages))
    return " ".join(" ".join(p.split()) for p in parts if p.strip())


def languages(reader: PdfReader) -> list[tuple[str, str]]:
    """Every piece of marked text with the language the tags give it: the nearest ``/Lang`` among the
    elements it is tagged in, else the document's (as a screen reader chooses its voice), in tag order."""
    texts = marked_text(reader)
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    root = reader.trailer["/Root"]
    found: list[tuple[str, str]] = []

    def walk(node, lang: str, page_index) -> None:
        lang = str(node.get("/Lang", lang))
        page = node.get("/Pg")
        page_index = pages.get(page.idnum, page_index) if page is not None else page_index
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else ([] if kids is None else [kids]):
            if isinstance(kid, int):
                text = " ".join(texts.get((page_index, kid), "").split())
                if text:
                    found.append((text, lang))
                continue
            kid = kid.get_object()
            if hasattr(kid, "get") and kid.get("/Type") == "/MCR":
                text = " ".join(texts.get((pages.get(kid["/Pg"].idnum, page_index), int(kid["/MCID"])), "").split())
                if text:
                    found.append((text, lang))
            elif hasattr(kid, "get") and "/S" in kid:
                walk(kid, lang, page_index)

    walk(root["/StructTreeRoot"].get_object(), str(root.get("/Lang", "")), None)
    return found


def _children(node, roles: tuple[str, ...]) -> list:
    found = []
    for kid in _list(node.get("/K")):
        kid = resolved(kid)
        if _is_dictionary(kid) and str(kid.get("/S")) in roles:
            found.append(kid)
    return found


def _widgets(node) -> list:
    """Widget annotations tagged inside an element (through its Form children)."""
    found = []
    for kid in _list(node.get("/K")):
        kid = resolved(kid)
        if not _is_dictionary(kid):
            continue
        if kid.get("/Type") == "/OBJR":
            found.append(resolved(kid["/Obj"]))
        elif "/S" in kid:
            found += _widgets(kid)
    return found


def tables(reader: PDF, with_text: bool = True) -> list[list[dict]]:
    """Every tagged table as its cells laid out on a grid, as an assistive technology lays them out.

    Each cell: role (TH/TD), row, col, rows, cols, text (when asked for: a pypdf reader), id, headers (the
    /Headers ids), scope and widgets.
    """
    assert not with_text or isinstance(reader, PdfReader), "the text of tagged elements is read with pypdf"
    texts = marked_text(reader) if with_text else {}
    pages = _page_numbers(reader)
    result = []
    for role, table in structure_elements(reader):
        if role != "/Table":
            continue
        rows = []
        for part in _children(table, ("/THead", "/TBody", "/TFoot", "/TR")):
            rows += [part] if part["/S"] == "/TR" else _children(part, ("/TR",))
        taken, cells = set(), []
        for i, row in enumerate(rows):
            j = 0
            for cell in _children(row, ("/TH", "/TD")):
                while (i, j) in taken:
                    j += 1
                attributes = cell.get("/A")
                attributes = resolved(attributes) if attributes is not None else {}
                span_rows, span_cols = int(attributes.get("/RowSpan", 1)), int(attributes.get("/ColSpan", 1))
                taken |= {(i + di, j + dj) for di in range(span_rows) for dj in range(span_cols)}
                cells.append(
                    {
                        "role": str(cell["/S"])[1:],
                        "row": i,
                        "col": j,
                        "rows": span_rows,
                        "cols": span_cols,
                        "text": element_text(reader, cell, texts, pages) if with_text else "",
                        "id": str(cell.get("/ID", "")),
                        "headers": [str(h) for h in attributes.get("/Headers", [])],
                        "scope": str(attributes.get("/Scope", "")),
                        "widgets": _widgets(cell),
                    }
                )
                j += span_cols
        result.append(cells)
    return result


def column_headers(cells: list[dict], cell: dict) -> list[str]:
    """The texts of the header cells above a cell in its own columns, top to bottom."""
    return [
        c["text"]
        for c in cells
        if c["role"] == "TH"
        and c["row"] < cell["row"]
        and c["col"] < cell["col"] + cell["cols"]
        and cell["col"] < c["col"] + c["cols"]
        and c["scope"] in ("/Column", "")
    ]


def headers_named(cells: list[dict], cell: dict) -> list[str]:
    """The texts of the header cells a cell names in its /Headers."""
    by_id = {c["id"]: c["text"] for c in cells if c["id"]}
    return [by_id[h] for h in cell["headers"] if h in by_id]


def on_state(widget) -> str:
    """The name of a check box's or radio button's "on" appearance state."""
    return next(str(k)[1:] for k in widget["/AP"]["/N"] if k != "/Off")


def field_name(widget) -> str:
    owner = widget["/Parent"].get_object() if "/Parent" in widget else widget
    return str(owner["/T"])


def widgets(path: Path) -> list[dict]:
    """Every form widget, read from the annotations as a PDF program reads them (pikepdf: the dictionaries
    themselves, not a program's model of them: a quarter of PyMuPDF's time): page (index), name (the field's
    full name), type (/FT: Tx, Btn…), flags (/Ff), each inherited from the field that holds the widget where it
    is not on the widget; rect (x0, y0, x1, y1 in points from the page's bottom left, as the PDF has it) and
    box (x0, top, x1, bottom in points from its top left, as PyMuPDF measures drawings)."""

    def inherited(node, key):
        while node is not None:
            if key in node:
                return node[key]
            node = node.get("/Parent")
        return None

    def full_name(node) -> str:
        parts = []
        while node is not None:
            if "/T" in node:
                parts.append(str(node["/T"]))
            node = node.get("/Parent")
        return ".".join(reversed(parts))

    found = []
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            height = float(page.mediabox[3]) - float(page.mediabox[1])
            for annotation in page.obj.get("/Annots") or []:
                if annotation.get("/Subtype") != "/Widget":
                    continue
                x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
                found.append(
                    {
                        "page": index,
                        "name": full_name(annotation),
                        "type": str(inherited(annotation, "/FT") or "")[1:],
                        "flags": int(inherited(annotation, "/Ff") or 0),
                        "rect": (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
                        "box": (min(x0, x1), height - max(y0, y1), max(x0, x1), height - min(y0, y1)),
                    }
                )
    return found
