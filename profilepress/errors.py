"""Errors a person can act on.

Every problem found in the sources becomes a :class:`SourceError` that names
the file, line and column, the field path, what is wrong and what to do. The
loader collects all of them and raises one :class:`ProfileErrors`, so a user
sees every mistake of a run at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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

    def format(self, relative_to: Path | None = None) -> str:
        """``file:line:col: message (field) — hint``, the form editors link."""
        where = display_path(self.file, relative_to)
        if self.line:
            where += f":{self.line}:{self.column}"
        text = f"{where}: error: {self.message}"
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
