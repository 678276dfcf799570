"""The orchestrator: load → plan → select → render → write, read top to bottom.

Everything is gathered, validated and rendered in memory before the first file
is written, so a failed build leaves the output folder exactly as it was.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import catalogue, select
from .errors import ProfileErrors, SourceError, UserError, display_path
from .load import Parsed, load_brands, load_build_file, load_packets, load_profile, load_scales
from .model import Brand, Competency, Packet, Profile, RatingScale, Role
from .pdf import PAPER_SIZES, PrintOptions, RenderLog, html_to_pdf
from .render import Renderer
from .write import OutputFolder

BUILD_FILE = "build.yaml"
FORMATS = ("html", "pdf", "fillable-pdf")
EXTENSIONS = {"html": ".html", "pdf": ".pdf", "fillable-pdf": "-fillable.pdf"}


@dataclass(frozen=True)
class Project:
    """Where a build reads from and writes to. Relative asset URLs in templates resolve against ``root``."""

    source_dir: Path
    templates_dir: Path
    output_dir: Path
    root: Path = Path(".")
    plan_file: Path | None = None        # default: build.yaml in root
    packets_dir: Path | None = None      # default: packets/ in root

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
        return self.plan_file or self.root / BUILD_FILE

    @property
    def packets(self) -> Path:
        return self.packets_dir or self.root / "packets"


# --- the plan: what to make ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One output file: a document in a format, for a brand, on a paper, at a path in the output folder."""

    path: str
    kind: str                       # handbook | worksheet | excerpt | packet
    format: str                     # html | pdf | fillable-pdf
    brand: str = "neutral"
    paper: str = "a4"
    label: str = ""
    scope: select.Scope = select.Scope("profile")
    role: str | None = None         # excerpts made for a role
    competencies: tuple[str, ...] = ()  # excerpts made from a selection of codes
    packet: str | None = None
    trainer: bool = False


@dataclass(frozen=True)
class BuildOptions:
    """How documents are made: build.yaml's choices, overridden from the command line.

    ``plan`` is None when the targets come from build.yaml; commands that build
    something else (a tailored excerpt) give their own. ``source_date_epoch``
    stamps PDFs; without it they carry no date.
    """

    scale: str = "nirn-practice-profile"
    paper: str | None = None            # force one paper for every edition
    marks: bool = False
    formats: tuple[str, ...] = FORMATS  # only these formats are made
    brand: str | None = None            # only this brand's edition
    only: tuple[str, ...] = ()          # only targets whose path matches one of these patterns
    source_date_epoch: int | None = None
    plan: tuple[Target, ...] | None = None

    @property
    def created(self) -> str | None:
        if self.source_date_epoch is None:
            return None
        moment = datetime.fromtimestamp(self.source_date_epoch, tz=timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def print_options(self, paper: str) -> PrintOptions:
        return PrintOptions(paper, self.marks)


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads, loaded and validated before anything is rendered."""

    profile: Profile
    scales: dict[str, RatingScale]
    brands: dict[str, Brand]
    packets: dict[str, Packet]
    build_file: Parsed | None = None


def load_inputs(project: Project, options: BuildOptions, with_build_file: bool = True,
                with_packets: bool = True) -> Inputs:
    """Load and validate every source; all errors of all files are reported together."""
    errors: list[SourceError] = []

    def attempt(load):
        try:
            return load()
        except ProfileErrors as exc:
            errors.extend(exc.errors)
            return None

    profile = attempt(lambda: load_profile(project.source_dir))
    scales = attempt(lambda: load_scales(project.scale_dirs)) or {}
    brands = attempt(lambda: load_brands(project.root / "brands", project.root)) or {}
    packets = (attempt(lambda: load_packets(project.packets, profile, set(scales)))
               if profile and with_packets else {})
    build_file = attempt(lambda: load_build_file(project.build_file)) if with_build_file else None
    if errors:
        raise ProfileErrors(errors)
    if options.scale not in scales:
        raise UserError(_unknown("rating scale", options.scale, scales))
    if "neutral" not in brands:
        raise UserError("brands/neutral/brand.yaml is missing: it is the default every brand is layered over")
    if options.brand is not None and options.brand not in brands:
        raise UserError(_unknown("brand", options.brand, brands))
    return Inputs(profile, scales, brands, packets or {}, build_file)


def _unknown(kind: str, name: str, known) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"unknown {kind} '{name}'; " + (f"did you mean '{close[0]}'? " if close else "") + \
        f"available: {', '.join(sorted(known))}"


def plan(inputs: Inputs, options: BuildOptions) -> list[Target]:
    """Every output file the options ask for, in a stable order, with predictable paths."""
    targets = list(options.plan) if options.plan is not None else _plan_from_build_file(inputs, options)
    targets = [t for t in targets if t.format in options.formats]
    if options.only:
        targets = [t for t in targets if any(fnmatch.fnmatch(t.path, pattern) for pattern in options.only)]
        if not targets:
            raise UserError(f"no target matches --only {' '.join(options.only)}; see them all with --list")
    seen: dict[str, Target] = {}
    for t in targets:
        if t.path in seen:
            raise UserError(f"two targets would write the same file, {t.path}: {seen[t.path].label} and "
                            f"{t.label}; check build.yaml")
        seen[t.path] = t
    return targets


def _plan_from_build_file(inputs: Inputs, options: BuildOptions) -> list[Target]:
    parsed = inputs.build_file
    profile, errors, targets = inputs.profile, [], []
    roles = {r.id: r for r in profile.roles}
    for e, edition in enumerate(parsed.data.editions):
        if edition.brand not in inputs.brands:
            close = difflib.get_close_matches(edition.brand, sorted(inputs.brands), n=1)
            errors.append(parsed.error(("editions", e, "brand"), f"unknown brand '{edition.brand}'",
                                       hint=f"did you mean '{close[0]}'?" if close else
                                       f"brands: {', '.join(sorted(inputs.brands))}"))
            continue
        if options.brand is not None and edition.brand != options.brand:
            continue
        brand = inputs.brands[edition.brand]
        papers = [options.paper] if options.paper else (edition.papers or [brand.paper])
        for paper in papers:
            suffix = f"-{paper}" if len(papers) > 1 else ""
            for d, doc in enumerate(edition.documents):
                for fmt in doc.formats:
                    ext = EXTENSIONS[fmt].replace(".", suffix + ".", 1) if suffix else EXTENSIONS[fmt]
                    base = dict(format=fmt, brand=brand.id, paper=paper)
                    if doc.kind == "handbook":
                        targets.append(Target(f"{brand.id}/handbook{ext}", "handbook", label="Handbook", **base))
                    elif doc.kind == "worksheet":
                        for scope in select.scopes(profile, doc.scope):
                            name = "the whole profile" if scope.kind == "profile" else scope.label
                            targets.append(Target(f"{brand.id}/worksheets/{scope.slug}{ext}", "worksheet",
                                                  label=f"Worksheet: {name}", scope=scope, **base))
                    elif doc.kind == "excerpt":
                        wanted = [r.id for r in profile.roles] if doc.roles == "all" else doc.roles
                        for i, rid in enumerate(wanted):
                            if rid not in roles:
                                if fmt == doc.formats[0] and paper == papers[0]:
                                    close = difflib.get_close_matches(rid, sorted(roles), n=1)
                                    errors.append(parsed.error(
                                        ("editions", e, "documents", d, "roles", i), f"unknown role '{rid}'",
                                        hint=f"did you mean '{close[0]}'?" if close else
                                        f"roles: {', '.join(sorted(roles))}"))
                                continue
                            targets.append(Target(f"{brand.id}/roles/{rid}{ext}", "excerpt",
                                                  label=f"Role excerpt: {roles[rid].name}", role=rid, **base))
                    elif doc.kind == "packet":
                        if doc.packet not in inputs.packets:
                            if fmt == doc.formats[0] and paper == papers[0]:
                                close = difflib.get_close_matches(doc.packet, sorted(inputs.packets), n=1)
                                errors.append(parsed.error(
                                    ("editions", e, "documents", d, "packet"), f"unknown packet '{doc.packet}'",
                                    hint=f"did you mean '{close[0]}'?" if close else "add a recipe in packets/"))
                            continue
                        recipe = inputs.packets[doc.packet]
                        for trainer in (False, True) if doc.trainer else (False,):
                            extra = "-trainer" if trainer else ""
                            targets.append(Target(f"{brand.id}/packets/{recipe.id}{extra}{ext}", "packet",
                                                  label=f"Packet: {recipe.title}" +
                                                        (" (trainer edition)" if trainer else ""),
                                                  packet=recipe.id, trainer=trainer, **base))
    if errors:
        raise ProfileErrors(errors)
    return targets


def tailored(inputs: Inputs, options: BuildOptions, *, role: str | None = None,
             domains: tuple[str, ...] = (), competencies: tuple[str, ...] = (), name: str | None = None,
             formats: tuple[str, ...] = ("html", "pdf")) -> tuple[Target, ...]:
    """An excerpt for a role, or for domains and competencies chosen on the command line (no file written)."""
    profile = inputs.profile
    brand = inputs.brands[options.brand or "neutral"]
    paper = options.paper or brand.paper
    roles = {r.id: r for r in profile.roles}
    if role is not None:
        if role not in roles:
            raise UserError(_unknown("role", role, roles))
        codes, slug, label = tuple(c.code for c in roles[role].competencies), name or role, roles[role].name
    else:
        by_domain = {d.code: d for d in profile.domains}
        by_code = {c.code: c for c in profile.competencies}
        codes = []
        for code in domains:
            if code not in by_domain:
                raise UserError(_unknown("domain code", code, by_domain))
            codes += [c.code for c in by_domain[code].competencies]
        for code in competencies:
            if code not in by_code:
                raise UserError(_unknown("competency code", code, by_code))
            codes.append(code)
        if not codes:
            raise UserError("choose what to tailor: --role, --domain or --competency")
        order = [c.code for c in profile.competencies]
        codes = tuple(sorted(dict.fromkeys(codes), key=order.index))
        slug = name or "-".join(select.padded(c) for c in codes)
        label = ", ".join(codes)
    if not slug.replace("-", "").isalnum():
        raise UserError(f"--name '{slug}' may hold only letters, digits and hyphens")
    return tuple(Target(f"{brand.id}/tailored/{slug}{EXTENSIONS[fmt]}", "excerpt", fmt, brand.id, paper,
                        f"Excerpt: {label}", role=role, competencies=() if role else codes)
                 for fmt in formats)


# --- build -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    target: Target
    path: Path
    size: int
    pages: int = 0


@dataclass
class Rendered:
    target: Target
    data: bytes
    pages: int = 0
    warnings: list[str] = field(default_factory=list)


def check(project: Project, options: BuildOptions | None = None) -> Inputs:
    """Load and validate every input, and the plan; raises ProfileErrors or UserError on any problem."""
    options = options or BuildOptions()
    inputs = load_inputs(project, options)
    plan(inputs, options)
    return inputs


def list_targets(project: Project, options: BuildOptions) -> list[Target]:
    return plan(load_inputs(project, options), options)


def build(project: Project, options: BuildOptions | None = None,
          log: Callable[[str], None] = lambda _: None,
          warn: Callable[[str], None] = lambda _: None) -> list[Written]:
    options = options or BuildOptions()
    inputs = load_inputs(project, options)                        # 1. load: every error at once
    targets = plan(inputs, options)                                # 2. plan: what to make
    renderer = Renderer(project.templates_dir)
    rendered = []
    for target in targets:                                         # 3. select + render, in memory
        log(f"rendering {target.path}")
        result = render_target(renderer, project, inputs, target, options)
        rendered.append(result)
        for message in result.warnings:
            warn(f"{target.path}: {message}")
    output = OutputFolder(project.output_dir)
    written = []
    for result in rendered:                                        # 4. write, only now
        path = output.write(result.target.path, result.data)
        written.append(Written(result.target, path, len(result.data), result.pages))
        log(f"wrote {display_path(path)} ({_size(len(result.data))})")
    if options.plan is None and written:                           # 5. the catalogue of what was built
        index = catalogue.render(renderer, inputs.profile, inputs.brands, written, project.output_dir)
        path = output.write(catalogue.FILE, index)
        log(f"wrote {display_path(path)} (catalogue of {len(written)} documents)")
    return written


def document_html(inputs: Inputs, target: Target, options: BuildOptions, renderer: Renderer,
                  pad: bool = False) -> str:
    """The HTML of one target. HTML and PDF share a template; PDF adds the print layout."""
    profile, brand = inputs.profile, inputs.brands[target.brand]
    printed = target.format != "html"
    scale = inputs.scales[options.scale]
    if target.kind == "handbook":
        context, template = select.handbook(profile, brand, printed), "handbook.html.j2"
    elif target.kind == "worksheet":
        context = select.worksheet(profile, scale, target.scope, brand, printed, target.format != "pdf")
        template = "worksheet.html.j2"
    elif target.kind == "excerpt":
        role = _role_for(profile, target)
        context, template = select.excerpt(profile, role, scale, brand, printed), "excerpt.html.j2"
    else:
        recipe = inputs.packets[target.packet]
        packet_scale = inputs.scales[recipe.scale] if recipe.scale else scale
        context = select.packet(profile, recipe, packet_scale, brand, printed, target.trainer, pad)
        template = "packet.html.j2"
    if printed:
        context["document"]["created"] = options.created
        context["print"] = options.print_options(target.paper).context()
    return renderer.render(template, context)


def _role_for(profile: Profile, target: Target) -> Role:
    """The role of a role excerpt, or a stand-in for a tailored selection of competencies."""
    if target.role is not None:
        return next(r for r in profile.roles if r.id == target.role)
    by_code = {c.code: c for c in profile.competencies}
    chosen: tuple[Competency, ...] = tuple(by_code[c] for c in target.competencies)
    return Role("", "", "", chosen, ())


def render_target(renderer: Renderer, project: Project, inputs: Inputs, target: Target,
                  options: BuildOptions) -> Rendered:
    html = document_html(inputs, target, options, renderer)
    if target.format == "html":
        return Rendered(target, html.encode("utf-8"))
    log = RenderLog()
    pdf = html_to_pdf(html, project.root, project.asset_dirs, log, forms=target.format == "fillable-pdf",
                      custom_metadata=target.kind == "worksheet")
    if target.kind == "packet" and log.pages % 2:
        # Duplex: a packet ends on a left-hand page; add a notes page rather than a blank one.
        log = RenderLog()
        html = document_html(inputs, target, options, renderer, pad=True)
        pdf = html_to_pdf(html, project.root, project.asset_dirs, log)
    return Rendered(target, pdf, log.pages, log.warnings)


def with_overrides(options: BuildOptions, *, paper: str | None = None, marks: bool = False,
                   formats: tuple[str, ...] | None = None, scale: str | None = None, brand: str | None = None,
                   only: tuple[str, ...] = (), source_date_epoch: int | None = None) -> BuildOptions:
    """Command-line choices on top of build.yaml's."""
    if paper is not None and paper not in PAPER_SIZES:
        raise UserError(f"unknown paper size '{paper}'")
    return replace(options, paper=paper or options.paper, marks=marks or options.marks,
                   formats=formats or options.formats, scale=scale or options.scale,
                   brand=brand or options.brand, only=only or options.only, source_date_epoch=source_date_epoch)


def read_build_file(project: Project) -> BuildOptions:
    """build.yaml's defaults as BuildOptions (its documents are planned when the build runs)."""
    parsed = load_build_file(project.build_file)
    return BuildOptions(scale=parsed.data.scale)


def project_from_plan(plan_file: Path, root: Path, *, source: Path | None, templates: Path, output: Path) -> Project:
    """A project as a build plan declares it: its profile and packets folders are relative to the plan."""
    parsed = load_build_file(plan_file)
    folder = plan_file.resolve().parent
    return Project(source or folder / parsed.data.profile, templates, output, root, plan_file,
                   folder / parsed.data.packets)


def collect(project: Project, files: list[Path], out_dir: Path, options: BuildOptions | None = None,
            log: Callable[[str], None] = lambda _: None) -> list[Path]:
    """Filled worksheets → ratings.csv, ratings.json, summary.html and summary.pdf in ``out_dir``."""
    from . import chart, collect as reading, results

    options = options or BuildOptions()
    inputs = load_inputs(project, options, with_build_file=False, with_packets=False)  # 1. load, and every file
    profile = inputs.profile
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
    responses = reading.responses(sheets, profile, inputs.scales)  # 2. check and read the ratings
    computed = results.compute(profile, responses)                 # 3. results
    rows = results.rating_rows(profile, responses)
    svg = chart.change_chart(computed.competencies, len(responses.scale.levels),
                             f"Average level per competency, {responses.scale.name} scale")
    brand = inputs.brands[options.brand or "neutral"]
    renderer = Renderer(project.templates_dir)                     # 4. render, in memory
    outputs = {"ratings.csv": results.to_csv(rows), "ratings.json": results.to_json(profile, responses, rows)}
    for fmt in ("html", "pdf"):
        context = select.summary(profile, responses, computed, svg, brand, printed=fmt == "pdf")
        if fmt == "pdf":
            context["document"]["created"] = options.created
            context["print"] = options.print_options(options.paper or brand.paper).context()
        html = renderer.render("summary.html.j2", context)
        outputs[f"summary.{fmt}"] = (html.encode("utf-8") if fmt == "html"
                                     else html_to_pdf(html, project.root, project.asset_dirs))
    folder = OutputFolder(out_dir)                                 # 5. write, only now
    written = []
    for name, data in outputs.items():
        written.append(folder.write(name, data))
        log(f"wrote {display_path(written[-1])} ({_size(len(data))})")
    return written


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
