"""What a build tells the person or the CI log watching it.

On a terminal: a progress bar (tqdm). Elsewhere (a pipe, a file, CI): one plain
line per target, so logs read well. Always: a closing summary. ``--quiet``
keeps only errors and warnings; ``--verbose`` adds detail.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO


class Reporter:
    def __init__(self, quiet: bool = False, verbose: bool = False, stream: TextIO | None = None):
        self.quiet, self.verbose = quiet, verbose
        self.stream = stream or sys.stdout
        self.interactive = (
            hasattr(self.stream, "isatty") and self.stream.isatty() and not os.environ.get("CI") and not quiet
        )
        self._bar = None

    def info(self, text: str) -> None:
        if not self.quiet:
            self._write(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            self._write(text)

    def warning(self, text: str) -> None:
        self._write(f"warning: {text}", sys.stderr)

    def located(self, text: str) -> None:
        """A message that names its own place and kind (``file:line:col: warning: …``)."""
        self._write(text, sys.stderr)

    def start(self, total: int, what: str) -> None:
        if self.interactive and total:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                desc=what,
                unit="doc",
                file=self.stream,
                leave=False,
                bar_format="{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}",
            )
        elif total:
            self.info(f"{what}: {total} to render")

    def advance(self, text: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(text[-50:], refresh=False)
            self._bar.update(1)
        else:
            self.info(text)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _write(self, text: str, stream: TextIO | None = None) -> None:
        if self._bar is not None:
            self._bar.write(text, file=stream or self.stream)
        else:
            print(text, file=stream or self.stream, flush=True)


def size_text(n: int) -> str:
    """A file size as people read it: 512 bytes, 34 KB, 1.2 MB."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
