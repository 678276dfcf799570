"""Where the engine's own files are: templates, fonts, interface catalogues, shipped scales and brands.

In the repository they are top-level folders beside the ``profilepress`` package. Installed (``pip
install .``), the same folders are package data in ``profilepress/share/`` (pyproject.toml maps them
there). Whichever holds ``templates/`` is the engine's folder; a project (its plan, profile, packets,
output, and any scales and brands of its own) is wherever its ``build.yaml`` is.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
INSTALLED_DIR = PACKAGE_DIR / "share"  # the wheel's copy of the top-level folders
INSTALLED = (INSTALLED_DIR / "templates").is_dir()  # installed as a package, not run from the repository
ENGINE_ROOT = INSTALLED_DIR if INSTALLED else PACKAGE_DIR.parent
FOLDERS = ("templates", "fonts", "locales", "scales", "brands")  # what the wheel carries (see pyproject.toml)


def default_plan(root: Path) -> Path:
    """The plan a command reads unless --plan names one: build.yaml in the working folder, when there is
    one (an adopter's project), else the one in ``root`` (the repository's own project, beside build.py)."""
    here = Path.cwd() / "build.yaml"
    return here if here.is_file() else root / "build.yaml"
