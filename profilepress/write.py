"""The one module that touches output/: atomic writes, only inside the output folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TextIO

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

    def write_all(self, files: list[tuple[str, bytes]]) -> list[Path]:
        """Write several files as one: all are staged beside their targets first, then renamed.

        If any cannot be written (a read-only folder, a full disk, an interruption),
        the staged files are removed and no target is touched.
        """
        staged: list[tuple[str, Path]] = []
        try:
            for relative, data in files:
                target = self.path_for(relative)
                staged.append((self._stage(target, data), target))
            for tmp, target in staged:
                os.replace(tmp, target)
        except BaseException:
            for tmp, _ in staged:
                Path(tmp).unlink(missing_ok=True)
            raise
        return [target for _, target in staged]

    def _stage(self, target: Path, data: bytes) -> str:
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
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise UserError(f"cannot write {target}: {exc.strerror}") from exc
            raise
        return tmp

    def publish(
        self, files: list[tuple[str, bytes]], obsolete: dict[str, str], record: tuple[str, bytes]
    ) -> tuple[list[Path], list[str], list[str]]:
        """A build's outcome, in order: every new file (all or nothing), then the outputs no longer wanted
        removed (``obsolete``: path → the sha256 this tool wrote; one changed by hand since is kept), then
        the record of what the folder holds (the manifest), last. Returns (written, removed, kept)."""
        written = self.write_all(files)
        removed: list[str] = []
        kept: list[str] = []
        for path, sha in obsolete.items():
            (removed if self.remove(path, sha) else kept).append(path)
        self.write(*record)
        return written, removed, kept

    def write(self, relative: str, data: bytes) -> Path:
        """Write ``data`` to a temporary file beside the target, then rename it into place.

        A failure or interruption leaves the previous file intact; readers never
        see a half-written file.
        """
        return self.write_all([(relative, data)])[0]


class BuildLock:
    """One build at a time per output folder: a second one is told, not let in to interleave writes."""

    NAME = ".profilepress.lock"

    def __init__(self, folder: Path):
        self.path = Path(folder) / self.NAME
        self.handle: TextIO | None = None

    def __enter__(self) -> BuildLock:
        import fcntl

        try:
            self.created = not self.path.parent.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "a+")
        except OSError as exc:
            raise UserError(f"cannot use the output folder {self.path.parent}: {exc.strerror}") from exc
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise UserError(
                f"another build is writing to {self.path.parent} ({holder}); wait for it to "
                "finish, or write into another folder (--output, or --into for collect)"
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"process {os.getpid()}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        """Unlock, and leave no trace: the lock file goes, and the folder too if the build made it for nothing."""
        import fcntl

        self.path.unlink(missing_ok=True)
        assert self.handle is not None  # __exit__ runs only after __enter__ opened and locked it
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        if self.created and not any(self.path.parent.iterdir()):
            self.path.parent.rmdir()
