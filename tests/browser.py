"""Headless Chromium (Debian's chromium, installed by `make`) for the tests.

* :class:`Chromium`: one browser driven over the DevTools protocol on a pipe, to
  load many pages in turn, at a chosen screen width, run scripts and axe-core
  (installed by `make` with npm) on each, take screenshots, and load a page with
  a script appended and return the final DOM (:meth:`Chromium.dom_after`: runs the
  HTML worksheet's own JavaScript). The tests share one per test process (the
  `browser` fixture in conftest.py), each test as in a new private window: no
  storage, cookie or screen size is left by the test before.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ANSWER_WITHIN = 120  # seconds: the longest a page or a script may take before the browser counts as hung
# Debian's /usr/bin/chromium is a shell wrapper; the DevTools pipe needs the browser itself.
BINARY = "/usr/lib/chromium/chromium" if Path("/usr/lib/chromium/chromium").is_file() else CHROMIUM
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class Chromium:
    """A headless Chromium driven over the DevTools protocol on a pipe (no network, no extra packages)."""

    def __init__(self) -> None:
        assert CHROMIUM, "Chromium is not installed: run `make` (scripts/install-system-deps.sh installs it)"
        assert AXE.is_file(), "axe-core is not installed: run `make` (npm ci installs it)"
        self._tmp = tempfile.TemporaryDirectory()
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire() -> None:  # in the child: the protocol expects its pipes on fds 3 and 4
            high_read, high_write = os.dup(to_browser_read) + 100, os.dup(from_browser_write) + 100
            os.dup2(to_browser_read, high_read)
            os.dup2(from_browser_write, high_write)
            os.dup2(high_read, 3)  # dup2 makes inheritable copies, even when a pipe end was already 3
            os.dup2(high_write, 4)

        # close_fds=False: the pipes are close-on-exec, and the copies dup2 makes on fds 3 and 4 are not.
        self._process = subprocess.Popen(
            [BINARY, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self._tmp.name}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._id = 0
        self._session = self._context = self._target = None
        self._pages = 0
        self.new_page()
        self._axe = AXE.read_text(encoding="utf-8")

    def new_page(self) -> None:
        """Continue as in a new private window: nothing of the pages before it (local storage, cookies, the
        screen size set with :meth:`viewport`) is left. The tab is kept and wiped (a new window starts a new
        renderer process, a third of a second); a new one is made only when the first is not yet open."""
        if self._target is not None:
            # Every page the tests open is a file (one origin): what file pages stored is wiped from one.
            blank = Path(self._tmp.name) / "blank.html"
            blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")
            self.open(blank)
            self.evaluate(
                "localStorage.clear(); sessionStorage.clear(); indexedDB.databases()"
                ".then(all => Promise.all(all.map(db => indexedDB.deleteDatabase(db.name))))"
            )
            self.call("Network.clearBrowserCookies", session=True)
            self.call("Emulation.clearDeviceMetricsOverride", session=True)
            return
        self._context = self.call("Target.createBrowserContext")["browserContextId"]
        self._target = self.call("Target.createTarget", url="about:blank", browserContextId=self._context)["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=self._target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)

    def call(self, method: str, session: bool = False, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            if not select.select([self._from_browser], [], [], ANSWER_WITHIN)[0]:  # a hung browser fails the test
                raise RuntimeError(f"Chromium did not answer in {ANSWER_WITHIN} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, page: Path | str) -> None:
        """Load a file, or a URL (the live preview's pages: ``http://127.0.0.1:…/``), and wait until it has loaded."""
        self._id += 1
        navigate = self._id
        message = {
            "id": navigate,
            "method": "Page.navigate",
            "params": {"url": page if isinstance(page, str) else page.resolve().as_uri()},
            "sessionId": self._session,
        }
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        self.wait_for_load()

    def wait_for_load(self) -> None:
        """Until the page has loaded (again: a page that reloads itself)."""
        while True:
            event = self._read()
            if event.get("method") == "Page.loadEventFired" and event.get("sessionId") == self._session:
                return

    def evaluate(self, expression: str):
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "script error"))
        return result["result"].get("value")

    def viewport(self, width: int, height: int = 900) -> None:
        """Lay pages out as on a screen this wide (CSS pixels), as a phone or a desktop would."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    def screenshot(self, path: Path) -> None:
        """The whole page, as a PNG."""
        import base64

        size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        shot = self.call(
            "Page.captureScreenshot",
            session=True,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1},
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    def dom_after(self, page: Path, script: str) -> str:
        """Load a copy of ``page`` with ``script`` run after the page's own scripts; return the final DOM."""
        html = page.read_text(encoding="utf-8")
        assert "</body>" in html
        self._pages += 1
        copy = Path(self._tmp.name) / f"page-{self._pages}" / page.name
        copy.parent.mkdir()
        copy.write_text(html.replace("</body>", f"<script>{script}</script>\n</body>"), encoding="utf-8")
        self.open(copy)
        return self.evaluate("document.documentElement.outerHTML")

    def axe(self, page: Path) -> list[dict]:
        """axe-core's WCAG 2.1 A and AA violations on a page: [{id, impact, help, nodes: [target…]}]."""
        self.open(page)
        self.evaluate(self._axe)
        return self.evaluate(
            f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG_21_AA)}}}, resultTypes: ['violations']}})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))"
        )

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.call("Browser.close")
        self._process.wait(timeout=30)
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._tmp.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
