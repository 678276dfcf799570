"""output/manifest.json: what a build made, from what, so the next build remakes only what changed.

For every output it records the file's sha256, size and page count, and its
inputs: the model fields it read, the templates it was rendered from, the files
its PDF fetched (all as content hashes, never modification times), and a hash
of the target and the options it was made with.

The manifest also keeps a hash of every input file of the project. When none
changed, nor the options, a rebuild can tell that nothing is to do from the
manifest and the files alone: it neither loads the model nor imports WeasyPrint
(this module imports nothing heavy, on purpose).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILE = "manifest.json"
FORMAT = "profilepress-manifest"
VERSION = 1


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# An input file's hash, by its path: kept for the life of the process while the file's time, size, inode and
# status time stay the same (a long-running process, `serve`, hashes the fonts once, not on every save). A file
# changed in the last two seconds is always read again: two changes within the file system's time resolution
# would look alike (git's "racily clean" files).
_KNOWN: dict[str, tuple[tuple[int, int, int, int], str]] = {}
SETTLED_NS = 2_000_000_000


def input_hash(path: Path) -> str:
    """An input file's sha256 (see _KNOWN: read again whenever it may have changed)."""
    import time

    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)
    known = _KNOWN.get(str(path))
    if known is not None and known[0] == key:
        return known[1]
    digest = sha256_file(path)
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > SETTLED_NS:
        _KNOWN[str(path)] = (key, digest)
    return digest


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """A short, stable hash of a JSON-able value."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:20]


def input_files(
    roots: Iterable[Path], files: Iterable[Path], base: Path, exclude: Path | None = None
) -> dict[str, str]:
    """Every file under ``roots`` and each of ``files`` → sha256, keyed by path relative to ``base``;
    nothing under ``exclude`` (the output folder, when it lies inside a source folder)."""
    skip = Path(exclude).resolve() if exclude is not None else None
    real = _Resolver()
    home = Path(base).resolve()
    found: dict[str, str] = {}
    for root in roots:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                resolved = real(path)
                if skip is not None and (resolved == skip or skip in resolved.parents):
                    continue
                inside = path.relative_to(root).parts
                if any(part.startswith(".") or part == "__pycache__" for part in inside):
                    continue  # hidden files and folders (.git, .DS_Store, ._x.yaml) are not inputs
                if path.is_file():
                    found[_relative_to(resolved, home)] = input_hash(path)
    for path in files:
        if path.is_file():
            found[_relative_to(real(path), home)] = input_hash(path)
    return found


class _Resolver:
    """``path.resolve()``, with each folder resolved once (resolving looks at every folder of the path: most
    of the time it takes to list a project's inputs)."""

    def __init__(self) -> None:
        self.folders: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        if path.name in ("", ".", "..") or path.is_symlink():
            return path.resolve()
        folder = self.folders.get(path.parent)
        if folder is None:
            folder = self.folders[path.parent] = path.parent.resolve()
        return folder / path.name


def _relative_to(resolved: Path, base: Path) -> str:
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return resolved.as_posix()


def relative(path: Path, base: Path) -> str:
    path = path.resolve()
    try:
        return path.relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class Entry:
    """One output and what it was made from."""

    sha256: str
    bytes: int
    pages: int
    kind: str
    format: str
    target: str  # hash of the target and the options
    fields: dict[str, str] = field(default_factory=dict)  # model "key#field" → hash
    templates: dict[str, str] = field(default_factory=dict)  # template name → hash
    files: dict[str, str] = field(default_factory=dict)  # fetched file (relative) → sha256
    requested: bool = False  # made on request (tailor), not by the plan: kept
    made_by: str = ""  # the plan file that made it, relative to the output folder
    warnings: list[str] = field(default_factory=list)  # what rendering it warned about (replayed, --strict)


@dataclass
class Manifest:
    engine: str = ""
    plan: str = ""  # hash of what decided the plan
    inputs: dict[str, str] = field(default_factory=dict)
    targets: dict[str, Entry] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # the planned paths, in plan order
    extras: dict[str, str] = field(default_factory=dict)  # files made beside the targets (the catalogue)
    shard: list[int] | None = None  # [I, N] when the folder holds shard I of N of the plan
    warnings: list[str] = field(default_factory=list)  # the sources' warnings when it was built (replayed, --strict)
    libraries: dict[str, str] = field(default_factory=dict)  # rendering library → version (profilepress.versions)

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "engine": self.engine,
            "plan": self.plan,
            "inputs": self.inputs,
            "order": self.order,
            "extras": self.extras,
            "shard": self.shard,
            "warnings": self.warnings,
            "libraries": self.libraries,
            "targets": {path: vars(entry) for path, entry in sorted(self.targets.items())},
        }
        return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("utf-8")


def read(output_dir: Path) -> Manifest | None:
    """The manifest of the last build into ``output_dir``, or None if there is none (or it is unreadable)."""
    path = output_dir / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            return None
        return Manifest(
            data["engine"],
            data["plan"],
            data["inputs"],
            {p: _entry(e) for p, e in data["targets"].items()},
            data["order"],
            data["extras"],
            data.get("shard"),
            list(data.get("warnings", [])),
            data.get("libraries") or {},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _entry(recorded: dict) -> Entry:
    """An entry as recorded; fields an older build recorded and this one does not know are dropped."""
    known = {f.name for f in dataclasses.fields(Entry)}
    return Entry(**{k: v for k, v in recorded.items() if k in known})


def outputs_intact(manifest: Manifest, output_dir: Path, paths: Iterable[str]) -> bool:
    """Do these outputs exist with the bytes the manifest records?"""
    for path in paths:
        entry = manifest.targets.get(path)
        file = output_dir / path
        if (
            entry is None
            or not file.is_file()
            or file.stat().st_size != entry.bytes
            or sha256_file(file) != entry.sha256
        ):
            return False
    return True


def others(manifest: Manifest, plan: str) -> dict[str, list[str]]:
    """Outputs in the folder made by another plan than ``plan``: that plan → its outputs."""
    found: dict[str, list[str]] = {}
    for path, entry in sorted(manifest.targets.items()):
        if entry.made_by and entry.made_by != plan:
            found.setdefault(entry.made_by, []).append(path)
    return found
