"""Load stage: sources on disk → the validated model, one module per kind of source.

Each file is read strictly (:mod:`profilepress.yamlread`) and validated against
its declared shape (:mod:`profilepress.sources`) in :mod:`.common`; the profile's
links between files (ids, codes, references) are checked and the frozen model is
built in :mod:`.profile`; scales, brands, packet recipes and the build plan each
have their own module. Every problem is collected with its ``file:line:col``; if
there is any, one :class:`ProfileErrors` carries them all and nothing is returned.
"""

from .brands import check_logo, load_brands, undrawable_logos
from .common import Parsed
from .packets import load_packets
from .plan import load_build_file
from .profile import load_profile, source_files
from .scales import load_scales

__all__ = [
    "Parsed",
    "check_logo",
    "load_brands",
    "load_build_file",
    "load_packets",
    "load_profile",
    "load_scales",
    "source_files",
    "undrawable_logos",
]
