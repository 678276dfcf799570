"""Is an output up to date? Decided from output/manifest.json and content hashes, never from times.

An output is current when its target and options are the same, its bytes on disk
are what the manifest records, and nothing it was made from changed: the model
fields it read, its templates, the files its PDF fetched, and the engine itself
(this package's code, its interface catalogues and the rendering libraries'
versions). A build with nothing to do is told from the files alone, before the
model or WeasyPrint is imported: this module needs the standard library only
(the strict YAML reader is imported only to read the plan's folders, in :func:`project_of`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, manifest
from .home import ENGINE_ROOT

if TYPE_CHECKING:  # pragma: no cover
    from .document import Rendered
    from .project import BuildOptions, Project, Target

ENGINE_DIR = Path(__file__).resolve().parent
# What makes documents besides the project's own inputs (which are hashed one by one): the engine's code,
# its interface catalogues, and the versions of the libraries that lay out and write the PDFs.
_ENGINE_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "jinja2", "markdown", "nh3", "babel")


_FIXED: list[str] = []  # the engine's fingerprint while a build runs (see engine_fixed)


@contextlib.contextmanager
def engine_fixed() -> Iterator[None]:
    """While a build runs, the engine is the one it started with: its fingerprint, asked for once per output,
    is computed once (every file of the engine is looked at each time: a few milliseconds)."""
    if _FIXED:  # a build inside a build (verify): the same engine
        yield
        return
    _FIXED.append(engine_fingerprint())
    try:
        yield
    finally:
        _FIXED.clear()


def engine_fingerprint() -> str:
    """The engine as it is now: a change to any of its files or libraries makes every output stale."""
    fixed = list(_FIXED)  # (another thread's build may end meanwhile)
    if fixed:
        return fixed[0]
    from .versions import rendering_libraries  # the C libraries' too (Pango, HarfBuzz, Fontconfig)

    native = [f"{name}=={version}" for name, version in sorted(rendering_libraries().items())]
    return manifest.digest([__version__, *native, *engine_code()])


def engine_code() -> list[str]:
    """The engine's Python libraries and its own files (not the C libraries: asking them takes a while)."""
    parts = list(_python_libraries())
    code = sorted(p for p in ENGINE_DIR.rglob("*.py") if "__pycache__" not in p.parts)
    catalogues = sorted((ENGINE_ROOT / "locales").glob("*/LC_MESSAGES/*.po"))
    for files, base in ((code, ENGINE_DIR.parent), (catalogues, ENGINE_ROOT)):
        parts += [f"{path.relative_to(base).as_posix()}:{_file_hash(path)}" for path in files]
    return parts


@functools.cache
def _python_libraries() -> tuple[str, ...]:
    from importlib import metadata

    found = []
    for name in _ENGINE_LIBRARIES:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}: absent")
    return tuple(found)


_HASHES: dict[Path, tuple[tuple[int, int, int], str]] = {}


def _file_hash(path: Path) -> str:
    """An engine file's hash, read again only when its size, time or inode changed (a build asks for the
    fingerprint once per output)."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    known = _HASHES.get(path)
    if known is None or known[0] != key:
        known = _HASHES[path] = (key, manifest.sha256_file(path))
    return known[1]


def input_files(project: Project) -> dict[str, str]:
    """A content hash of every file a build may read, keyed by its path relative to the project root."""
    roots = [
        project.source_dir,
        *project.scale_dirs,
        *project.brand_dirs,
        project.packets,
        project.templates_dir,
        project.root / "fonts",
    ]
    return manifest.input_files(roots, [project.build_file], project.root, exclude=project.output_dir)


def plan_id(project: Project) -> str:
    """The plan an output was made by, as recorded in the manifest: the plan file, relative to the output
    folder (so that a cached output folder restored on another machine still knows its plan)."""
    import os

    return Path(os.path.relpath(Path(project.build_file).resolve(), Path(project.output_dir).resolve())).as_posix()


def output_options(options: BuildOptions) -> dict:
    """The options that change an output's bytes."""
    return {
        "scale": options.scale,
        "paper": options.paper,
        "marks": options.marks,
        "date": options.source_date_epoch,
        "engine": engine_fingerprint(),
    }


def plan_key(project: Project, options: BuildOptions) -> str:
    """What decided the plan: the plan file, the profile folder and the choices made for this build.

    (The contents of every input file are compared separately.) Given the command
    line's choices as made (``options.request``), it can be computed before
    build.yaml is even read.
    """
    choices = (
        list(options.request)
        if options.request
        else [output_options(options), list(options.formats), options.brand, list(options.only), options.shard]
    )
    # targets chosen by a command (tailor) rather than the plan: never mistaken for the plan's build
    choices.append([repr(t) for t in options.plan] if options.plan is not None else None)
    return manifest.digest(
        {"plan": plan_id(project), "source": str(Path(project.source_dir).resolve()), "choices": choices}
    )


def target_key(target: Target, options: BuildOptions) -> str:
    return manifest.digest({"target": repr(target), "options": output_options(options)})


def entry(result: Rendered, options: BuildOptions, project: Project, made_by: str) -> manifest.Entry:
    """The manifest's record of an output just made: its bytes, and every input it read, hashed."""
    return manifest.Entry(
        manifest.sha256_bytes(result.data),
        len(result.data),
        result.pages,
        result.target.kind,
        result.target.format,
        target_key(result.target, options),
        dict(sorted(result.deps["fields"].items())),
        dict(sorted(result.deps["templates"].items())),
        {
            manifest.relative(Path(p), project.root): manifest.sha256_file(Path(p))
            for p in sorted(set(result.deps["files"]))
        },
        requested=options.plan is not None,
        made_by=made_by,
        warnings=list(result.warnings),
    )


def current(
    previous: manifest.Manifest,
    target: Target,
    options: BuildOptions,
    project: Project,
    files: dict[str, str],
    field_hash: Callable[[str], str | None],
) -> bool:
    """Is this output up to date? ``files``: every input file's hash (from :func:`input_files`), so that
    no file is hashed twice; ``field_hash``: the current hash of a model field the output read."""
    entry = previous.targets.get(target.path)
    if entry is None or entry.target != target_key(target, options):
        return False
    if not manifest.outputs_intact(previous, project.output_dir, [target.path]):
        return False
    templates = Path(project.templates_dir)
    for name, sha in entry.templates.items():
        known = files.get(manifest.relative(templates / name, project.root))
        if known is None or known[:20] != sha:
            return False
    for name, sha in entry.files.items():
        known = files.get(name)
        if known is None:
            path = Path(name) if Path(name).is_absolute() else project.root / name
            known = manifest.sha256_file(path) if path.is_file() else None
        if known != sha:
            return False
    return all(field_hash(slot) == sha for slot, sha in entry.fields.items())


def up_to_date(project: Project, options: BuildOptions) -> list[str] | None:
    """The planned outputs, when a plain build of the plan has nothing to do; else None.

    Only for a plain build: a command that makes something else (``tailor``) never
    takes this shortcut, because its own targets are part of the plan key.
    """
    previous = None if options.force else manifest.read(project.output_dir)
    if previous is None or previous.engine != engine_fingerprint() or previous.plan != plan_key(project, options):
        return None
    if options.prune and set(previous.targets) != set(previous.order):  # something to remove
        return None
    if options.strict and (
        previous.warnings or any(previous.targets[p].warnings for p in previous.order if p in previous.targets)
    ):
        return None  # --strict fails on warnings, whether the output is made now or was made before
    if previous.inputs != input_files(project) or not manifest.outputs_intact(
        previous, project.output_dir, previous.order
    ):
        return None
    return list(previous.order)


def project_of(plan_file: Path, root: Path, *, source: Path | None, templates: Path, output: Path | None) -> Project:
    """The project's folders, read from the plan without validating it (for :func:`up_to_date` only)."""
    from .project import Project
    from .yamlread import read_yaml

    folder = plan_file.resolve().parent
    document, errors = read_yaml(plan_file)  # the strict reader: no aliases, size-checked; errors are reported later
    data = document.data if document is not None and not errors else {}
    data = data if isinstance(data, dict) else {}
    named = {
        key: str(data.get(key, key if key != "profile" else "profile_src")) for key in ("profile", "packets", "output")
    }
    return Project(
        source or folder / named["profile"],
        templates,
        output or folder / named["output"],
        root,
        plan_file,
        folder / named["packets"],
    )
