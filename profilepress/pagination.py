"""Page decisions that only a first layout can make, remembered across the documents of a build.

A competency's notes and reflection go under its table when they fit, with
ruled lines down to the foot of that page; when they do not fit, they start a
page and fill it with ruled lines. Both are known only once the table is laid
out, so a document is laid out twice when it holds a section not seen before.
Each competency's section starts on a page of its own and lays out the same in
every document with the same stylesheets and paper, so what a layout showed is
remembered by the section and the document's style: a later document holding
the same sections (the domain and single-competency worksheets, the printable
and fillable editions) is laid out once. The memory is a folder the build's
workers share; it changes only how long a build takes, never its bytes,
because only a layout of a section's notes at their smallest is remembered,
and every layout is checked against what it was told.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

_SECTION = re.compile(r'<section class="ws-competency" id="ws-([^"]+)"')
_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
WRITING_SUFFIX = "-writing"


PAGE = -1  # the notes fill a ruled page of their own
LINE_MM = 8.0  # the distance between ruled lines


class Memory:
    """What sections' notes need (extra lines, or PAGE): in this process, and in a folder shared with other workers."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self.known: dict[str, int] = {}

    def get(self, key: str) -> int | None:
        if key not in self.known and self.folder is not None:
            path = self.folder / key
            if path.is_file():
                self.known[key] = int(path.read_text())
        return self.known.get(key)

    def put(self, key: str, value: int) -> None:
        self.known[key] = value
        if self.folder is not None:
            handle, temporary = tempfile.mkstemp(dir=self.folder)
            with os.fdopen(handle, "w") as out:
                out.write(str(value))
            os.replace(temporary, self.folder / key)


def sections(html: str) -> dict[str, str]:
    """The id of each competency section in a document's HTML, and its key in the memory.

    Within a build a competency's section is the same in every document, and the
    printable and fillable editions give it the same geometry; what else can lay
    it out differently is the stylesheet (brand, paper, document kind).
    """
    style = _STYLE.search(html)
    digest = hashlib.sha256(style.group().encode("utf-8") if style else b"").hexdigest()
    return {
        section: hashlib.sha256(f"{digest}\0{section}".encode()).hexdigest()[:32] for section in _SECTION.findall(html)
    }


def writing(section: str) -> str:
    """The id of a section's notes and reflection."""
    return f"ws-{section}{WRITING_SUFFIX}"


class Notes:
    """Where a document's notes go, settled by laying it out: :attr:`first` to start, :meth:`check` after each layout.

    ``html_for(room)`` gives the document's HTML with each section's notes given
    that many extra ruled lines, or a page of their own (PAGE).
    """

    def __init__(self, first_html: str, html_for: Callable[[dict[str, int]], str], memory: Memory):
        self.html_for, self.memory = html_for, memory
        self.keys = sections(first_html)
        self.room = {section: memory.get(key) for section, key in self.keys.items()}
        self.measuring = {section for section, value in self.room.items() if value is None}
        self.remeasured: set[str] = set()
        self.first = first_html if not any(self.room.values()) else html_for(self.layout())

    def layout(self) -> dict[str, int]:
        """What the next layout gives each section: its notes at their smallest while they are measured."""
        layout: dict[str, int] = {}
        for section, value in self.room.items():
            if section in self.measuring:
                layout[section] = 0
            else:
                assert value is not None  # a section whose room is not known yet is always being measured
                layout[section] = value
        return layout

    def check(self, page_tops: list[str], room_below: dict[str, float]) -> str | None:
        """None when the layout is right; else the HTML to lay out instead.

        ``page_tops``: the elements that start a page; ``room_below``: the room
        (mm) under each element, to the foot of its page.
        """
        tops = set(page_tops)
        measured: dict[str, int] = {}
        remeasure: set[str] = set()
        for section in sorted(self.keys):
            starts = writing(section) in tops
            if section in self.measuring:  # laid out at their smallest: what fits is known now
                value = PAGE if starts else max(0, int((room_below.get(writing(section), 0.0) - 1.0) // LINE_MM))
                self.memory.put(self.keys[section], value)
                measured[section] = value
            elif self.room[section] != PAGE and starts and section not in self.remeasured:
                remeasure.add(section)  # told wrongly, by a layout unlike this one: measure again
        self.room.update(measured)
        self.measuring = remeasure
        self.remeasured |= remeasure
        again = remeasure or any(value != 0 for value in measured.values())
        return self.html_for(self.layout()) if again else None
