"""`verify`: are the outputs exactly what the sources give? A fresh build (made by the caller in a
temporary folder) is compared with the output folder's manifest and files, byte for byte."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from . import manifest
from .plan import shard_of
from .project import BuildOptions


def differences(
    recorded: manifest.Manifest,
    made: dict[str, str],
    output_dir: Path,
    plan: str,
    options: BuildOptions | None = None,
) -> list[str]:
    """One line per difference, naming the file; empty when the folder holds exactly what ``made``
    (path → sha256 of a fresh build) gives. Only the outputs of ``plan`` are compared (not those made on
    request by ``tailor``, nor another plan's), and of those only what the build was narrowed to (``--shard``,
    ``--only``, ``--format``, ``--brand``): the others were not made again, so they are not missing."""
    options = options or BuildOptions()

    def in_scope(path: str, entry: manifest.Entry) -> bool:
        return (
            (options.shard is None or shard_of(path, options.shard[1]) == options.shard[0])
            and (not options.only or any(fnmatch.fnmatch(path, pattern) for pattern in options.only))
            and entry.format in options.formats
            and (options.brand is None or path.startswith(f"{options.brand}/"))
        )

    planned = {
        p: e for p, e in recorded.targets.items() if not e.requested and e.made_by in ("", plan) and in_scope(p, e)
    }
    found = []
    for path in sorted(set(made) | set(planned)):
        entry = planned.get(path)
        on_disk = output_dir / path
        if entry is None:
            found.append(f"{path}: made by the sources but missing from the manifest")
        elif path not in made:
            found.append(f"{path}: in the manifest but no longer made by the sources")
        elif made[path] != entry.sha256:
            found.append(f"{path}: the sources now give different bytes than the manifest records")
        elif not on_disk.is_file() or manifest.sha256_file(on_disk) != entry.sha256:
            found.append(f"{path}: the file in the output folder differs from the manifest")
    return found
