"""The validated profile: frozen types named after the domain.

A :class:`Profile` is what the loader returns once every source file has been
validated and every cross-reference resolved. Nothing in it can change, and
every part has a stable ``id`` (for links and file names) and a short ``code``
(shown to people: ``P1``, ``D2``, ``C13``, ``C13.4``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class ItemList:
    items: tuple[str, ...]


Block = Paragraph | ItemList


@dataclass(frozen=True)
class Section:
    heading: str
    body: tuple[Block, ...]


@dataclass(frozen=True)
class Rights:
    licence: str | None
    permission: str | None


@dataclass(frozen=True)
class Principle:
    id: str
    code: str
    name: str
    text: str


@dataclass(frozen=True)
class Activity:
    """A core activity. Its code is its competency's code and its position: ``C1.3``."""

    id: str
    code: str
    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Competency:
    id: str
    code: str
    name: str
    description: tuple[Block, ...]
    activities: tuple[Activity, ...]
    domain_id: str


@dataclass(frozen=True)
class Domain:
    id: str
    code: str
    name: str
    overview: str
    summary: str
    competencies: tuple[Competency, ...]


@dataclass(frozen=True)
class Role:
    """A role named in the profile, with an example mapping to the competencies it draws on most."""

    id: str
    name: str
    description: str
    primary: tuple[Competency, ...]
    supporting: tuple[Competency, ...]

    @property
    def competencies(self) -> tuple[Competency, ...]:
        return self.primary + self.supporting


@dataclass(frozen=True)
class Term:
    """A part's name, singular and plural, as the profile calls it (lower case)."""

    one: str
    many: str


@dataclass(frozen=True)
class Vocabulary:
    """The profile's own names for its parts (profile.yaml ``vocabulary``): its words, translated only by a
    translation of the profile (``vocabulary.*`` entries), never by the interface's catalogues."""

    principle: Term = Term("principle", "principles")
    domain: Term = Term("domain", "domains")
    competency: Term = Term("competency", "competencies")
    description: str = "description"  # the heading over a competency's description
    activities: str = "activities"  # the heading over its activities


@dataclass(frozen=True)
class Profile:
    title: str
    subtitle: str | None
    short_title: str
    version: str
    date: str
    language: str
    authors: tuple[str, ...]
    publisher: str
    partners: tuple[str, ...]
    citation: str
    rights: Rights
    introduction: Section
    principles_section: Section
    domains_section: Section
    principles: tuple[Principle, ...]
    domains: tuple[Domain, ...]
    roles: tuple[Role, ...] = ()
    vocabulary: Vocabulary = Vocabulary()
    provenance: str = "publication"  # or "own": written by the organisation, not reproduced from a publication
    source_language: str | None = None  # a translation's: the language of the text it translates (which governs)

    @property
    def reproduced(self) -> bool:
        """Is the profile's text reproduced from a publication (rather than the organisation's own)?"""
        return self.provenance == "publication"

    @property
    def competencies(self) -> tuple[Competency, ...]:
        """Every competency, in print order."""
        return tuple(c for d in self.domains for c in d.competencies)

    @property
    def activities(self) -> tuple[Activity, ...]:
        """Every activity, in print order."""
        return tuple(a for c in self.competencies for a in c.activities)

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    descriptor: str | None
    rank: int  # 1 for the lowest level


@dataclass(frozen=True)
class RatingScale:
    """A named rating scale with its source. Levels run from the lowest to the highest."""

    id: str
    name: str
    source: str
    rated_unit: str
    evidence_column: bool
    not_applicable: str
    levels: tuple[Level, ...]
    language: str | None = None  # of its name, labels and descriptors, as its source prints them; None: the profile's

    @property
    def has_descriptors(self) -> bool:
        return any(level.descriptor for level in self.levels)


@dataclass(frozen=True)
class Logo:
    alt: str
    media_type: str  # image/svg+xml or image/png
    data: bytes
    file: str  # as named in brand.yaml
    named_at: tuple[Path, int, int] = (Path(), 0, 0)  # where brand.yaml names it (file, line, column)

    @property
    def data_uri(self) -> str:
        import base64

        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class Brand:
    """An organisation's look: layered over the neutral default, never inside the profile's text."""

    id: str
    name: str | None
    logo: Logo | None
    colours: dict[str, str]
    font_family: str | None
    font_files: dict[tuple[int, str], str]  # (weight, style) → URL relative to the project
    tagline: str | None
    footer: str | None
    contact: str | None
    paper: str
    permission: str | None
    locale: str = "en-GB"  # the interface's language and spelling (see messages.py)
    # The language the brand's own text (name, tagline, contact, footer, permission) is written in: its locale,
    # kept when a translated edition swaps the interface's (Inputs.brands_for).
    text_lang: str = ""

    def __post_init__(self) -> None:
        if not self.text_lang:
            object.__setattr__(self, "text_lang", self.locale)


@dataclass(frozen=True)
class Step:
    minutes: int
    do: str


@dataclass(frozen=True)
class Guide:
    """The trainer's guide to one agenda block."""

    purpose: str
    steps: tuple[Step, ...]
    key_messages: tuple[str, ...]
    debrief: tuple[str, ...]
    materials: tuple[str, ...]
    handouts: tuple[str, ...]  # sections of the packet
    if_short: str


@dataclass(frozen=True)
class Slot:
    time: str
    minutes: int
    item: str
    lead: str  # the facilitator unless the recipe names another
    guide: Guide


@dataclass(frozen=True)
class Case:
    title: str
    text: str
    example: bool


@dataclass(frozen=True)
class TrainerPart:
    materials: tuple[str, ...]
    before: tuple[str, ...]
    follow_up: tuple[str, ...]


@dataclass(frozen=True)
class Packet:
    """A workshop packet recipe, its references resolved."""

    id: str
    title: str
    event: str
    date: str
    venue: str | None
    facilitator: str
    audience: str
    welcome: str | None
    objectives: tuple[str, ...]
    pre_work: tuple[str, ...]
    print_pre_work: bool
    agenda: tuple[Slot, ...]
    role: Role | None
    competencies: tuple[Competency, ...]  # in the profile's order
    scale: str | None
    paper: str | None
    duplex: bool
    sections: tuple[str, ...]
    cases: tuple[Case, ...]
    discussion: tuple[str, ...]
    notes_pages: int
    trainer: TrainerPart

    @property
    def trainers(self) -> list[str]:
        """Who leads the workshop: the facilitator, then each other block's lead, once each."""
        return list(dict.fromkeys([self.facilitator] + [slot.lead for slot in self.agenda]))


def clock_minutes(time: str) -> int | None:
    """ "09:40" as minutes after midnight; None for a time written otherwise ("after lunch")."""
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", time.strip())
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def clock_time(minutes: int) -> str:
    """Minutes after midnight as "10:10"."""
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def activity_id(competency_code: str, position: int) -> str:
    """The id of the activity at ``position`` (1-based): ``C1``, 3 → ``c1-3``."""
    return f"{competency_code.lower()}-{position}"


def activity_code(competency_code: str, position: int) -> str:
    """The code of the activity at ``position`` (1-based): ``C1``, 3 → ``C1.3``."""
    return f"{competency_code}.{position}"


# --- what a worksheet covers ---------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a worksheet covers: the whole profile, one domain or one competency."""

    kind: str  # "profile" | "domain" | "competency"
    code: str = ""  # the domain's or competency's code
    label: str = ""
    slug: str = "profile"  # used in file names

    def competencies(self, profile: Profile) -> tuple[Competency, ...]:
        if self.kind == "profile":
            return profile.competencies
        if self.kind == "domain":
            return next(d.competencies for d in profile.domains if d.code == self.code)
        return tuple(c for c in profile.competencies if c.code == self.code)


def scopes(profile: Profile, kind: str) -> list[Scope]:
    """One scope for the profile, or one per domain, or one per competency."""
    if kind == "profile":
        return [Scope("profile", "", profile.title, "profile")]
    items = profile.domains if kind == "domain" else profile.competencies
    return [Scope(kind, item.code, f"{item.code} {item.name}", f"{padded(item.code)}-{item.id}") for item in items]


def padded(code: str) -> str:
    """``C5`` → ``c05``, so that file names sort in code order."""
    return re.sub(r"\d+", lambda m: m.group().zfill(2), code.lower())


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“‘\"'(])")


def reminder(competency: Competency) -> str:
    """A one-line reminder of a competency: the first sentence of its description, verbatim.

    A description that opens with a list (the schema allows it) is reminded by its first item."""
    paragraphs = [b.text for b in competency.description if isinstance(b, Paragraph)]
    if paragraphs:
        first = paragraphs[0]
    else:
        opening = competency.description[0]
        assert isinstance(opening, ItemList)  # no block is a paragraph, so every one is a list
        first = opening.items[0]
    return _SENTENCE_END.split(first, maxsplit=1)[0]
