"""The orchestrator: load → plan → select → render → write, read top to bottom.

Everything is gathered, validated and rendered in memory before the first file
is written, so a failed build leaves the output folder exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import select
from .errors import UserError, display_path
from .load import load_profile
from .model import Profile
from .pdf import PrintOptions, RenderLog, html_to_pdf
from .render import Renderer
from .write import OutputFolder


@dataclass(frozen=True)
class Project:
    """Where a build reads from and writes to. Relative asset URLs in templates resolve against ``root``."""

    source_dir: Path
    templates_dir: Path
    output_dir: Path
    root: Path = Path(".")

    @property
    def asset_dirs(self) -> list[Path]:
        """The only folders a document may load files from."""
        return [self.templates_dir, self.root / "fonts", self.root / "brands"]


@dataclass(frozen=True)
class BuildOptions:
    """How documents are made. ``source_date_epoch`` stamps PDFs; without it they carry no date."""

    print: PrintOptions = field(default_factory=PrintOptions)
    formats: tuple[str, ...] = ("html", "pdf")
    source_date_epoch: int | None = None

    @property
    def created(self) -> str | None:
        if self.source_date_epoch is None:
            return None
        moment = datetime.fromtimestamp(self.source_date_epoch, tz=timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DocumentKind:
    """How to make one kind of document: what it shows, and the template that lays it out."""

    name: str
    select: Callable[[Profile], dict]
    template: str


DOCUMENT_KINDS = {
    "handbook": DocumentKind("handbook", select.handbook, "handbook.html.j2"),
}
FORMATS = ("html", "pdf")


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


def default_plan(profile: Profile, options: BuildOptions) -> list[Target]:
    """What ``python build.py`` makes by default."""
    return [Target(f"handbook.{fmt}", "handbook", fmt) for fmt in options.formats]


def check(project: Project) -> Profile:
    """Validate the sources only; raises ProfileErrors on any problem."""
    return load_profile(project.source_dir)


def build(project: Project, options: BuildOptions = BuildOptions(),
          log: Callable[[str], None] = lambda _: None,
          warn: Callable[[str], None] = lambda _: None) -> list[Written]:
    profile = load_profile(project.source_dir)                   # 1. load: every error at once
    targets = default_plan(profile, options)                      # 2. plan: what to make
    renderer = Renderer(project.templates_dir)
    rendered = []
    for target in targets:                                        # 3. select + render, in memory
        log(f"rendering {target.path}")
        render_log = RenderLog()
        rendered.append((target, render_target(renderer, project, profile, target, options, render_log)))
        for message in render_log.warnings:
            warn(f"{target.path}: {message}")
    output = OutputFolder(project.output_dir)
    written = []
    for target, data in rendered:                                 # 4. write, only now
        path = output.write(target.path, data)
        written.append(Written(target, path, len(data)))
        log(f"wrote {display_path(path)} ({_size(len(data))})")
    return written


def render_target(renderer: Renderer, project: Project, profile: Profile, target: Target,
                  options: BuildOptions, render_log: RenderLog | None = None) -> bytes:
    """One target's bytes. HTML and PDF share a template; PDF adds the print layout."""
    kind = DOCUMENT_KINDS[target.kind]
    context = kind.select(profile)
    context["document"]["created"] = options.created if target.format == "pdf" else None
    context["print"] = options.print.context() if target.format == "pdf" else None
    html = renderer.render(kind.template, context)
    if target.format == "html":
        return html.encode("utf-8")
    if target.format == "pdf":
        return html_to_pdf(html, project.root, project.asset_dirs, render_log)
    raise UserError(f"unknown format '{target.format}'")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
