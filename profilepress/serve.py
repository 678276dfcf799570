"""`build.py serve`: a live preview of the plan's documents, updated as their sources are saved.

The documents are built into a temporary folder (never into the output folder) by the orchestrator the
command line hands in, with the engine's own dependency records: after a save, only the HTML whose inputs
changed is made again, the pages open in a browser first. Those pages are served with a small script of
ours, inline, that listens to the server's events (server-sent events): a page reloads where it was
scrolled to; a source with a problem shows its ``file:line:col`` and hint over the page until it is fixed.

PDFs are made only when one is open or asked for, in a process of their own (the build command itself,
with ``--only``), so that HTML keeps up while a PDF lays out; a PDF whose inputs did not change is not
made again (:func:`profilepress.freshness.current`).

Threads: the main one builds HTML (the engine renders with an alarm, which only the main thread can set)
and receives Ctrl-C; one serves HTTP (a thread per request), one or two watch the files, one makes PDFs.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import queue
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from . import freshness, manifest, plan
from .errors import ProfileErrors, SourceError, UserError, display_path
from .inputs import Inputs, load_inputs, options_from_plan, project_from_plan, read_plan
from .messages import N_, translator
from .progress import Reporter
from .project import BuildFailed, BuildOptions, Project, Report, Target

if TYPE_CHECKING:  # pragma: no cover
    from .render import Renderer

HOST = "127.0.0.1"  # loopback only: the preview is for the person at this computer
EVENTS = "/_preview/events"
PDF_PAGE = "/_preview/pdf/"  # + a PDF's path: the page that shows it and says when it is being updated
HEARTBEAT = 10.0  # seconds between comments on an idle event stream (a closed page is noticed)
WATCH_STEP = 20  # milliseconds without further changes before a save is acted on
WATCH_SETTLE = 0.3  # seconds the watchers are given to start before the preview says it is serving

# The words the page's script shows, translated where shown (the page's own language).
SCRIPT_MESSAGES = {
    "heading": N_("This page could not be updated"),
    "intro": N_("A file has a problem. Fix it and save it: this page updates by itself, and this message goes away."),
    "updating": N_("PDF updating…"),
    "failed": N_("The PDF could not be made:"),
}

Build = Callable[..., Report]  # profilepress.build.build, handed in by the command line


@dataclass(eq=False)  # each open page is one, however alike
class Client:
    """A page open in a browser, listening to the events."""

    page: str  # the target's path, or "" for the list of documents
    events: queue.Queue


class Preview:
    """The preview's state, shared by its threads: the documents, their versions, the problems shown."""

    def __init__(
        self, plan_file: Path, root: Path, source: Path | None, templates: Path, build: Build, reporter: Reporter
    ):
        self.plan_file, self.root, self.source, self.templates = plan_file, root, source, templates
        self.build, self.reporter = build, reporter
        self.folder = Path(tempfile.mkdtemp(prefix="profilepress-serve-"))
        self.html_dir, self.pdf_dir = self.folder / "html", self.folder / "pdf"
        self.lock = threading.Lock()
        self.targets: dict[str, Target] = {}
        self.versions: dict[str, int] = {}  # a document's version: it changes when the document is made again
        self.errors: list[dict] = []  # the problems shown over every page, until fixed
        self.clients: set[Client] = set()
        self.inputs: Inputs | None = None
        self.options = BuildOptions()
        self.project: Project | None = None
        self.changes: queue.Queue = queue.Queue()  # sets of changed files, from the watchers
        self.pdf_work: queue.Queue = queue.Queue()  # a nudge: look at the PDFs wanted
        self.pdf_done = threading.Condition(self.lock)
        self.pdf_requested: set[str] = set()  # PDFs asked for (downloaded), not yet current
        self.pdf_failed: dict[str, str] = {}  # a PDF's last failure
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None  # the PDF build under way
        self._renderer: Renderer | None = None
        self._rendering = threading.Lock()
        self.fetched: dict[str, int] = {}  # the version of each document a page last fetched
        self.served = threading.Condition(self.lock)

    # --- loading and building (the main thread) -----------------------------------------------------

    def load(self) -> Inputs:
        """Every source, read and validated again (ProfileErrors or UserError if something is wrong)."""
        parsed = read_plan(self.plan_file)
        project = project_from_plan(
            parsed, self.root, source=self.source, templates=self.templates, output=self.html_dir
        )
        options = options_from_plan(parsed)
        inputs = load_inputs(project, options, build_file=parsed)
        targets = plan.targets(inputs, options)
        with self.lock:
            self.project, self.options, self.inputs = project, options, inputs
            self.targets = {t.path: t for t in targets}
        return inputs

    def rebuild(self, started: float | None = None, first: bool = False) -> None:
        """Make again the HTML whose inputs changed and tell the pages: the pages open in a browser first,
        then (the PDFs open started meanwhile) the others, one at a time, until another save comes. A problem
        in the sources is shown on every page, and the last good documents stay (``first``: there are none
        yet; the problem is raised)."""
        started = started or time.monotonic()
        listed = set(self.targets)
        try:
            inputs = self.load()
            html = [t for t in self.targets.values() if t.format == "html"]
            opened = self.open_pages()
            self.make([t for t in html if t.path in opened] if not first else html, inputs, started, first)
        except (ProfileErrors, BuildFailed, UserError) as exc:
            if first:
                raise
            self.fail(_problems(exc))
            return
        for warning in inputs.warnings:
            self.reporter.located(warning.format())
        self.clear()
        if set(self.targets) != listed:  # documents added to the plan or taken out: the list is redrawn
            self.send("reload", {"version": 0}, page="")
        self.fetched_by_pages(opened, started)
        self.pdf_work.put("sources")
        for path in self.stale([t.path for t in html if t.path not in opened], self.html_dir):
            if not self.changes.empty():  # another save: the rest after it (their records still say stale)
                return
            try:
                self.make([self.targets[path]], inputs, started)
            except (BuildFailed, UserError) as exc:
                self.fail(_problems(exc))
                return

    def fetched_by_pages(self, opened: set[str], started: float, limit: float = 0.5) -> None:
        """Wait (a moment at most) until the open pages made again have fetched their new version: the
        other documents are made after, not while the browser asks for it."""
        deadline = started + limit
        with self.served:
            while any(self.fetched.get(p, 0) < self.versions.get(p, 0) for p in opened if p in self.versions):
                if not self.served.wait(timeout=max(0.0, deadline - time.monotonic())):
                    return

    def make(self, targets: list[Target], inputs: Inputs, started: float, first: bool = False) -> None:
        """Build these HTML targets (those whose inputs changed) with the orchestrator, and tell their pages."""
        if not targets:
            return
        assert self.project is not None
        options = replace(self.options, plan=tuple(targets), jobs=1)
        report = self.build(self.project, options, Reporter(quiet=True), inputs)
        for written in report.built:
            path = written.target.path
            with self.lock:
                self.versions[path] = self.versions.get(path, 0) + 1
            self.send("reload", {"version": self.versions[path]}, page=path)
            if not first:
                self.reporter.info(f"rebuilt {path} in {time.monotonic() - started:.2f} s")

    def fail(self, errors: list[SourceError]) -> None:
        shown = [_shown_error(e) for e in errors]
        with self.lock:
            before, self.errors = self.errors, shown
        if shown != before:
            for error in errors:
                print(error.format() if error.file != Path("") else f"error: {error.message}", file=sys.stderr)
            self.reporter.info(
                f"{len(errors)} problem{'s' if len(errors) != 1 else ''}: the pages show "
                f"{'them' if len(errors) != 1 else 'it'} until fixed; the last good documents are served meanwhile"
            )
        self.send("errors", shown)

    def clear(self) -> None:
        with self.lock:
            had, self.errors = bool(self.errors), []
        if had:
            self.reporter.info("fixed: the pages are up to date")
            self.send("ok", {})

    # --- the pages and their events -----------------------------------------------------------------

    def open_pages(self) -> set[str]:
        with self.lock:
            return {c.page for c in self.clients}

    def send(self, event: str, data: Any, page: str | None = None) -> None:
        """An event to every page open (or to the pages showing ``page``)."""
        text = f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        with self.lock:
            for client in self.clients:
                if page is None or client.page == page:
                    client.events.put(text)

    def state(self, page: str) -> dict:
        with self.lock:
            return {"version": self.versions.get(page, 0), "errors": self.errors}

    def locale(self, page: str) -> str | None:
        """The interface's language of a page: its edition's (the neutral edition's for ours)."""
        with self.lock:
            inputs, target = self.inputs, self.targets.get(page)
        if inputs is None:
            return None
        if target is None:
            return inputs.brands["neutral"].locale
        return inputs.brands_for(target.translation)[target.brand].locale

    def renderer(self) -> Renderer:
        from .render import Renderer

        if self._renderer is None:
            self._renderer = Renderer(self.templates)
        return self._renderer

    def script(self, page: str, kind: str) -> str:
        """The inline script a served page carries: the reload, the problems shown, the PDF's state."""
        version = self.state(page)["version"]
        locale = self.locale(page)
        from .select import js_messages

        _ = translator(locale)
        setup = {"page": page, "version": version, "kind": kind, "events": EVENTS, "file": "/" + quote(page)}
        script = (Path(self.templates) / "js" / "preview.js").read_text(encoding="utf-8")
        return (
            "<script>\n(function () {\nvar PREVIEW = "
            + _script_value(setup)
            + ";\nvar MESSAGES = "
            + str(js_messages(SCRIPT_MESSAGES, _))
            + ";\n"
            + script
            + "\n})();\n</script>\n"
        )

    def page(self, pdf: str | None = None) -> bytes:
        """The list of documents, or the page that shows one PDF (``pdf``: its path)."""
        from . import catalogue, select

        with self.lock:
            inputs, targets = self.inputs, list(self.targets.values())
        assert inputs is not None
        brand = inputs.brands["neutral"]
        _ = translator(brand.locale)
        target = self.targets.get(pdf) if pdf else None
        title = (
            _("Preview: %(title)s") % {"title": inputs.profile.title}
            if target is None
            else (target.caption.text(_) if target.caption else target.label)
            + f" ({_(catalogue.FORMAT_NAMES[target.format])})"
        )
        context = select.frame(
            inputs.profile,
            brand,
            "handbook",
            False,
            title,
            _("The documents of %(title)s, updated as their files are saved.") % {"title": inputs.profile.title},
        )
        groups: dict[str, list[dict]] = {}
        for t in targets:
            groups.setdefault(t.brand, []).append(
                {
                    "label": t.caption.text(_) if t.caption else (t.label or t.path),
                    "format": _(catalogue.FORMAT_NAMES[t.format]),
                    "href": "/" + quote(t.path) if t.format == "html" else PDF_PAGE + quote(t.path),
                    "path": t.path,
                }
            )
        context["groups"] = [
            {"brand": b, "name": inputs.brands[b].name or _("Neutral edition (no organisation)"), "entries": entries}
            for b, entries in groups.items()
        ]
        context["pdf"] = {"path": pdf, "title": title} if target is not None else None
        with self._rendering:  # one page at a time: the renderer keeps the page's language while it renders
            html = self.renderer().render("preview.html.j2", context)
        return _with_script(html, self.script(pdf or "", "pdf" if pdf else "index"))

    def document(self, path: str) -> bytes | None:
        """A served HTML document: the build's bytes with our script."""
        file = self.html_dir / path
        if not file.is_file():
            return None
        with self.served:
            version = self.versions.get(path, 0)
        page = _with_script(file.read_text(encoding="utf-8"), self.script(path, "html"))
        with self.served:
            self.fetched[path] = version
            self.served.notify_all()
        return page

    # --- PDFs (their own thread, and a process of their own for each build) ---------------------------

    def wanted_pdfs(self) -> list[str]:
        with self.lock:
            opened = {c.page for c in self.clients}
            return [
                p for p, t in self.targets.items() if t.format != "html" and (p in opened or p in self.pdf_requested)
            ]

    def stale(self, paths: list[str], folder: Path) -> list[str]:
        """Of these documents in ``folder``, those whose inputs changed since they were made there (by the
        engine's records: :func:`profilepress.freshness.current`), or never made."""
        with self.lock:
            inputs, project, options = self.inputs, self.project, self.options
            targets = [self.targets[p] for p in paths if p in self.targets]
        if inputs is None or project is None or not targets:
            return []
        here = replace(project, output_dir=folder)
        previous = manifest.read(folder)
        if previous is None:
            return [t.path for t in targets]
        files = freshness.input_files(here)
        objects = inputs.keyed()
        from .deps import current_hash

        return [
            t.path
            for t in targets
            if not freshness.current(previous, t, options, here, files, lambda slot: current_hash(objects, slot))
        ]

    def make_pdfs(self) -> None:
        """The PDF thread: whenever nudged, make the PDFs wanted whose inputs changed, one build at a time."""
        while not self.stopping.is_set():
            try:
                self.pdf_work.get(timeout=0.5)
            except queue.Empty:
                continue
            while not self.pdf_work.empty():  # several nudges: one look
                self.pdf_work.get_nowait()
            try:
                self.look_at_pdfs()
            except Exception as exc:  # a bug: said, and the preview goes on (the next save looks again)
                self.reporter.warning(f"the PDFs could not be looked at: internal error: {type(exc).__name__}: {exc}")
                with self.pdf_done:
                    self.pdf_requested.clear()
                    self.pdf_done.notify_all()

    def look_at_pdfs(self) -> None:
        """Make the PDFs wanted (open, or asked for) whose inputs changed; tell their pages."""
        with self.lock:
            failing = bool(self.errors)
        wanted = self.wanted_pdfs()
        stale = [] if failing else self.stale(wanted, self.pdf_dir)
        for path in wanted:
            if path not in stale:
                self.send("pdf", self.pdf_state(path), page=path)
        if stale:
            self.pdf_build(stale)
        with self.pdf_done:
            self.pdf_requested -= set(wanted)
            self.pdf_done.notify_all()

    def pdf_state(self, path: str) -> dict:
        with self.lock:
            failed = self.pdf_failed.get(path)
            version = self.versions.get(path, 0)
        if failed:
            return {"state": "failed", "reason": failed}
        return {"state": "ready" if version else "updating", "version": version}

    def pdf_build(self, paths: list[str]) -> None:
        for path in paths:
            self.send("pdf", {"state": "updating"}, page=path)
        started = time.monotonic()
        command = [*self.pdf_command(), *(a for p in paths for a in ("--only", p))]
        (self.folder / "tmp").mkdir(exist_ok=True)
        env = {
            **os.environ,
            "TMPDIR": str(self.folder / "tmp"),  # what the build leaves there goes with the preview's folder
            "PYTHONPATH": os.pathsep.join(
                [str(Path(__file__).resolve().parent.parent)] + [os.environ.get("PYTHONPATH", "")]
            ),
        }
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        out, err = self.process.communicate()
        code, self.process = self.process.returncode, None
        if self.stopping.is_set():
            return
        rendered = set(re.findall(r"^rendered (\S+) \(", out, re.MULTILINE))
        failures = dict(re.findall(r"^(\S+): error: (.*)$", err, re.MULTILINE))
        for path in paths:
            with self.lock:
                if path in rendered:
                    self.versions[path] = self.versions.get(path, 0) + 1
                    self.pdf_failed.pop(path, None)
                elif path in failures:
                    self.pdf_failed[path] = failures[path]
                elif code != 0:  # the sources were being changed: the pages show their problem; made once fixed
                    continue
                else:
                    self.versions.setdefault(path, 1)  # current already: made by an earlier build
            if path in rendered:
                self.reporter.info(f"rebuilt {path} in {time.monotonic() - started:.2f} s")
            elif path in failures:
                self.reporter.warning(f"{path}: {self.pdf_failed[path]}")
            self.send("pdf", self.pdf_state(path), page=path)

    def pdf_command(self) -> list[str]:
        """The build command for PDFs, in a process of its own, into the preview's PDF folder."""
        assert self.project is not None
        main = (
            "import sys; from pathlib import Path; from profilepress import interrupts; interrupts.watch(); "
            "from profilepress.cli import main; sys.exit(main(sys.argv[2:], root=Path(sys.argv[1])))"
        )
        return [
            sys.executable,
            "-c",
            main,
            str(self.root),
            "--plan",
            str(self.plan_file),
            "--source",
            str(self.project.source_dir),
            "--templates",
            str(self.templates),
            "-o",
            str(self.pdf_dir),
            "--format",
            "pdf",
            "--format",
            "fillable-pdf",
            "--jobs",
            "1",
        ]

    def pdf_file(self, path: str, wait: float = 900.0) -> bytes | str:
        """A PDF asked for: made first if it is not current. Its bytes, or why it could not be made."""
        with self.pdf_done:
            self.pdf_requested.add(path)
        self.pdf_work.put("asked")
        deadline = time.monotonic() + wait
        with self.pdf_done:
            while path in self.pdf_requested and not self.stopping.is_set():
                if not self.pdf_done.wait(timeout=max(0.0, deadline - time.monotonic())):
                    break
            failed = self.pdf_failed.get(path)
        if failed:
            return failed
        file = self.pdf_dir / path
        if not file.is_file():
            return "the sources have a problem; fix it and ask again" if self.errors else "not made yet"
        return file.read_bytes()

    # --- watching --------------------------------------------------------------------------------

    def watch(self, folders: list[Path], recursive: bool, only: Path | None = None) -> None:
        import watchfiles

        def wanted(change: watchfiles.Change, path: str) -> bool:
            return watchfiles.DefaultFilter()(change, path) and (only is None or Path(path) == only)

        for changes in watchfiles.watch(
            *folders,
            watch_filter=wanted,
            step=WATCH_STEP,
            debounce=400,
            stop_event=self.stopping,
            recursive=recursive,
            raise_interrupt=False,
            rust_timeout=500,
        ):
            self.changes.put((time.monotonic(), {p for _, p in changes}))

    def watched(self) -> tuple[list[Path], Path]:
        """The folders of sources, templates, scales, brands and packets; and the plan file."""
        assert self.project is not None
        p = self.project
        folders = [p.source_dir, *p.scale_dirs, *p.brand_dirs, p.packets, p.templates_dir]
        seen: dict[Path, None] = {}
        for folder in folders:
            if Path(folder).is_dir():
                seen.setdefault(Path(folder).resolve())
        return list(seen), Path(self.plan_file).resolve()


def serve(
    plan_file: Path,
    root: Path,
    build: Build,
    *,
    source: Path | None,
    templates: Path,
    port: int,
    open_browser: bool,
    reporter: Reporter,
) -> int:
    """Serve the plan's documents on 127.0.0.1:``port`` until Ctrl-C; the temporary folder is removed then."""
    server = _bind(port)
    preview = Preview(plan_file, root, source, templates, build, reporter)
    threads: list[threading.Thread] = []
    try:
        started = time.monotonic()
        preview.rebuild(started, first=True)  # the first time, a problem stops the command (as a build does)
        html = sum(1 for t in preview.targets.values() if t.format == "html")
        reporter.info(
            f"made {html} HTML document{'s' if html != 1 else ''} in {time.monotonic() - started:.1f} s; "
            "PDFs are made when opened"
        )
        server.preview = preview  # type: ignore[attr-defined]
        folders, plan_path = preview.watched()
        threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True),
            threading.Thread(target=preview.watch, args=(folders, True), daemon=True),
            threading.Thread(target=preview.watch, args=([plan_path.parent], False, plan_path), daemon=True),
            threading.Thread(target=preview.make_pdfs, daemon=True),
        ]
        for thread in threads:
            thread.start()
        # A save between the first build and the watchers' first look at the folders would be missed: once they
        # have had a moment to start, whatever changed meanwhile is made again, as after a save.
        time.sleep(WATCH_SETTLE)
        if preview.stale([t.path for t in preview.targets.values() if t.format == "html"], preview.html_dir):
            preview.changes.put((time.monotonic(), set()))
        url = f"http://{HOST}:{server.server_address[1]}/"
        reporter.info(f"serving at {url} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        while True:
            try:
                seen, changed = preview.changes.get(timeout=0.5)
            except queue.Empty:
                continue
            while not preview.changes.empty():  # saves that came meanwhile: one rebuild
                changed |= preview.changes.get_nowait()[1]
            reporter.detail("changed: " + ", ".join(sorted(display_path(Path(p)) for p in changed)))
            preview.rebuild(seen)
    finally:
        preview.stopping.set()
        process = preview.process
        if process is not None and process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        with preview.lock:
            for client in preview.clients:
                client.events.put(None)
        if threads:  # serving: stopped first
            server.shutdown()
        server.server_close()
        for thread in threads:
            thread.join(timeout=2)
        shutil.rmtree(preview.folder, ignore_errors=True)


def _bind(port: int) -> ThreadingHTTPServer:
    try:
        server = ThreadingHTTPServer((HOST, port), Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(
                f"port {port} is in use on {HOST} (another preview or server?); choose another with --port, "
                f"e.g. --port {port + 1}"
            ) from None
        if exc.errno == errno.EACCES:
            raise UserError(f"port {port} is reserved for the system; choose one above 1023 with --port") from None
        raise UserError(f"cannot serve on {HOST}:{port}: {exc.strerror}") from None
    server.daemon_threads = True
    return server


def _script_value(value: Any) -> str:
    """A value as JavaScript, safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _with_script(html: str, script: str) -> bytes:
    at = html.rfind("</body>")
    at = len(html) if at < 0 else at
    return (html[:at] + script + html[at:]).encode("utf-8")


def _problems(exc: Exception) -> list[SourceError]:
    """What stopped a rebuild, as problems to show: the sources' (located), a document's, or the plan's."""
    if isinstance(exc, ProfileErrors):
        return exc.errors
    if isinstance(exc, BuildFailed):
        return [SourceError(Path(path), 0, 0, reason.partition("\n")[0]) for path, reason in exc.failures]
    return [SourceError(Path(""), 0, 0, str(exc))]


def _shown_error(error: SourceError) -> dict:
    """A problem as the pages show it: where (``file:line:col``), what, the field and what to do."""
    where = "" if error.file == Path("") else display_path(error.file)
    if where and error.line:
        where += f":{error.line}:{error.column}"
    return {"where": where, "message": error.message, "field": error.field, "hint": error.hint}


class Handler(BaseHTTPRequestHandler):
    """The preview's pages: the list of documents, the documents, a PDF's page, the PDFs and the events."""

    server_version = "profilepress-preview"
    protocol_version = "HTTP/1.1"

    @property
    def preview(self) -> Preview:
        return self.server.preview  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # the terminal shows what was rebuilt, not requests
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = _unquoted(url.path)
        if path in ("/", "/index.html"):
            return self.reply(200, "text/html; charset=utf-8", self.preview.page())
        if path == EVENTS:
            page = parse_qs(url.query).get("page", [""])[0]
            return self.events(page)
        if path.startswith(PDF_PAGE):
            pdf = path[len(PDF_PAGE) :]
            target = self.preview.targets.get(pdf)
            if target is None or target.format == "html":
                return self.missing()
            return self.reply(200, "text/html; charset=utf-8", self.preview.page(pdf))
        target = self.preview.targets.get(path.lstrip("/"))
        if target is None:
            return self.missing()
        if target.format == "html":
            body = self.preview.document(target.path)
            return self.reply(200, "text/html; charset=utf-8", body) if body is not None else self.missing()
        made = self.preview.pdf_file(target.path)
        if isinstance(made, str):
            return self.reply(503, "text/plain; charset=utf-8", f"{target.path}: {made}\n".encode())
        return self.reply(200, "application/pdf", made)

    def missing(self) -> None:
        self.reply(404, "text/plain; charset=utf-8", b"not a document of this preview; see the list at /\n")

    def reply(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def events(self, page: str) -> None:
        """The event stream of one open page, until the page closes or the preview stops."""
        preview = self.preview
        client = Client(page, queue.Queue())
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = preview.state(page)
        client.events.put(f"retry: 500\nevent: state\ndata: {json.dumps(state, ensure_ascii=False)}\n\n")
        with preview.lock:
            preview.clients.add(client)
        target = preview.targets.get(page)
        if target is not None and target.format != "html":
            preview.pdf_work.put("opened")  # an open PDF is made (if it is not current)
        quiet = 0.0
        try:
            while not preview.stopping.is_set():
                try:
                    text = client.events.get(timeout=1.0)
                except queue.Empty:
                    if _closed(self.connection):  # the page was closed or left: no longer open
                        break
                    quiet += 1.0
                    if quiet < HEARTBEAT:
                        continue
                    text, quiet = ": still here\n\n", 0.0
                if text is None:
                    break
                self.wfile.write(text.encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            with preview.lock:
                preview.clients.discard(client)
            self.close_connection = True


def _closed(connection: socket.socket) -> bool:
    """Has the browser closed this connection (the page that listened is gone)?"""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _unquoted(path: str) -> str:
    from urllib.parse import unquote

    return unquote(path)
