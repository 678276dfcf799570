"""Rendering targets in a pool of worker processes.

Each worker imports WeasyPrint once (the import alone costs about a second) and
is recycled after a number of documents, to bound its memory. Workers start
from a fork server that has the heavy modules preloaded, so a new worker costs
a fork, not an import. Every worker renders from the same validated inputs the
main process loaded, so output bytes do not depend on the number of jobs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import fontconfig
from .errors import UserError
from .project import BuildFailed

if TYPE_CHECKING:  # pragma: no cover
    from .inputs import Inputs
    from .progress import Reporter
    from .project import BuildOptions, Project, Target

TASKS_PER_WORKER = 10
# A worker that cannot start (its modules no longer import: the engine's files were changed while the build
# started) dies at once, and the pool starts another, for ever. So a build in which no worker has started and
# no document has been finished for this long (and, once a worker has started, the render time limit too)
# stops with a message instead of hanging.
WORKER_START_LIMIT = 120.0
PRELOAD = [
    "weasyprint",
    "pypdf",
    "profilepress.document",
    "profilepress.select",
    "profilepress.render",
    "profilepress.pdf",
]


@dataclass
class Failed:
    """A target that could not be rendered, and why."""

    target: Target
    reason: str


_state: dict = {}


class RenderTimeout(Exception):
    """A document took longer than the render time limit."""


def _too_long(signum, frame):
    raise RenderTimeout()


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _start(
    project: Project,
    options: BuildOptions,
    inputs: Inputs,
    worker: bool = True,
    memory_folder: str | None = None,
    started=None,
) -> None:
    if worker:  # Ctrl-C is for the main process, which stops the pool; workers say nothing
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _cap_memory(options.memory)
    if started is not None:  # counted, so that the main process sees that workers do start
        with started.get_lock():
            started.value += 1

    # A worker whose start fails must not die (multiprocessing would start it again, forever):
    # it reports the failure with every target it is given instead.
    from .pagination import Memory
    from .render import Renderer

    _state.update(
        project=project,
        options=options,
        inputs=inputs,
        broken=None,
        memory=Memory(Path(memory_folder) if memory_folder else None),
    )
    try:
        _state["renderer"] = Renderer(project.templates_dir)
    except UserError as exc:
        _state["broken"] = str(exc)
    except MemoryError:
        _state["broken"] = _too_much_memory(options.memory)
    except Exception as exc:  # reported with every target, as above
        if _out_of_memory(exc):
            _state["broken"] = _too_much_memory(options.memory)
        else:
            _state["broken"] = f"internal error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"


def _cap_memory(megabytes: int) -> None:
    """A worker may use at most this much memory (its address space): a document that needs more fails
    with a message (MemoryError), instead of the machine swapping or the kernel killing a process."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = megabytes * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _out_of_memory(exc: BaseException) -> bool:
    """Whether an unexpected error is a worker running into its memory cap in disguise. CPython does not
    always say MemoryError: an allocation that fails inside the compiler, for one, surfaces as "SystemError:
    ... returned NULL without setting an exception", and a library may wrap the MemoryError in its own."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, MemoryError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit == resource.RLIM_INFINITY:
        return False
    if isinstance(exc, SystemError) and "without setting an exception" in str(exc):
        return True  # C code whose allocation failed under the cap, and which did not say so
    return _peak_address_space() >= limit * 0.9  # it came close to the cap: the failed request was the rest


def _peak_address_space() -> int:
    """The most address space this process has held, in bytes (what RLIMIT_AS caps); 0 where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _too_much_memory(megabytes: int) -> str:
    return (
        f"needed more than {megabytes:,} MB of memory to render (the limit per worker process, --memory); "
        f"give it more with --memory {megabytes * 2}, or make the document smaller"
    )


def _render(target: Target):
    import time

    from .document import render_target

    started = time.monotonic()
    if _state.get("broken"):
        return Failed(target, _state["broken"])
    if target.format != "html":
        # Imported before the clock starts: loading WeasyPrint is not rendering the document, and the alarm
        # must not land inside an import (some of its dependencies' imports catch every exception).

        fontconfig.weasyprint()  # with the vendored fonts only
    limit = _state["options"].timeout
    previous = signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(limit)
    try:
        result = render_target(
            _state["renderer"], _state["project"], _state["inputs"], target, _state["options"], _state["memory"]
        )
    except UserError as exc:
        return Failed(target, str(exc))
    except MemoryError:
        return Failed(target, _too_much_memory(_state["options"].memory))
    except RenderTimeout:
        return Failed(
            target,
            f"took longer than {limit} s to render (the limit per document, --timeout); "
            "a very large document, or an asset that makes rendering hang?",
        )
    except Exception as exc:  # a bug: report it with the target, do not hide the others
        if _out_of_memory(exc):
            return Failed(target, _too_much_memory(_state["options"].memory))
        return Failed(target, f"internal error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    result.memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result.seconds = time.monotonic() - started
    return result


def _cost(target: Target, pages: dict[str, int]) -> float:
    """How long a target will take, roughly: the longest start first, so no worker is left with a big one
    at the end. Pages from the last build when known; else a guess by kind."""
    if target.format == "html":
        return 0.0
    from .kinds import KINDS

    cost = float(pages[target.path]) if pages.get(target.path) else KINDS[target.kind].cost(target)
    # A fillable worksheet lays out like its printable edition, which (started first) shows where its notes go.
    return cost / 2 if target.format == "fillable-pdf" else cost


@contextlib.contextmanager
def _ctrl_c_held():
    """Hold Ctrl-C back while the block runs; one that came meanwhile is raised when it ends.

    Held by the signal mask, not a handler: the processes started in the block (the fork server, and the
    workers it forks) inherit the mask, so a Ctrl-C to the whole process group, as a terminal sends it,
    cannot stop them halfway through their start (a traceback from each, and a broken pipe in this
    process); each worker then ignores Ctrl-C for good (:func:`_start`), and the fork server does too.
    Only the main thread receives signals; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # The resource tracker unblocks Ctrl-C once it has started its own process: started first, outside.
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    held = {signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    failed: Exception | None = None
    try:
        yield
    except Exception as exc:  # a start cut short by Ctrl-C (a pipe broken): Ctrl-C is what is reported
        failed = exc
    finally:
        pending = signal.sigpending() & held
        if pending:  # taken here, so that it is not delivered when the mask is restored
            signal.sigwait(pending)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    if pending:
        raise KeyboardInterrupt
    if failed is not None:
        raise failed


def render_all(
    project: Project,
    options: BuildOptions,
    inputs: Inputs,
    targets: list[Target],
    jobs: int,
    done: Callable[[object], None],
    pages: dict[str, int] | None = None,
) -> list:
    """Render every target (all are attempted); returns Rendered or Failed for each, in ``targets`` order.

    ``pages``: how many pages each output had in the last build (the longest are started first).
    """
    results: dict[str, object] = {}
    # What one worker learns of a section's layout, the others reuse (see profilepress.pagination).
    with tempfile.TemporaryDirectory(prefix="profilepress-layout-") as memory_folder:
        _render_each(project, options, inputs, targets, jobs, done, pages or {}, results, memory_folder)
    return [results[t.path] for t in targets]


def _render_each(
    project: Project,
    options: BuildOptions,
    inputs: Inputs,
    targets: list[Target],
    jobs: int,
    done: Callable[[object], None],
    pages: dict[str, int],
    results: dict[str, object],
    memory_folder: str,
) -> None:
    if jobs <= 1 or sum(1 for t in targets if t.format != "html") <= 1:
        # Worker processes are for PDFs. An HTML document renders in a tenth of a second, less than starting
        # a worker takes: a build of HTML documents and at most one PDF is made here, in this process.
        _start(project, options, inputs, worker=False, memory_folder=memory_folder)
        for target in targets:
            results[target.path] = _render(target)
            done(results[target.path])
    else:
        # multiprocessing.Pool, not concurrent.futures: ProcessPoolExecutor's max_tasks_per_child can
        # deadlock on Python 3.11 when a worker is recycled (CPython gh-115634).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        fontconfig.use_vendored_fonts()  # before the fork server starts and imports WeasyPrint
        ordered = sorted(targets, key=lambda t: _cost(t, pages), reverse=True)
        # Ctrl-C while the pool is starting would leave a half-started worker reading a semaphore its
        # exiting parent has just removed (a traceback from the fork server). So Ctrl-C is held until
        # the pool exists and is in the ExitStack, which then stops it cleanly.
        with contextlib.ExitStack() as stack:
            with _ctrl_c_held():
                started = context.Value("i", 0)
                pool = stack.enter_context(
                    context.Pool(
                        processes=min(jobs, len(targets)),
                        initializer=_start,
                        initargs=(project, options, inputs, True, memory_folder, started),
                        maxtasksperchild=TASKS_PER_WORKER,
                    )
                )
            for result in _watched(pool.imap_unordered(_render, ordered), started, options.timeout):
                results[result.target.path] = result
                done(result)


def _watched(results, started, render_limit: int):
    """The pool's results as they come, as long as the pool makes progress: a worker starts, or a document is
    finished. When none does for WORKER_START_LIMIT seconds (plus the render time limit, once a worker has
    started: a long document), the workers cannot start; the build stops with a message."""
    import time

    seen, last = started.value, time.monotonic()
    while True:
        try:
            result = results.next(timeout=1.0)
        except StopIteration:
            return
        except multiprocessing.TimeoutError:
            if started.value != seen:
                seen, last = started.value, time.monotonic()
            limit = WORKER_START_LIMIT + (render_limit if seen else 0)
            if time.monotonic() - last > limit:
                raise UserError(
                    f"the worker processes could not start: none started or finished a document for {limit:.0f} s "
                    "(were the engine's files changed while the build started?); run the build again, or with "
                    "--jobs 1 to see why"
                ) from None
            continue
        last = time.monotonic()
        yield result


def render_stale(
    project: Project,
    options: BuildOptions,
    inputs: Inputs,
    stale: list[Target],
    pages: dict[str, int],
    reporter: Reporter,
    replayed: list[tuple[str, str]] | None = None,
) -> list:
    """Render every stale target in the pool; all are attempted, and every failure is raised together
    (BuildFailed). ``pages``: each output's page count in the last build (the longest start first)."""
    failures: list[tuple[str, str]] = []
    replayed = replayed or []

    def done(result) -> None:
        if isinstance(result, Failed):
            failures.append((result.target.path, result.reason))
            reporter.advance(f"FAILED {result.target.path}")
        else:
            reporter.advance(f"rendered {result.target.path} ({result.seconds:.1f} s)")

    reporter.start(len(stale), "rendering")
    try:
        results = render_all(project, options, inputs, stale, options.jobs or default_jobs(), done, pages)
    finally:
        reporter.finish()
    # the warnings of this render, and those recorded when the outputs still up to date were made
    warnings = [(r.target.path, w) for r in results if not isinstance(r, Failed) for w in r.warnings] + replayed
    for path, text in warnings:
        reporter.warning(f"{path}: {text}")
    if options.strict:
        failures += [(path, f"warning (--strict): {text}") for path, text in warnings]
    if failures:
        raise BuildFailed(failures)
    return results
