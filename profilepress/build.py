"""The orchestrator: load → plan → select → render → write, read top to bottom.

Everything is gathered, validated and rendered in memory before the first file
is written, so a failed build leaves the output folder exactly as it was.
"""

from __future__ import annotations

import difflib
import fnmatch
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, catalogue, deps, manifest, pagination, select, webfonts
from .errors import ProfileErrors, SourceError, UserError, display_path
from .model import Brand, Competency, Packet, Profile, RatingScale, Role
from .pdf import PAPER_SIZES, PrintOptions, RenderLog, html_to_pdf
from .progress import Reporter
from .workers import Failed, default_jobs, render_all
from .write import BuildLock, OutputFolder

if TYPE_CHECKING:  # pragma: no cover
    from .load import Parsed
    from .render import Renderer

# The model loader (pydantic) and the template engine (Jinja2) are imported where
# they are first needed, so that a rebuild with nothing to do imports neither.

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
    kind: str                       # handbook | worksheet | excerpt | packet | slides
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
    jobs: int | None = None             # worker processes; None: one per CPU
    force: bool = False                 # rebuild everything, whatever the manifest says
    strict: bool = False                # warnings are errors
    shard: tuple[int, int] | None = None  # build only shard I of N
    timeout: int = 300                  # seconds one document may take to render
    request: tuple = ()                 # the command line's choices, as given (for the manifest's plan key)
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
    from .load import load_brands, load_build_file, load_packets, load_profile, load_scales

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
    if not project.templates_dir.is_dir():
        raise UserError(f"templates folder not found: {project.templates_dir}")
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
                        if recipe.paper and not options.paper and not edition.papers:
                            if paper != papers[0]:
                                continue
                            base["paper"] = recipe.paper      # the recipe's paper, unless the plan chose
                        for trainer in (False, True) if doc.trainer else (False,):
                            extra = "-trainer" if trainer else ""
                            targets.append(Target(f"{brand.id}/packets/{recipe.id}{extra}{ext}", "packet",
                                                  label=f"Packet: {recipe.title}" +
                                                        (" (trainer edition)" if trainer else ""),
                                                  packet=recipe.id, trainer=trainer, **base))
                        if doc.slides:
                            targets.append(Target(f"{brand.id}/packets/{recipe.id}-slides{ext}", "slides",
                                                  label=f"Slides: {recipe.title}", packet=recipe.id, **base))
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
    deps: dict = field(default_factory=dict)   # what it read: fields, templates, files
    memory: int = 0                            # peak memory of the process that rendered it, in bytes
    seconds: float = 0.0                       # how long it took to render


@dataclass
class Report:
    """What a build did, for the closing summary and for tests."""

    built: list[Written] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)        # obsolete outputs left alone: changed by hand
    seconds: float = 0.0
    peak_memory: int = 0
    decided_from_manifest: bool = False


class BuildFailed(Exception):
    """Some targets could not be made; nothing was written. Carries every failure."""

    def __init__(self, failures: list[tuple[str, str]]):
        self.failures = failures
        super().__init__(f"{len(failures)} target(s) failed")


def check(project: Project, options: BuildOptions | None = None) -> Inputs:
    """Load and validate every input, and the plan; raises ProfileErrors or UserError on any problem."""
    options = options or BuildOptions()
    inputs = load_inputs(project, options)
    plan(inputs, options)
    return inputs


def list_targets(project: Project, options: BuildOptions) -> list[Target]:
    return shard(plan(load_inputs(project, options), options), options.shard)


def shard(targets: list[Target], which: tuple[int, int] | None) -> list[Target]:
    """Shard I of N: every N-th target of the plan, from the I-th. The shards are disjoint and cover it all."""
    if which is None:
        return targets
    index, count = which
    return [t for n, t in enumerate(targets) if n % count == index - 1]


def input_files(project: Project) -> dict[str, str]:
    """A content hash of every file a build may read."""
    roots = [project.source_dir, *project.scale_dirs, project.root / "brands", project.packets,
             project.templates_dir, project.root / "fonts"]
    return manifest.input_files(roots, [project.build_file], project.root)


def build(project: Project, options: BuildOptions | None = None, reporter: Reporter | None = None) -> Report:
    """Bring the output folder up to date: remake only outputs whose inputs changed."""
    options = options or BuildOptions()
    reporter = reporter or Reporter(quiet=True)
    started = time.monotonic()
    quick = nothing_to_do(project, options)                        # 0. from the manifest alone
    if quick is not None:
        return quick
    with BuildLock(project.output_dir):                            # one build per output folder
        report = _build(project, options, reporter)
    report.seconds = time.monotonic() - started
    return report


def _build(project: Project, options: BuildOptions, reporter: Reporter) -> Report:
    report = Report()
    previous = manifest.read(project.output_dir)     # with --force: still read, for removals and ordering
    files = input_files(project)

    inputs = load_inputs(project, options)                         # 1. load: every error at once
    targets = shard(plan(inputs, options), options.shard)          # 2. plan: what to make
    objects = deps.index(inputs.profile, inputs.brands, inputs.packets, inputs.scales)
    stale = [t for t in targets                                    # 3. what changed since the last build
             if options.force or previous is None or not _current(previous, t, options, objects, project)]
    report.up_to_date = [t.path for t in targets if t not in stale]
    results = _render(project, options, inputs, stale, previous, reporter)  # 4. render, in memory

    new = manifest.Manifest(engine_fingerprint(), _plan_key(project, options), files)   # 5. what the folder will hold
    if previous and _partial(options):
        new.targets.update(previous.targets)
        new.extras.update(previous.extras)
    for result in results:
        new.targets[result.target.path] = replace(_entry(result, options, project),
                                                  requested=options.plan is not None)
        report.peak_memory = max(report.peak_memory, result.memory)
    for target in targets:
        if target not in stale:
            new.targets[target.path] = previous.targets[target.path]
    new.order = [t.path for t in targets]
    if previous and not _partial(options):      # outputs made on request (tailor) stay until remade or cleaned
        new.targets.update({p: e for p, e in previous.targets.items() if e.requested and p not in new.targets})
    obsolete = ({p: e for p, e in previous.targets.items() if p not in set(new.order) and not e.requested}
                if previous and not _partial(options) else {})
    files_out = [(r.target.path, r.data) for r in results]
    if not _partial(options) and targets and (results or obsolete or catalogue.FILE not in
                                              (previous.extras if previous else {})):
        index = _catalogue(project, inputs, targets, new)          # the catalogue of what will be there
        files_out.append((catalogue.FILE, index))
        new.extras[catalogue.FILE] = manifest.sha256_bytes(index)
    elif previous:
        new.extras.update({k: v for k, v in previous.extras.items() if k not in new.extras})

    output = OutputFolder(project.output_dir)                      # 6. write, all or nothing
    written = output.write_all(files_out)
    for result, path in zip(results, written):
        report.built.append(Written(result.target, path, len(result.data), result.pages))
        reporter.detail(f"wrote {display_path(path)} ({_size(len(result.data))})")
    for path, entry in obsolete.items():                           # 7. outputs no longer planned
        (report.removed if output.remove(path, entry.sha256) else report.kept).append(path)
    output.write(manifest.FILE, new.to_json())                     # 8. the manifest, last
    return report


def _render(project: Project, options: BuildOptions, inputs: Inputs, stale: list[Target],
            previous: manifest.Manifest | None, reporter: Reporter) -> list[Rendered]:
    """Render every stale target in the worker pool; all are attempted, every failure is reported."""
    failures: list[tuple[str, str]] = []

    def done(result) -> None:
        if isinstance(result, Failed):
            failures.append((result.target.path, result.reason))
            reporter.advance(f"FAILED {result.target.path}")
        else:
            reporter.advance(f"rendered {result.target.path} ({result.seconds:.1f} s)")

    reporter.start(len(stale), "rendering")
    try:
        known = previous.targets if previous else {}
        results = render_all(project, options, inputs, stale, options.jobs or default_jobs(), done,
                             {p: e.pages for p, e in known.items()})
    finally:
        reporter.finish()
    warnings = [f"{r.target.path}: {w}" for r in results if isinstance(r, Rendered) for w in r.warnings]
    for text in warnings:
        reporter.warning(text)
    if options.strict and warnings:
        failures += [(w.split(": ", 1)[0], f"warning (--strict): {w.split(': ', 1)[1]}") for w in warnings]
    if failures:
        raise BuildFailed(failures)
    return results


def _catalogue(project: Project, inputs: Inputs, targets: list[Target], new: manifest.Manifest) -> bytes:
    from .render import Renderer

    listed = [Written(t, project.output_dir / t.path, new.targets[t.path].bytes, new.targets[t.path].pages)
              for t in targets]
    return catalogue.render(Renderer(project.templates_dir), inputs.profile, inputs.brands, listed,
                            project.output_dir)


def nothing_to_do(project: Project, options: BuildOptions) -> Report | None:
    """A report of an up-to-date build when no input file, option or output changed; else None.

    Decided from the manifest and file hashes alone: the model is not loaded and
    WeasyPrint is not imported.
    """
    started = time.monotonic()
    previous = None if options.force else manifest.read(project.output_dir)
    if previous is None or previous.engine != engine_fingerprint() or previous.plan != _plan_key(project, options):
        return None
    if previous.inputs != input_files(project) or not manifest.outputs_intact(previous, project.output_dir,
                                                                              previous.order):
        return None
    return Report(up_to_date=list(previous.order), decided_from_manifest=True,
                  seconds=time.monotonic() - started)


def _partial(options: BuildOptions) -> bool:
    """A build of part of the plan: it neither removes other outputs nor rewrites the catalogue."""
    return bool(options.plan is not None or options.shard or options.only or options.brand
                or tuple(options.formats) != FORMATS)


def _plan_key(project: Project, options: BuildOptions) -> str:
    """What decided the plan: the plan file, the profile folder and the choices made for this build.

    (The contents of every input file are compared separately.) Given the command
    line's choices as made (``options.request``), it can be computed before
    build.yaml is even read.
    """
    choices = list(options.request) if options.request else [
        _output_options(options), list(options.formats), options.brand, list(options.only), options.shard]
    # targets chosen by a command (tailor) rather than the plan: never mistaken for the plan's build
    choices.append([repr(t) for t in options.plan] if options.plan is not None else None)
    return manifest.digest({"plan": str(Path(project.build_file).resolve()),
                            "source": str(Path(project.source_dir).resolve()),
                            "output": str(Path(project.output_dir).resolve()), "choices": choices})


def _output_options(options: BuildOptions) -> dict:
    """The options that change an output's bytes."""
    return {"scale": options.scale, "paper": options.paper, "marks": options.marks,
            "date": options.source_date_epoch, "engine": engine_fingerprint()}


ENGINE_DIR = Path(__file__).resolve().parent
# What makes documents besides the project's own inputs (which are hashed one by one): the engine's code,
# its interface catalogues, and the versions of the libraries that lay out and write the PDFs.
_ENGINE_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "jinja2", "markdown", "nh3", "babel")


def engine_fingerprint() -> str:
    """The engine as it is now: a change to any of its files or libraries makes every output stale.

    Read without importing the libraries, so that a no-op build stays fast.
    """
    from importlib import metadata

    parts = [__version__]
    for name in _ENGINE_LIBRARIES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}: absent")
    files = sorted(ENGINE_DIR.glob("*.py")) + sorted((ENGINE_DIR.parent / "locales").glob("*/LC_MESSAGES/*.po"))
    for path in files:
        parts.append(f"{path.relative_to(ENGINE_DIR.parent).as_posix()}:{manifest.sha256_file(path)}")
    return manifest.digest(parts)


def _target_key(target: Target, options: BuildOptions) -> str:
    return manifest.digest({"target": repr(target), "options": _output_options(options)})


def _entry(result: Rendered, options: BuildOptions, project: Project) -> manifest.Entry:
    return manifest.Entry(
        manifest.sha256_bytes(result.data), len(result.data), result.pages, result.target.kind,
        result.target.format, _target_key(result.target, options), dict(sorted(result.deps["fields"].items())),
        dict(sorted(result.deps["templates"].items())),
        {manifest._relative(Path(p), project.root): manifest.sha256_file(Path(p))
         for p in sorted(set(result.deps["files"]))})


def _current(previous: manifest.Manifest, target: Target, options: BuildOptions, objects: dict,
             project: Project) -> bool:
    """Is this output up to date: same target and options, same bytes on disk, every input unchanged?"""
    entry = previous.targets.get(target.path)
    if entry is None or entry.target != _target_key(target, options):
        return False
    if not manifest.outputs_intact(previous, project.output_dir, [target.path]):
        return False
    for name, sha in entry.templates.items():
        source = project.templates_dir / name
        if not source.is_file() or manifest.sha256_bytes(source.read_bytes())[:20] != sha:
            return False
    for name, sha in entry.files.items():
        path = Path(name) if Path(name).is_absolute() else project.root / name
        if not path.is_file() or manifest.sha256_file(path) != sha:
            return False
    return all(deps.current_hash(objects, slot) == sha for slot, sha in entry.fields.items())


def verify(project: Project, options: BuildOptions, reporter: Reporter) -> list[str]:
    """Rebuild everything into a temporary folder and compare with output/manifest.json.

    Returns the differences, one line each naming the file; empty when the
    outputs are exactly what the sources give.
    """
    recorded = manifest.read(project.output_dir)
    if recorded is None:
        raise UserError(f"no manifest in {display_path(project.output_dir)}; build first")
    with tempfile.TemporaryDirectory(prefix="profilepress-verify-") as tmp:
        fresh = build(replace(project, output_dir=Path(tmp)), replace(options, force=True), reporter)
        made = {w.target.path: manifest.sha256_file(w.path) for w in fresh.built}
    differences = []
    for path in sorted(set(made) | set(recorded.targets)):
        entry = recorded.targets.get(path)
        on_disk = project.output_dir / path
        if entry is None:
            differences.append(f"{path}: made by the sources but missing from the manifest")
        elif path not in made:
            differences.append(f"{path}: in the manifest but no longer made by the sources")
        elif made[path] != entry.sha256:
            differences.append(f"{path}: the sources now give different bytes than the manifest records")
        elif not on_disk.is_file() or manifest.sha256_file(on_disk) != entry.sha256:
            differences.append(f"{path}: the file in the output folder differs from the manifest")
    return differences


def document_html(inputs: Inputs, target: Target, options: BuildOptions, renderer: Renderer,
                  recorder: deps.Recorder | None = None,
                  notes: dict[str, int] | None = None, root: Path = select.ENGINE_ROOT) -> str:
    """The HTML of one target. HTML and PDF share a template; PDF adds the print layout.

    The model reaches the select stage and the templates through tracking
    proxies, so ``recorder`` learns every field this document reads. ``notes``:
    for a competency (by id), extra ruled lines for its notes and reflection, or
    a page of their own (see :mod:`profilepress.pagination`).
    """
    recorder = recorder if recorder is not None else deps.Recorder()
    profile = deps.track(inputs.profile, recorder)
    brand = deps.track(inputs.brands[target.brand], recorder)
    printed = target.format != "html"
    scale = deps.track(inputs.scales[options.scale], recorder)
    if target.kind == "handbook":
        context, template = select.handbook(profile, brand, printed), "handbook.html.j2"
    elif target.kind == "worksheet":
        context = select.worksheet(profile, scale, target.scope, brand, printed, target.format != "pdf", notes)
        template = "worksheet.html.j2"
    elif target.kind == "excerpt":
        context = select.excerpt(profile, _role_for(profile, target), scale, brand, printed, notes)
        template = "excerpt.html.j2"
    elif target.kind == "slides":
        recipe = deps.track(inputs.packets[target.packet], recorder)
        packet_scale = deps.track(inputs.scales[recipe.scale], recorder) if recipe.scale else scale
        context, template = select.slides(profile, recipe, packet_scale, brand, printed), "slides.html.j2"
    else:
        recipe = deps.track(inputs.packets[target.packet], recorder)
        packet_scale = deps.track(inputs.scales[recipe.scale], recorder) if recipe.scale else scale
        context = select.packet(profile, recipe, packet_scale, brand, printed, target.trainer, notes)
        template = "packet.html.j2"
    if printed:
        context["document"]["created"] = options.created
        context["print"] = options.print_options(target.paper).context()
        return renderer.render(template, context, recorder)
    # HTML carries its fonts, so that it looks as the PDF does, offline: the brand's, and the slides' own.
    families = [(brand.font_family, dict(brand.font_files))] if brand.font_family else []
    if target.kind == "slides":
        families.append(("Atkinson Hyperlegible", webfonts.ATKINSON))
    return webfonts.embed(renderer.render(template, context, recorder), families, root)


def _role_for(profile: Profile, target: Target) -> Role:
    """The role of a role excerpt, or a stand-in for a tailored selection of competencies."""
    if target.role is not None:
        return next(r for r in profile.roles if r.id == target.role)
    by_code = {c.code: c for c in profile.competencies}
    chosen: tuple[Competency, ...] = tuple(by_code[c] for c in target.competencies)
    return Role("", "", "", chosen, ())


def render_target(renderer: Renderer, project: Project, inputs: Inputs, target: Target,
                  options: BuildOptions, memory: pagination.Memory | None = None) -> Rendered:
    """One target's bytes and what it read.

    Notes that do not fit under their worksheet table fill a page of their own
    (see :mod:`profilepress.pagination`; ``memory`` holds what earlier layouts showed).
    """
    recorder = deps.Recorder()
    html = document_html(inputs, target, options, renderer, recorder=recorder, root=project.root)
    log = RenderLog()
    if target.format == "html":
        data = html.encode("utf-8")
    else:
        notes = pagination.Notes(html, lambda room: document_html(inputs, target, options, renderer,
                                                                  recorder=recorder, notes=room),
                                 memory or pagination.Memory())
        data = html_to_pdf(notes.first, project.root, project.asset_dirs, log, forms=target.format == "fillable-pdf",
                           custom_metadata=target.kind == "worksheet", relayout=notes.check)
    dependencies = {"fields": recorder.fields, "templates": recorder.templates,
                    "files": [str(p) for p in log.fetched]}
    return Rendered(target, data, log.pages, log.warnings, dependencies)


def with_overrides(options: BuildOptions, **choices) -> BuildOptions:
    """Command-line choices on top of build.yaml's. Choices left as None keep build.yaml's value."""
    if choices.get("paper") is not None and choices["paper"] not in PAPER_SIZES:
        raise UserError(f"unknown paper size '{choices['paper']}'")
    given = {k: v for k, v in choices.items() if v not in (None, (), False)}
    request = tuple(sorted((k, repr(v)) for k, v in choices.items()
                           if k not in ("jobs", "force", "strict", "timeout")))
    return replace(options, **given, request=request)


def read_build_file(project: Project) -> BuildOptions:
    """build.yaml's defaults as BuildOptions (its documents are planned when the build runs)."""
    from .load import load_build_file

    parsed = load_build_file(project.build_file)
    return BuildOptions(scale=parsed.data.scale)


def project_from_plan(plan_file: Path, root: Path, *, source: Path | None, templates: Path, output: Path) -> Project:
    """A project as a build plan declares it: its profile and packets folders are relative to the plan."""
    from .load import load_build_file

    parsed = load_build_file(plan_file)
    folder = plan_file.resolve().parent
    return Project(source or folder / parsed.data.profile, templates, output, root, plan_file,
                   folder / parsed.data.packets)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
