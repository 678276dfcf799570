"""Whose outputs are in the folder: a build writes, replaces and removes only what its own plan made.

The manifest records, for every output, the plan that made it and whether it was
made on request (``tailor``). A build into a folder holding another plan's outputs
stops, unless ``--prune``; outputs made on request stay until ``--prune``; a shard
removes only the stale outputs of its own slice.
"""

from __future__ import annotations

from pathlib import Path

from . import manifest
from .errors import UserError, display_path
from .plan import shard_of
from .project import BuildOptions, Project


def refuse_others(previous: manifest.Manifest | None, ours: str, options: BuildOptions, output_dir: Path) -> None:
    """Stop (UserError) if the folder holds another plan's outputs and --prune was not given."""
    others = manifest.others(previous, ours) if previous else {}
    if others and not options.prune:
        plan_file, paths = next(iter(others.items()))
        other = display_path((Path(output_dir) / plan_file).resolve())
        raise UserError(
            f"{display_path(output_dir)} holds {len(paths)} outputs of another build plan, {other} "
            f"(e.g. {paths[0]}); build into another folder (--output, or 'output:' in the plan), "
            "or add --prune to remove them"
        )


def carried_over(previous: manifest.Manifest | None, options: BuildOptions) -> dict[str, manifest.Entry]:
    """What the new manifest keeps of the old one, besides what this build plans: everything for a build
    of part of the plan; else the outputs made on request (unless --prune)."""
    if previous is None:
        return {}
    return {p: e for p, e in previous.targets.items() if options.partial or (e.requested and not options.prune)}


def obsolete(
    previous: manifest.Manifest | None, planned: set[str], options: BuildOptions, ours: str
) -> dict[str, manifest.Entry]:
    """The outputs to remove: this plan's that it no longer makes (a shard: only in its own slice);
    with --prune, everything else this build did not make too."""
    if previous is None:
        return {}
    if options.prune:
        return {p: e for p, e in previous.targets.items() if p not in planned}
    mine = {
        p: e for p, e in previous.targets.items() if p not in planned and not e.requested and e.made_by in ("", ours)
    }
    if options.shard and options.plan is None and not options.only and not options.brand:
        index, count = options.shard
        return {p: e for p, e in mine.items() if shard_of(p, count) == index and e.format in options.formats}
    return {} if options.partial else mine


def clean(output_dir: Path) -> tuple[list[str], list[str]]:
    """Remove every output the manifest lists (and the catalogue, and the manifest itself), each only if
    it still holds the bytes the build wrote; nothing else in the folder is touched. Returns (removed, kept)."""
    from .write import BuildLock, OutputFolder

    recorded = manifest.read(output_dir)
    if recorded is None:
        return [], []
    with BuildLock(output_dir):
        folder = OutputFolder(output_dir)
        made = {**{p: e.sha256 for p, e in recorded.targets.items()}, **recorded.extras}
        removed: list[str] = []
        kept: list[str] = []
        for path, sha in sorted(made.items()):
            (removed if folder.remove(path, sha) else kept).append(path)
        (Path(output_dir) / manifest.FILE).unlink(missing_ok=True)
    return removed, kept


def refuse_unsafe_output(project: Project) -> None:
    """The output folder may not be a folder that holds sources or a user's life: the project's root,
    a source folder, a folder above either, the home folder or the file system's root."""
    out = Path(project.output_dir).resolve()
    where = display_path(Path(project.output_dir))
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise UserError(
            f"--output {where} is {'your home folder' if out != Path(out.anchor) else 'the root folder'}; "
            "choose a folder of its own, such as output/"
        )
    guarded = {
        "the folder build.py is in": project.root,
        "the plan's folder": Path(project.build_file).parent,
        "the profile folder": project.source_dir,
        "the packets folder": project.packets,
        "the templates folder": project.templates_dir,
    }
    for name, folder in guarded.items():
        folder = Path(folder).resolve()
        if out == folder or out in folder.parents:
            raise UserError(
                f"--output {where} is {name}"
                + ("" if out == folder else " or a folder above it")
                + "; documents are written into a folder of their own, such as output/"
            )
    inside = [
        project.templates_dir,
        project.packets,
        *project.brand_dirs,  # every folder in them is read as a brand
        project.root / "fonts",
        *project.scale_dirs,
        *(Path(project.source_dir) / n for n in SOURCE_FOLDERS),
    ]
    if Path(project.source_dir).resolve() != Path(project.build_file).resolve().parent:
        inside.append(Path(project.source_dir))  # (a profile beside its plan has its output folder beside it too)
    sources = sorted(out.glob("*.yaml")) if out.is_dir() else []
    within = next((Path(f) for f in inside if Path(f).resolve() in out.parents), None)
    if sources or within is not None:
        what = f"holds sources ({sources[0].name})" if sources else f"is inside {display_path(Path(str(within)))}"
        raise UserError(
            f"--output {where} {what}{'' if sources else ', a folder of sources'}"
            "; documents are written into a folder of their own, such as output/"
        )


SOURCE_FOLDERS = ("competencies", "domains", "roles", "scales")


def refuse_unowned(previous: manifest.Manifest | None, paths: list[str], output_dir: Path) -> None:
    """A file already at a path the build would write, which no build made, is someone's: stop and say so."""
    made = set(previous.targets) | set(previous.extras) if previous else set()
    theirs = [p for p in paths if p not in made and (Path(output_dir) / p).exists()]
    if theirs:
        raise UserError(
            f"{display_path(Path(output_dir) / theirs[0])} was not made by this build, and the build would write "
            f"there{f' (and {len(theirs) - 1} more)' if len(theirs) > 1 else ''}; move it away, or build into "
            "another folder with --output"
        )
