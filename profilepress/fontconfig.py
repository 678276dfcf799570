"""Which fonts the PDF renderer may use: the vendored ones, never whatever the machine has installed.

WeasyPrint finds fonts through Fontconfig, which reads the machine's own
configuration (every font installed, aliases, substitutions). Another font
installed there could then draw a character the vendored fonts lack, and the
same sources would give other bytes on another machine. So before WeasyPrint
loads, ``FONTCONFIG_FILE`` points at a configuration written here that lists
only the project's ``fonts/`` folder: the Latin font the documents are set in and,
vendored beside it, the fallbacks for the scripts it does not cover (Hebrew and
Arabic: DejaVu Sans; Chinese, Japanese, Korean: Droid Sans Fallback; emoji and
symbols: Symbola), with the generic families mapped to them in a fixed order.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from types import ModuleType
from xml.sax.saxutils import escape

from .home import ENGINE_ROOT

VENDORED = ENGINE_ROOT / "fonts"
_FAMILIES = ("Atkinson Hyperlegible", "DejaVu Sans", "Droid Sans Fallback", "Symbola")
_GENERIC = {
    "sans-serif": _FAMILIES,
    "serif": _FAMILIES,
    "system-ui": _FAMILIES,
    "monospace": ("DejaVu Sans Mono", *_FAMILIES[2:]),
}


def config_text(vendored: Path = VENDORED) -> str:
    """A Fontconfig configuration holding only the vendored fonts."""
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">', "<fontconfig>"]
    lines.append(f"  <dir>{escape(str(vendored))}</dir>")  # and its subfolders: one per family
    for generic, families in _GENERIC.items():
        names = "".join(f"<string>{escape(f)}</string>" for f in families)
        lines.append(
            f'  <match target="pattern"><test name="family"><string>{generic}</string></test>'
            f'<edit name="family" mode="prepend" binding="strong">{names}</edit></match>'
        )
    lines += ["  <cachedir>/var/cache/fontconfig</cachedir>", '  <cachedir prefix="xdg">fontconfig</cachedir>']
    return "\n".join(lines + ["</fontconfig>", ""])


def use_vendored_fonts() -> Path:
    """Point Fontconfig (for this process and those it starts) at the vendored fonts; idempotent.
    Must run before WeasyPrint creates a font configuration (see :func:`weasyprint`)."""
    text = config_text()
    path = Path(tempfile.gettempdir()) / f"profilepress-fonts-{hashlib.sha256(text.encode()).hexdigest()[:16]}.conf"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".profilepress-fonts-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    os.environ["FONTCONFIG_FILE"] = str(path)
    os.environ.pop("FONTCONFIG_PATH", None)
    return path


def weasyprint() -> ModuleType:
    """WeasyPrint, imported with the vendored font configuration in place."""
    use_vendored_fonts()
    import weasyprint as module

    return module
