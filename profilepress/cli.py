"""Command line: parses arguments, calls the engine, turns outcomes into exit codes.

Exit codes: 0 success; 1 bad input (the sources, templates or output folder);
2 wrong usage of the command; 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from dataclasses import replace
from pathlib import Path

from . import __version__, schema
from .build import (FORMATS, Project, build, check, collect, list_targets, load_inputs, project_from_plan,
                    read_build_file, tailored, with_overrides)
from .pdf import PAPER_SIZES
from .errors import ProfileErrors, UserError, display_path

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

DESCRIPTION = """\
Build printable documents from a practice profile written in YAML.

With no command, builds the default documents into the output folder.
Sources are validated first; if any is wrong, every problem is listed as
file:line:col and nothing is written."""

EPILOG = """\
exit codes:
  0  success
  1  bad input: a source file, template or the output folder has a problem
  2  wrong usage of this command
  3  internal error (a bug; please report it with the output of --verbose)

examples:
  python build.py                   build the default documents into output/
  python build.py check             validate profile_src/ and write nothing
  python build.py build -o /tmp/o   build into another folder
  python build.py --paper letter    US Letter PDFs
  python build.py --format pdf --print-marks
                                    PDFs only, with bleed and crop marks

environment:
  SOURCE_DATE_EPOCH  date stamped into PDFs (seconds since 1970); without it
                     PDFs carry no date. Builds never read the clock.
  python build.py --list            every target of build.yaml and its output path
  python build.py --brand northwind only the Northwind edition
  python build.py tailor --role coach
  python build.py tailor --domain D2 --competency C12 --format pdf
                                    an excerpt without writing a recipe
  python build.py schema            regenerate the JSON Schemas in schema/
  python build.py collect filled/*.pdf answers/*.json
                                    ratings table and summary of filled worksheets"""


def _project_options(parser: argparse.ArgumentParser, root: Path, suppress: bool) -> None:
    default = (lambda value: argparse.SUPPRESS) if suppress else (lambda value: value)
    parser.add_argument("-p", "--plan", type=Path, default=default(root / "build.yaml"),
                        help="the build plan: what to make, from which profile and packets (default: build.yaml)")
    parser.add_argument("-s", "--source", type=Path, default=default(None),
                        help="folder holding profile.yaml (default: the plan's, profile_src/)")
    parser.add_argument("-t", "--templates", type=Path, default=default(root / "templates"),
                        help="templates folder (default: templates/)")
    parser.add_argument("-o", "--output", type=Path, default=default(root / "output"),
                        help="folder to write documents into (default: output/)")
    parser.add_argument("--paper", choices=sorted(PAPER_SIZES), default=default(None),
                        help="paper size of PDFs (default: build.yaml's, a4)")
    parser.add_argument("--scale", metavar="ID", default=default(None),
                        help="rating scale for worksheets: a file name in scales/ without .yaml "
                             "(default: build.yaml's)")
    parser.add_argument("--brand", metavar="NAME", default=default(None),
                        help="build only this brand's edition (a folder in brands/)")
    parser.add_argument("--only", metavar="PATTERN", action="append", default=default(None),
                        help="build only targets whose output path matches (repeatable), e.g. 'neutral/handbook.*'")
    parser.add_argument("--print-marks", action="store_true", default=default(False),
                        help="add 3 mm bleed and crop marks to PDFs, for a print shop")
    parser.add_argument("--format", choices=FORMATS, action="append", dest="formats",
                        default=default(None), help="make only this format (repeatable; default: all)")
    parser.add_argument("-q", "--quiet", action="store_true", default=default(False),
                        help="print errors only")
    parser.add_argument("-v", "--verbose", action="store_true", default=default(False),
                        help="print more detail (and the traceback of an internal error)")


def make_parser(root: Path) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s (profilepress {__version__})")
    parser.add_argument("--list", action="store_true", dest="list_targets",
                        help="list every target of the build and its output path; build nothing")
    _project_options(parser, root, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, text in (
        ("build", "build the default documents (the default command)"),
        ("check", "validate the profile sources; write nothing"),
        ("schema", "write the JSON Schemas of the source files into schema/"),
        ("collect", "read filled worksheets (PDF, or answers saved from the HTML worksheet) into a "
                    "ratings table and a summary report"),
        ("tailor", "make an excerpt for a role, or for domains and competencies you choose, without "
                   "writing a recipe"),
    ):
        sub = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        _project_options(sub, root, suppress=True)
        if name == "collect":
            sub.add_argument("files", nargs="+", type=Path, metavar="FILE",
                             help="filled worksheet PDFs and saved answers (.json)")
            sub.add_argument("--into", type=Path, default=None, metavar="DIR",
                             help="folder for ratings.csv, ratings.json, summary.html and summary.pdf "
                                  "(default: the output folder's summary/)")
        if name == "build":
            sub.add_argument("--list", action="store_true", dest="list_targets",
                             help="list every target and its output path; build nothing")
        if name == "tailor":
            sub.add_argument("--role", metavar="ID", help="a role's competencies (a file in profile_src/roles/)")
            sub.add_argument("--domain", metavar="CODE", action="append", default=[],
                             help="a domain's competencies (repeatable), e.g. D2")
            sub.add_argument("--competency", metavar="CODE", action="append", default=[],
                             help="a competency (repeatable), e.g. C3")
            sub.add_argument("--name", metavar="NAME", help="file name (default: the role or the codes)")
        if name == "schema":
            sub.add_argument("--check", action="store_true", dest="schema_check",
                             help="only report whether schema/ is up to date (exit 1 if not)")
    return parser


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    root = root or Path.cwd()
    args = make_parser(root).parse_args(argv)
    command = args.command or "build"
    project = Project(args.source or root / "profile_src", args.templates, args.output, root)

    def say(text: str) -> None:
        if not args.quiet:
            print(text)

    try:
        if command in ("build", "check", "collect", "tailor"):
            project = project_from_plan(args.plan, root, source=args.source, templates=args.templates,
                                        output=args.output)
            options = with_overrides(read_build_file(project), paper=args.paper, marks=args.print_marks,
                                     formats=tuple(dict.fromkeys(args.formats or FORMATS)), scale=args.scale,
                                     brand=args.brand, only=tuple(args.only or ()),
                                     source_date_epoch=_source_date_epoch())
        if command == "check":
            profile = check(project, options).profile
            counts = ", ".join(_count(len(items), word) for items, word in (
                (profile.principles, "principle"), (profile.domains, "domain"),
                (profile.competencies, "competency"), (profile.activities, "activity")))
            say(f"ok: {_shown(project.source_dir)} is a valid profile ({counts})")
        elif command == "collect":
            written = collect(project, args.files, args.into or project.output_dir / "summary", options, log=say)
            say(f"collected {_count(len(args.files), 'file')} into {_shown(written[0].parent)}")
        elif command == "schema":
            return _schema(root, args.schema_check, say)
        elif command == "tailor":
            inputs = load_inputs(project, options, with_build_file=False, with_packets=False)
            targets = tailored(inputs, options, role=args.role, domains=tuple(args.domain),
                               competencies=tuple(args.competency), name=args.name,
                               formats=tuple(f for f in dict.fromkeys(args.formats or ("html", "pdf"))
                                             if f != "fillable-pdf"))
            written = build(project, replace(options, plan=targets), log=say,
                            warn=lambda text: print(f"warning: {text}", file=sys.stderr))
            say(f"built {_count(len(written), 'document')} into {_shown(project.output_dir)}")
        elif getattr(args, "list_targets", False):
            targets = list_targets(project, options)
            width = max((len(t.label) for t in targets), default=0)
            for t in targets:
                print(f"{t.label:<{width}}  {t.format:<12}  {t.paper:<6}  {display_path(project.output_dir / t.path)}")
            say(f"{_count(len(targets), 'target')}")
        else:
            written = build(project, options, log=say,
                            warn=lambda text: print(f"warning: {text}", file=sys.stderr))
            say(f"built {_count(len(written), 'document')} into {_shown(project.output_dir)}")
        return EXIT_OK
    except ProfileErrors as exc:
        for error in exc.errors:
            print(error.format(), file=sys.stderr)
        files = len({e.file for e in exc.errors})
        print(f"{_count(len(exc.errors), 'error')} in {_count(files, 'file')}; nothing was written.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; files already in the output folder are intact.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not the user's mistake
        if args.verbose:
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in profilepress; run again with --verbose and report the output.",
              file=sys.stderr)
        return EXIT_INTERNAL


def _source_date_epoch() -> int | None:
    """The reproducible-builds convention for a build's date; see reproducible-builds.org."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise UserError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not '{value}'")
    return int(value)


def _count(n: int, word: str) -> str:
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n} {word if n == 1 else plural}"


def _shown(path: Path) -> str:
    return display_path(Path(path).resolve())


def _schema(root: Path, only_check: bool, say) -> int:
    folder = root / "schema"
    stale = schema.stale_files(folder)
    if only_check:
        for name in stale:
            print(f"{folder / name}: out of date; run 'python build.py schema'", file=sys.stderr)
        if not stale:
            say(f"ok: {folder} is up to date")
        return EXIT_BAD_INPUT if stale else EXIT_OK
    for path in schema.write_all(folder):
        say(f"wrote {_shown(path)}")
    return EXIT_OK
