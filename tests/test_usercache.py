"""The user's cache of compiled templates and stylesheet checks: private, never needed for the right bytes,
and it never grows without end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, TINY


def _html_build(plan: Path, out: Path, cache_home: Path, *args: str, **env: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--plan", str(plan), "-o", str(out), "-j", "1", "-q", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XDG_CACHE_HOME": str(cache_home), "SOURCE_DATE_EPOCH": "1700000000", **env},
    )
    assert done.returncode == 0, done.stderr


def _documents(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.html"))}


def test_the_cache_is_private_and_a_damaged_or_missing_cache_gives_the_same_documents(tmp_path):
    project = tmp_path / "tiny"
    shutil.copytree(TINY, project)
    plan = project / "build.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8")
        .replace("[html, pdf, fillable-pdf]", "[html]")
        .replace("[html, pdf]", "[html]"),
        encoding="utf-8",
    )
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)

    cache = tmp_path / "cache"
    _html_build(plan, tmp_path / "first", cache, "--templates", str(templates))
    [folder] = (cache / "profilepress").iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700
    entries = sorted(p.name for p in folder.iterdir())
    assert any(n.startswith("__jinja2_") for n in entries) and any(n.startswith("references-") for n in entries)
    assert any(n.startswith("css-") for n in entries)
    first = _documents(tmp_path / "first")

    for entry in folder.iterdir():  # every entry damaged: each is made again, the documents do not change
        entry.write_bytes(b"\x00damaged")
    _html_build(plan, tmp_path / "second", cache, "--templates", str(templates))
    assert _documents(tmp_path / "second") == first

    _html_build(
        plan, tmp_path / "third", tmp_path / "no-cache", "--templates", str(templates), PROFILEPRESS_CACHE="off"
    )
    assert _documents(tmp_path / "third") == first
    assert not (tmp_path / "no-cache").exists()

    # A template edited between two processes is compiled anew, whatever the cache holds.
    excerpt = templates / "excerpt.html.j2"
    old = '<p class="role-description">'
    excerpt.write_text(excerpt.read_text(encoding="utf-8").replace(old, old + "Edited. "), encoding="utf-8")
    _html_build(plan, tmp_path / "first", cache, "--templates", str(templates))
    assert b"Edited. " in (tmp_path / "first/neutral/roles/buddy.html").read_bytes()


def test_old_engine_folders_are_removed_beyond_a_few_and_nothing_else(tmp_path, monkeypatch):
    from profilepress import usercache

    base = tmp_path / "profilepress"
    base.mkdir()
    for i in range(usercache.KEEP + 3):
        old = base / f"engine-old{i:02d}"
        old.mkdir()
        os.utime(old, (1_600_000_000 + i, 1_600_000_000 + i))
    (base / "notes.txt").write_text("mine", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (base / "engine-link").symlink_to(elsewhere)

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PROFILEPRESS_CACHE", raising=False)
    usercache.folder.cache_clear()
    try:
        mine = usercache.folder()
    finally:
        usercache.folder.cache_clear()
    assert mine is not None and mine.parent == base
    kept = sorted(p.name for p in base.iterdir())
    newest = [f"engine-old{i:02d}" for i in range(usercache.KEEP + 3)][-(usercache.KEEP - 1) :]
    assert kept == sorted([mine.name, *newest, "notes.txt", "engine-link"])
    assert elsewhere.is_dir()
