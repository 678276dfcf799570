"""Faults around the output folder: links, files in the way, read-only files, the umask, leftovers of a
killed build, signals while the outputs are put in place, and bugs (exit 3, one line).

Builds run the command line in this process (conftest.cli) except where a process of its own is the point: a
umask, a signal."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from profilepress.cli import main

from conftest import ROOT, TINY, cli


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def plan(project, out, *args):
    return ["--plan", str(project / "build.yaml"), "-o", str(out), "--format", "html", "--jobs", "1", *args]


def snapshot(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_link_in_the_output_folder_is_never_written_through(project, tmp_path):
    out = tmp_path / "out"
    assert cli(*plan(project, out, "-q")).code == 0
    users = tmp_path / "precious.html"
    users.write_text("mine", encoding="utf-8")
    (out / "neutral/handbook.html").unlink()
    (out / "neutral/handbook.html").symlink_to(users)
    before = snapshot(out)
    result = cli(*plan(project, out))
    assert result.code == 1
    assert "neutral/handbook.html is a symbolic link; the build never writes through a link" in result.err
    assert users.read_text(encoding="utf-8") == "mine" and snapshot(out) == before


def test_a_users_file_where_the_build_would_write_is_refused(project, tmp_path):
    out = tmp_path / "out"
    (out / "neutral").mkdir(parents=True)
    (out / "neutral/handbook.html").write_text("my own handbook", encoding="utf-8")
    result = cli(*plan(project, out))
    assert result.code == 1
    assert "neutral/handbook.html was not made by this build, and the build would write there" in result.err
    assert snapshot(out) == {"neutral/handbook.html": b"my own handbook"}


def test_a_read_only_output_is_refused_and_new_files_follow_the_umask(project, tmp_path):
    out = tmp_path / "out"
    built = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *plan(project, out, "-q")],
        preexec_fn=lambda: os.umask(0o027),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert (out / "neutral/handbook.html").stat().st_mode & 0o777 == 0o640
    (out / "neutral/handbook.html").chmod(0o444)
    competency = project / "competencies/active-listening.yaml"
    competency.write_text(competency.read_text(encoding="utf-8").replace("full attention", "whole attention"))
    before = snapshot(out)
    result = cli(*plan(project, out))
    assert result.code == 1
    assert "neutral/handbook.html is read-only; the build does not replace a file you protected" in result.err
    assert snapshot(out) == before


def test_the_next_build_removes_what_a_killed_build_left_and_only_that(project, tmp_path):
    out = tmp_path / "out"
    assert cli(*plan(project, out, "-q")).code == 0
    leftover = out / "neutral/.profilepress-handbook.html.x1y2z3.tmp"
    leftover.write_bytes(b"half a document")
    mine = out / "neutral/.my-draft.tmp"
    mine.write_text("mine", encoding="utf-8")
    assert cli(*plan(project, out, "--force", "-q")).code == 0
    assert not leftover.exists() and mine.read_text(encoding="utf-8") == "mine"


def test_a_signal_while_outputs_are_put_in_place_waits_for_them():
    """Inside the held block a signal does not stop the renames; it is raised once they are done (run in a
    process of its own: signals reach only a main thread)."""
    code = (
        "import os, signal\n"
        "from profilepress.write import Interrupted, signals_held\n"
        "done = []\n"
        "try:\n"
        "    with signals_held():\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        done.append('renamed')\n"
        "except Interrupted as exc:\n"
        "    print(done, exc.args)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert ran.stdout.strip() == "['renamed'] ('SIGTERM',)", ran.stdout + ran.stderr


def test_sigterm_mid_render_exits_143_and_changes_nothing(project, tmp_path):
    out = tmp_path / "out"
    assert cli(*plan(project, out, "-q")).code == 0
    before = snapshot(out)
    env = {**os.environ, "CI": "1"}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--plan", str(project / "build.yaml"), "-o", str(out), "--force"]
        + ["--format", "pdf", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    line = proc.stdout.readline()  # "rendering: N to render": the pool is at work
    assert line.startswith("rendering"), line + proc.stderr.read()
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated (SIGTERM); nothing was written" in err
    assert snapshot(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name == ".profilepress.lock"]


def test_a_bug_while_rendering_exits_3_in_one_line_unless_verbose(project, tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the engine")

    monkeypatch.setattr("profilepress.document.render_target", broken)
    out = tmp_path / "out"
    assert main(plan(project, out, "--only", "neutral/handbook.html"), root=ROOT) == 3
    err = capsys.readouterr().err
    assert "neutral/handbook.html: error: internal error: RuntimeError: a bug in the engine" in err
    assert "Traceback" not in err and "report the output" in err
    assert main(plan(project, out, "--only", "neutral/handbook.html", "--verbose"), root=ROOT) == 3
    assert "Traceback" in capsys.readouterr().err
    assert not out.exists()


def test_hidden_files_and_version_control_folders_are_not_sources(project, tmp_path):
    (project / "roles" / "._buddy.yaml").write_bytes(b"\x00\x05\x16\x07 AppleDouble resource fork")
    (project / ".git" / "objects").mkdir(parents=True)
    (project / ".git" / "objects" / "blob").write_bytes(b"x" * 1000)
    out = tmp_path / "out"
    built = cli(*plan(project, out))
    assert built.code == 0, built.err
    inputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    assert inputs and not [path for path in inputs if "/." in "/" + path]


def test_a_huge_source_is_refused_before_it_is_read(project, tmp_path):
    huge = project / "competencies" / "reflecting-back.yaml"
    with open(huge, "ab") as handle:
        handle.truncate(60_000_000)  # a sparse 60 MB file: reading it would take seconds
    result = cli(*plan(project, tmp_path / "out"))
    assert result.code == 1
    assert "competencies/reflecting-back.yaml: error: file is too large (60,000,000 bytes)" in result.err, result.err


def test_strict_fails_on_a_warning_recorded_by_an_earlier_build(project, tmp_path):
    """--strict does not depend on the cache: an up-to-date output's warnings are replayed."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    css = templates / "css/print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { colour: red; }\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["--plan", str(project / "build.yaml"), "-o", str(out), "--templates", str(templates), "--jobs", "1"]
    args += ["--only", "neutral/handbook.pdf"]
    lenient = cli(*args)
    assert lenient.code == 0 and "warning: neutral/handbook.pdf: Ignored `colour: red`" in lenient.err
    before = snapshot(out)
    for attempt in range(2):  # the second time through the no-op shortcut's way too
        strict = cli(*args, "--strict")
        assert strict.code == 1, (attempt, strict.out)
        assert "neutral/handbook.pdf: error: warning (--strict): Ignored `colour: red`" in strict.err
        assert "built 0" not in strict.out and snapshot(out) == before


def test_the_lock_cannot_be_held_twice(tmp_path, monkeypatch):
    """The race, made certain: a second build opens the lock file, and before it locks it the first build ends
    (removing the file) and a third takes the lock. The second must not think it holds the lock too."""
    import fcntl

    from profilepress.errors import UserError
    from profilepress.write import BuildLock

    first, second, third = BuildLock(tmp_path), BuildLock(tmp_path), BuildLock(tmp_path)
    first.__enter__()
    real_flock, delayed = fcntl.flock, []

    def flock(handle, how):  # the artificial delay between the second's open and its lock
        if not delayed and handle is second.handle:
            delayed.append(True)
            first.__exit__(None, None, None)
            third.__enter__()
        return real_flock(handle, how)

    monkeypatch.setattr(fcntl, "flock", flock)
    with pytest.raises(UserError, match=r"another build is writing to .* \(process \d+\); wait for it to finish"):
        second.__enter__()
    assert delayed
    third.__exit__(None, None, None)
    assert not (tmp_path / ".profilepress.lock").exists()


def test_a_look_at_the_lock_never_refuses_a_build(tmp_path):
    """refuse_if_taken (collect's look before it renders) takes a shared lock for an instant: a build that
    starts in that instant waits it out instead of saying another build is writing."""
    import fcntl
    import threading

    from profilepress.errors import UserError
    from profilepress.write import BuildLock

    with BuildLock(tmp_path), pytest.raises(UserError, match=r"another build is writing to .* \(process \d+\)"):
        BuildLock(tmp_path).refuse_if_taken()
    BuildLock(tmp_path).refuse_if_taken()  # free, and no lock file: nothing said, nothing made
    assert not (tmp_path / ".profilepress.lock").exists()
    (tmp_path / ".profilepress.lock").write_text("")
    with open(tmp_path / ".profilepress.lock") as look:
        fcntl.flock(look, fcntl.LOCK_SH)  # a look, caught in its instant
        threading.Timer(0.01, fcntl.flock, (look, fcntl.LOCK_UN)).start()
        with BuildLock(tmp_path):
            pass


def test_a_worker_over_its_memory_limit_fails_with_a_message(project, tmp_path):
    """--memory caps each worker process rendering PDFs; a document that needs more fails, named, with what to
    do. (A cap far below any worker's size: every document needs more. Within the default cap, every other build
    passes.)"""
    out = tmp_path / "out"
    result = cli(
        *("--plan", str(project / "build.yaml"), "-o", str(out), "-j", "2", "--memory", "100"),
        *("--only", "neutral/handbook.pdf", "--only", "neutral/worksheets/profile.pdf"),
    )
    assert result.code == 1, result.err
    assert (
        "neutral/handbook.pdf: error: needed more than 100 MB of memory to render (the limit per worker "
        "process, --memory); give it more with --memory 200, or make the document smaller"
    ) in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.err.rstrip().endswith("nothing was written.") and not out.exists()


@pytest.mark.parametrize(
    "error, near_the_cap, memory",
    [
        (SystemError("<built-in function compile> returned NULL without setting an exception"), False, True),
        (RuntimeError("a bug in the engine"), True, True),
        (RuntimeError("a bug in the engine"), False, False),
    ],
    ids=["compile-returned-null", "near-the-cap", "a-bug"],
)
def test_memory_running_out_in_disguise_is_reported_as_memory(
    project, tmp_path, monkeypatch, capsys, error, near_the_cap, memory
):
    """CPython does not always raise MemoryError at the cap: an allocation failing inside the compiler says
    "SystemError: ... returned NULL without setting an exception" (seen in CI under --memory 100), and any error
    of a worker that came within a tenth of its cap is the cap's. Those are the memory message, exit 1; another
    error far from the cap stays an internal error (exit 3)."""
    import resource

    from profilepress import workers

    def fails(*args, **kwargs):
        raise error

    cap = 100 * 2**20
    monkeypatch.setattr("profilepress.document.render_target", fails)
    monkeypatch.setattr(workers.resource, "getrlimit", lambda what: (cap, resource.RLIM_INFINITY))
    monkeypatch.setattr(workers, "_peak_address_space", lambda: cap - 2**20 if near_the_cap else cap // 3)
    out = tmp_path / "out"
    code = main(plan(project, out, "--only", "neutral/handbook.html", "--memory", "100"), root=ROOT)
    err = capsys.readouterr().err
    if memory:
        assert code == 1 and "internal error" not in err
        assert "neutral/handbook.html: error: needed more than 100 MB of memory to render" in err
    else:
        assert code == 3 and "internal error: RuntimeError: a bug in the engine" in err and "memory" not in err
    assert not out.exists()


def test_a_memory_error_wrapped_by_a_library_is_reported_as_memory(project, tmp_path, monkeypatch, capsys):
    def wrapped(*args, **kwargs):
        try:
            raise MemoryError
        except MemoryError as exc:
            raise ValueError("could not lay out the page") from exc

    monkeypatch.setattr("profilepress.document.render_target", wrapped)
    out = tmp_path / "out"
    assert main(plan(project, out, "--only", "neutral/handbook.html"), root=ROOT) == 1
    err = capsys.readouterr().err
    assert "neutral/handbook.html: error: needed more than" in err and "internal error" not in err


def test_a_build_of_very_many_documents_asks_first(project, tmp_path, monkeypatch):
    from profilepress import plan as planning

    monkeypatch.setattr(planning, "MANY", 3)  # the tiny plan's 6 HTML documents stand for thousands
    out = tmp_path / "out"
    result = cli(*plan(project, out))
    assert result.code == 1
    assert (
        "error: this build would make 6 documents, more than 3 at once; if that is what you meant, run again "
        "with --many; otherwise choose fewer (--only, --brand, --format, --shard)"
    ) in result.err
    assert not out.exists()
    assert cli(*plan(project, out, "-q", "--many")).code == 0 and len(snapshot(out)) == 6 + 1  # and the manifest


class _CannotStart:
    """An input a worker process cannot read: unpickling it ends the process, as a worker whose modules no
    longer import (the engine's files changed while the build started) ends as it starts."""

    def __reduce__(self):
        return (os._exit, (1,))


def test_workers_that_cannot_start_stop_the_build_instead_of_hanging(monkeypatch, tmp_path):
    """The pool starts a new worker whenever one dies, for ever; the build notices that none ever starts."""
    from profilepress import workers
    from profilepress.errors import UserError
    from profilepress.project import BuildOptions, Project, Target

    monkeypatch.setattr(workers, "WORKER_START_LIMIT", 3.0)
    project = Project(TINY, ROOT / "templates", tmp_path / "out", ROOT)
    targets = [Target("neutral/a.pdf", "handbook", "pdf"), Target("neutral/b.pdf", "handbook", "pdf")]
    started = time.monotonic()
    with pytest.raises(UserError) as stopped:
        workers.render_all(project, BuildOptions(), _CannotStart(), targets, 2, lambda result: None)
    assert "the worker processes could not start: none started or finished a document for 3 s" in str(stopped.value)
    assert "run the build again, or with --jobs 1 to see why" in str(stopped.value)
    assert time.monotonic() - started < 60
