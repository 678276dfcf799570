"""Shared fixtures: the shipped profile, a tiny second profile, and a way to run the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock
from pypdf import PdfReader, PdfWriter

from profilepress.build import BuildOptions, Project, Target, build
from profilepress.select import scopes
from profilepress.cli import main
from profilepress.load import load_profile

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "profile_src"
TINY = Path(__file__).resolve().parent / "profiles" / "tiny"
TINY_PLAN = TINY / "build.yaml"  # the tiny profile's own build plan (its packets, roles, documents)
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
def default_build(tmp_path_factory, worker_id) -> Path:
    """`python build.py` as a user runs it: the whole default plan, and a filled worksheet collected beside it.

    Built once per test run and shared by the test processes (pytest-xdist runs one per core):
    the first to ask builds it under a lock, the others wait for it and read the same files.
    """
    if os.environ.get("PROFILEPRESS_TEST_BUILD"):   # working on the tests: a default build made beforehand
        return Path(os.environ["PROFILEPRESS_TEST_BUILD"])
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    folder = shared / "default-build"
    out, done = folder / "output", folder / "built"
    with FileLock(str(shared / "default-build.lock")):
        if not done.is_file():
            result = run_script("-o", str(out))
            assert result.code == 0, result.err
            writer = PdfWriter(clone_from=PdfReader(out / "neutral/worksheets/d01-co-creation-and-engagement-fillable.pdf"))
            writer.update_page_form_field_values(None, {"name": "Ada Example", "C1_1_r1": "/developmental",
                                                        "C1_1_r2": "/expected-proficient", "C1_1_priority": "/on",
                                                        "C1_notes": "Ask for feedback"}, auto_regenerate=False)
            filled = folder / "ada.pdf"
            writer.write(filled)
            summary = run_script("collect", str(filled), "--into", str(out / "summary"))
            assert summary.code == 0, summary.err
            done.touch()
    return out


@pytest.fixture(scope="session")
def shipped_profile():
    return load_profile(SHIPPED)


@pytest.fixture(scope="session")
def shipped_handbook(tmp_path_factory) -> BeautifulSoup:
    out = tmp_path_factory.mktemp("handbook")
    make(SHIPPED, out, handbook("html"))
    return BeautifulSoup((out / "handbook.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def profile_copy(tmp_path) -> Path:
    """A writable copy of the shipped profile, for tests that break it."""
    dest = tmp_path / "profile_src"
    shutil.copytree(SHIPPED, dest)
    return dest


def handbook(*formats: str, **target) -> list[Target]:
    """Handbook targets at the paths tests use: handbook.html, handbook.pdf."""
    return [Target(f"handbook.{fmt}", "handbook", fmt, **target) for fmt in formats]


def worksheets(source: Path, scope: str, *formats: str) -> list[Target]:
    """Worksheet targets for every scope of a kind, at worksheets/<slug>[-fillable].<ext>."""
    ext = {"html": ".html", "pdf": ".pdf", "fillable-pdf": "-fillable.pdf"}
    return [Target(f"worksheets/{sc.slug}{ext[fmt]}", "worksheet", fmt, scope=sc)
            for sc in scopes(load_profile(source), scope) for fmt in formats]


def make(source: Path, out: Path, targets: list[Target], **options):
    """Build exactly these targets (not build.yaml's plan) from a profile folder."""
    packets = source / "packets" if (source / "packets").is_dir() else ROOT / "packets"
    return build(Project(source, TEMPLATES, out, ROOT, packets_dir=packets),
                 BuildOptions(plan=tuple(targets), **options))


def text_of(element) -> str:
    """An element's text as a reader sees it: whitespace collapsed."""
    return " ".join(element.get_text(" ").split())
