"""The versions of the libraries that shape a document's bytes, recorded in the manifest.

Python packages are read from their metadata; the C libraries WeasyPrint draws
text with (Pango, HarfBuzz, Fontconfig) are asked for their own version, through
ctypes, without importing WeasyPrint.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from importlib import metadata

PACKAGES = ("weasyprint", "pydyf", "pillow", "fonttools", "tinycss2", "cssselect2")
# library → (its shared object's name, the function giving its version, whether that returns text)
NATIVE = {
    "pango": ("pango-1.0", "pango_version_string", True),
    "harfbuzz": ("harfbuzz", "hb_version_string", True),
    "fontconfig": ("fontconfig", "FcGetVersion", False),
}


@functools.cache
def rendering_libraries() -> dict[str, str]:
    """Each library → its version, or "absent"."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    for name, (library, function, text) in NATIVE.items():
        found[name] = _native_version(library, function, text)
    return found


def _native_version(library: str, function: str, text: bool) -> str:
    path = ctypes.util.find_library(library)
    if path is None:
        return "absent"
    try:
        call = getattr(ctypes.CDLL(path), function)
    except (OSError, AttributeError):
        return "absent"
    if text:
        call.restype = ctypes.c_char_p
        return call().decode("ascii", "replace")
    call.restype = ctypes.c_int
    number = call()  # Fontconfig: major * 10000 + minor * 100 + revision
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"
