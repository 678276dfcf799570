"""Page decisions that only a first layout can make, remembered across the documents of a build.

A competency's notes and reflection go under its table when they fit; when they
do not, they start a page and fill it with ruled lines. Whether they fit is known
only once the table is laid out, so a document whose notes start a page is laid
out twice. Each competency's section starts on a page of its own and lays out
the same in every document with the same stylesheets and paper, so the answer
is remembered by the section's HTML and the document's head: a later document
holding the same sections (the domain and single-competency worksheets, the
printable and fillable editions) is laid out once. The memory is a folder the
build's workers share; it changes only how long a build takes, never its bytes,
because every layout is checked against what it was told.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Callable

_SECTION = re.compile(r'<section class="ws-competency" id="ws-([^"]+)"')
_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
WRITING_SUFFIX = "-writing"


class Memory:
    """Which sections' notes start a page: in this process, and in a folder shared with other workers."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self.known: dict[str, bool] = {}

    def get(self, key: str) -> bool | None:
        if key not in self.known and self.folder is not None:
            path = self.folder / key
            if path.is_file():
                self.known[key] = path.read_text() == "1"
        return self.known.get(key)

    def put(self, key: str, alone: bool) -> None:
        self.known[key] = alone
        if self.folder is not None:
            handle, temporary = tempfile.mkstemp(dir=self.folder)
            with os.fdopen(handle, "w") as out:
                out.write("1" if alone else "0")
            os.replace(temporary, self.folder / key)


def sections(html: str) -> dict[str, str]:
    """The id of each competency section in a document's HTML, and its key in the memory.

    Within a build a competency's section is the same in every document, and the
    printable and fillable editions give it the same geometry; what else can lay
    it out differently is the stylesheet (brand, paper, document kind).
    """
    style = _STYLE.search(html)
    digest = hashlib.sha256(style.group().encode("utf-8") if style else b"").hexdigest()
    return {section: hashlib.sha256(f"{digest}\0{section}".encode()).hexdigest()[:32]
            for section in _SECTION.findall(html)}


def starting_pages(page_tops: list[str]) -> frozenset[str]:
    """The sections whose notes and reflection start a page, from a layout's page tops."""
    return frozenset(name[len("ws-"):-len(WRITING_SUFFIX)] for name in page_tops
                     if name.startswith("ws-") and name.endswith(WRITING_SUFFIX))


class Notes:
    """Where a document's notes go, settled by laying it out: :meth:`first` to start, :meth:`check` after each layout.

    ``html_for(alone)`` gives the document's HTML with those sections' notes on a
    page of their own. Only a layout of a section's notes under its table tells
    whether they fit, so only such a layout is remembered.
    """

    def __init__(self, first_html: str, html_for: Callable[[frozenset[str]], str], memory: Memory):
        self.html_for, self.memory = html_for, memory
        self.keys = sections(first_html)
        self.alone = frozenset(section for section, key in self.keys.items() if memory.get(key))
        self.first = first_html if not self.alone else html_for(self.alone)

    def check(self, page_tops: list[str]) -> str | None:
        """None when the layout is right; else the HTML to lay out instead."""
        found = starting_pages(page_tops)
        for section, key in self.keys.items():
            if section not in self.alone:
                self.memory.put(key, section in found)
        overflowing = frozenset(section for section in found if section in self.keys and section not in self.alone)
        if not overflowing:
            return None
        self.alone |= overflowing
        return self.html_for(self.alone)
