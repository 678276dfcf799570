"""The shape of each source file, declared once.

These pydantic models validate what a YAML file holds (unknown keys are errors,
types are strict) and generate the JSON Schema that editors use to check a file
as it is typed (``python build.py schema``). They describe files, not the
profile: cross-references between files are checked when the model is linked
(see :mod:`profilepress.load`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

from .messages import NOT_APPLICABLE

_SPACES = re.compile(r"\s+")


def _one_line(text: str) -> str:
    """Folded YAML keeps stray newlines and double spaces; prose needs neither."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


Text = Annotated[
    str,
    Field(min_length=1, description="Prose, written once; line breaks and repeated spaces are joined."),
    AfterValidator(_one_line),
]
# Names Windows keeps for devices: a file called so (with any extension: nul.html) cannot be made or opened there.
WINDOWS_DEVICES = frozenset(["con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10))])


def _not_a_device(value: str) -> str:
    if value in WINDOWS_DEVICES:
        raise ValueError(
            f"'{value}' is a device name on Windows, where a file named after it cannot be opened; choose another id"
        )
    return value


class _MarkdownField:
    """Marks a text field whose inline Markdown is rendered (see :mod:`profilepress.text`): the loader
    checks it and says what the sanitiser would leave out."""

    def __repr__(self) -> str:
        return "MARKDOWN"


MARKDOWN = _MarkdownField()
# The same shape as Text, and bounded: Python-Markdown takes seconds over some long runs of brackets.
MARKDOWN_MAX = 2000
Markdown = Annotated[Text, MARKDOWN, Field(max_length=MARKDOWN_MAX)]


Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=80,
        description="Stable identifier: lower-case letters, digits and single hyphens (used in links and file names);"
        " not a name Windows keeps for a device (con, prn, aux, nul, com1-com9, lpt1-lpt9).",
    ),
    AfterValidator(_not_a_device),
]
Code = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Za-z0-9]{0,9}$",
        description="Short human code shown in every output, e.g. P1, D2, C13. Letters and digits only.",
    ),
]
Language = Annotated[
    str,
    Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", description="BCP 47 language tag, e.g. en or en-GB."),
]


class SourceModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ItemList(SourceModel):
    """A bulleted list inside a description, kept as a list."""

    items: list[Text] = Field(min_length=1, description="The list's items, in source order.")


def text_or_mapping(name: str, mapping: type, error: str) -> Any:
    """A field that holds either text or a mapping of ``mapping``'s shape, told apart by YAML type.

    The tags (``<name>-text``, ``<name>-mapping``) appear in pydantic's error
    locations and are dropped before errors are mapped back to the YAML.
    """

    def kind(value: Any) -> str | None:
        if isinstance(value, str):
            return f"{name}-text"
        return f"{name}-mapping" if isinstance(value, dict) else None

    return Annotated[
        Annotated[Text, Tag(f"{name}-text")] | Annotated[mapping, Tag(f"{name}-mapping")],
        Discriminator(kind, custom_error_type=f"{name}_type", custom_error_message=error),
    ]


if TYPE_CHECKING:  # what the validated field holds, as the type checker cannot read text_or_mapping's result
    Block = str | ItemList
else:
    Block = text_or_mapping("block", ItemList, "must be a paragraph (text) or a list (a mapping with 'items')")


class Section(SourceModel):
    """A titled part of the front matter."""

    heading: Text
    body: list[Block] = Field(min_length=1, description="Paragraphs and lists, in order.")


class Rights(SourceModel):
    """What may be done with the profile's text."""

    licence: Text | None = Field(default=None, description="The licence the source states; null when it states none.")
    permission: Text | None = Field(
        default=None, description="Any permission held by whoever publishes this edition; null when none."
    )


class Term(SourceModel):
    """What the profile calls one of its parts, as its documents print it (lower case, mid-sentence)."""

    one: Text = Field(description="The singular, e.g. competency.")
    many: Text = Field(description="The plural, e.g. competencies.")


class Vocabulary(SourceModel):
    """The profile's own names for its parts. They are the profile's words: the interface's catalogues
    never translate them. Defaults are plain names, for a profile that declares none."""

    principle: Term = Field(default=Term(one="principle", many="principles"))
    domain: Term = Field(default=Term(one="domain", many="domains"))
    competency: Term = Field(default=Term(one="competency", many="competencies"))
    description: Text = Field(
        default="description", description="The heading over a competency's description, e.g. core component."
    )
    activities: Text = Field(
        default="activities", description="The heading over a competency's activities, e.g. core activities."
    )


Provenance = Literal["publication", "own"]


class ProfileFile(SourceModel):
    """``profile.yaml``: the profile's metadata and front matter."""

    title: Text
    subtitle: Text | None = None
    short_title: Text | None = Field(default=None, description="Used in page furniture; defaults to the title.")
    version: Text = Field(description='The edition printed on the profile, quoted: "4.0".')
    date: Text = Field(description="The publication date as printed, e.g. November 2020.")
    language: Language
    authors: list[Text] = Field(min_length=1)
    publisher: Text
    partners: list[Text] = Field(default_factory=list)
    citation: Text = Field(description="The citation exactly as the profile prints it.")
    provenance: Provenance = Field(
        default="publication",
        description="publication: the profile reproduces a published text (the citation names it), word for word;"
        " own: the organisation wrote it (the citation is how to cite it).",
    )
    vocabulary: Vocabulary = Field(default_factory=Vocabulary, description="What the profile calls its parts.")
    rights: Rights
    introduction: Section
    principles_section: Section
    domains_section: Section
    domains: list[Id] = Field(min_length=1, description="Domain ids in print order; each names a file in domains/.")


class PrincipleEntry(SourceModel):
    id: Id
    code: Code
    name: Text
    text: Text = Field(description="The principle's text after its name, as printed.")


class PrinciplesFile(SourceModel):
    """``principles.yaml``: the guiding principles in print order."""

    principles: list[PrincipleEntry] = Field(min_length=1)


class DomainFile(SourceModel):
    """``domains/<file>.yaml``: one domain and the order of its competencies."""

    id: Id
    code: Code
    name: Text
    overview: Text | None = Field(
        default=None,
        description="The domain's text in the profile's overview, when it differs from `summary`.",
    )
    summary: Text = Field(description="The domain's text on its own page.")
    competencies: list[Id] = Field(min_length=1, description="Competency ids in print order.")


class NestedActivity(SourceModel):
    """An activity with sub-items of its own (printed nested in the source)."""

    text: Text
    items: list[Text] = Field(min_length=1)


if TYPE_CHECKING:  # as for Block
    ActivityEntry = str | NestedActivity
else:
    ActivityEntry = text_or_mapping(
        "activity", NestedActivity, "must be the activity's text, or a mapping with 'text' and 'items'"
    )


class CompetencyFile(SourceModel):
    """``competencies/<file>.yaml``: one core competency."""

    id: Id
    code: Code
    name: Text
    description: list[Block] = Field(min_length=1, description="The core-component description.")
    activities: list[ActivityEntry] = Field(
        min_length=1, description="Core activities in source order; their codes are <code>.<position>."
    )


class LevelEntry(SourceModel):
    id: Id
    label: Text = Field(description="The level's label exactly as its source prints it.")
    descriptor: Markdown | None = Field(
        default=None,
        description="What the level means, only when the source or your organisation wrote it; never invented.",
    )


class ScaleFile(SourceModel):
    """``scales/<file>.yaml``: one rating scale and where it comes from."""

    id: Id
    name: Text
    source: Text = Field(description="Where the scale comes from, so that every worksheet can say so.")
    rated_unit: Literal["competency", "activity", "statement"] = Field(
        description="What the source rates with it; the worksheets rate each activity."
    )
    evidence_column: bool = Field(default=False, description="Whether the source pairs ratings with evidence.")
    not_applicable: Text = Field(
        default=NOT_APPLICABLE,
        description="The label of the N/A choice; without it, the engine's own, in each edition's language.",
    )
    language: Language | None = Field(
        default=None,
        description="The language of the scale's name, labels and descriptors, as its source prints them (BCP 47);"
        " default: the profile's. An edition in another language shows them as written, marked with it.",
    )
    levels: list[LevelEntry] = Field(min_length=2, max_length=7, description="From the lowest to the highest.")


CompetencyCode = Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9]{0,9}$", description="A competency's code, e.g. C3.")]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", description='A colour as "#rrggbb", in quotes.')]
Paper = Literal["a4", "letter"]
Format = Literal["html", "pdf", "fillable-pdf"]


class RoleFile(SourceModel):
    """``roles/<file>.yaml``: a role and the competencies it draws on most (an example mapping)."""

    id: Id
    name: Text
    description: Markdown = Field(description="Plain-language description of the role, written by this edition.")
    primary: list[CompetencyCode] = Field(min_length=1, description="Competencies the role draws on most.")
    supporting: list[CompetencyCode] = Field(default_factory=list, description="Competencies it also uses.")


class Logo(SourceModel):
    file: Text = Field(description="An SVG or PNG file inside the brand's folder.")
    alt: Text = Field(description="Alternative text, read out by screen readers in place of the logo.")


class Colours(SourceModel):
    """Colours of the brand; text colours are checked for WCAG AA contrast (4.5:1)."""

    accent: Colour = Field(default="#1d4e7a", description="Headings, rules and the cover band.")
    text: Colour = Field(default="#1b1b1b", description="Body text.")
    muted: Colour = Field(default="#4a4a4a", description="Secondary text: captions, page furniture.")
    background: Colour = Field(default="#ffffff", description="The page.")
    on_accent: Colour = Field(default="#ffffff", description="Text printed on the accent colour.")


class FontFiles(SourceModel):
    regular: Text
    bold: Text | None = None
    italic: Text | None = None
    bold_italic: Text | None = None


class BrandFont(SourceModel):
    family: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{0,60}$",
        description="The family name to use in the documents (letters, digits, spaces, hyphens).",
    )
    files: FontFiles = Field(
        description="Font files inside the brand's folder (TTF or OTF), with their licence beside them."
    )


class BrandFile(SourceModel):
    """``brands/<name>/brand.yaml``: an organisation's look, layered over the neutral default."""

    name: Text | None = Field(default=None, description="The organisation's name; none for the neutral default.")
    logo: Logo | None = None
    colours: Colours = Field(default_factory=Colours)
    font: BrandFont | None = Field(default=None, description="A font for headings and body text (PDF only).")
    tagline: Markdown | None = Field(default=None, description="A line under the organisation's name on covers.")
    footer: Text | None = Field(default=None, description="Text for the page footer, beside the page number.")
    contact: Markdown | None = Field(default=None, description="How to reach the organisation (back matter).")
    paper: Paper | None = Field(
        default=None, description="Paper size; default: the locale's (letter for en-US, A4 for most others)."
    )
    permission: Text | None = Field(
        default=None,
        description="Permission this organisation holds to reproduce the profile, printed in its editions.",
    )
    locale: Language = Field(default="en-GB", description="The interface's language and spelling: en-GB, en-US or es.")


PacketSectionName = Literal[
    "cover",
    "agenda",
    "objectives",
    "pre-work",
    "competency-map",
    "competencies",
    "worksheets",
    "reflection",
    "discussion-guide",
    "action-plan",
    "notes",
    "evaluation",
]
PacketSection = PacketSectionName


class Step(SourceModel):
    minutes: int = Field(ge=1, le=600, description="How long this step takes.")
    do: Markdown = Field(description="What the trainer and the participants do.")


class Guide(SourceModel):
    """The trainer's guide to one agenda block: every part is printed in the trainer edition."""

    purpose: Markdown = Field(description="Why the block is in the workshop, in a sentence or two.")
    steps: list[Step] = Field(min_length=1, description="What happens, in order; the minutes add up to the block's.")
    key_messages: list[Markdown] = Field(min_length=1, description="What every participant should take away.")
    debrief: list[Markdown] = Field(min_length=1, description="Questions to ask at the end of the block.")
    materials: list[Markdown] = Field(default_factory=list, description="What the block needs, besides the handouts.")
    handouts: list[PacketSectionName] = Field(
        default_factory=list, description="Handouts of the packet the block uses (sections); printed with their page."
    )
    if_short: Markdown = Field(description="What to cut or shorten when time runs short.")


class Slot(SourceModel):
    time: Text = Field(description='Start time as printed, in quotes: "09:30".')
    minutes: int = Field(ge=1, le=600)
    item: Markdown
    lead: Text | None = Field(default=None, description="Who leads the block; default: the facilitator.")
    guide: Guide


class Case(SourceModel):
    """A case the groups discuss, printed in the discussion guide."""

    title: Text
    text: Markdown
    example: bool = Field(default=False, description="Written for this recipe as an example; the packet says so.")


class TrainerPart(SourceModel):
    materials: list[Markdown] = Field(min_length=1, description="The materials checklist for the whole workshop.")
    before: list[Markdown] = Field(default_factory=list, description="What to do before the day.")
    follow_up: list[Markdown] = Field(default_factory=list, description="The follow-up plan after the workshop.")


class PacketFile(SourceModel):
    """``packets/<file>.yaml``: a workshop packet recipe."""

    id: Id
    title: Text
    event: Text
    date: Text
    venue: Text | None = None
    facilitator: Text
    audience: Markdown
    welcome: Markdown | None = Field(default=None, description="A short welcome, printed under the agenda.")
    objectives: list[Markdown] = Field(min_length=1)
    pre_work: list[Markdown] = Field(default_factory=list)
    print_pre_work: bool = Field(default=True, description="Print the pre-work in the packet (false: send it ahead).")
    agenda: list[Slot] = Field(min_length=1)
    role: Id | None = Field(default=None, description="The competencies of this role (primary, then supporting) ...")
    domains: list[Code] = Field(default_factory=list, description="... and every competency of these domains ...")
    competencies: list[CompetencyCode] = Field(
        default_factory=list, description="... and these; printed in the profile's order."
    )
    scale: Id | None = Field(default=None, description="Rating scale of the packet's worksheets; default: the build's.")
    paper: Paper | None = Field(default=None, description="Paper size; default: the edition's, or the brand's.")
    duplex: bool = Field(default=True, description="Printed on both sides: major parts start on a right-hand page.")
    sections: list[PacketSection] = Field(min_length=1, description="The handouts, in order.")
    cases: list[Case] = Field(default_factory=list, description="Cases for the small-group discussion.")
    discussion: list[Markdown] = Field(
        default_factory=list, description="Questions for the small-group discussion guide."
    )
    notes_pages: int = Field(default=1, ge=0, le=10)
    trainer: TrainerPart


class HandbookDoc(SourceModel):
    kind: Literal["handbook"]
    formats: list[Literal["html", "pdf"]] = Field(min_length=1)


class WorksheetDoc(SourceModel):
    kind: Literal["worksheet"]
    scope: Literal["profile", "domain", "competency"] = Field(
        default="profile", description="The whole profile, or one document per domain, or one per competency."
    )
    formats: list[Format] = Field(min_length=1)


class ExcerptDoc(SourceModel):
    kind: Literal["excerpt"]
    roles: list[Id] | Literal["all"] = Field(default="all", description="Role ids, or all.")
    formats: list[Literal["html", "pdf"]] = Field(min_length=1)


class PacketDoc(SourceModel):
    kind: Literal["packet"]
    packet: Id = Field(description="A recipe in packets/, by its id.")
    trainer: bool = Field(default=True, description="Also make the trainer edition.")
    slides: bool = Field(default=False, description="Also make the workshop's slides (16:9).")
    formats: list[Literal["html", "pdf"]] = Field(min_length=1)


def _document_kind(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else None
    return f"doc-{kind}" if kind in ("handbook", "worksheet", "excerpt", "packet") else None


DocumentEntry = Annotated[
    Annotated[HandbookDoc, Tag("doc-handbook")]
    | Annotated[WorksheetDoc, Tag("doc-worksheet")]
    | Annotated[ExcerptDoc, Tag("doc-excerpt")]
    | Annotated[PacketDoc, Tag("doc-packet")],
    Discriminator(
        _document_kind,
        custom_error_type="document_kind",
        custom_error_message="'kind' must be one of: handbook, worksheet, excerpt, packet",
    ),
]


class Edition(SourceModel):
    brand: Id = Field(description="A folder in brands/.")
    papers: list[Paper] | None = Field(default=None, description="Paper sizes; default: the brand's.")
    translation: Language | None = Field(
        default=None,
        description="Make this edition in a translation of the profile's text: a folder in the profile's"
        " translations/ (its outputs go to <brand>/<language>/).",
    )
    documents: list[DocumentEntry] = Field(min_length=1)


class BuildFile(SourceModel):
    """``build.yaml``: what ``python build.py`` makes by default. Command-line options override it."""

    profile: Text = Field(default="profile_src", description="The profile folder, relative to this file.")
    packets: Text = Field(default="packets", description="The folder of packet recipes, relative to this file.")
    output: Text = Field(
        default="output",
        description="The folder documents are written into, relative to this file (the command line's --output wins).",
    )
    scale: Id = Field(description="The rating scale worksheets use by default: a file name in scales/ without .yaml.")
    editions: list[Edition] = Field(min_length=1, description="One per brand: its papers and documents.")


class TranslationEntry(SourceModel):
    """One translated text: what it translates (the source's hash) and the translation."""

    source_hash: str = Field(
        pattern=r"^[0-9a-f]{8}$",
        description="The first 8 hex digits of the sha256 of the source text translated (whitespace joined, NFC),"
        " as `build.py translations LANG --init` writes it; a different hash now means the source changed since.",
    )
    source: str | None = Field(
        default=None, description="The source text, for the translator to read; not used by the build."
    )
    text: Text | None = Field(default=None, description="The translation; empty (null) while not yet translated.")


class TranslationFile(SourceModel):
    """``translations/<lang>/<file>.yaml``: translated texts of the profile, keyed by ids."""

    language: Language = Field(description="The translation's language (BCP 47), the same as its folder's name.")
    entries: dict[str, TranslationEntry] = Field(
        default_factory=dict,
        description="By key: profile.title, profile.introduction.body.1, principle.<id>.name,"
        " domain.<id>.summary, competency.<id>.name, competency.<id>.description.<n>[.<item>],"
        " competency.<id>.activity.<n>, competency.<id>.activity.<n>.item.<i>.",
    )


# Discriminator tags that pydantic inserts into error locations; they are not
# field names and are dropped before an error is mapped back to the YAML.
UNION_TAGS = frozenset(
    {
        "block-text",
        "block-mapping",
        "activity-text",
        "activity-mapping",
        "doc-handbook",
        "doc-worksheet",
        "doc-excerpt",
        "doc-packet",
    }
)

SCHEMAS: dict[str, type[SourceModel]] = {
    "profile": ProfileFile,
    "principles": PrinciplesFile,
    "domain": DomainFile,
    "competency": CompetencyFile,
    "scale": ScaleFile,
    "role": RoleFile,
    "brand": BrandFile,
    "packet": PacketFile,
    "build": BuildFile,
    "translation": TranslationFile,
}
