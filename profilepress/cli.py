"""Command line: parses arguments, calls the engine, turns outcomes into exit codes.

Exit codes: 0 success; 1 bad input (the sources, templates or output folder) or
failed targets; 2 wrong usage of the command; 3 an internal error (a bug).

A rebuild with nothing to do is decided before the model loader or WeasyPrint is
imported: only this module, the build plan's paths and output/manifest.json.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, freshness, interrupts
from .errors import ProfileErrors, UserError, display_path
from .home import default_plan
from .interrupts import Terminated
from .pdf import PAPER_SIZES
from .progress import Reporter
from .project import FORMATS, BuildFailed, BuildOptions, Project, Report, request_of, with_overrides
from .write import Interrupted

if TYPE_CHECKING:  # pragma: no cover
    from .inputs import Inputs

# The orchestrator, the loader (pydantic) and the templates (Jinja2) are imported only once the
# manifest shows there is something to do: a rebuild with nothing to do imports none of them.

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

DESCRIPTION = """\
Build printable documents from a practice profile written in YAML.

With no command, brings the output folder up to date with the build plan
(build.yaml): only outputs whose inputs changed are made again. Sources are
validated first; if any is wrong, every problem is listed as file:line:col and
nothing is written."""

EPILOG = """\
exit codes:
  0  success
  1  bad input (a source file, template or the output folder), or a target failed
  2  wrong usage of this command
  3  internal error (a bug; please report it with the output of --verbose)

examples:
  python build.py                   bring output/ up to date with build.yaml
  python build.py --list            every target and its output path
  python build.py --force --jobs 2  rebuild everything, two worker processes
  python build.py --brand northwind only the Northwind edition
  python build.py --only 'neutral/handbook.*' --paper letter
  python build.py --shard 1/3       the first of three disjoint slices (for CI)
  python build.py check             validate every source; write nothing
  python build.py verify            rebuild in a temporary folder; compare with the manifest
  python build.py clean             remove what the build made; leave your own files
  python build.py --shard 2/3 -o shard-2 && python build.py merge shard-1 shard-2 shard-3
                                    one folder, one manifest and catalogue, from shard folders
  python build.py tailor --role coach
  python build.py tailor --domain D2 --competency C12 --format pdf
                                    an excerpt without writing a recipe
  python build.py collect filled/*.pdf answers/*.json
                                    ratings tables, a summary and a report for each
                                    person, from filled worksheets
  python build.py schema            regenerate the JSON Schemas in schema/
  python build.py new my-profile    start a project of your own: a placeholder profile, a rating
                                    scale and a build plan that build at once
  python build.py translations es   how far the Spanish translation is: missing, stale and
                                    unknown entries by code (exit 1 if any is stale)
  python build.py translations es --init
                                    add a file of empty entries to translate, with their source
  python build.py diff main HEAD    what a change does to the profile (reworded, added, removed
                                    and renumbered activities) and which outputs change, as
                                    Markdown for a pull request; --format json for programs
  python build.py diff old_profile/ profile_src/
                                    the same between two folders
  python build.py serve --open      preview the documents in a browser; each page updates
                                    as you save a source file

environment:
  SOURCE_DATE_EPOCH  date stamped into PDFs (seconds since 1970); without it
                     PDFs carry no date. Builds never read the clock.
  CI                 when set, progress is one plain line per document"""


def _shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)/(\d+)", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise argparse.ArgumentTypeError(f"'{text}' is not a shard like 1/3 (I/N with 1 ≤ I ≤ N)")
    return int(match[1]), int(match[2])


def _whole(what: str):
    """An option's value: a whole number, 1 or more, of ``what``."""

    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number of {what} (a whole number, 1 or more)")
        return int(text)

    return parse


_jobs = _whole("jobs")


# What each command takes of the build's options (by dest): its --help shows those alone, and one given to a
# command that does not use it (`collect --shard 1/2`, or `--shard 1/2 collect`) is refused, not ignored.
_EVERY = frozenset(
    {"plan", "source", "templates", "output", "paper", "scale", "brand", "only", "formats", "print_marks", "jobs"}
    | {"force", "timeout", "memory", "many", "strict", "shard", "prune", "quiet", "verbose", "list_targets"}
)
_SAYS = frozenset({"plan", "quiet", "verbose"})
COMMAND_OPTIONS: dict[str, frozenset[str]] = {
    "build": _EVERY,
    "verify": _EVERY - {"force", "prune", "list_targets"},
    "tailor": _SAYS
    | {"source", "templates", "output", "paper", "scale", "brand", "formats", "print_marks"}
    | {"jobs", "force", "timeout", "memory", "strict"},
    "check": _SAYS | {"source", "templates", "scale", "strict"},
    "merge": _SAYS | {"source", "templates", "output"},
    "clean": _SAYS | {"output"},
    "collect": _SAYS | {"source", "templates", "output", "paper", "brand", "formats", "strict"},
    "schema": _SAYS,
    "translations": _SAYS | {"source"},
    "new": frozenset({"quiet", "verbose"}),
    "diff": frozenset({"quiet", "verbose"}),
    "serve": _SAYS,
}


# Where a command uses an option in its own way, its --help says so.
_OWN_WORDS: dict[tuple[str, str], dict] = {
    ("collect", "output"): {"help": "the output folder, whose summary/ the reports go into unless --into is given"},
    ("collect", "paper"): {"help": "paper size of the PDF reports (default: the brand's)"},
    ("collect", "brand"): {"help": "the brand whose look and interface language the reports take (default: neutral)"},
    ("collect", "formats"): {"choices": ("html", "pdf"), "help": "only this format of the reports (default: both)"},
    ("tailor", "formats"): {"choices": ("html", "pdf"), "help": "only this format (default: html and pdf)"},
    ("clean", "output"): {"help": "the output folder to clean (default: the plan's)"},
    ("merge", "output"): {"help": "the folder to combine the shards into (default: the plan's output folder)"},
    ("check", "scale"): {"help": "also check this rating scale (a file name in scales/ without .yaml)"},
}


def _project_options(parser: argparse.ArgumentParser, root: Path, suppress: bool, command: str = "build") -> None:
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)

    def add(*flags: str, **settings) -> None:
        dest = settings.get("dest") or flags[-1].lstrip("-").replace("-", "_")
        if dest in COMMAND_OPTIONS[command]:
            parser.add_argument(*flags, **{**settings, **_OWN_WORDS.get((command, dest), {})})

    add(
        "-p",
        "--plan",
        type=Path,
        default=default(default_plan(root)),
        help="the build plan: what to make, from which profile and packets (default: build.yaml in the "
        "working folder if there is one, else the engine's own)",
    )
    add(
        "-s",
        "--source",
        type=Path,
        default=default(None),
        help="folder holding profile.yaml (default: the plan's, profile_src/)",
    )
    add("-t", "--templates", type=Path, default=default(root / "templates"), help="templates folder")
    add(
        "-o",
        "--output",
        type=Path,
        default=default(None),
        help="folder to write documents into (default: the plan's 'output:', output/ beside the plan file)",
    )
    add(
        "--paper", choices=sorted(PAPER_SIZES), default=default(None), help="paper size of PDFs (default: each brand's)"
    )
    add(
        "--scale",
        metavar="ID",
        default=default(None),
        help="rating scale for worksheets: a file name in scales/ without .yaml (default: build.yaml's)",
    )
    add("--brand", metavar="NAME", default=default(None), help="only this brand's edition (a folder in brands/)")
    add(
        "--only",
        metavar="PATTERN",
        action="append",
        default=default(None),
        help="only targets whose output path matches (repeatable), e.g. 'neutral/handbook.*'",
    )
    add(
        "--format",
        choices=FORMATS,
        action="append",
        dest="formats",
        default=default(None),
        help="only this format (repeatable; default: all)",
    )
    add(
        "--print-marks",
        action="store_true",
        default=default(False),
        help="add 3 mm bleed and crop marks to PDFs, for a print shop",
    )
    add(
        "-j", "--jobs", type=_jobs, default=default(None), help="worker processes rendering PDFs (default: one per CPU)"
    )
    add("--force", action="store_true", default=default(False), help="rebuild everything, changed or not")
    add(
        "--timeout",
        type=_whole("seconds"),
        metavar="SECONDS",
        default=default(None),
        help="the most one document may take to render (default: 300)",
    )
    add(
        "--memory",
        type=_whole("megabytes"),
        metavar="MB",
        default=default(None),
        help="the most memory one worker process may use while rendering PDFs, in MB (default: 2048); "
        "a document that needs more fails with a message",
    )
    add(
        "--many",
        action="store_true",
        default=default(False),
        help="make more than 500 documents at once (without it, such a build stops and says so)",
    )
    add("--strict", action="store_true", default=default(False), help="treat warnings as errors (for CI)")
    add(
        "--shard",
        type=_shard,
        metavar="I/N",
        default=default(None),
        help="build (or verify) only shard I of N: disjoint slices of the plan whose union is the whole build; "
        "an output's shard is decided by its path, so adding a target moves no other",
    )
    add(
        "--prune",
        action="store_true",
        default=default(False),
        help="also remove outputs in the folder this build does not make: tailored excerpts and another "
        "plan's outputs (each is listed)",
    )
    add("-q", "--quiet", action="store_true", default=default(False), help="print errors and warnings only")
    add(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="print more detail (and the traceback of an internal error)",
    )


@functools.cache  # made once per process and default plan (the tests run the command line hundreds of times)
def _parser(root: Path, prog: str, plan: Path) -> argparse.ArgumentParser:
    return make_parser(root, prog)  # (its default plan is ``plan``: see home.default_plan)


def make_parser(root: Path, prog: str = "build.py") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=EPILOG.replace("python build.py", _command(prog)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s (profilepress {__version__})")
    parser.add_argument(
        "--list",
        action="store_true",
        dest="list_targets",
        help="list every target of the build and its output path; build nothing",
    )
    _project_options(parser, root, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, text in (
        ("build", "bring the output folder up to date (the default command)"),
        ("check", "validate every source (profile, roles, scales, brands, packets, plan); write nothing"),
        (
            "verify",
            "rebuild everything (or what --shard, --only, --format or --brand narrow it to) in a temporary folder and "
            "compare it, byte for byte, with "
            "the output folder's manifest and files",
        ),
        ("tailor", "make an excerpt for a role, or for domains and competencies you choose, without writing a recipe"),
        (
            "merge",
            "combine shard folders (built with --shard) into the output folder, with one manifest "
            "and one catalogue; stops on a conflict or a missing output",
        ),
        (
            "clean",
            "remove what the build made (the files the manifest lists, and the manifest); your own files in "
            "the output folder stay",
        ),
        (
            "collect",
            "read filled worksheets (PDF, or answers saved from the HTML worksheet) and scanned, hand-ticked "
            "printed worksheets (PDF, PNG, JPEG, TIFF) into ratings tables, a summary report and a report for "
            "each person",
        ),
        ("schema", "write the JSON Schemas of the source files into schema/ beside the plan"),
        (
            "new",
            "make a new project in DIR, ready to build: a placeholder profile (two principles, one domain, "
            "two competencies), a rating scale with descriptors, a build plan and a README; DIR must be new "
            "or empty, and nothing is ever overwritten",
        ),
        (
            "translations",
            "report, by code, the entries of the profile's translations (translations/<lang>/ in the profile "
            "folder) that are missing, stale (the source text changed since) or unknown; exit 1 if any is "
            "stale; --init adds a file of entries to translate",
        ),
        (
            "diff",
            "report what changed between two versions of the profile (folders or git refs) and "
            "which outputs change; writes nothing",
        ),
        (
            "serve",
            "preview the plan's documents in a browser, at http://127.0.0.1:PORT/: each page is made again "
            "and reloads as you save a source file, a problem shows on the page until you fix it, and PDFs "
            "are made when opened; documents are kept in a temporary folder, never in the output folder",
        ),
    ):
        sub = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        if name == "diff":
            _diff_options(sub)
            continue
        if name == "new":
            sub.add_argument("folder", type=Path, metavar="DIR", help="the new project's folder (new or empty)")
            continue
        if name == "serve":
            _serve_options(sub, root)
            continue
        _project_options(sub, root, suppress=True, command=name)
        if name == "build":
            sub.add_argument(
                "--list",
                action="store_true",
                dest="list_targets",
                default=argparse.SUPPRESS,
                help="list every target and its output path; build nothing",
            )
        elif name == "tailor":
            sub.add_argument("--role", metavar="ID", help="a role's competencies (a file in profile_src/roles/)")
            sub.add_argument(
                "--domain",
                metavar="CODE",
                action="append",
                default=[],
                help="a domain's competencies (repeatable), e.g. D2",
            )
            sub.add_argument(
                "--competency", metavar="CODE", action="append", default=[], help="a competency (repeatable), e.g. C3"
            )
            sub.add_argument("--name", metavar="NAME", help="file name (default: the role or the codes)")
        elif name == "merge":
            sub.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="shard output folders")
        elif name == "collect":
            sub.add_argument(
                "files",
                nargs="+",
                type=Path,
                metavar="FILE",
                help="filled worksheet PDFs, saved answers (.json), scans of printed worksheets (one person's "
                "worksheet a file) and a review's saved choices (review-answers.json)",
            )
            sub.add_argument(
                "--into",
                type=Path,
                default=None,
                metavar="DIR",
                help="folder for ratings.csv, notes.csv, ratings.json, summary.html and .pdf, "
                "and each person's report in people/ (default: the output folder's "
                "summary/)",
            )
            sub.add_argument(
                "--accept-changed",
                action="store_true",
                help="also collect answers to activities reworded since their worksheet was made "
                "(by default they are left out, each with a warning)",
            )
        elif name == "translations":
            sub.add_argument("lang", nargs="?", metavar="LANG", help="only this language (default: every one)")
            sub.add_argument(
                "--init",
                action="store_true",
                dest="init_translation",
                help="write a new file in translations/LANG/ with an empty entry (the source text and its hash) "
                "for every text LANG has none for; never changes an existing file",
            )
        elif name == "schema":
            sub.add_argument(
                "--check",
                action="store_true",
                dest="schema_check",
                help="only report whether schema/ is up to date (exit 1 if not)",
            )
    return parser


def _diff_options(parser: argparse.ArgumentParser) -> None:
    parser.epilog = """\
OLD and NEW: a project folder (holding build.yaml), a profile folder (holding
profile.yaml; planned with the working folder's build.yaml, else the engine's),
or a git ref of the repository you are in (main, HEAD~1, a commit,
main:profile_src). Both are rendered with this engine's templates, and the
shipped brands and scales with the project's own.

exit codes: 0 the report was made (changes or not); 1 OLD or NEW is neither a
folder nor a ref, or its sources are not valid; 2 wrong usage."""
    parser.add_argument("old", metavar="OLD", help="the version before the change: a folder or a git ref")
    parser.add_argument("new", metavar="NEW", help="the version after the change: a folder or a git ref")
    parser.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        dest="diff_format",
        help="markdown (default: for a pull request comment or a CI job summary) or json",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=None,
        metavar="DIR",
        help="the git repository whose refs OLD and NEW name (default: the working folder's)",
    )


def _serve_options(parser: argparse.ArgumentParser, root: Path) -> None:
    import textwrap

    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # the examples keep their lines
    parser.description = textwrap.fill(parser.description or "", 79)
    parser.epilog = """\
Pages update by themselves: keep them open while you edit the profile, the
roles, the packet recipes, the brands, the scales, the templates or the plan.
Stop with Ctrl-C; the temporary folder is removed.

examples:
  python build.py serve                  the plan in this folder, at http://127.0.0.1:8000/
  python build.py serve --port 8123 --open
  python build.py serve --plan tests/profiles/tiny/build.yaml"""
    add = parser.add_argument
    add(
        "-p",
        "--plan",
        type=Path,
        default=argparse.SUPPRESS,
        help="the build plan whose documents to show (default: build.yaml in the working folder if there is one, "
        "else the engine's own)",
    )
    add(
        "--port",
        type=_port,
        default=8000,
        help="the port to serve on, on 127.0.0.1 only (default: 8000; 0: any free one)",
    )
    add("--open", action="store_true", dest="open_browser", help="open the list of documents in your web browser")
    add("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print errors and warnings only")
    add(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="also print which files changed",
    )


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port (a whole number from 0 to 65535)")
    return int(text)


def _command(prog: str) -> str:
    """How the reader types this command: ``profilepress`` once installed, ``python build.py`` in the
    repository."""
    return "python build.py" if prog == "build.py" else prog


def _new(folder: Path, root: Path, prog: str, reporter: Reporter) -> int:
    from .scaffold import new_project

    try:
        written = new_project(folder)
    except OSError as exc:  # a folder that cannot be made or written (permissions, a full disk)
        raise UserError(f"cannot make the project in {display_path(folder)}: {exc.strerror or exc}") from None
    for path in written:
        reporter.detail(f"wrote {display_path(path)}")
    command = _command(prog) if prog != "build.py" else f"python {display_path(root / 'build.py')}"
    reporter.info(
        f"made a new project in {display_path(folder)} ({_count(len(written), 'file')}); build it with: "
        f"cd {display_path(folder)} && {command} build\n"
        f"then replace the placeholder text in {display_path(folder / 'profile')} "
        f"(see {display_path(folder / 'README.md')})"
    )
    return EXIT_OK


def console() -> None:
    """The installed command, ``profilepress``: build.py's command line, with the engine's files taken
    from the package (see :mod:`profilepress.home`)."""
    from .home import ENGINE_ROOT

    try:
        code = main(root=ENGINE_ROOT, prog="profilepress")
    except KeyboardInterrupt:
        print(
            "interrupted; nothing was written, and the files already in the output folder are intact.", file=sys.stderr
        )
        code = 130
    sys.exit(code)


def _signal_name(exc: BaseException) -> str:
    return "terminated (SIGTERM)" if isinstance(exc, Terminated) or _terminated_held(exc) else "interrupted"


def _terminated_held(exc: BaseException) -> bool:
    return isinstance(exc, Interrupted) and exc.args == ("SIGTERM",)


def _signal_exit(exc: BaseException) -> int:
    return 143 if isinstance(exc, Terminated) or _terminated_held(exc) else 130


def main(argv: list[str] | None = None, root: Path | None = None, prog: str = "build.py") -> int:
    """The command line. ``root``: the engine's folder (templates, fonts, shipped scales and brands);
    ``prog``: the command's name in messages (``build.py``, or ``profilepress`` once installed)."""
    root = root or Path.cwd()
    interrupts.watch()
    parser = _parser(root, prog, default_plan(root))
    args, unknown = parser.parse_known_args(argv)
    command = args.command or "build"
    if unknown:
        known = {flag for action in parser._actions for flag in action.option_strings}
        for word in unknown:
            if word.split("=")[0] in known:  # a build option given to a command that does not take it
                print(f"error: {_not_for(word.split('=')[0], command, prog)}", file=sys.stderr)
                return EXIT_USAGE
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    reporter = Reporter(quiet=args.quiet, verbose=args.verbose)
    try:
        interrupts.check()  # one that came while the modules loaded, and was swallowed there
        _refuse_options_not_for(command, args, parser, prog)
        if command == "new":
            return _new(args.folder, root, prog, reporter)
        if command == "schema":
            return _schema(
                args.plan.resolve().parent if args.plan.is_file() else Path.cwd(), args.schema_check, reporter
            )
        if command == "diff":
            return _diff(args, root)
        if not args.plan.is_file() and args.plan == default_plan(root):
            raise UsageError(
                f"no build.yaml in {_shown(Path.cwd())}: run this command in your project's folder (the one "
                f"holding build.yaml), give --plan FILE, or start a project with '{_command(prog)} new DIR'"
            )
        if command == "serve":
            return _serve(args, root, reporter)
        choices = _choices(args)
        if command == "build" and not args.list_targets:  # nothing to do? from the manifest alone
            light = freshness.project_of(
                args.plan, root, source=args.source, templates=args.templates, output=args.output
            )
            started = time.monotonic()
            current = freshness.up_to_date(light, BuildOptions(**_quick_options(choices)))
            if current is not None:
                _summary(
                    Report(up_to_date=current, decided_from_manifest=True, seconds=time.monotonic() - started), reporter
                )
                return EXIT_OK
        if command == "clean":
            return _clean(
                freshness.project_of(args.plan, root, source=args.source, templates=args.templates, output=args.output),
                reporter,
            )
        from .build import build
        from .inputs import load_inputs, options_from_plan, project_from_plan, read_plan

        try:
            parsed = read_plan(args.plan)  # the plan, read once
        except ProfileErrors as exc:
            from .inputs import with_every_other_error

            light = freshness.project_of(
                args.plan, root, source=args.source, templates=args.templates, output=args.output
            )
            raise with_every_other_error(exc, light) from None
        project = project_from_plan(parsed, root, source=args.source, templates=args.templates, output=args.output)
        options = with_overrides(options_from_plan(parsed), **choices)
        if command == "collect":
            return _collect(project, options, args, reporter)
        if command == "tailor":
            return _tailor(project, options, args, reporter)
        if command == "translations":
            return _translations(project, args, root, reporter)
        # check: every SVG logo drawn too, as if every brand made a PDF (a build draws those its PDFs need)
        inputs = load_inputs(project, options, build_file=parsed, draw_logos=command == "check")
        if command == "check":
            return _check(project, options, inputs, reporter)
        if command == "verify":
            return _verify(project, options, inputs, reporter)
        if command == "merge":
            return _merge(project, options, inputs, args.folders, reporter)
        if args.list_targets:
            return _list(project, options, inputs, reporter)
        _summary(build(project, options, reporter, inputs), reporter)
        return EXIT_OK
    except ProfileErrors as exc:
        for error in exc.errors:
            print(error.format(), file=sys.stderr)
        files = len({e.file for e in exc.errors})
        print(f"{_count(len(exc.errors), 'error')} in {_count(files, 'file')}; nothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BuildFailed as exc:
        bug = False
        for path, reason in exc.failures:
            first, _, trace = reason.partition("\n")
            bug = bug or first.startswith("internal error:")
            print(f"{path}: error: {first}", file=sys.stderr)
            if trace and args.verbose:
                print(trace, file=sys.stderr)
        print(f"{_count(len(exc.failures), 'target')} failed; nothing was written.", file=sys.stderr)
        if bug:
            print(
                "An internal error is a bug in profilepress; run again with --verbose and report the output.",
                file=sys.stderr,
            )
        return EXIT_INTERNAL if bug else EXIT_BAD_INPUT
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_BAD_INPUT
    except BrokenPipeError:
        # Whoever reads our output stopped reading (`build.py --list | head -1`): not an error. Later
        # writes, and the interpreter's own flush at exit, go nowhere instead of failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Interrupted as exc:  # it came while the outputs were put in place: that finished first
        print(
            f"{_signal_name(exc)}; stopped once the build had finished writing: the output folder is complete "
            "and up to date.",
            file=sys.stderr,
        )
        return _signal_exit(exc)
    except KeyboardInterrupt as exc:
        print(
            f"{_signal_name(exc)}; nothing was written, and the files already in the output folder are intact.",
            file=sys.stderr,
        )
        return _signal_exit(exc)
    except Exception as exc:  # a bug, not the user's mistake
        if args.verbose:
            traceback.print_exc()
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in profilepress; run again with --verbose and report the output.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        interrupts.forget()


def _refuse_options_not_for(command: str, args: argparse.Namespace, parser: argparse.ArgumentParser, prog: str) -> None:
    """An option given before the command that the command does not use (`--shard 1/2 collect`) is refused:
    ignoring it would do something other than what was asked. (After the command, argparse refuses it.)"""
    for action in parser._actions:
        given = getattr(args, action.dest, action.default) != action.default
        if action.dest in _EVERY and action.dest not in COMMAND_OPTIONS[command] and given:
            raise UsageError(_not_for(max(action.option_strings, key=len), command, prog))


def _not_for(flag: str, command: str, prog: str) -> str:
    return f"{flag} does not apply to '{command}'; see '{_command(prog)} {command} --help' for its options"


def _choices(args: argparse.Namespace) -> dict:
    """The command line's choices that shape a build (None where build.yaml decides)."""
    return {
        "paper": args.paper,
        "marks": args.print_marks,
        "formats": tuple(dict.fromkeys(args.formats)) if args.formats else None,
        "scale": args.scale,
        "brand": args.brand,
        "only": tuple(args.only or ()),
        "jobs": args.jobs,
        "force": args.force,
        "strict": args.strict,
        "shard": args.shard,
        "timeout": args.timeout,
        "memory": args.memory,
        "many": args.many,
        "prune": args.prune,
        "source_date_epoch": _source_date_epoch(),
    }


def _quick_options(choices: dict) -> dict:
    given = {k: v for k, v in choices.items() if k in ("force", "shard", "only", "brand", "prune", "strict") and v}
    return {**given, "request": request_of(choices), "formats": choices["formats"] or FORMATS}


def _summary(report: Report, reporter: Reporter) -> None:
    parts = [
        f"built {len(report.built)}",
        f"up to date {len(report.up_to_date)}",
        f"removed {len(report.removed)}",
        "failed 0",
    ]
    for path in report.removed:
        reporter.info(f"removed {path}")
    if report.kept:
        parts.append(f"kept {len(report.kept)} changed by hand")
    for path in report.kept:
        reporter.warning(f"{path} is no longer planned but was changed by hand since it was built; left in place")
    memory = f", peak {report.peak_memory / 2**20:.0f} MB per worker" if report.peak_memory else ""
    how = " (decided from the manifest)" if report.decided_from_manifest else ""
    reporter.info(f"{', '.join(parts)} in {report.seconds:.1f} s{memory}{how}")


def _serve(args: argparse.Namespace, root: Path, reporter: Reporter) -> int:
    from .build import build
    from .serve import serve

    try:
        return serve(
            args.plan,
            root,
            build,
            source=args.source,
            templates=args.templates,
            port=args.port,
            open_browser=args.open_browser,
            reporter=reporter,
        )
    except KeyboardInterrupt as exc:  # how the preview is meant to stop: its temporary folder is gone already
        print(f"{_signal_name(exc)}; the preview stopped and its temporary folder was removed.", file=sys.stderr)
        return _signal_exit(exc)


def _translations(project: Project, args: argparse.Namespace, root: Path, reporter: Reporter) -> int:
    from . import translations_cmd
    from .load import load_profile

    profile = load_profile(project.source_dir)
    if args.init_translation:
        if args.lang is None:
            raise UsageError("--init needs the language to start or complete: build.py translations es --init")
        return translations_cmd.init(profile, args.lang, project.source_dir, root, reporter)
    return translations_cmd.report(
        profile, translations_cmd.languages(project.source_dir, args.lang), project.source_dir, reporter
    )


def _check(project: Project, options: BuildOptions, inputs: Inputs, reporter: Reporter) -> int:
    from . import plan

    plan.targets(inputs, options)
    for warning in inputs.warnings:
        reporter.located(warning.format())
    profile = inputs.profile
    from .load.translations import load_translations

    load_translations(project.source_dir, profile)  # every language's files, used by the plan or not
    counts = ", ".join(
        _count(len(items), word)
        for items, word in (
            (profile.principles, "principle"),
            (profile.domains, "domain"),
            (profile.competencies, "competency"),
            (profile.activities, "activity"),
            (profile.roles, "role"),
        )
    )
    reporter.info(
        f"ok: {_shown(project.source_dir)} is a valid profile ({counts}); the build plan, scales, "
        "brands and packets are valid too"
    )
    return EXIT_OK


def _verify(project: Project, options: BuildOptions, inputs: Inputs, reporter: Reporter) -> int:
    import tempfile

    from . import manifest, verify
    from .build import build

    recorded = manifest.read(project.output_dir)
    if recorded is None:
        raise UserError(f"no manifest in {display_path(project.output_dir)}; build first")
    with tempfile.TemporaryDirectory(prefix="profilepress-verify-") as tmp:  # a fresh build, compared
        fresh = build(
            replace(project, output_dir=Path(tmp)), replace(options, force=True), Reporter(quiet=True), inputs
        )
        made = {w.target.path: manifest.sha256_file(w.path) for w in fresh.built}
    differences = verify.differences(recorded, made, project.output_dir, freshness.plan_id(project), options)
    for line in differences:
        print(f"{line}", file=sys.stderr)
    if differences:
        print(
            f"verify: {_count(len(differences), 'difference')}; the outputs are not what the sources give",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    which = f"shard {options.shard[0]}/{options.shard[1]}: " if options.shard else ""
    reporter.info(
        f"verify: {which}ok, a fresh build gives exactly the bytes in the manifest ({_count(len(made), 'output')})"
    )
    return EXIT_OK


def _clean(project: Project, reporter: Reporter) -> int:
    from .ownership import clean, refuse_unsafe_output

    refuse_unsafe_output(project)
    output_dir = Path(project.output_dir)
    if not (output_dir / "manifest.json").is_file():
        reporter.info(
            f"nothing to clean: {_shown(output_dir)} "
            + ("holds no build (no manifest.json)" if Path(output_dir).exists() else "does not exist")
        )
        return EXIT_OK
    removed, kept = clean(output_dir)
    for path in kept:
        reporter.warning(f"{path} was changed since it was built; left in place")
    reporter.info(
        f"removed {_count(len(removed), 'file')} the build made from {_shown(output_dir)}"
        + (f"; kept {len(kept)} changed by hand" if kept else "")
        + "; any other file there is yours and was left alone"
    )
    return EXIT_OK


def _merge(project: Project, options: BuildOptions, inputs: Inputs, folders: list[Path], reporter: Reporter) -> int:
    from .merge import merge

    report = merge(project, options, inputs, folders)
    for path in report.removed:
        reporter.info(f"removed {path}")
    reporter.info(
        f"merged {_count(len(report.built), 'output')} from {_count(len(folders), 'folder')} into "
        f"{_shown(project.output_dir)}, with one manifest and catalogue; removed {len(report.removed)}"
    )
    return EXIT_OK


def _collect(project: Project, options: BuildOptions, args: argparse.Namespace, reporter: Reporter) -> int:
    from .summarise import summarise

    done = summarise(
        project, args.files, args.into or project.output_dir / "summary", options, accept_changed=args.accept_changed
    )
    for notice in done.accepted:
        reporter.info(notice.format())
    for notice in done.warnings:
        reporter.warning(notice.format())
    for path in done.written:
        reporter.detail(f"wrote {_shown(path)}")
    people = f"{done.people} {'person' if done.people == 1 else 'people'}"
    left_out = f"; {_count(len(done.warnings), 'warning')} about answers left out" if done.warnings else ""
    reporter.info(
        f"collected {_count(len(args.files), 'file')} ({people}) into {_shown(done.folder)}: "
        f"{_count(len(done.written), 'file')} written{left_out}"
    )
    if done.awaiting_review:
        reporter.warning(
            f"{_count(done.awaiting_review, 'scanned answer')} "
            f"{'awaits' if done.awaiting_review == 1 else 'await'} review (left out until then): open "
            f"{_shown(done.folder / 'review.html')}, choose, save the choices, and collect again with the scans "
            "and the saved file"
        )
    return EXIT_OK


def _tailor(project: Project, options: BuildOptions, args: argparse.Namespace, reporter: Reporter) -> int:
    from .build import build
    from .inputs import load_inputs
    from .plan import tailored

    inputs = load_inputs(project, options, with_build_file=False, with_packets=False)
    formats = tuple(f for f in dict.fromkeys(args.formats or ("html", "pdf")) if f != "fillable-pdf")
    targets = tailored(
        inputs,
        options,
        role=args.role,
        domains=tuple(args.domain),
        competencies=tuple(args.competency),
        name=args.name,
        formats=formats,
    )
    report = build(project, replace(options, plan=targets, formats=FORMATS), reporter, inputs)
    for written in report.built:
        reporter.info(f"wrote {display_path(written.path)}")
    _summary(report, reporter)
    return EXIT_OK


def _list(project: Project, options: BuildOptions, inputs: Inputs, reporter: Reporter) -> int:
    from . import plan

    targets = plan.targets(inputs, options)
    width = max((len(t.label) for t in targets), default=0)
    for t in targets:
        print(f"{t.label:<{width}}  {t.format:<12}  {t.paper:<6}  {display_path(project.output_dir / t.path)}")
    reporter.info(_count(len(targets), "target"))
    return EXIT_OK


def _diff(args: argparse.Namespace, root: Path) -> int:
    import tempfile
    import time

    from . import diff

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="profilepress-diff-") as work:
        report = diff.diff(
            args.old, args.new, repo=args.repo or Path.cwd(), root=root, templates=args.templates, workdir=Path(work)
        )
    print(diff.to_json(report) if args.diff_format == "json" else diff.to_markdown(report), end="")
    if not args.quiet:
        print(
            f"diff: {args.old} → {args.new}: compared {report.outputs.compared} outputs in "
            f"{time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
    return EXIT_OK


def _source_date_epoch() -> int | None:
    """The reproducible-builds convention for a build's date; see reproducible-builds.org."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not re.fullmatch(r"[0-9]{1,12}", value) or int(value) > LATEST_DATE:
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (0 to {LATEST_DATE}, "
            f"the end of year 9999), not {value!r}; for a commit's date: SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)"
        )
    return int(value)


LATEST_DATE = 253402300799  # 9999-12-31T23:59:59Z


class UsageError(UserError):
    """A wrong use of the command (an option or environment variable), not a fault in the sources: exit 2."""


def _count(n: int, word: str) -> str:
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n} {word if n == 1 else plural}"


def _shown(path: Path) -> str:
    return display_path(Path(path).resolve())


def _schema(project_dir: Path, only_check: bool, reporter: Reporter) -> int:
    from . import schema

    folder = project_dir / "schema"
    stale = schema.stale_files(folder)
    if only_check:
        for name in stale:
            print(f"{folder / name}: out of date; run 'python build.py schema'", file=sys.stderr)
        if not stale:
            reporter.info(f"ok: {folder} is up to date")
        return EXIT_BAD_INPUT if stale else EXIT_OK
    for path in schema.write_all(folder):
        reporter.info(f"wrote {_shown(path)}")
    return EXIT_OK
