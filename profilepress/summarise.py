"""Filled worksheets → the tables and reports of a self-assessment: read → check → results → render → write.

``python build.py collect FILE...`` runs :func:`summarise`. Like a build, it
gathers everything first: every file is read and checked, every table and
report is rendered in memory, and only then is anything written (all files at
once, through :class:`~profilepress.write.OutputFolder`). A file that cannot be
collected stops the run and leaves the output folder as it was.

What it writes into the chosen folder:

    ratings.csv, ratings.json   one row per person, activity and round (the JSON adds the profile, the
                                scale, and each person with their notes and reflections)
    notes.csv                   one row per person, competency and file: notes and reflection
    summary.html, summary.pdf   the group's results per competency and domain, both rounds, the change
    people/<name>.html, .pdf    each person's own report, to take to their coach
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import chart, collect, messages, results, select
from .errors import ProfileErrors, UserError
from .inputs import load_inputs, refuse_undrawable_logos
from .pdf import html_to_pdf
from .project import BuildOptions, Project
from .write import BuildLock, OutputFolder

REPORT_FORMATS = ("html", "pdf")
PEOPLE_FOLDER = "people"


@dataclass(frozen=True)
class Summary:
    """What a collect run wrote, and what it left out or accepted (one notice per file and activity)."""

    folder: Path
    written: list[Path]
    people: int
    warnings: list[collect.Notice] = field(default_factory=list)
    accepted: list[collect.Notice] = field(default_factory=list)


def summarise(
    project: Project,
    files: list[Path],
    out_dir: Path,
    options: BuildOptions | None = None,
    *,
    accept_changed: bool = False,
) -> Summary:
    """Read filled worksheets, check them against the profile, and write their tables and reports.

    ``accept_changed``: collect answers to activities reworded since their
    worksheet was made (by default they are left out, each with a warning).
    With ``options.strict``, any answer left out is an error instead.
    """
    options = options or BuildOptions()
    formats = tuple(f for f in REPORT_FORMATS if f in options.formats)
    if not formats:
        raise UserError("collect makes its reports as html and pdf; give --format html or --format pdf")
    if not files:
        raise UserError("no files to collect; give filled worksheet PDFs or saved answers (.json)")
    BuildLock(Path(out_dir)).refuse_if_taken()  # not after seconds of rendering
    inputs = load_inputs(project, options, with_build_file=False, with_packets=False)  # 1. load the sources
    if "pdf" in formats:
        refuse_undrawable_logos(inputs, {options.brand or "neutral"})
    profile = inputs.profile
    sheets = read_all(files)  # 2. read every file
    responses = collect.responses(sheets, profile, inputs.scales, accept_changed)  # 3. check, per activity
    if options.strict and responses.warnings:
        raise ProfileErrors([notice.as_error() for notice in responses.warnings])
    computed = results.compute(profile, responses)  # 4. results
    rows = results.rating_rows(profile, responses)
    outputs = [
        ("ratings.csv", results.to_csv(rows)),
        ("notes.csv", results.notes_csv(results.note_rows(responses))),
        ("ratings.json", results.to_json(profile, responses, rows)),
    ]
    outputs += _reports(project, inputs, options, responses, computed, formats)  # 5. render, in memory
    with BuildLock(Path(out_dir)):  # 6. write, only now: all or nothing, one collect at a time
        written = OutputFolder(out_dir).write_all(outputs)
    return Summary(Path(out_dir).resolve(), written, len(responses.people), responses.warnings, responses.accepted)


def read_all(files: list[Path]) -> list[collect.FilledWorksheet]:
    """Every file read; the errors of all of them reported together."""
    sheets, errors = [], []
    for path in files:
        try:
            sheets.append(collect.read(Path(path)))
        except ProfileErrors as exc:
            errors += exc.errors
    if errors:
        raise ProfileErrors(errors)
    return sheets


def person_slugs(names: list[str]) -> dict[str, str]:
    """A file name for each person: letters, digits and hyphens from their name, unique, never empty."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        base = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-") or "person"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[name] = slug
    return slugs


def _reports(
    project: Project,
    inputs,
    options: BuildOptions,
    responses: collect.Responses,
    computed: results.Results,
    formats: tuple[str, ...],
) -> list[tuple[str, bytes]]:
    """The group's summary and each person's report, in each format, rendered in memory."""
    from .render import Renderer

    profile, scale = inputs.profile, responses.scale
    brand = inputs.brands[options.brand or "neutral"]
    renderer = Renderer(project.templates_dir)
    _ = messages.translator(brand.locale)
    svg = chart.change_chart(
        computed.competencies,
        len(scale.levels),
        _("Average level per competency, %(scale)s scale") % {"scale": scale.name},
        _,
    )
    slugs = person_slugs([p.name for p in responses.people])
    outputs = []

    def render(path: str, template: str, context: dict, fmt: str) -> None:
        if fmt == "pdf":
            context["document"]["created"] = options.created
            context["print"] = options.print_options(options.paper or brand.paper).context()
        html = renderer.render(template, context)
        outputs.append(
            (path, html.encode("utf-8") if fmt == "html" else html_to_pdf(html, project.root, project.asset_dirs))
        )

    for fmt in formats:
        links = {name: f"{PEOPLE_FOLDER}/{slug}.html" for name, slug in slugs.items()} if fmt == "html" else None
        render(
            f"summary.{fmt}",
            "summary.html.j2",
            select.summary(profile, responses, computed, svg, brand, fmt == "pdf", links),
            fmt,
        )
    for person in responses.people:
        mine = [r for r in responses.ratings if r.person == person.name]
        own = results.compute_for(profile, scale, mine, 1)
        for fmt in formats:
            render(
                f"{PEOPLE_FOLDER}/{slugs[person.name]}.{fmt}",
                "person.html.j2",
                select.person_report(profile, scale, person, mine, own, brand, fmt == "pdf"),
                fmt,
            )
    return outputs
