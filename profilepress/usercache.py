"""The user's cache folder: work that depends on the engine alone, kept from one run to the next (compiled
templates, the templates each template names, the warnings about a stylesheet), so that a build does not
redo it in every process.

It lives in ``$XDG_CACHE_HOME/profilepress`` (``~/.cache/profilepress``), private to the user, one folder
per state of the engine's code and Python libraries (:func:`profilepress.freshness.engine_code`) and
Python's version: any change to them starts a new folder, and the oldest folders beyond
``KEEP`` are removed. Nothing in it is needed: when there is no cache folder to be had, or
``PROFILEPRESS_CACHE=off``, the work is done again each time. Entries are written aside and renamed, so a
reader never sees half of one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import sys
from pathlib import Path

KEEP = 8  # engine versions kept side by side (several checkouts of the engine on one machine)


@functools.cache
def folder() -> Path | None:
    """This engine's cache folder, made if needed; None if caching is off or impossible."""
    if os.environ.get("PROFILEPRESS_CACHE", "").lower() in ("off", "0", "no"):
        return None
    from .freshness import engine_code

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "profilepress"
    key = hashlib.sha256("|".join([sys.version, *engine_code()]).encode()).hexdigest()[:20]
    mine = base / f"engine-{key}"
    try:
        fresh = not mine.is_dir()
        mine.mkdir(mode=0o700, parents=True, exist_ok=True)
        if mine.stat().st_uid != os.getuid() or not os.access(mine, os.W_OK):
            return None
        if fresh:
            _forget_old(base, mine)
    except OSError:
        return None
    return mine


def _forget_old(base: Path, mine: Path) -> None:
    """Remove this cache's oldest engine folders beyond KEEP (only folders named as this module names them)."""
    try:
        others = [p for p in base.iterdir() if p.name.startswith("engine-") and p.is_dir() and not p.is_symlink()]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in others[KEEP:]:
        if old != mine:
            shutil.rmtree(old, ignore_errors=True)


def read(name: str) -> bytes | None:
    """The entry ``name``, or None."""
    where = folder()
    if where is None:
        return None
    try:
        return (where / name).read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Keep ``data`` as the entry ``name`` (silently not, if the disk refuses)."""
    where = folder()
    if where is None:
        return
    temporary = where / f".{name}.{os.getpid()}.tmp"
    try:
        temporary.write_bytes(data)
        os.replace(temporary, where / name)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
