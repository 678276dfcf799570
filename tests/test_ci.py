"""CI as the example workflow runs it: shards built from their caches, merged, verified; two runs with a
plan change between them leave exactly what a fresh full build gives, and no stale file anywhere."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from profilepress.cli import main

from conftest import ROOT, TINY, Result, cli

WORKFLOW = ROOT / ".github" / "workflows" / "documents.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


ON_MAIN = "github.ref == 'refs/heads/main'"


def _step(job: dict, step_id: str, ref: str = "refs/heads/main") -> str | None:
    """The step's command, or None when its condition skips it for a run on ``ref`` (the workflow's conditions
    are all "on main"; another one fails here, to be taught to the test)."""
    step = next(step for step in job["steps"] if step.get("id") == step_id)
    assert step.get("if", ON_MAIN) == ON_MAIN, step["if"]
    return step["run"] if "if" not in step or ref == "refs/heads/main" else None


def _run(command: str, cwd: Path, plan: Path, env: dict) -> Result:
    """A workflow command as the runner runs it: bash expands its words (variables, quotes, globs) in the job's
    folder and environment; the engine then runs them in this process (a process of its own for each command
    would add a second each, and show nothing more), with this checkout's engine, the test's plan and one job
    (the tiny plan's HTML is not worth a pool of workers; the bytes do not depend on it)."""
    full_env = {**os.environ, **env}
    expanded = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f'printf "%s\\0" {command}'],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
    )
    words = expanded.stdout.split("\0")[:-1]
    assert words[:2] == [".venv/bin/python", "build.py"], command
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        one_job = () if words[2:3] == ["merge"] else ("--jobs", "1")  # merge renders nothing: no --jobs
        done = cli("--plan", str(plan), *one_job, *words[2:], cwd=cwd)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert done.code == 0, f"{command}\n{done.out}\n{done.err}"
    return done


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


@pytest.fixture
def project(tmp_path) -> Path:
    """The tiny profile as a repository's project: its plan, in HTML (fast), with an excerpt per role."""
    folder = tmp_path / "project"
    shutil.copytree(TINY, folder)
    plan = yaml.safe_load((folder / "build.yaml").read_text(encoding="utf-8"))
    for edition in plan["editions"]:
        for doc in edition["documents"]:
            doc["formats"] = ["html"]
    (folder / "build.yaml").write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return folder


def _ci_run(workflow: dict, project: Path, jobs: Path, cache: Path, run: int, ref: str) -> Path:
    """One run of the workflow for a push to ``ref``: each shard's job restores its cache, builds, verifies (on
    main), saves its cache and uploads its folder; the merge job downloads them all and merges. Returns the
    merged folder."""
    build_job = workflow["jobs"]["build"]
    shards = build_job["strategy"]["matrix"]["shard"]
    merge_dir = jobs / f"run-{run}-merge"
    for shard in shards:
        env = {key: value.replace("${{ matrix.shard }}", str(shard)) for key, value in build_job["env"].items()}
        env["SOURCE_DATE_EPOCH"] = "1700000000"
        job = jobs / f"build-{shard}"  # the same workspace path every run, as on a runner
        shutil.rmtree(job, ignore_errors=True)
        job.mkdir(parents=True)
        if (cache / env["FOLDER"]).is_dir():  # actions/cache: restore
            shutil.copytree(cache / env["FOLDER"], job / env["FOLDER"])
        for step in ("build", "verify"):
            command = _step(build_job, step, ref)
            if command is not None:
                _run(command, job, project / "build.yaml", env)
        shutil.rmtree(cache / env["FOLDER"], ignore_errors=True)  # actions/cache: save
        shutil.copytree(job / env["FOLDER"], cache / env["FOLDER"])
        shutil.copytree(job / env["FOLDER"], merge_dir / "shards" / env["FOLDER"])  # upload, download
    merge = _step(workflow["jobs"]["merge"], "merge", ref)
    assert merge is not None
    _run(
        merge,
        merge_dir,
        project / "build.yaml",
        {"SOURCE_DATE_EPOCH": "1700000000"},
    )
    return merge_dir / "output"


def test_two_ci_runs_with_a_plan_change_leave_exactly_a_fresh_builds_files(project, tmp_path, monkeypatch):
    workflow = _workflow()
    jobs, cache = tmp_path / "jobs", tmp_path / "cache"
    first = _ci_run(workflow, project, jobs, cache, 1, "refs/pull/7/merge")  # a pull request: no verify
    assert "neutral/roles/buddy.html" in _files(first)

    # Between the runs: the excerpts leave the plan, a worksheet per domain joins it, an activity is reworded.
    plan = yaml.safe_load((project / "build.yaml").read_text(encoding="utf-8"))
    documents = plan["editions"][0]["documents"]
    plan["editions"][0]["documents"] = [d for d in documents if d["kind"] != "excerpt"] + [
        {"kind": "worksheet", "scope": "domain", "formats": ["html"]}
    ]
    (project / "build.yaml").write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    competency = project / "competencies" / "reflecting-back.yaml"
    competency.write_text(
        competency.read_text(encoding="utf-8").replace(
            "Summarise in the mentee's words", "Summarise in the mentee's own words"
        ),
        encoding="utf-8",
    )

    second = _ci_run(workflow, project, jobs, cache, 2, "refs/heads/main")  # merged: each shard verified
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert cli("--plan", str(project / "build.yaml"), "-o", str(fresh), "-q", "-j", "1").code == 0
    expected = _files(fresh)
    assert "neutral/roles/buddy.html" not in expected and "neutral/worksheets/l01-listening.html" in expected
    assert b"own words" in expected["neutral/worksheets/m02-reflecting-back.html"]
    assert _files(second) == expected  # the same files, the same bytes: nothing stale, nothing lost

    # No shard's cached folder keeps an output it no longer owns or the plan no longer makes.
    cached = {path for shard in cache.iterdir() for path in _files(shard)}
    assert cached == set(expected) - {"index.html"}
    verify = cli("--plan", str(project / "build.yaml"), "verify", "-o", str(second), "--jobs", "1")
    assert verify.code == 0, verify.err


def _listed(project: Path, *args: str) -> list[str]:
    """`build.py --list -q ARGS`: the targets' paths (in this process: listing starts no worker and writes nothing)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--plan", str(project / "build.yaml"), "--list", "-q", *args], root=ROOT) == 0
    return [line.split()[-1] for line in out.getvalue().splitlines()]


def test_adding_a_target_moves_no_other_target_to_another_shard(project):
    before = {i: set(_listed(project, "--shard", f"{i}/3")) for i in (1, 2, 3)}
    plan = yaml.safe_load((project / "build.yaml").read_text(encoding="utf-8"))
    plan["editions"][0]["documents"].insert(0, {"kind": "worksheet", "scope": "domain", "formats": ["html"]})
    (project / "build.yaml").write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    after = {i: set(_listed(project, "--shard", f"{i}/3")) for i in (1, 2, 3)}
    assert sum(len(paths) for paths in after.values()) == sum(len(paths) for paths in before.values()) + 1
    for i in (1, 2, 3):
        assert before[i] <= after[i], f"shard {i} lost {before[i] - after[i]}"


def test_merge_refuses_a_missing_shard_and_a_conflict(project, tmp_path, monkeypatch):
    """(The command line in this process: what a process of its own adds is the test above's.)"""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")

    def run(*args: str) -> Result:
        one_job = () if args[0] == "merge" else ("--jobs", "1")  # merge renders nothing: it takes no --jobs
        return cli("--plan", str(project / "build.yaml"), *one_job, *args)

    assert run("--shard", "1/2", "-o", str(tmp_path / "s1"), "-q").code == 0
    missing = run("merge", str(tmp_path / "s1"), "-o", str(tmp_path / "merged"))
    assert missing.code == 1 and "in no folder; build every shard first" in missing.err
    assert not (tmp_path / "merged").exists()

    assert run("--shard", "2/2", "-o", str(tmp_path / "s2"), "-q").code == 0
    owned = next(p for p in _files(tmp_path / "s1") if p.endswith(".html"))
    (tmp_path / "s1" / owned).write_text("changed by hand", encoding="utf-8")
    changed = run("merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "-o", str(tmp_path / "merged"))
    assert changed.code == 1 and f"{owned}: missing, or changed since it was built" in changed.err
    assert not (tmp_path / "merged").exists()
