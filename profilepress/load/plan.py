"""The build plan file (build.yaml)."""

from __future__ import annotations

from pathlib import Path

from .. import sources
from ..errors import ProfileErrors, SourceError
from .common import Parsed, parse_required


def load_build_file(path: Path) -> Parsed[sources.BuildFile]:
    """The build plan file, validated; raises ProfileErrors with its locations."""
    errors: list[SourceError] = []
    parsed = parse_required(path, sources.BuildFile, "build", errors)
    if errors or parsed is None or parsed.data is None:
        raise ProfileErrors(errors)
    return parsed
