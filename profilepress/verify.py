"""`verify`: are the outputs exactly what the sources give? A fresh build (made by the caller in a
temporary folder) is compared with the output folder's manifest and files, byte for byte."""

from __future__ import annotations

from pathlib import Path

from . import manifest
from .plan import shard_of


def differences(
    recorded: manifest.Manifest,
    made: dict[str, str],
    output_dir: Path,
    plan: str,
    shard: tuple[int, int] | None = None,
) -> list[str]:
    """One line per difference, naming the file; empty when the folder holds exactly what ``made``
    (path → sha256 of a fresh build) gives. Only the outputs of ``plan`` are compared (not those made on
    request by ``tailor``, nor another plan's); with ``shard``, only that slice of the plan."""

    def in_scope(path: str) -> bool:
        return shard is None or shard_of(path, shard[1]) == shard[0]

    planned = {p: e for p, e in recorded.targets.items() if not e.requested and e.made_by in ("", plan) and in_scope(p)}
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
