"""Shared fixtures: the shipped profile, a tiny second profile, and a way to run the CLI."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock

from profilepress.build import build
from profilepress.cli import main
from profilepress.load import load_profile
from profilepress.project import BuildOptions, Project, Target
from profilepress.select import scopes

from fillers import fill

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
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


# --- the default build: output/ as `make` leaves it, or made here when it is not up to date -----------

OUTPUT = ROOT / "output"  # where `python build.py` (and so `make`, and `make test` before the tests) builds


def default_plan_is_built() -> bool:
    """Does output/ hold what `python build.py` would leave there now? Asked exactly as the command asks
    before it builds (the manifest and content hashes, profilepress/freshness.py), and read only."""
    from profilepress import freshness
    from profilepress.cli import _choices, _quick_options, make_parser

    args = make_parser(ROOT).parse_args([])
    project = freshness.project_of(args.plan, ROOT, source=args.source, templates=args.templates, output=args.output)
    return freshness.up_to_date(project, BuildOptions(**_quick_options(_choices(args)))) is not None


def copy_default_build(folder: Path) -> bool:
    """Copy the default plan's outputs in output/ (what a build into an empty folder makes: the plan's documents,
    the catalogue and the manifest; nothing else a user keeps there) into ``folder``, and check the copies
    against the manifest's hashes. False when output/ is not up to date."""
    if not default_plan_is_built():
        return False
    recorded = json.loads((OUTPUT / "manifest.json").read_text(encoding="utf-8"))
    expected = {path: recorded["targets"][path]["sha256"] for path in recorded["order"]} | recorded["extras"]
    for path in [*expected, "manifest.json"]:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(OUTPUT / path, folder / path)
    return all(hashlib.sha256((folder / p).read_bytes()).hexdigest() == sha for p, sha in expected.items())


def files_in(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def pytest_configure(config):
    """In the process that runs the session (not in an xdist worker): find the default build.

    `make test` brings output/ up to date first (as `make` does), so the tests read a copy of it. Run on its
    own, pytest checks that output/ is up to date; if it is not, it starts `python build.py` into a temporary
    folder at once, in the background, so that the whole plan is built while the first tests run.
    """
    if hasattr(config, "workerinput") or os.environ.get("PROFILEPRESS_TEST_BUILD"):
        return
    config._output_before = files_in(OUTPUT)  # nothing may write into output/ during the tests
    folder = Path(tempfile.mkdtemp(prefix="profilepress-default-build-"))
    if copy_default_build(folder / "output"):
        (folder / "exit-code").write_text("0\n")
        config._default_build = (folder, None, None, "output/, up to date (read from a copy)")
        return
    shutil.rmtree(folder / "output", ignore_errors=True)
    log = open(folder / "build.log", "w", encoding="utf-8")  # noqa: SIM115  (closed in pytest_unconfigure)
    script = (
        f'"{sys.executable}" "{ROOT / "build.py"}" -o "{folder / "output"}"; '
        f'echo $? > "{folder / "exit-code.tmp"}"; mv "{folder / "exit-code.tmp"}" "{folder / "exit-code"}"'
    )
    config._default_build = (
        folder,
        subprocess.Popen(["sh", "-c", script], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True),
        log,
        f"output/ is not up to date, so the whole plan is being built into {folder} "
        "(about 2 minutes more; `make` or `python build.py` first saves them)",
    )


def pytest_report_header(config):
    started = getattr(config, "_default_build", None)
    if started is not None:
        return f"default build: {started[3]}"
    if os.environ.get("PROFILEPRESS_TEST_BUILD"):
        return f"default build: {os.environ['PROFILEPRESS_TEST_BUILD']} (PROFILEPRESS_TEST_BUILD)"
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Tell each xdist worker where the default build is."""
    started = getattr(node.config, "_default_build", None)
    if started is not None:
        node.workerinput["default_build"] = str(started[0])


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_output_before", None)
    if before is not None and files_in(OUTPUT) != before:
        session.config.get_terminal_writer().line(
            "output/ changed during the tests: a test wrote into it (tests must write into their own folders)",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config):
    started = getattr(config, "_default_build", None)
    if started is not None:
        folder, process, log, _ = started
        if process is not None:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait()
            log.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def default_build(request) -> Path:
    """`python build.py` as a user runs it: the whole default plan, and a filled worksheet collected beside it.

    A copy of output/ when it is up to date (`make test` sees to that), or else the build started when the test
    run started (see pytest_configure); this waits for it. Tests read it; one that changes a file copies it first.
    PROFILEPRESS_TEST_BUILD names a default build made beforehand, for working on the tests.
    """
    if os.environ.get("PROFILEPRESS_TEST_BUILD"):
        return Path(os.environ["PROFILEPRESS_TEST_BUILD"])
    config = request.config
    folder = Path(config.workerinput["default_build"]) if hasattr(config, "workerinput") else config._default_build[0]
    out, done, code = folder / "output", folder / "collected", folder / "exit-code"
    deadline = time.monotonic() + 1500
    while not code.is_file():
        assert time.monotonic() < deadline, "the default build did not finish in 25 minutes"
        time.sleep(0.5)
    assert code.read_text().strip() == "0", (folder / "build.log").read_text(encoding="utf-8")[-3000:]
    with FileLock(str(folder / "collect.lock")):
        if not done.is_file():
            filled = folder / "ada.pdf"  # filled with qpdf (pikepdf): a tenth of pypdf's time on this large form
            fill(
                "pikepdf",
                out / "neutral/worksheets/d01-co-creation-and-engagement-fillable.pdf",
                filled,
                {
                    "name": "Ada Example",
                    "C1_1_r1": "developmental",
                    "C1_1_r2": "expected-proficient",
                    "C1_1_priority": True,
                    "C1_notes": "Ask for feedback",
                },
            )
            summary = cli("collect", str(filled), "--into", str(out / "summary"))
            assert summary.code == 0, summary.err
            done.touch()
    return out


def cli(*args: str, cwd: Path | None = None) -> Result:
    """`python build.py ARGS` in this process (from the folder ``cwd`` when given), for fixtures and module-scoped
    work, where the `run` fixture cannot be used, and for tests where a process of its own is not the point: it
    saves that process's start, imports and WeasyPrint's (a second or two each). Each call reads the plan, the
    sources and the manifest afresh, as a new process would."""
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args), root=ROOT)
    finally:
        os.chdir(here)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory) -> tuple[Path, Result]:
    """The tiny profile's own plan, whole (PDFs too), built once for the test run as
    `python build.py --plan tests/profiles/tiny/build.yaml -o OUT --jobs 1` builds it: (OUT, what it printed).

    Shared by every test process of the run (a folder they all see, a lock); tests read it, and one that changes
    a file copies it first.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # xdist: the workers' common folder
    folder = shared / "tiny-build"
    with FileLock(str(shared / "tiny-build.lock")):
        if not (folder / "result.json").is_file():
            result = cli("--plan", str(TINY_PLAN), "-o", str(folder / "out"), "--jobs", "1")
            assert result.code == 0, result.err
            (folder / "result.json").write_text(json.dumps(result.__dict__), encoding="utf-8")
    return folder / "out", Result(**json.loads((folder / "result.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the test process (starting one costs a second or two)."""
    from browser import Chromium

    with Chromium() as browser:
        yield browser


@pytest.fixture
def browser(chromium):
    """Headless Chromium, as a new private window for this test: nothing kept from the tests before (what pages
    stored, the screen size; test_worksheet_html.py::test_each_test_starts_with_nothing_kept_in_the_browser)."""
    chromium.new_page()
    return chromium


@pytest.fixture(scope="session")
def shipped_profile():
    return load_profile(SHIPPED)


@pytest.fixture(scope="session")
def shipped_handbook(tmp_path_factory) -> BeautifulSoup:
    out = tmp_path_factory.mktemp("handbook")
    make(SHIPPED, out, handbook("html"))
    return BeautifulSoup((out / "handbook.html").read_text(encoding="utf-8"), "lxml")


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
    return [
        Target(f"worksheets/{sc.slug}{ext[fmt]}", "worksheet", fmt, scope=sc)
        for sc in scopes(load_profile(source), scope)
        for fmt in formats
    ]


def make(source: Path, out: Path, targets: list[Target], **options):
    """Build exactly these targets (not build.yaml's plan) from a profile folder.

    In this process, with one job unless told otherwise: the test processes already keep every core busy, and a
    pool of workers would only add its start-up (the pool has tests of its own: test_incremental, test_hostile).
    """
    packets = source / "packets" if (source / "packets").is_dir() else ROOT / "packets"
    options.setdefault("jobs", 1)
    return build(
        Project(source, TEMPLATES, out, ROOT, packets_dir=packets), BuildOptions(plan=tuple(targets), **options)
    )


def text_of(element) -> str:
    """An element's text as a reader sees it: whitespace collapsed."""
    return " ".join(element.get_text(" ").split())


def previous_build(out: Path, files: dict[str, bytes]) -> None:
    """Files in ``out`` as an earlier build left them: written, and listed in its manifest (so they are the
    build's own, which it may replace; a file no manifest lists is a user's, never overwritten)."""
    from profilepress import manifest

    recorded = manifest.Manifest()
    for relative, data in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
        recorded.targets[relative] = manifest.Entry(manifest.sha256_bytes(data), len(data), 0, "handbook", "html", "")
    (out / manifest.FILE).write_bytes(recorded.to_json())
