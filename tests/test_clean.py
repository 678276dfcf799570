"""`build.py clean` and `make clean` remove what the build made, and nothing else.

`build.py` runs in this process (conftest.cli), except in the test of `make clean`."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT, TINY, cli


def test_clean_removes_the_builds_files_and_leaves_the_users(tmp_path):
    project = tmp_path / "tiny"
    shutil.copytree(TINY, project)
    out = tmp_path / "out"
    plan = ["--plan", str(project / "build.yaml"), "-o", str(out)]
    assert cli(*plan, "--format", "html", "--jobs", "1", "-q").code == 0
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    (out / "neutral" / "annotated.html").write_text("mine too", encoding="utf-8")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    changed = out / "neutral" / "handbook.html"
    changed.write_text(changed.read_text(encoding="utf-8") + "<!-- my edit -->", encoding="utf-8")

    cleaned = cli(*plan, "clean")
    assert cleaned.code == 0, cleaned.err
    assert "neutral/handbook.html was changed since it was built; left in place" in cleaned.err
    assert "removed 5 files the build made" in cleaned.out and "kept 1 changed by hand" in cleaned.out
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert left == [".git/HEAD", "my-notes.txt", "neutral/annotated.html", "neutral/handbook.html"]

    again = cli(*plan, "clean")
    assert again.code == 0 and "nothing to clean" in again.out


def test_make_clean_leaves_a_users_file_in_output(tmp_path):
    """`make clean` in a clone of the project: the documents go, the user's notes and the folder's README stay."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    (clone / ".venv").symlink_to(ROOT / ".venv")
    built = subprocess.run(
        [sys.executable, "build.py", "--only", "neutral/handbook.html", "--jobs", "1", "-q"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert (clone / "output/neutral/handbook.html").is_file()
    (clone / "output/notes.md").write_text("mine", encoding="utf-8")
    done = subprocess.run(["make", "clean"], cwd=clone, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    left = sorted(p.relative_to(clone / "output").as_posix() for p in (clone / "output").rglob("*") if p.is_file())
    assert left == ["README.md", "notes.md"]
    assert (ROOT / ".venv").is_dir()  # the link went, not what it points at


def test_clean_says_when_there_is_nothing_to_clean_and_why(tmp_path):
    missing = cli("--plan", str(TINY / "build.yaml"), "clean", "-o", str(tmp_path / "typo"))
    assert missing.code == 0 and missing.out.strip().endswith("typo does not exist"), missing.out
    assert not (tmp_path / "typo").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    empty = cli("--plan", str(TINY / "build.yaml"), "clean", "-o", str(tmp_path / "mine"))
    assert empty.code == 0 and "holds no build (no manifest.json)" in empty.out, empty.out
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "mine"
