"""The shape of each source file, declared once.

These pydantic models validate what a YAML file holds (unknown keys are errors,
types are strict) and generate the JSON Schema that editors use to check a file
as it is typed (``python build.py schema``). They describe files, not the
profile: cross-references between files are checked when the model is linked
(see :mod:`profilepress.load`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

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
Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=80,
        description="Stable identifier: lower-case letters, digits and single hyphens (used in links and file names).",
    ),
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


def _block_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "block-paragraph"
    if isinstance(value, dict):
        return "block-list"
    return None


Block = Annotated[
    Union[Annotated[Text, Tag("block-paragraph")], Annotated[ItemList, Tag("block-list")]],
    Discriminator(
        _block_kind,
        custom_error_type="block_type",
        custom_error_message="must be a paragraph (text) or a list (a mapping with 'items')",
    ),
]


class Section(SourceModel):
    """A titled part of the front matter."""

    heading: Text
    body: list[Block] = Field(min_length=1, description="Paragraphs and lists, in order.")


class Rights(SourceModel):
    """What may be done with the profile's text."""

    licence: Text | None = Field(
        default=None, description="The licence the source states; null when it states none."
    )
    permission: Text | None = Field(
        default=None, description="Any permission held by whoever publishes this edition; null when none."
    )


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


def _activity_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "activity-text"
    if isinstance(value, dict):
        return "activity-nested"
    return None


ActivityEntry = Annotated[
    Union[Annotated[Text, Tag("activity-text")], Annotated[NestedActivity, Tag("activity-nested")]],
    Discriminator(
        _activity_kind,
        custom_error_type="activity_type",
        custom_error_message="must be the activity's text, or a mapping with 'text' and 'items'",
    ),
]


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
    descriptor: Text | None = Field(
        default=None,
        description="What the level means, only when the source or your organisation wrote it; never invented.",
    )


class ScaleFile(SourceModel):
    """``scales/<file>.yaml``: one rating scale and where it comes from."""

    id: Id
    name: Text
    source: Text = Field(description="Where the scale comes from, so that every worksheet can say so.")
    rated_unit: Literal["competency", "activity", "statement"] = Field(
        description="What the source rates with it; the worksheets rate each activity.")
    evidence_column: bool = Field(default=False, description="Whether the source pairs ratings with evidence.")
    not_applicable: Text = Field(default="No opportunity / N/A", description="The label of the N/A choice.")
    levels: list[LevelEntry] = Field(min_length=2, max_length=7, description="From the lowest to the highest.")


class DocumentEntry(SourceModel):
    """One line of the build plan: a kind of document, its scope and its formats."""

    kind: Literal["handbook", "worksheet"]
    scope: Literal["profile", "domain", "competency"] = Field(
        default="profile",
        description="The whole profile, or one document per domain, or one per competency.")
    formats: list[Literal["html", "pdf", "fillable-pdf"]] = Field(min_length=1)


class BuildFile(SourceModel):
    """``build.yaml``: what ``python build.py`` makes by default. Command-line options override it."""

    paper: Literal["a4", "letter"] = "a4"
    scale: Id = Field(description="The rating scale worksheets use by default: a file name in scales/ without .yaml.")
    documents: list[DocumentEntry] = Field(min_length=1)


# Discriminator tags that pydantic inserts into error locations; they are not
# field names and are dropped before an error is mapped back to the YAML.
UNION_TAGS = frozenset({"block-paragraph", "block-list", "activity-text", "activity-nested"})

SCHEMAS: dict[str, type[SourceModel]] = {
    "profile": ProfileFile,
    "principles": PrinciplesFile,
    "domain": DomainFile,
    "competency": CompetencyFile,
    "scale": ScaleFile,
    "build": BuildFile,
}
