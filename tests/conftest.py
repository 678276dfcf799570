"""Shared fixtures: the shipped profile, a tiny second profile, and a way to run the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from profilepress.build import BuildOptions, Project, build
from profilepress.cli import main
from profilepress.load import load_profile

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "profile_src"
TINY = Path(__file__).resolve().parent / "profiles" / "tiny"
TEMPLATES = ROOT / "templates"
SOURCE_TEXT = SHIPPED / "source" / "isp-profile.txt"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys):
    """Run the command line in-process, as `python build.py ARGS` would."""

    def _run(*args: str) -> Result:
        code = main(list(args), root=ROOT)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


def run_script(*args: str, cwd: Path = ROOT, env: dict | None = None) -> Result:
    """Run build.py in a separate process (for what only a real process shows)."""
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def shipped_profile():
    return load_profile(SHIPPED)


@pytest.fixture(scope="session")
def shipped_handbook(tmp_path_factory) -> BeautifulSoup:
    out = tmp_path_factory.mktemp("handbook")
    build(Project(SHIPPED, TEMPLATES, out, ROOT), BuildOptions(formats=("html",)))
    return BeautifulSoup((out / "handbook.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def profile_copy(tmp_path) -> Path:
    """A writable copy of the shipped profile, for tests that break it."""
    dest = tmp_path / "profile_src"
    shutil.copytree(SHIPPED, dest)
    return dest


def text_of(element) -> str:
    """An element's text as a reader sees it: whitespace collapsed."""
    return " ".join(element.get_text(" ").split())
