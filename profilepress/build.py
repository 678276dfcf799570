"""The orchestrator: load → plan → what changed → render → write, read top to bottom.

Everything is gathered, validated and rendered in memory before the first file
is written, so a failed build leaves the output folder exactly as it was. A build
writes, replaces and removes only outputs its own plan made (the manifest
records which); ``--prune`` also removes the others.
"""

from __future__ import annotations

import time

from . import catalogue, deps, freshness, manifest, ownership, plan, versions
from .errors import display_path
from .inputs import Inputs, load_inputs, refuse_undrawable_logos
from .progress import Reporter, size_text
from .project import BuildOptions, Project, Report, Written
from .workers import render_stale
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
    with freshness.engine_fixed():  # the engine that starts a build makes all of it
        if options.plan is None:  # 0. nothing to do? (the manifest alone)
            current = freshness.up_to_date(project, options)
            if current is not None:
                return Report(up_to_date=current, decided_from_manifest=True, seconds=time.monotonic() - started)
        ownership.refuse_unsafe_output(project)
        with BuildLock(project.output_dir):  # one build per output folder
            report = _build(project, options, reporter, inputs)
    report.seconds = time.monotonic() - started
    return report


def _build(project: Project, options: BuildOptions, reporter: Reporter, inputs: Inputs | None) -> Report:
    previous = manifest.read(project.output_dir)  # with --force: still read, for removals and ordering
    files = freshness.input_files(project)
    ours = freshness.plan_id(project)
    inputs = inputs or load_inputs(project, options)  # 1. load: every error at once
    for warning in inputs.warnings:  # what the documents will not show as written (errors under --strict)
        reporter.located(warning.format())
    targets = plan.targets(inputs, options)  # 2. plan: what to make
    ownership.refuse_others(previous, ours, options, project.output_dir)
    ownership.refuse_unowned(
        previous, [t.path for t in targets] + [catalogue.FILE] * (not options.partial), project.output_dir
    )

    objects = inputs.keyed()  # every field a document can read, a translated edition's as "es/competency:C1#name"
    stale = [
        t
        for t in targets  # 3. what changed since the last build
        if options.force
        or previous is None
        or not freshness.current(previous, t, options, project, files, lambda slot: deps.current_hash(objects, slot))
    ]
    plan.confirm_many(len(stale), options)  # thousands of documents only when asked for
    refuse_undrawable_logos(inputs, {t.brand for t in stale if t.format != "html"})  # the PDFs can draw them
    recorded = previous.targets if previous else {}
    known = {p: e.pages for p, e in recorded.items()}  # the longest documents start first
    replay = [(t.path, w) for t in targets if t not in stale for w in recorded[t.path].warnings]  # --strict
    results = render_stale(project, options, inputs, stale, known, reporter, replay)  # 4. render, in memory

    new = manifest.Manifest(
        freshness.engine_fingerprint(),
        freshness.plan_key(project, options),
        files,
        order=[t.path for t in targets],  # 5. what the folder will hold
        shard=list(options.shard) if options.shard else None,
        warnings=[w.format(project.root) for w in inputs.warnings],
        libraries=versions.rendering_libraries(),
    )
    new.targets.update(ownership.carried_over(previous, options))
    for target in targets:
        if target not in stale:
            assert previous is not None  # without a previous manifest every target is stale
            new.targets[target.path] = previous.targets[target.path]
    for result in results:
        new.targets[result.target.path] = freshness.entry(result, options, project, ours)
    obsolete = ownership.obsolete(previous, set(new.order), options, ours)
    for gone in obsolete:
        new.targets.pop(gone, None)

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
        reporter.detail(f"wrote {display_path(path)} ({size_text(len(result.data))})")
    return report
