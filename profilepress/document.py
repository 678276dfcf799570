"""One target made: its HTML (select → template) and, for print, its PDF; and what it read.

HTML and PDF share a template; PDF adds the print layout. The model reaches the
select stage and the templates through tracking proxies, so the dependency
recorder learns every field a document reads (see :mod:`profilepress.deps`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import csscheck, deps, marks, pagination, usercache, webfonts
from .kinds import KINDS, Sources
from .pdf import RenderLog, html_to_pdf
from .project import BuildOptions, Project, Target
from .select import ENGINE_ROOT

if TYPE_CHECKING:  # pragma: no cover
    from .inputs import Inputs
    from .render import Renderer


@dataclass
class Rendered:
    target: Target
    data: bytes
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    deps: dict = field(default_factory=dict)  # what it read: fields, templates, files
    memory: int = 0  # peak memory of the process that rendered it, in bytes
    seconds: float = 0.0  # how long it took to render
    layout: list[marks.PageLayout] = field(default_factory=list)  # a printable worksheet's boxes, page by page


def document_html(
    inputs: Inputs,
    target: Target,
    options: BuildOptions,
    renderer: Renderer,
    recorder: deps.Recorder | None = None,
    notes: dict[str, int] | None = None,
    root: Path = ENGINE_ROOT,
) -> str:
    """The HTML of one target. ``notes``: for a competency (by id), extra ruled lines for its notes and
    reflection, or a page of their own (see :mod:`profilepress.pagination`)."""
    recorder = recorder if recorder is not None else deps.Recorder()
    lang = target.translation  # a translated edition: the translated model, its fields recorded as "es/…"
    recorder.prefix = f"{lang}/" if lang else ""

    def track(value):
        return deps.track(value, recorder)

    brand = track(inputs.brands_for(lang)[target.brand])
    profile = inputs.profile_for(lang)
    sources = Sources(
        track(profile), brand, track(inputs.scales[options.scale]), inputs.packets_for(lang), inputs.scales, track
    )
    kind = KINDS[target.kind]
    printed = target.format != "html"
    context = kind.context(sources, target, printed, notes)
    if printed:
        context["document"]["created"] = options.created
        context["print"] = options.print_options(target.paper).context()
        return renderer.render(kind.template, context, recorder)
    # HTML carries its fonts, so that it looks as the PDF does, offline: the brand's, and the kind's own.
    families = [(brand.font_family, dict(brand.font_files))] if brand.font_family else []
    return webfonts.embed(renderer.render(kind.template, context, recorder), families + list(kind.fonts), root)


def render_target(
    renderer: Renderer,
    project: Project,
    inputs: Inputs,
    target: Target,
    options: BuildOptions,
    memory: pagination.Memory | None = None,
) -> Rendered:
    """One target's bytes and what it read.

    Notes that do not fit under their worksheet table fill a page of their own
    (see :mod:`profilepress.pagination`; ``memory`` holds what earlier layouts showed).
    """
    recorder = deps.Recorder()
    html = document_html(inputs, target, options, renderer, recorder=recorder, root=project.root)
    log = RenderLog()
    codes = None
    if target.format == "html":
        data = html.encode("utf-8")
    else:
        notes = pagination.Notes(
            html,
            lambda room: document_html(inputs, target, options, renderer, recorder=recorder, notes=room),
            memory or pagination.Memory(),
        )
        kind = KINDS[target.kind]
        if kind.page_codes and target.format == "pdf":  # printed to be ticked by hand, and scanned
            codes = marks.base_code(
                html, target.scope.code, options.scale, target.brand, target.translation, target.paper
            )
        data = html_to_pdf(
            notes.first,
            project.root,
            project.asset_dirs,
            log,
            forms=target.format == "fillable-pdf",
            custom_metadata=kind.custom_metadata,
            relayout=notes.check,
            page_codes=codes,
        )
    if codes is not None and log.layout:  # kept for reading its scans (profilepress.scan.Layouts)
        usercache.write(marks.cache_name(codes), marks.record(log.layout))
    dependencies = {"fields": recorder.fields, "templates": recorder.templates, "files": [str(p) for p in log.fetched]}
    warnings = csscheck.warnings(renderer.templates_dir, list(recorder.templates)) + log.warnings
    return Rendered(target, data, log.pages, warnings, dependencies, layout=log.layout)
