"""The live preview (`build.py serve`), timed as an editor meets it, against the goals of issue 16.

On a copy of the project (the bundled profile, its plan and packets) in a temporary folder:

1. from a save to the reloaded handbook HTML: headless Chromium (tests/browser.py) has the handbook open,
   scrolled down; one competency's file is saved with a word changed; the time until the page has loaded
   again (its load event, after the server told it to reload), with the new word and the scroll position
   kept. Repeated; median and worst, against the goal of 300 ms;
2. from a one-competency edit to its updated PDF: the handbook PDF's page is open (so the PDF is made); one
   edit; the time until the page shows the new PDF, and how many times the PDF was made for it (the
   server's "rebuilt" lines), against the goal of at most one.

    .venv/bin/python scripts/bench_serve.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import Chromium  # noqa: E402  (the tests' headless Chromium, driven over DevTools)

GOAL_RELOAD = 0.300
SETTLE = 2.5  # seconds between saves, as an editor saves: the server idle again
COMPETENCY = "profile_src/competencies/c03-address-power-differentials.yaml"
WORDS = ("power differentials", "power imbalances")


class Server:
    """`build.py serve` on a free port, its lines collected as they come."""

    def __init__(self, project: Path, temp: Path):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--plan", str(project / "build.yaml"), "--port", "0"],
            cwd=project,
            env={**os.environ, "TMPDIR": str(temp)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        started = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                if line.startswith("serving at "):
                    self.url = line.split()[2]
                    started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(300):
            raise SystemExit("serve did not start:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def edit(project: Path, n: int) -> None:
    path = project / COMPETENCY
    old, new = WORDS if n % 2 == 0 else WORDS[::-1]
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def wait_until(browser: Chromium, expression: str, limit: float = 600.0) -> None:
    deadline = time.monotonic() + limit
    while not browser.evaluate(expression):
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {limit:.0f} s for {expression}")
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="saves timed (default: 15)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profilepress-bench-serve-") as work:
        project, temp = Path(work) / "project", Path(work) / "tmp"
        for name in ("profile_src", "packets"):
            shutil.copytree(ROOT / name, project / name)
        shutil.copy(ROOT / "build.yaml", project / "build.yaml")
        temp.mkdir()
        started = time.monotonic()
        server = Server(project, temp)
        print(f"serve started in {time.monotonic() - started:.1f} s ({server.lines[-2]})")
        try:
            with Chromium() as browser:
                browser.viewport(1280)
                reloads = reload_times(browser, server, project, args.runs)
                pdf_seconds, renders = pdf_edit(browser, server, project, args.runs)
        finally:
            server.stop()
        left = list(temp.iterdir())
    median, worst = statistics.median(reloads), max(reloads)
    print()
    print(f"save → reloaded handbook HTML ({len(reloads)} saves, headless Chromium, 1280 px, scrolled down):")
    print(
        f"  median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms   (goal: median ≤ {GOAL_RELOAD * 1000:.0f} ms: "
        f"{'met' if median <= GOAL_RELOAD else 'missed'})"
    )
    print("one-competency edit → updated handbook PDF:")
    print(
        f"  {pdf_seconds:.1f} s, the PDF made {renders} time{'s' if renders != 1 else ''} for the edit   "
        f"(goal: ≤ 1 render: {'met' if renders <= 1 else 'missed'})"
    )
    print(f"after Ctrl-C: {len(left)} file(s) left in the temporary folder {' '.join(p.name for p in left)}")


def listen(browser: Chromium) -> int:
    """Start listening, in the page, for it to show its new version: the preview's event when it put the new
    document in place, or (a page reloaded whole) the page's load. Returns the request's id."""
    browser._id += 1
    message = {
        "id": browser._id,
        "method": "Runtime.evaluate",
        "params": {
            "expression": "new Promise(done => document.addEventListener('profilepress-preview:updated', "
            "() => done('updated in place'), {once: true}))",
            "awaitPromise": True,
            "returnByValue": True,
        },
        "sessionId": browser._session,
    }
    os.write(browser._to_browser, json.dumps(message).encode() + b"\0")
    return browser._id


def shown(browser: Chromium, listening: int) -> str:
    """Until the page shows its new version; how it did (in place, or reloaded whole)."""
    while True:
        event = browser._read()
        if event.get("id") == listening and "error" not in event and "exceptionDetails" not in event.get("result", {}):
            return event["result"]["result"]["value"]
        if event.get("method") == "Page.loadEventFired" and event.get("sessionId") == browser._session:
            return "reloaded whole"


def reload_times(browser: Chromium, server: Server, project: Path, runs: int) -> list[float]:
    browser.open(server.url + "neutral/handbook.html")
    browser.evaluate(  # counts the event streams the page opens from now on: its script must not run again
        "window.profilepressStreams = 0; var Original = window.EventSource;"
        "window.EventSource = function (url) { window.profilepressStreams++; return new Original(url); }; 0"
    )
    times = []
    for n in range(runs + 1):  # the first save is not counted (the server's first edit warms its caches)
        browser.evaluate("window.scrollTo(0, 4000); window.scrollY")
        time.sleep(SETTLE)  # the documents not open are made after the open page: done before the next save
        listening = listen(browser)
        saved = time.monotonic()
        edit(project, n)
        how = shown(browser, listening)
        reloaded = time.monotonic() - saved
        new = (WORDS[1] if n % 2 == 0 else WORDS[0]).split()[1]
        found, scrolled = browser.evaluate(f"[document.body.textContent.includes({new!r}), window.scrollY]")
        assert found, f"the reloaded page does not show {new!r}"
        assert abs(scrolled - 4000) < 2, f"the reloaded page is scrolled to {scrolled}, not 4000"
        if n:
            times.append(reloaded)
            made = [line for line in server.lines if line.startswith("rebuilt neutral/handbook.html in ")]
            print(f"  save {n:2}: {reloaded * 1000:4.0f} ms, {how}   (the server: {made[-1] if made else '?'})")
    if runs % 2 == 0:  # the file as it was
        listening = listen(browser)
        edit(project, runs + 1)
        shown(browser, listening)
    streams = browser.evaluate("window.profilepressStreams")
    assert streams == 0, f"the page opened {streams} more event streams: its script ran again"
    return times


def pdf_edit(browser: Chromium, server: Server, project: Path, runs: int) -> tuple[float, int]:
    page = server.url + "_preview/pdf/neutral/handbook.pdf"
    browser.open(page)
    wait_until(browser, "document.documentElement.dataset.pdfVersion")  # made once, as the page opened
    version = int(browser.evaluate("document.documentElement.dataset.pdfVersion"))
    time.sleep(1.0)
    before = sum(1 for line in server.lines if re.match(r"rebuilt neutral/handbook\.pdf ", line))
    saved = time.monotonic()
    edit(project, 0)
    wait_until(browser, f"Number(document.documentElement.dataset.pdfVersion) > {version}")
    seconds = time.monotonic() - saved
    time.sleep(3.0)  # anything made after it would be counted
    after = sum(1 for line in server.lines if re.match(r"rebuilt neutral/handbook\.pdf ", line))
    return seconds, after - before


if __name__ == "__main__":
    main()
