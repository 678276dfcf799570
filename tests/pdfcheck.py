"""Reading PDFs back the way an accessibility checker does (pypdf)."""

from __future__ import annotations

from pypdf import PdfReader


def structure_elements(reader: PdfReader):
    """Every element of the tag tree, depth first: (role, element dictionary)."""
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if "/S" in node:
            yield str(node["/S"]), node
        kids = node.get("/K")
        if kids is None:
            continue
        kids = kids if isinstance(kids, list) else [kids]
        for kid in reversed(kids):
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                stack.append(kid)


def figures_without_alt(reader: PdfReader) -> int:
    """How many tagged figures (images) have no alternative text."""
    return sum(1 for role, node in structure_elements(reader)
               if role == "/Figure" and not str(node.get("/Alt", "")).strip())


def figure_count(reader: PdfReader) -> int:
    return sum(1 for role, _ in structure_elements(reader) if role == "/Figure")
