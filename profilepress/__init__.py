"""profilepress: practice profiles in YAML → validated model → HTML and PDF documents.

The public entry points are :func:`profilepress.load.load_profile` and
:func:`profilepress.build.build`; ``build.py`` at the project's top is a thin
command line over them.
"""

__version__ = "0.1.0"
