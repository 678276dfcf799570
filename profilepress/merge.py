"""`merge DIR…`: shard folders, built on several machines, combined into one output folder with one
manifest and one catalogue, exactly as a full build of the plan would leave it.

Each planned output is taken from the folder whose shard owns it (by its manifest's
``shard``); files a shard folder holds but no longer owns (left by an earlier shard
layout) are ignored. An output missing from every folder, one held with different
bytes by two, or a file changed since its build, stops the merge: nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from . import catalogue, freshness, manifest, ownership, plan, versions
from .errors import UserError, display_path
from .inputs import Inputs
from .plan import shard_of
from .project import BuildOptions, Project, Report, Written
from .write import BuildLock, OutputFolder


@dataclass(frozen=True)
class Found:
    folder: Path
    entry: manifest.Entry


def merge(project: Project, options: BuildOptions, inputs: Inputs, folders: list[Path]) -> Report:
    """Combine ``folders`` into ``project.output_dir``; outputs of this plan no longer planned are removed."""
    targets = plan.targets(inputs, replace(options, shard=None))
    engine = freshness.engine_fingerprint()
    offered: dict[str, list[Found]] = {}
    for folder in folders:
        recorded = manifest.read(folder)
        if recorded is None:
            raise UserError(f"{display_path(folder)} holds no manifest.json: not a build's output folder")
        if recorded.engine != engine:
            raise UserError(
                f"{display_path(folder)} was built by another version of the engine or its "
                "libraries; rebuild it, or merge with the engine that built it"
            )
        for path, entry in recorded.targets.items():
            if recorded.shard is None or shard_of(path, recorded.shard[1]) == recorded.shard[0]:
                offered.setdefault(path, []).append(Found(folder, entry))

    ours = freshness.plan_id(project)
    new = manifest.Manifest(
        engine,
        freshness.plan_key(project, options),
        freshness.input_files(project),
        order=[t.path for t in targets],
        warnings=[w.format(project.root) for w in inputs.warnings],
        libraries=versions.rendering_libraries(),
    )
    files: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for target in targets:
        found = offered.get(target.path, [])
        if not found:
            problems.append(f"{target.path}: in no folder; build every shard first")
            continue
        if len({f.entry.sha256 for f in found}) > 1:
            problems.append(f"{target.path}: different in {' and '.join(display_path(f.folder) for f in found)}")
            continue
        source = found[0].folder / target.path
        data = source.read_bytes() if source.is_file() else b""
        if manifest.sha256_bytes(data) != found[0].entry.sha256:
            problems.append(f"{display_path(source)}: missing, or changed since it was built")
            continue
        files.append((target.path, data))
        new.targets[target.path] = replace(found[0].entry, made_by=ours, requested=False)
    if problems:
        raise UserError("cannot merge:\n  " + "\n  ".join(problems))

    ownership.refuse_unsafe_output(project)
    with BuildLock(project.output_dir):
        previous = manifest.read(project.output_dir)
        whole = replace(options, shard=None)
        ownership.refuse_others(previous, ours, whole, project.output_dir)
        ownership.refuse_unowned(previous, [*new.order, catalogue.FILE], project.output_dir)
        new.targets.update({p: e for p, e in ownership.carried_over(previous, whole).items() if p not in new.targets})
        obsolete = ownership.obsolete(previous, set(new.order), whole, ours)
        index = catalogue.make(project, inputs, targets, new)
        new.extras[catalogue.FILE] = manifest.sha256_bytes(index)
        written, removed, kept = OutputFolder(project.output_dir).publish(
            [*files, (catalogue.FILE, index)],
            {p: e.sha256 for p, e in obsolete.items()},
            (manifest.FILE, new.to_json()),
        )
    built = [
        Written(t, path, new.targets[t.path].bytes, new.targets[t.path].pages) for t, path in zip(targets, written)
    ]
    return Report(built=built, removed=removed, kept=kept)
