"""The orchestrator: load → plan → select → render → write, read top to bottom.

Everything is gathered, validated and rendered in memory before the first file
is written, so a failed build leaves the output folder exactly as it was.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import select
from .errors import ProfileErrors, SourceError, UserError, display_path
from .load import load_build_file, load_profile, load_scales
from .model import Profile, RatingScale
from .pdf import PrintOptions, RenderLog, html_to_pdf
from .render import Renderer
from .write import OutputFolder

BUILD_FILE = "build.yaml"
FORMATS = ("html", "pdf", "fillable-pdf")


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

    @property
    def scale_dirs(self) -> list[Path]:
        """Shipped scales, then any the profile folder brings."""
        return [self.root / "scales", self.source_dir / "scales"]

    @property
    def build_file(self) -> Path:
        return self.root / BUILD_FILE


@dataclass(frozen=True)
class DocumentSpec:
    """One entry of the build plan: a kind of document, its scope and formats."""

    kind: str
    scope: str
    formats: tuple[str, ...]


@dataclass(frozen=True)
class BuildOptions:
    """How documents are made: build.yaml's choices, overridden from the command line.

    ``source_date_epoch`` stamps PDFs; without it they carry no date.
    """

    print: PrintOptions = field(default_factory=PrintOptions)
    formats: tuple[str, ...] = FORMATS          # only these formats are made
    scale: str = "nirn-practice-profile"
    documents: tuple[DocumentSpec, ...] = (DocumentSpec("handbook", "profile", ("html", "pdf")),)
    source_date_epoch: int | None = None

    @property
    def created(self) -> str | None:
        if self.source_date_epoch is None:
            return None
        moment = datetime.fromtimestamp(self.source_date_epoch, tz=timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def read_build_file(project: Project) -> BuildOptions:
    """The project's build.yaml as BuildOptions (before command-line overrides)."""
    plan = load_build_file(project.build_file).data
    return BuildOptions(
        print=PrintOptions(plan.paper),
        scale=plan.scale,
        documents=tuple(DocumentSpec(d.kind, d.scope, tuple(d.formats)) for d in plan.documents),
    )


@dataclass(frozen=True)
class Target:
    """One output file: a document kind in a format, at a path inside the output folder."""

    path: str
    kind: str
    format: str
    scope: select.Scope = select.Scope("profile")


@dataclass(frozen=True)
class Written:
    target: Target
    path: Path
    size: int


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads, loaded and validated before anything is rendered."""

    profile: Profile
    scale: RatingScale


def plan(profile: Profile, options: BuildOptions) -> list[Target]:
    """Every output file the options ask for, in a stable order, with predictable paths."""
    targets = []
    for spec in options.documents:
        for fmt in spec.formats:
            if fmt not in options.formats:
                continue
            if spec.kind == "handbook":
                if fmt == "fillable-pdf":
                    raise UserError("the handbook has no fillable format; use html or pdf")
                targets.append(Target(f"handbook.{fmt}", "handbook", fmt))
                continue
            for scope in select.scopes(profile, spec.scope):
                suffix = {"html": ".html", "pdf": ".pdf", "fillable-pdf": "-fillable.pdf"}[fmt]
                targets.append(Target(f"worksheets/{scope.slug}{suffix}", "worksheet", fmt, scope))
    paths = [t.path for t in targets]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    if duplicates:
        raise UserError(f"two targets would write the same file: {', '.join(duplicates)}; check build.yaml")
    return targets


def check(project: Project, options: BuildOptions | None = None) -> Inputs:
    """Load and validate every input; raises ProfileErrors or UserError on any problem."""
    return load_inputs(project, options or read_build_file(project))


def load_inputs(project: Project, options: BuildOptions) -> Inputs:
    profile_errors: list[SourceError] = []
    profile = scales = None
    try:
        profile = load_profile(project.source_dir)
    except ProfileErrors as exc:
        profile_errors += exc.errors
    try:
        scales = load_scales(project.scale_dirs)
    except ProfileErrors as exc:
        profile_errors += exc.errors
    if profile_errors:
        raise ProfileErrors(profile_errors)
    if options.scale not in scales:
        close = difflib.get_close_matches(options.scale, sorted(scales), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise UserError(f"unknown rating scale '{options.scale}'; {hint}available: {', '.join(sorted(scales))}")
    return Inputs(profile, scales[options.scale])


def build(project: Project, options: BuildOptions | None = None,
          log: Callable[[str], None] = lambda _: None,
          warn: Callable[[str], None] = lambda _: None) -> list[Written]:
    options = options or read_build_file(project)
    inputs = load_inputs(project, options)                       # 1. load: every error at once
    targets = plan(inputs.profile, options)                       # 2. plan: what to make
    renderer = Renderer(project.templates_dir)
    rendered = []
    for target in targets:                                        # 3. select + render, in memory
        log(f"rendering {target.path}")
        render_log = RenderLog()
        rendered.append((target, render_target(renderer, project, inputs, target, options, render_log)))
        for message in render_log.warnings:
            warn(f"{target.path}: {message}")
    output = OutputFolder(project.output_dir)
    written = []
    for target, data in rendered:                                 # 4. write, only now
        path = output.write(target.path, data)
        written.append(Written(target, path, len(data)))
        log(f"wrote {display_path(path)} ({_size(len(data))})")
    return written


def document_html(inputs: Inputs, target: Target, options: BuildOptions, renderer: Renderer) -> str:
    """The HTML of one target. HTML and PDF share a template; PDF adds the print layout."""
    if target.kind == "handbook":
        context, template = select.handbook(inputs.profile), "handbook.html.j2"
    else:
        context, template = select.worksheet(inputs.profile, inputs.scale, target.scope), "worksheet.html.j2"
    printed = target.format != "html"
    context["document"]["created"] = options.created if printed else None
    context["print"] = options.print.context() if printed else None
    context["fillable"] = target.format != "pdf"
    return renderer.render(template, context)


def render_target(renderer: Renderer, project: Project, inputs: Inputs, target: Target,
                  options: BuildOptions, render_log: RenderLog | None = None) -> bytes:
    html = document_html(inputs, target, options, renderer)
    if target.format == "html":
        return html.encode("utf-8")
    return html_to_pdf(html, project.root, project.asset_dirs, render_log,
                       forms=target.format == "fillable-pdf", custom_metadata=target.kind == "worksheet")


def collect(project: Project, files: list[Path], out_dir: Path, options: BuildOptions | None = None,
            log: Callable[[str], None] = lambda _: None) -> list[Path]:
    """Filled worksheets → ratings.csv, ratings.json, summary.html and summary.pdf in ``out_dir``."""
    from . import chart, collect as reading, results

    options = options or read_build_file(project)
    profile = load_profile(project.source_dir)                    # 1. load: sources, scales, every file
    scales = load_scales(project.scale_dirs)
    sheets, errors = [], []
    for path in files:
        try:
            sheets.append(reading.read(Path(path)))
        except ProfileErrors as exc:
            errors += exc.errors
    if errors:
        raise ProfileErrors(errors)
    if not sheets:
        raise UserError("no files to collect; give filled worksheet PDFs or saved answers (.json)")
    responses = reading.responses(sheets, profile, scales)       # 2. check and read the ratings
    computed = results.compute(profile, responses)                # 3. results
    rows = results.rating_rows(profile, responses)
    svg = chart.change_chart(computed.competencies, len(responses.scale.levels),
                             f"Average level per competency, {responses.scale.name} scale")
    renderer = Renderer(project.templates_dir)                    # 4. render, in memory
    outputs = {"ratings.csv": results.to_csv(rows), "ratings.json": results.to_json(profile, responses, rows)}
    for fmt in ("html", "pdf"):
        context = select.summary(profile, responses, computed, svg)
        context["document"]["created"] = options.created if fmt == "pdf" else None
        context["print"] = options.print.context() if fmt == "pdf" else None
        html = renderer.render("summary.html.j2", context)
        outputs[f"summary.{fmt}"] = (html.encode("utf-8") if fmt == "html"
                                     else html_to_pdf(html, project.root, project.asset_dirs))
    folder = OutputFolder(out_dir)                                # 5. write, only now
    written = []
    for name, data in outputs.items():
        written.append(folder.write(name, data))
        log(f"wrote {display_path(written[-1])} ({_size(len(data))})")
    return written


def with_overrides(options: BuildOptions, *, paper: str | None = None, marks: bool = False,
                   formats: tuple[str, ...] | None = None, scale: str | None = None,
                   source_date_epoch: int | None = None) -> BuildOptions:
    """Command-line choices on top of build.yaml's."""
    return replace(
        options,
        print=PrintOptions(paper or options.print.paper, marks or options.print.marks),
        formats=formats or options.formats,
        scale=scale or options.scale,
        source_date_epoch=source_date_epoch,
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
