"""The orchestrator: load → plan → what changed → render → write, read top to bottom.

Everything is gathered, validated and rendered in memory before the first file
is written, so a failed build leaves the output folder exactly as it was. A build
writes, replaces and removes only outputs its own plan made (the manifest
records which); ``--prune`` also removes the others.
"""

from __future__ import annotations

import time
from pathlib import Path

from . import catalogue, deps, freshness, manifest, plan
from .errors import UserError, display_path
from .inputs import Inputs, load_inputs
from .plan import shard_of
from .progress import Reporter
from .project import BuildFailed, BuildOptions, Project, Report, Target, Written
from .workers import Failed, default_jobs, render_all
from .write import BuildLock, OutputFolder


def build(
    project: Project,
    options: BuildOptions | None = None,
    reporter: Reporter | None = None,
    inputs: Inputs | None = None,
) -> Report:
    """Bring the output folder up to date: remake only outputs whose inputs changed."""
    options = options or BuildOptions()
    reporter = reporter or Reporter(quiet=True)
    started = time.monotonic()
    if options.plan is None:  # 0. nothing to do? (the manifest alone)
        current = freshness.up_to_date(project, options)
        if current is not None:
            return Report(up_to_date=current, decided_from_manifest=True, seconds=time.monotonic() - started)
    with BuildLock(project.output_dir):  # one build per output folder
        report = _build(project, options, reporter, inputs)
    report.seconds = time.monotonic() - started
    return report


def _build(project: Project, options: BuildOptions, reporter: Reporter, inputs: Inputs | None) -> Report:
    previous = manifest.read(project.output_dir)  # with --force: still read, for removals and ordering
    files = freshness.input_files(project)
    ours = freshness.plan_id(project)
    inputs = inputs or load_inputs(project, options)  # 1. load: every error at once
    targets = plan.targets(inputs, options)  # 2. plan: what to make
    _refuse_others(previous, ours, options, project)

    objects = deps.index(inputs.profile, inputs.brands, inputs.packets, inputs.scales)
    stale = [
        t
        for t in targets  # 3. what changed since the last build
        if options.force
        or previous is None
        or not freshness.current(previous, t, options, project, files, lambda slot: deps.current_hash(objects, slot))
    ]
    results = _render(project, options, inputs, stale, previous, reporter)  # 4. render, in memory

    new = manifest.Manifest(
        freshness.engine_fingerprint(),
        freshness.plan_key(project, options),
        files,
        order=[t.path for t in targets],  # 5. what the folder will hold
        shard=list(options.shard) if options.shard else None,
    )
    kept_before = {
        p: e
        for p, e in (previous.targets.items() if previous else ())
        if options.partial or (e.requested and not options.prune)
    }
    new.targets.update(kept_before)
    for target in targets:
        if target not in stale:
            new.targets[target.path] = previous.targets[target.path]
    for result in results:
        new.targets[result.target.path] = _entry(result, options, project, ours)
    obsolete = _obsolete(previous, new, options, ours)
    for path in obsolete:
        new.targets.pop(path, None)

    files_out = [(r.target.path, r.data) for r in results]
    if (
        not options.partial
        and targets
        and (results or obsolete or catalogue.FILE not in (previous.extras if previous else {}))
    ):
        index = catalogue.make(project, inputs, targets, new)  # the catalogue of what will be there
        files_out.append((catalogue.FILE, index))
        new.extras[catalogue.FILE] = manifest.sha256_bytes(index)
    elif previous:
        new.extras.update({k: v for k, v in previous.extras.items() if k not in new.extras})

    written, removed, kept = OutputFolder(project.output_dir).publish(  # 6. write, all or nothing; the manifest last
        files_out, {p: e.sha256 for p, e in obsolete.items()}, (manifest.FILE, new.to_json())
    )
    report = Report(up_to_date=[t.path for t in targets if t not in stale], removed=removed, kept=kept)
    for result, path in zip(results, written):
        report.built.append(Written(result.target, path, len(result.data), result.pages))
        report.peak_memory = max(report.peak_memory, result.memory)
        reporter.detail(f"wrote {display_path(path)} ({_size(len(result.data))})")
    return report


def _refuse_others(previous: manifest.Manifest | None, ours: str, options: BuildOptions, project: Project) -> None:
    """A build never removes or overwrites another plan's outputs; with --prune it removes them."""
    others = manifest.others(previous, ours) if previous else {}
    if others and not options.prune:
        plan_file, paths = next(iter(others.items()))
        other = display_path((Path(project.output_dir) / plan_file).resolve())
        raise UserError(
            f"{display_path(project.output_dir)} holds {len(paths)} outputs of another build plan, "
            f"{other} (e.g. {paths[0]}); build into another folder (--output, or 'output:' in the "
            "plan), or add --prune to remove them"
        )


def _obsolete(
    previous: manifest.Manifest | None, new: manifest.Manifest, options: BuildOptions, ours: str
) -> dict[str, manifest.Entry]:
    """The outputs to remove: this plan's that it no longer makes (a shard: only in its own slice);
    with --prune, everything else this build did not make too."""
    if previous is None:
        return {}
    planned = set(new.order)
    if options.prune:
        return {p: e for p, e in previous.targets.items() if p not in planned}
    mine = {
        p: e for p, e in previous.targets.items() if p not in planned and not e.requested and e.made_by in ("", ours)
    }
    if options.shard and options.plan is None and not options.only and not options.brand:
        index, count = options.shard
        return {p: e for p, e in mine.items() if shard_of(p, count) == index and e.format in options.formats}
    return {} if options.partial else mine


def _render(
    project: Project,
    options: BuildOptions,
    inputs: Inputs,
    stale: list[Target],
    previous: manifest.Manifest | None,
    reporter: Reporter,
) -> list:
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
        results = render_all(
            project,
            options,
            inputs,
            stale,
            options.jobs or default_jobs(),
            done,
            {p: e.pages for p, e in known.items()},
        )
    finally:
        reporter.finish()
    warnings = [(r.target.path, w) for r in results if not isinstance(r, Failed) for w in r.warnings]
    for path, text in warnings:
        reporter.warning(f"{path}: {text}")
    if options.strict:
        failures += [(path, f"warning (--strict): {text}") for path, text in warnings]
    if failures:
        raise BuildFailed(failures)
    return results


def _entry(result, options: BuildOptions, project: Project, ours: str) -> manifest.Entry:
    return manifest.Entry(
        manifest.sha256_bytes(result.data),
        len(result.data),
        result.pages,
        result.target.kind,
        result.target.format,
        freshness.target_key(result.target, options),
        dict(sorted(result.deps["fields"].items())),
        dict(sorted(result.deps["templates"].items())),
        {
            manifest.relative(Path(p), project.root): manifest.sha256_file(Path(p))
            for p in sorted(set(result.deps["files"]))
        },
        requested=options.plan is not None,
        made_by=ours,
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
