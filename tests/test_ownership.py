"""A build writes, replaces and removes only what its own plan made: another plan's outputs and tailored
excerpts stay (unless --prune, which lists each removal), and a plan's paths are relative to the plan file.

The command line runs in this process (conftest.cli: each run reads the plan, the sources and the manifest
afresh, as a new process would); what a build owns does not depend on the process that made it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TINY, cli


@pytest.fixture
def project(tmp_path):
    """The tiny profile's project, its plan in HTML only (so a plain build of the whole plan is quick)."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    plan = yaml.safe_load((folder / "build.yaml").read_text(encoding="utf-8"))
    for edition in plan["editions"]:
        for doc in edition["documents"]:
            doc["formats"] = ["html"]
    (folder / "build.yaml").write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return folder


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_plans_default_output_folder_is_beside_the_plan(project):
    result = cli("--plan", str(project / "build.yaml"), "--jobs", "1", "-q")
    assert result.code == 0, result.err
    assert "neutral/handbook.html" in files(project / "output")
    listed = cli("--plan", str(project / "build.yaml"), "--list", "-q", cwd=project.parent)
    assert listed.out.splitlines()[0].endswith("tiny/output/neutral/handbook.html"), listed.out

    elsewhere = project.parent / "elsewhere.yaml"  # a plan's own folders are relative to it, too
    plan = yaml.safe_load((project / "build.yaml").read_text(encoding="utf-8"))
    plan.update(profile="tiny", packets="tiny/packets", output="public/documents")
    elsewhere.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    assert cli("--plan", str(elsewhere), "--jobs", "1", "-q").code == 0
    assert files(project.parent / "public/documents") == files(project / "output")


def test_a_build_of_another_plan_leaves_the_first_plans_outputs_in_place(project, tmp_path):
    out = tmp_path / "shared"
    assert cli("--plan", str(project / "build.yaml"), "-o", str(out), "--jobs", "1", "-q").code == 0
    before = {p: (out / p).read_bytes() for p in files(out)}
    other = project / "other.yaml"
    plan = yaml.safe_load((project / "build.yaml").read_text(encoding="utf-8"))
    plan["editions"][0]["documents"] = plan["editions"][0]["documents"][:1]
    other.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")

    refused = cli("--plan", str(other), "-o", str(out), "--jobs", "1")
    assert refused.code == 1
    assert "holds 6 outputs of another build plan" in refused.err and "build.yaml" in refused.err
    assert "--prune" in refused.err and "Traceback" not in refused.err
    assert {p: (out / p).read_bytes() for p in files(out)} == before

    pruned = cli("--plan", str(other), "-o", str(out), "--jobs", "1", "--prune")
    assert pruned.code == 0, pruned.err
    removed = sorted(line.split(" ", 1)[1] for line in pruned.out.splitlines() if line.startswith("removed neutral/"))
    assert removed == sorted(p for p in before if p.startswith("neutral/") and p != "neutral/handbook.html")
    assert files(out) == ["index.html", "manifest.json", "neutral/handbook.html"]


def test_tailor_right_after_an_up_to_date_build_and_its_outputs_stay_until_pruned(project):
    plan = ["--plan", str(project / "build.yaml"), "--jobs", "1"]
    out = project / "output"
    assert cli(*plan).code == 0
    assert "(decided from the manifest)" in cli(*plan).out  # up to date: the shortcut is taken
    tailored = cli(*plan, "tailor", "--role", "buddy", "--format", "html")
    assert tailored.code == 0, tailored.err
    assert "built 1" in tailored.out and (out / "neutral/tailored/buddy.html").is_file()

    again = cli(*plan)  # a plain build of the whole plan keeps what tailor made
    assert again.code == 0 and "removed 0" in again.out, again.out
    assert (out / "neutral/tailored/buddy.html").is_file()
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["targets"]
    assert recorded["neutral/tailored/buddy.html"]["requested"] is True

    pruned = cli(*plan, "--prune")
    assert pruned.code == 0, pruned.err
    assert "removed neutral/tailored/buddy.html" in pruned.out and "removed 1," in pruned.out
    assert not (out / "neutral/tailored").exists()
    assert (out / "neutral/handbook.html").is_file()


def test_a_users_file_in_the_output_folder_is_never_touched(project):
    plan = ["--plan", str(project / "build.yaml"), "--jobs", "1", "-q"]
    out = project / "output"
    assert cli(*plan).code == 0
    (out / "neutral/notes-of-mine.txt").write_text("mine", encoding="utf-8")
    data = yaml.safe_load((project / "build.yaml").read_text(encoding="utf-8"))
    data["editions"][0]["documents"] = data["editions"][0]["documents"][:1]
    (project / "build.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert cli(*plan, "--prune").code == 0
    assert (out / "neutral/notes-of-mine.txt").read_text(encoding="utf-8") == "mine"
    assert files(out) == ["index.html", "manifest.json", "neutral/handbook.html", "neutral/notes-of-mine.txt"]


@pytest.mark.parametrize(
    "where, says",
    [
        (lambda project: project, "is the plan's folder"),
        (lambda project: project / "competencies", "holds sources (active-listening.yaml)"),
        (lambda project: project / "roles" / "new", "a folder of sources"),
        (lambda project: ROOT / "brands" / "out", "a folder of sources"),
        (lambda project: ROOT / "templates" / "css" / "out", "a folder of sources"),
        (lambda project: project.parent, "or a folder above it"),
        (lambda project: ROOT, "is the folder build.py is in"),
        (lambda project: Path("/"), "is the root folder"),
        (lambda project: Path.home(), "is your home folder"),
    ],
)
def test_output_may_not_be_a_folder_of_sources_or_above_them(project, where, says):
    folder = where(project)
    before = sorted(p.name for p in folder.iterdir()) if folder.exists() else None
    for command in ([], ["clean"]):
        only_html = ("--format", "html") if not command else ()  # clean takes no --format
        result = cli("--plan", str(project / "build.yaml"), "-o", str(folder), *only_html, *command)
        assert result.code == 1, result.out
        assert result.err.startswith("error: --output ") and says in result.err, result.err
        assert "Traceback" not in result.err
    assert (sorted(p.name for p in folder.iterdir()) if folder.exists() else None) == before
