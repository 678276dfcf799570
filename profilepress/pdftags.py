"""The PDF's structure tree made true: table header associations, and each passage's language.

**Languages.** A passage in another language than the document's (``<span lang="en-GB">`` in a Spanish
edition: a text not translated yet, a citation, a scale's cited labels) must say so in the tags too, so
that a screen reader reading the PDF changes its voice as it does on the web page. WeasyPrint (70) sets
only the document's ``/Lang``; :func:`tag_languages` wraps its tag builder so that the structure element
made for an HTML element with a ``lang`` attribute carries ``/Lang`` (a structure element's language holds
for everything inside it, unless an inner element says otherwise).

**Tables.**
A screen reader announces a table cell with the header cells the structure tree
associates with it (``/Headers``, or failing that the headers above it in its
column). WeasyPrint places cells in columns without counting the cells that
span rows from above, so in a table whose first header row has ``rowspan``
cells, every header of the second row, and every body cell, is associated one
or more columns off: the "Expected/Proficient" box is announced as
"Unacceptable Variation".

:func:`repair_tables` runs on the PDF's objects before they are written (from
WeasyPrint's finisher). For each table it lays the cells out on a grid as a
browser does (``RowSpan``, ``ColSpan``), then gives every cell the headers of
its own columns and row, and every header cell its ``/Scope``:

* a header cell in the table head is a column header;
* a header cell in a body row is a row header, unless it spans the whole width,
  which makes it the header of the rows that follow it in its row group.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any


def repair_tables(pdf: Any) -> None:
    """Recompute ``/Headers`` and ``/Scope`` for every table in the structure tree of ``pdf`` (a pydyf.PDF)."""
    for obj in list(pdf.objects):
        if _is_elem(obj) and obj.get("S") == "/Table":
            _repair(pdf, obj)


def _is_elem(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("Type") == "/StructElem"


def _kids(pdf: Any, elem: Any) -> list[Any]:
    kids = []
    for kid in elem.get("K") or []:
        if isinstance(kid, bytes) and kid.endswith(b" R"):
            obj = pdf.objects[int(kid.split()[0])]
            if _is_elem(obj):
                kids.append(obj)
    return kids


def _span(cell: Any, key: str) -> int:
    attributes = cell.get("A")
    return int(attributes.get(key, 1)) if isinstance(attributes, dict) else 1


def _repair(pdf: Any, table: Any) -> None:
    import pydyf

    rows: list[tuple[str, Any]] = []  # (row group tag, TR)
    group_index: list[int] = []
    for n, part in enumerate(_kids(pdf, table)):
        if part["S"] == "/TR":
            rows.append(("/TBody", part))
            group_index.append(n)
        elif part["S"] in ("/THead", "/TBody", "/TFoot"):
            for tr in _kids(pdf, part):
                if tr["S"] == "/TR":
                    rows.append((part["S"], tr))
                    group_index.append(n)
    # Lay the cells out on a grid, skipping slots taken by cells spanning down from rows above.
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, int, int, str, Any]] = []  # row, column, rows, columns, group, cell
    width = 0
    for i, (group, tr) in enumerate(rows):
        j = 0
        for cell in _kids(pdf, tr):
            if cell["S"] not in ("/TH", "/TD"):
                continue
            while (i, j) in taken:
                j += 1
            rowspan, colspan = _span(cell, "RowSpan"), _span(cell, "ColSpan")
            for di in range(rowspan):
                for dj in range(colspan):
                    taken.add((i + di, j + dj))
            placed.append((i, j, rowspan, colspan, group, cell))
            j += colspan
            width = max(width, j)
    # Decide each header cell's scope, and give it an id.
    column_headers: dict[int, list[tuple[int, bytes]]] = {}
    row_headers: dict[int, list[tuple[int, bytes]]] = {}
    group_headers: dict[int, list[bytes]] = {}
    for n, (i, j, rowspan, colspan, group, cell) in enumerate(placed):
        if cell["S"] != "/TH":
            continue
        if "ID" not in cell:
            cell["ID"] = pydyf.String(f"th-{table.number}-{n}")
        ident = cell["ID"]
        if group == "/THead":
            scope = "/Column"
            for dj in range(colspan):
                column_headers.setdefault(j + dj, []).append((i, ident))
        elif colspan >= width and width > 1:
            scope = "/Rowgroup"
            group_headers.setdefault(group_index[i], []).append(ident)
        else:
            scope = "/Row"
            for di in range(rowspan):
                row_headers.setdefault(i + di, []).append((j, ident))
        _attributes(cell)["Scope"] = scope
    # Every cell (and every header below the first head row) gets the headers of its columns and rows.
    for i, j, rowspan, colspan, group, cell in placed:
        headers: list[bytes] = []
        for dj in range(colspan):
            headers += [h for row, h in column_headers.get(j + dj, []) if row < i and h not in headers]
        if cell["S"] == "/TD" or group != "/THead":
            for di in range(rowspan):
                headers += [h for col, h in row_headers.get(i + di, []) if col < j and h not in headers]
            if cell["S"] == "/TD":
                headers += [h for h in group_headers.get(group_index[i], []) if h not in headers]
        if headers:
            _attributes(cell)["Headers"] = pydyf.Array(headers)
        else:
            _attributes(cell).pop("Headers", None)


def _attributes(cell: Any) -> Any:
    import pydyf

    if not isinstance(cell.get("A"), dict):
        cell["A"] = pydyf.Dictionary({"O": "/Table"})
    return cell["A"]


# --- languages -------------------------------------------------------------------------------------


def tag_languages() -> None:
    """Make WeasyPrint's tag builder give ``/Lang`` to the structure elements of HTML elements with a ``lang``
    attribute (once per process; idempotent). Fails loudly if WeasyPrint's tag builder is not the one this
    was written for, rather than leaving the languages out silently."""
    from weasyprint.pdf import tags

    builder = getattr(tags, "_build_box_tree", None)
    if getattr(builder, "profilepress_lang", False):
        return
    if builder is None or list(inspect.signature(builder).parameters)[:3] != ["box", "parent", "pdf"]:
        raise RuntimeError(
            "WeasyPrint's tag builder (weasyprint.pdf.tags._build_box_tree) is not the one profilepress knows; "
            "the PDF's passages would lose their language (see profilepress/pdftags.py)"
        )
    tags._build_box_tree = _with_languages(builder)


def _with_languages(builder: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def build(box: Any, parent: Any, pdf: Any, *args: Any) -> Iterator[Any]:
        lang = _own_lang(box)
        for element in builder(box, parent, pdf, *args):
            if lang and element.get("P") == parent.reference and _lang_of(pdf, parent) != lang:
                element["Lang"] = _pdf_string(lang)
            yield element

    build.profilepress_lang = True  # type: ignore[attr-defined]
    return build


def _own_lang(box: Any) -> str | None:
    """The ``lang`` of the HTML element a box was made for, if it has one (not ``<html>``'s: the document's
    language is the catalogue's ``/Lang``)."""
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) in (None, "html", "body") or not hasattr(element, "get"):
        return None
    lang = element.get("lang")
    return lang.strip() if isinstance(lang, str) and lang.strip() else None


def _lang_of(pdf: Any, element: Any) -> str | None:
    """The language a structure element has, its own or the nearest of its parents' (None: the document's)."""
    seen = 0
    while isinstance(element, dict) and seen < 1000:
        if "Lang" in element:
            value = element["Lang"]
            return (
                value.decode("utf-8", "replace") if isinstance(value, bytes) else str(getattr(value, "string", value))
            )
        parent = element.get("P")
        if not (isinstance(parent, bytes) and parent.endswith(b" R")):
            return None
        element = pdf.objects[int(parent.split()[0])]
        seen += 1
    return None


def _pdf_string(text: str) -> Any:
    import pydyf

    return pydyf.String(text)
