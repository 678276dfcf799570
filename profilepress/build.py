"""The orchestrator: load → plan → select → render → write, read top to bottom.

Everything is gathered, validated and rendered in memory before the first file
is written, so a failed build leaves the output folder exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import select
from .errors import display_path
from .load import load_profile
from .model import Profile
from .render import Renderer
from .write import OutputFolder


@dataclass(frozen=True)
class Project:
    """Where a build reads from and writes to."""

    source_dir: Path
    templates_dir: Path
    output_dir: Path


@dataclass(frozen=True)
class DocumentKind:
    """How to make one kind of document: what it shows, and the template that lays it out."""

    name: str
    select: Callable[[Profile], dict]
    template: str


DOCUMENT_KINDS = {
    "handbook": DocumentKind("handbook", select.handbook, "handbook.html.j2"),
}


@dataclass(frozen=True)
class Target:
    """One output file: a document kind in a format, at a path inside the output folder."""

    path: str
    kind: str
    format: str


@dataclass(frozen=True)
class Written:
    target: Target
    path: Path
    size: int


def default_plan(profile: Profile) -> list[Target]:
    """What ``python build.py`` makes by default."""
    return [Target("handbook.html", "handbook", "html")]


def check(project: Project) -> Profile:
    """Validate the sources only; raises ProfileErrors on any problem."""
    return load_profile(project.source_dir)


def build(project: Project, log: Callable[[str], None] = lambda _: None) -> list[Written]:
    profile = load_profile(project.source_dir)                  # 1. load: every error at once
    targets = default_plan(profile)                              # 2. plan: what to make
    renderer = Renderer(project.templates_dir)
    rendered = [(t, render_target(renderer, profile, t)) for t in targets]  # 3. select + render
    output = OutputFolder(project.output_dir)
    written = []
    for target, data in rendered:                                # 4. write, only now
        path = output.write(target.path, data)
        written.append(Written(target, path, len(data)))
        log(f"wrote {display_path(path)} ({_size(len(data))})")
    return written


def render_target(renderer: Renderer, profile: Profile, target: Target) -> bytes:
    kind = DOCUMENT_KINDS[target.kind]
    html = renderer.render(kind.template, kind.select(profile))
    return html.encode("utf-8")


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
