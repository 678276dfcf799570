"""profilepress: practice profiles in YAML → validated model → HTML and PDF documents.

The public entry points are :func:`profilepress.load.load_profile` and
:func:`profilepress.build.build`; ``build.py`` at the project's top is a thin
command line over them.
"""

__version__ = "0.1.0"

# Installed (``pip install .``), the interface catalogues are package data in profilepress/share/locales
# (see profilepress/home.py), not a folder beside the package: the catalogue reader is pointed there. (To go
# once profilepress/messages.py takes its folder from profilepress.home.)
from . import home as _home

if _home.INSTALLED:
    from . import messages as _messages

    _messages.LOCALES_DIR = _home.ENGINE_ROOT / "locales"
