"""The one module that touches output/: atomic writes, only inside the output folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UserError


class OutputFolder:
    """Writes files under one folder; refuses any path that would leave it."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def path_for(self, relative: str) -> Path:
        target = (self.root / relative).resolve()
        if target == self.root or self.root not in target.parents:
            raise UserError(f"refusing to write outside the output folder: {relative}")
        return target

    def remove(self, relative: str, sha256: str) -> bool:
        """Delete an output this tool made, if it still holds the bytes the manifest records.

        A file changed by hand since is left alone (False): the tool only deletes
        what it made, never a user's file.
        """
        import hashlib

        target = self.path_for(relative)
        if not target.is_file():
            return True
        if hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
            return False
        target.unlink()
        parent = target.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
        return True

    def write(self, relative: str, data: bytes) -> Path:
        """Write ``data`` to a temporary file beside the target, then rename it into place.

        A failure or interruption leaves the previous file intact; readers never
        see a half-written file.
        """
        target = self.path_for(relative)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        except OSError as exc:
            raise UserError(f"cannot write to {target.parent}: {exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise UserError(f"cannot write {target}: {exc.strerror}") from exc
            raise
        return target
