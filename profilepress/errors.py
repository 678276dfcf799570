"""Errors a person can act on.

Every problem found in the sources becomes a :class:`SourceError` that names
the file, line and column, the field path, what is wrong and what to do. The
loader collects all of them and raises one :class:`ProfileErrors`, so a user
sees every mistake of a run at once.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one source file.

    ``line`` and ``column`` are 1-based; 0 means "the whole file".
    """

    file: Path
    line: int
    column: int
    message: str
    field: str = ""
    hint: str = ""
    severity: str = "error"  # or "warning": the build goes on (unless --strict), and says what it changed

    def format(self, relative_to: Path | None = None) -> str:
        """``file:line:col: error: message (field) — hint``, the form editors link."""
        where = display_path(self.file, relative_to)
        if self.line:
            where += f":{self.line}:{self.column}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.field:
            text += f" ({self.field})"
        if self.hint:
            text += f" — {self.hint}"
        return text


class ProfileErrors(Exception):
    """Raised when sources are invalid; carries every error found."""

    def __init__(self, errors: list[SourceError]):
        self.errors = sorted(set(errors))
        super().__init__(f"{len(self.errors)} error(s) in the profile sources")

    def __str__(self) -> str:
        return "\n".join([super().__str__(), *(e.format() for e in self.errors)])


# --- warnings: what a source says that the documents will not show as written -----------------

_warnings: ContextVar[list[SourceError] | None] = ContextVar("source_warnings", default=None)


def warn(*warnings: SourceError) -> None:
    """Record warnings about the sources being loaded (see :func:`collecting_warnings`)."""
    found = _warnings.get()
    if found is not None:
        found.extend(replace(w, severity="warning") for w in warnings)


@contextlib.contextmanager
def collecting_warnings() -> Iterator[list[SourceError]]:
    """Collect the warnings of everything loaded inside the block."""
    found: list[SourceError] = []
    token = _warnings.set(found)
    try:
        yield found
    finally:
        _warnings.reset(token)


def as_errors(warnings: list[SourceError]) -> list[SourceError]:
    """Warnings made errors (``--strict``)."""
    return [
        replace(w, severity="error", message=f"{w.message} (a warning; --strict makes it an error)") for w in warnings
    ]


def named_characters(value: str, most: int = 3) -> str:
    """The characters outside ASCII in a value, by code point and name: "U+0421 CYRILLIC CAPITAL LETTER ES".

    A message that quotes a look-alike ("С7" with a Cyrillic С) shows the same glyphs as the ASCII
    text the reader expects; naming the characters shows the difference. Empty when all are ASCII.
    """
    seen: list[str] = []
    for char in str(value):
        if ord(char) > 127 and char not in seen:
            seen.append(char)
    names = [character_name(c) for c in seen[:most]]
    if len(seen) > most:
        names.append(f"{len(seen) - most} more")
    return ", ".join(names)


def character_name(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    name = unicodedata.name(char, "")
    if not name:  # control characters have aliases, not names
        name = "NULL" if char == "\0" else "<control>" if unicodedata.category(char) == "Cc" else "<unnamed>"
    return f"U+{ord(char):04X} {name}"


class UserError(Exception):
    """A mistake in how the tool was called or configured (not in a source file)."""


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """Relative to the working folder when the file is inside it, else absolute."""
    if not path.is_absolute():
        return str(path)
    try:
        rel = os.path.relpath(path, relative_to or Path.cwd())
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel
