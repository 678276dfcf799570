"""``new DIR``: a minimal project of one's own (a profile, a rating scale, a build plan) that builds at once.

The files are ``profilepress/starter/``, copied as they are: placeholder wording, every text marked to be
replaced, and nothing of the bundled profile. Nothing is ever overwritten: a folder that exists and holds
anything is refused, and each file is created only if it does not exist yet.
"""

from __future__ import annotations

from pathlib import Path

from .errors import UserError, display_path

STARTER_DIR = Path(__file__).resolve().parent / "starter"
_RENAMED = {"gitignore": ".gitignore"}  # (a file whose name starts with a dot is not package data)


def starter_files() -> list[Path]:
    """The starter project's files, relative to its folder, in order."""
    return sorted(p.relative_to(STARTER_DIR) for p in STARTER_DIR.rglob("*") if p.is_file() and _wanted(p))


def _wanted(path: Path) -> bool:
    return "__pycache__" not in path.parts


def new_project(folder: Path) -> list[Path]:
    """Write the starter project into ``folder`` (made if missing); the files written, in order.

    UserError, with nothing written, if ``folder`` is a file or a folder that is not empty."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{display_path(folder)} is a file; give the name of a new folder for the project")
    if folder.is_dir() and any(folder.iterdir()):
        raise UserError(
            f"{display_path(folder)} is not empty; a new project is made in a new or empty folder, "
            "and nothing in it was changed"
        )
    written = []
    for relative in starter_files():
        target = folder / relative.parent / _RENAMED.get(relative.name, relative.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:  # "x": never replaces a file that appeared meanwhile
            handle.write((STARTER_DIR / relative).read_bytes())
        written.append(target)
    return written
