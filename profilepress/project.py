"""What a build is about: the project's folders, the build's options, and one output file (a target).

Plain values, imported by every stage; nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .errors import UserError
from .model import Scope
from .pdf import PAPER_SIZES, PrintOptions

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
    plan_file: Path | None = None  # default: build.yaml in root
    packets_dir: Path | None = None  # default: packets/ in root

    @property
    def asset_dirs(self) -> list[Path]:
        """The only folders a document may load files from."""
        return [self.templates_dir, self.root / "fonts", *self.brand_dirs]

    @property
    def plan_dir(self) -> Path:
        """The folder of the build plan: a project's own scales and brands are beside it."""
        return Path(self.build_file).resolve().parent

    @property
    def scale_dirs(self) -> list[Path]:
        """Shipped scales, then any the project keeps beside its plan, then any the profile folder brings."""
        return _distinct([self.root / "scales", self.plan_dir / "scales", self.source_dir / "scales"])

    @property
    def brand_dirs(self) -> list[Path]:
        """Shipped brands, then any the project keeps beside its plan (a brand there replaces a shipped one
        of the same name)."""
        return _distinct([self.root / "brands", self.plan_dir / "brands"])

    @property
    def build_file(self) -> Path:
        return self.plan_file or self.root / BUILD_FILE

    @property
    def packets(self) -> Path:
        return self.packets_dir or self.root / "packets"


def _distinct(folders: list[Path]) -> list[Path]:
    """Each folder once, in order (the engine's repository is also the bundled profile's project)."""
    seen: dict[Path, Path] = {}
    for folder in folders:
        seen.setdefault(Path(folder).resolve(), Path(folder))
    return list(seen.values())


@dataclass(frozen=True)
class Caption:
    """A document's name in a list of documents, in words any interface can translate: a catalogue message,
    and the name it holds (the profile's or the recipe's words; or another message, ``name_is_message``)."""

    message: str
    name: str = ""
    name_is_message: bool = False
    suffix: str = ""  # not translated: the language of a translated edition, "(es)"

    def text(self, _: Callable[[str], str] = str) -> str:
        """The caption in the words ``_`` translates to (the source's, English, without one)."""
        if not self.name:
            return _(self.message) + self.suffix
        return _(self.message) % {"name": _(self.name) if self.name_is_message else self.name} + self.suffix


@dataclass(frozen=True)
class Target:
    """One output file: a document in a format, for a brand, on a paper, at a path in the output folder."""

    path: str
    kind: str  # a document kind (see profilepress.kinds)
    format: str  # html | pdf | fillable-pdf
    brand: str = "neutral"
    paper: str = "a4"
    label: str = ""
    scope: Scope = Scope("profile")
    caption: Caption | None = None  # the label, translatable (the catalogue page shows it in the edition's words)
    role: str | None = None  # excerpts made for a role
    competencies: tuple[str, ...] = ()  # excerpts made from a selection of codes
    packet: str | None = None
    trainer: bool = False
    translation: str | None = None  # the language of a translated edition (see profilepress.translation)


@dataclass(frozen=True)
class BuildOptions:
    """How documents are made: build.yaml's choices, overridden from the command line.

    ``plan`` is None when the targets come from build.yaml; commands that build
    something else (a tailored excerpt) give their own. ``source_date_epoch``
    stamps PDFs; without it they carry no date.
    """

    scale: str = "nirn-practice-profile"
    paper: str | None = None  # force one paper for every edition
    marks: bool = False
    formats: tuple[str, ...] = FORMATS  # only these formats are made
    brand: str | None = None  # only this brand's edition
    only: tuple[str, ...] = ()  # only targets whose path matches one of these patterns
    jobs: int | None = None  # worker processes; None: one per CPU
    force: bool = False  # rebuild everything, whatever the manifest says
    strict: bool = False  # warnings are errors
    prune: bool = False  # also remove outputs this build did not plan (tailored, another plan's)
    shard: tuple[int, int] | None = None  # build only shard I of N
    timeout: int = 300  # seconds one document may take to render
    memory: int = 2048  # megabytes one worker process may use (its address space)
    many: bool = False  # more than plan.MANY documents to make at once is what the user meant
    request: tuple = ()  # the command line's choices, as given (for the manifest's plan key)
    source_date_epoch: int | None = None
    plan: tuple[Target, ...] | None = None

    @property
    def created(self) -> str | None:
        if self.source_date_epoch is None:
            return None
        moment = datetime.fromtimestamp(self.source_date_epoch, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def partial(self) -> bool:
        """A build of part of the plan: it neither removes the plan's other outputs nor rewrites the catalogue."""
        return bool(self.plan is not None or self.shard or self.only or self.brand or tuple(self.formats) != FORMATS)

    def print_options(self, paper: str) -> PrintOptions:
        return PrintOptions(paper, self.marks)


def with_overrides(options: BuildOptions, **choices) -> BuildOptions:
    """Command-line choices on top of build.yaml's. Choices left as None keep build.yaml's value."""
    if choices.get("paper") is not None and choices["paper"] not in PAPER_SIZES:
        raise UserError(f"unknown paper size '{choices['paper']}'")
    given = {k: v for k, v in choices.items() if v not in (None, (), False)}
    return replace(options, **given, request=request_of(choices))


def request_of(choices: dict) -> tuple:
    """The choices that decide which outputs a build makes and their bytes (not how it makes them)."""
    return tuple(
        sorted(
            (k, repr(v))
            for k, v in choices.items()
            if k not in ("jobs", "force", "strict", "timeout", "memory", "many", "prune")
        )
    )


# --- what a build did -------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """An output in the output folder."""

    target: Target
    path: Path
    size: int
    pages: int = 0


@dataclass
class Report:
    """What a build did, for the closing summary and for tests."""

    built: list[Written] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # obsolete outputs left alone: changed by hand
    seconds: float = 0.0
    peak_memory: int = 0
    decided_from_manifest: bool = False


class BuildFailed(Exception):
    """Some targets could not be made; nothing was written. Carries every failure."""

    def __init__(self, failures: list[tuple[str, str]]):
        self.failures = failures
        super().__init__(f"{len(failures)} target(s) failed")
