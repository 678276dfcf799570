"""The command line: help, exit codes, defaults and messages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from profilepress.cli import main

from conftest import ROOT, TINY_PLAN, run_script


def test_help_explains_every_command_and_exit_code():
    result = run_script("--help")
    assert result.code == 0
    commands = result.out.split("commands:", 1)[1].split("exit codes:", 1)[0]
    for command in ("build", "check", "verify", "tailor", "merge", "diff", "collect", "schema", "serve"):
        assert re.search(rf"^    {command} +[a-z]", commands, re.M), f"{command} is not listed with what it does"
    for line in ("0  success", "1  bad input", "2  wrong usage", "3  internal error"):
        assert line in result.out
    for option in ("--source", "--output", "--templates", "--quiet", "--verbose"):
        assert option in result.out


@pytest.mark.parametrize(
    "command", ["build", "check", "verify", "tailor", "merge", "diff", "collect", "schema", "serve"]
)
def test_each_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"], root=ROOT)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: build.py {command}")
    description = out.split("\n\n")[1]  # what the command does, in a sentence
    assert description.endswith(".") and len(description.split()) >= 5, description


@pytest.mark.parametrize("args", [["publish"], ["--no-such-option"], ["check", "--frobnicate"]])
def test_usage_errors_exit_2(args):
    result = run_script(*args)
    assert result.code == 2
    assert "usage: build.py" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "option, value, says",
    [("--memory", "0", "megabytes"), ("--timeout", "abc", "seconds"), ("--jobs", "1.5", "jobs")],
)
def test_a_bad_number_is_named_by_what_it_counts(capsys, option, value, says):
    from profilepress.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([option, value])
    assert exit_.value.code == 2
    assert f"{option}: '{value}' is not a number of {says} (a whole number, 1 or more)" in capsys.readouterr().err


def test_default_command_builds_the_plan_into_output(tiny_build):
    """No command: the build plan's documents (here the tiny profile's own plan) and the catalogue. (The build is
    conftest's tiny_build: `--plan tests/profiles/tiny/build.yaml -o OUT --jobs 1`, made once for the run.)"""
    out, result = tiny_build
    assert result.code == 0, result.err
    made = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert made == [
        "index.html",
        "manifest.json",
        "neutral/handbook.html",
        "neutral/handbook.pdf",
        "neutral/packets/listening-hour.html",
        "neutral/roles/buddy.html",
        "neutral/worksheets/m01-active-listening.html",
        "neutral/worksheets/m02-reflecting-back.html",
        "neutral/worksheets/profile-fillable.pdf",
        "neutral/worksheets/profile.html",
        "neutral/worksheets/profile.pdf",
    ]
    assert (out / "neutral/handbook.pdf").read_bytes().startswith(b"%PDF-")
    assert "built 9, up to date 0, removed 0, failed 0 in " in result.out


def test_options_after_the_command(run, tmp_path):
    result = run("build", "--plan", str(TINY_PLAN), "-o", str(tmp_path), "--quiet", "--format", "html", "--jobs", "1")
    assert result.code == 0, result.err
    assert result.out == ""
    assert "Peer Mentoring Practice Profile" in (tmp_path / "neutral/handbook.html").read_text(encoding="utf-8")


def test_check_writes_nothing(run, tmp_path):
    """Not the plan's output folder (output/ beside the plan), nor anything else in the project."""
    project = tmp_path / "tiny"
    shutil.copytree(TINY_PLAN.parent, project)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = run("check", "--plan", str(project / "build.yaml"))
    assert result.code == 0, result.err
    assert result.out.startswith("ok: ") and "is a valid profile" in result.out
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_each_command_shows_and_takes_only_the_options_it_uses(run, capsys):
    """collect makes no worksheets: no --shard, --only or --jobs in its help; given one, before or after the
    command, it is refused by name (exit 2), not silently ignored. Its --format is the reports' (html or pdf)."""
    with pytest.raises(SystemExit):
        main(["collect", "--help"], root=ROOT)
    help_text = capsys.readouterr().out
    for option in ("--shard", "--only", "--jobs", "--print-marks", "--prune", "--force", "--scale"):
        assert option not in help_text, option
    assert "--into DIR" in help_text and "--format {html,pdf}" in help_text and "--brand NAME" in help_text
    for args in (["collect", "--shard", "1/2", "x.pdf"], ["--shard", "1/2", "collect", "x.pdf"]):
        result = run(*args)
        assert result.code == 2, result
        assert "error: --shard does not apply to 'collect'; see 'python build.py collect --help'" in result.err
    result = run("--paper=letter", "clean")
    assert result.code == 2 and "--paper does not apply to 'clean'" in result.err, result
    with pytest.raises(SystemExit) as stopped:
        main(["collect", "--format", "fillable-pdf", "x.pdf"], root=ROOT)
    assert stopped.value.code == 2 and "invalid choice: 'fillable-pdf'" in capsys.readouterr().err


def test_bad_input_exit_1_without_traceback(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "profile.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    result = run_script("check", "--source", str(source))
    assert result.code == 1
    assert "profile.yaml:2:1: error: YAML syntax error" in result.err
    assert "principles.yaml is missing" in result.err
    assert "Traceback" not in result.err


def test_missing_templates_folder_is_a_clear_error(run, tmp_path):
    result = run("--templates", str(tmp_path / "none"), "--output", str(tmp_path / "out"))
    assert result.code == 1
    assert result.err.startswith("error: templates folder not found")
    assert not (tmp_path / "out").exists()


def test_version(capsys):
    from profilepress import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"], root=ROOT)
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"build.py (profilepress {__version__})"


def test_build_py_runs_from_any_folder(tmp_path):
    """`python path/to/build.py` works wherever it is run from: the plan, templates and output default to
    the project's, not to the current folder."""
    listed = run_script("--list", "--format", "html", cwd=tmp_path)
    assert listed.code == 0, listed.err
    assert f"{ROOT / 'output' / 'neutral' / 'handbook.html'}" in listed.out.replace(str(ROOT.resolve()), str(ROOT))
    assert not any(tmp_path.iterdir())


def test_paper_marks_and_format_options(run, tmp_path):
    from pypdf import PdfReader

    plan = ["--plan", str(TINY_PLAN), "-o", str(tmp_path)]
    listed = run(*plan, "--format", "pdf", "--list")  # --format pdf: the printable PDFs, not the fillable one
    assert [line.split()[-1] for line in listed.out.splitlines()[:-1]] == [
        str(tmp_path / "neutral/handbook.pdf"),
        str(tmp_path / "neutral/worksheets/profile.pdf"),
    ]
    result = run(
        *plan, "--format", "pdf", "--only", "neutral/handbook.*", "--paper", "letter", "--print-marks", "-j", "1"
    )
    assert result.code == 0, result.err
    made = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.*"))
    assert made == ["manifest.json", "neutral/handbook.pdf"]  # a partial build: no catalogue
    page = PdfReader(tmp_path / "neutral/handbook.pdf").pages[0]
    assert (float(page.trimbox.width), float(page.trimbox.height)) == (612.0, 792.0)
    assert float(page.mediabox.width) > 612.0  # bleed around the trim box


def test_unknown_paper_is_a_usage_error():
    result = run_script("--paper", "a5")
    assert result.code == 2
    assert "invalid choice: 'a5'" in result.err


@pytest.mark.parametrize("value", ["yesterday", "²", "-1", "1e9", "99999999999999", "253402300800"])
def test_bad_source_date_epoch_is_a_usage_error(run, tmp_path, monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run("--plan", str(TINY_PLAN), "-o", str(tmp_path / "out"))
    assert result.code == 2, result.err
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (0 to 253402300799" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert not (tmp_path / "out").exists()


def test_a_reader_that_stops_early_is_not_an_error():
    """`build.py --list | head -1`: the reader goes away before the list is written; no error, exit 0."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--list"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # as `head` does once it has its line: every write now fails
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "internal error" not in err and "Traceback" not in err and "Error" not in err, err
