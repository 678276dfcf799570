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
    review.html                 when scanned worksheets hold ratings a machine must not decide: each one's
                                picture and a choice, saved to a file that collect takes with the scans

Scanned worksheets (PDF, PNG, JPEG, TIFF: :mod:`profilepress.scan`) are read
beside filled PDFs and saved answers: each scan file is one person's worksheet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import chart, collect, messages, results, review, scan, select
from .errors import ProfileErrors, SourceError, UserError
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
    awaiting_review: int = 0  # scanned ratings left out until a person decides them (review.html)


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
    scans = [Path(f) for f in files if scan.is_scan(Path(f))]
    reviews = [Path(f) for f in files if review.is_review(Path(f))]
    errors: list[SourceError] = []  # 2. read every file, and report every file's problems together
    sheets, scanned = [], Scanned()
    try:
        sheets = read_all([Path(f) for f in files if Path(f) not in scans and Path(f) not in reviews])
    except ProfileErrors as exc:
        errors += exc.errors
    try:
        scanned = read_scans(scans, scan.Layouts(project, inputs, options), review.read_answers(reviews))
    except ProfileErrors as exc:
        errors += exc.errors
    if errors:
        raise ProfileErrors(errors)
    sheets += scanned.sheets
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
    outputs += _reports(
        project, inputs, options, responses, computed, formats, scanned.crops, scanned.pending
    )  # 5. render, in memory
    if scans:  # written whenever scans are collected: a review page left from an earlier collect never lingers
        outputs.append((review.PAGE, _review_page(project, inputs, options, responses, scanned.pending)))
    with BuildLock(Path(out_dir)):  # 6. write, only now: all or nothing, one collect at a time
        written = OutputFolder(out_dir).write_all(outputs)
    return Summary(
        Path(out_dir).resolve(),
        written,
        len(responses.people),
        responses.warnings,
        responses.accepted,
        len(scanned.pending),
    )


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


@dataclass
class Scanned:
    """What the scans gave: a filled worksheet for each, the ratings awaiting review, handwriting as pictures."""

    sheets: list[collect.FilledWorksheet] = field(default_factory=list)
    pending: list[scan.Ambiguous] = field(default_factory=list)
    crops: list[scan.Crop] = field(default_factory=list)


def _missing_pages(found: list[scan.ScannedWorksheet], layouts: scan.Layouts) -> list[SourceError]:
    """A scan file is one person's whole worksheet: every page with boxes to tick in it. A file with some of
    them only (a page per image, or a stray page) would otherwise count as one more person, silently."""
    errors = []
    for worksheet in found:
        pages, _, name = layouts.worksheet(worksheet.pages[0].code)
        wanted = [n for n, page in enumerate(pages, start=1) if any(box.value for box in page.boxes)]
        held = {page.code.page for page in worksheet.pages}
        missing = [n for n in wanted if n not in held]
        if missing:
            listed = _ranges(missing)
            errors.append(
                SourceError(
                    worksheet.file,
                    0,
                    0,
                    f"holds {len(wanted) - len(missing)} of the {len(wanted)} pages of {name} that have boxes to "
                    f"tick: page{'s' if len(missing) > 1 else ''} {listed} of the worksheet "
                    f"{'are' if len(missing) > 1 else 'is'} not in it",
                    hint="scan all of one person's pages into one file of its own, a PDF or a multi-page TIFF "
                    "(a PNG or JPEG holds one page); a page left blank is scanned too",
                )
            )
    return errors


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] → "3–5, 9"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def read_scans(files: list[Path], layouts: scan.Layouts, decided: dict[str, tuple[str, Path]]) -> Scanned:
    """Every scan file read, page by page (every page's problems reported together); ratings a person decided
    in a review (``decided``: by key, the answer and its file) taken in place of the ambiguous ones. A review's
    answer that is not one of its row's boxes, or that no scan given asks for, is refused by its file."""
    found: list[scan.ScannedWorksheet] = []
    errors: list[SourceError] = []
    for path in files:
        found += scan.read_file(path, layouts, errors)
    errors += scan.twice(found)
    errors += _missing_pages(found, layouts)
    done = Scanned()
    asked: set[str] = set()
    for worksheet in found:
        fields = worksheet.fields
        for item in worksheet.ambiguous:
            asked.add(item.key)
            if item.key not in decided:
                done.pending.append(item)
                continue
            answer, source = decided[item.key]
            if answer and answer not in item.values:
                errors.append(
                    SourceError(
                        source,
                        0,
                        0,
                        f"the answer for {_row_name(item.field)} on page {item.page} of {item.file.name} is "
                        f"'{answer}', which is none of that row's boxes",
                        hint=f"choose again in {review.PAGE} and save the file again",
                    )
                )
            elif answer:
                fields[item.field] = answer
        if not fields and not worksheet.ambiguous:
            errors.append(
                SourceError(
                    worksheet.file,
                    0,
                    0,
                    "holds no answers: no box is ticked on any of its pages",
                    hint="collect worksheets once they are filled in",
                )
            )
            continue
        _, identity, _ = layouts.worksheet(worksheet.pages[0].code)
        done.sheets.append(collect.FilledWorksheet(worksheet.file, identity, fields))
        done.crops += worksheet.crops
    stray: dict[Path, int] = {}
    for key, (_, source) in decided.items():
        if key not in asked:
            stray[source] = stray.get(source, 0) + 1
    for source, count in stray.items():
        errors.append(
            SourceError(
                source,
                0,
                0,
                f"{count} of its answers {'are' if count > 1 else 'is'} for scanned ratings that none of the scans "
                "given leaves undecided: saved from the review of other scans, or of these scans before they were "
                "scanned again",
                hint=f"give the {review.ANSWERS_FILE} saved from the review page of these scans, or leave it out",
            )
        )
    if errors:
        raise ProfileErrors(errors)
    return done


def _row_name(field: str) -> str:
    """A rating's field as a reader names it: "C1_1_r1" → "C1.1, first rating"."""
    import re

    found = re.fullmatch(r"(\w+?)_(\d+)_(r1|r2|priority)", field)
    if found is None:
        return field
    which = {"r1": "first rating", "r2": "second rating", "priority": "priority"}[found[3]]
    return f"{found[1]}.{found[2]}, {which}"


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
    crops: list[scan.Crop] | None = None,
    pending: list[scan.Ambiguous] | None = None,
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
                select.person_report(
                    profile,
                    scale,
                    person,
                    mine,
                    own,
                    brand,
                    fmt == "pdf",
                    [c for c in crops or [] if c.file in person.files],
                    sum(1 for item in pending or [] if item.file in person.files),
                ),
                fmt,
            )
    return outputs


def _review_page(project: Project, inputs, options: BuildOptions, responses, pending: list[scan.Ambiguous]) -> bytes:
    """The review page of the scanned ratings awaiting a person's decision (HTML, on screen)."""
    from .render import Renderer

    brand = inputs.brands[options.brand or "neutral"]
    context = select.review_page(inputs.profile, responses.scale, pending, brand, review.ANSWERS_FILE)
    return Renderer(project.templates_dir).render("review.html.j2", context).encode("utf-8")
