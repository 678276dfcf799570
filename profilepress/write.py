"""The one module that touches output/: atomic writes, only inside the output folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from . import interrupts
from .errors import UserError

TEMPORARY = ".profilepress-"  # the prefix of a file being written; one left by a killed build is removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived while the outputs were being put in place: they were all put in place
    first, so the folder is complete; the message must say so, not that nothing was written."""


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs (the renames and the manifest: a few
    milliseconds), so that a folder is never left half updated; one that came meanwhile is raised
    afterwards as :class:`Interrupted`."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        pending = signal.sigpending() & held
        if pending:  # take them now, so that none is delivered when the mask is restored
            signal.sigwait(pending)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    if pending:
        raise Interrupted("SIGTERM" if signal.SIGTERM in pending else "SIGINT")


class OutputFolder:
    """Writes files under one folder; refuses any path that would leave it."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def path_for(self, relative: str) -> Path:
        """Where an output goes; never through a symbolic link, never outside the folder."""
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or any(part in ("..", ".") for part in parts):
            raise UserError(f"refusing to write outside the output folder: {relative}")
        target = self.root
        for part in parts:
            target = target / part
            if target.is_symlink():
                raise UserError(
                    f"{target} is a symbolic link; the build never writes through a link (it could overwrite "
                    "the file it points at): remove the link, or build into another folder with --output"
                )
        return target

    def check_writable(self, relative: str) -> None:
        """An existing output that cannot be replaced (read-only, or not a file) is an error naming it."""
        target = self.path_for(relative)
        if target.exists() and not target.is_file():
            raise UserError(f"{target} is in the way: a folder (or other non-file) where the build writes a document")
        if target.is_file() and not target.stat().st_mode & 0o200:  # the owner's write bit (root too)
            raise UserError(
                f"{target} is read-only; the build does not replace a file you protected: make it writable "
                "(chmod u+w) or move it away"
            )

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
        return self.publish(files, {}, None)[0]

    def publish(
        self, files: list[tuple[str, bytes]], obsolete: dict[str, str], record: tuple[str, bytes] | None
    ) -> tuple[list[Path], list[str], list[str]]:
        """A build's outcome, as one step: every file is staged first (a failure or an interruption until
        then changes nothing); then, with Ctrl-C and SIGTERM held back for those few milliseconds, every
        file is renamed into place, the outputs no longer wanted are removed (``obsolete``: path → the
        sha256 this tool wrote; one changed by hand since is kept), and the record of what the folder holds
        (the manifest) goes in last. Returns (written, removed, kept)."""
        everything = [*files, *([record] if record else [])]
        for relative, _ in everything:
            self.check_writable(relative)
        staged: list[tuple[str, Path]] = []
        removed: list[str] = []
        kept: list[str] = []
        made: list[Path] = []  # the folders staging made, removed again if the build stops
        try:
            interrupts.check()  # a Ctrl-C swallowed on the way here (by a library) still stops the build
            for relative, data in everything:
                target = self.path_for(relative)
                staged.append((self._stage(target, data, made), target))
            with signals_held():
                for tmp, target in staged[: len(files)]:
                    os.replace(tmp, target)
                for path, sha in obsolete.items():
                    (removed if self.remove(path, sha) else kept).append(path)
                for tmp, target in staged[len(files) :]:
                    os.replace(tmp, target)
        except BaseException:
            for tmp, _ in staged:
                Path(tmp).unlink(missing_ok=True)
            for folder in reversed(made):  # deepest first; only the ones left empty
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        return [target for _, target in staged[: len(files)]], removed, kept

    def _stage(self, target: Path, data: bytes, made: list[Path]) -> str:
        """Write ``data`` beside ``target`` under a temporary name; return that name. The folders made for it
        are added to ``made``, outermost first."""
        try:
            missing = [folder for folder in (target.parent, *target.parent.parents) if not folder.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TEMPORARY}{target.name}.", suffix=".tmp")
        except OSError as exc:
            raise UserError(f"cannot write to {target.parent}: {exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise UserError(f"cannot write {target}: {exc.strerror}") from exc
            raise
        return tmp

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

        try:
            self.created = not self.path.parent.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot use the output folder {self.path.parent}: {exc.strerror}") from exc
        # The file a build locked is removed when it ends. Another build may have opened that file just
        # before: it then locks a file no longer in the folder, while a third locks the new one. So a
        # lock counts only if the file locked is still the one at the path; if not, it is taken again.
        while True:
            try:
                self.handle = open(self.path, "a+")
            except OSError as exc:
                raise UserError(f"cannot use the output folder {self.path.parent}: {exc.strerror}") from exc
            if not _lock_soon(self.handle):
                self.handle.seek(0)
                holder = self.handle.read().strip()
                self.handle.close()
                raise self._taken(holder) from None
            if _same_file(self.handle, self.path):
                break
            self.handle.close()  # the build that held it removed it meanwhile: lock the one there now
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"process {os.getpid()}\n")
        self.handle.flush()
        _remove_leftovers(self.path.parent)
        return self

    def _taken(self, holder: str) -> UserError:
        return UserError(
            f"another build is writing to {self.path.parent} ({holder or 'another process'}); wait for it to "
            "finish, or write into another folder (--output, or --into for collect)"
        )

    def refuse_if_taken(self) -> None:
        """Say now, before long work, that another process holds the folder (the lock is still taken to write:
        this only saves the work). Creates and changes nothing."""
        import fcntl

        try:
            handle = open(self.path)  # noqa: SIM115  (closed below)
        except OSError:
            return  # no lock file, or none readable: nothing to say yet
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                raise self._taken(handle.read().strip()) from None
            fcntl.flock(handle, fcntl.LOCK_UN)

    def __exit__(self, *exc) -> None:
        """Unlock, and leave no trace: the lock file goes, and the folder too if the build made it for nothing."""
        import fcntl

        self.path.unlink(missing_ok=True)
        assert self.handle is not None  # __exit__ runs only after __enter__ opened and locked it
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        if self.created and not any(self.path.parent.iterdir()):
            self.path.parent.rmdir()


def _lock_soon(handle: TextIO) -> bool:
    """Lock the file for us alone, or say it is taken. A build holds the lock for seconds; a look by
    ``refuse_if_taken`` (a shared lock, at once let go) for microseconds: that one is waited out."""
    import fcntl
    import time

    for attempt in range(3):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt < 2:
                time.sleep(0.02)
    return False


def _same_file(handle: TextIO, path: Path) -> bool:
    """Is the open file still the one at ``path`` (not removed, nor replaced by another)?"""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(handle.fileno())
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


def _remove_leftovers(folder: Path) -> None:
    """Files a killed build was writing (ours by their prefix), removed under the lock; links not followed."""
    for parent, _, names in os.walk(folder, followlinks=False):
        for name in names:
            if name.startswith(TEMPORARY) and name.endswith(".tmp"):
                Path(parent, name).unlink(missing_ok=True)
