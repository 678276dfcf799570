"""Running a page's own JavaScript in headless Chromium (Debian's chromium, installed by `make`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=10000"]


def dom_after(page: Path, script: str) -> str:
    """Load a copy of ``page`` with ``script`` run after the page's own scripts; return the final DOM."""
    assert CHROMIUM, "Chromium is not installed: run `make` (scripts/install-system-deps.sh installs it)"
    html = page.read_text(encoding="utf-8")
    assert "</body>" in html
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / page.name
        copy.write_text(html.replace("</body>", f"<script>{script}</script>\n</body>"), encoding="utf-8")
        result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp}/profile", "--dump-dom", copy.as_uri()],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
