"""Translated editions of a profile's content: what can be translated, how fresh each translation is,
and the translated model. Pure: it reads no file (the overlay files are read by
:mod:`profilepress.load.translations`).

Every translatable text of a profile has a **key** built from ids (``competency.listening.name``,
``competency.listening.activity.3``) and a **code** people read (``C1 name``, ``C1.3``). A translation
entry stores the text and the hash of the source text it translates (:func:`source_hash`); an entry whose
hash is not the current source's is **stale**, and an edition shows the source text in its place, as it
does for a **missing** entry. Each text of a translated :class:`~profilepress.model.Profile` is a
:class:`Localised` string that knows its language and whether it is the translation or the source.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from . import model
from .messages import same_language

HASH_LENGTH = 8


def normalised(text: str) -> str:
    """Text as it is compared: NFC, whitespace runs joined into one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def source_hash(text: str) -> str:
    """The short hash a translation entry records of the source text it translates."""
    return hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()[:HASH_LENGTH]


# --- states of a text ------------------------------------------------------------------------------

TRANSLATED, MISSING, STALE = "translated", "missing", "stale"
SOURCE = "source"  # a text a translation never translates (the citation, the publisher, a role): the source's


class Localised(str):
    """A text of a translated edition: the translation, or the source text it fell back to.

    ``lang``: the language of the text itself (the edition's, or the source's on a fallback);
    ``state``: ``translated``, ``missing`` or ``stale``, or ``source`` for a text that is never translated
    (shown, like a fallback, in the source's language). It is a ``str``, so templates and filters use it as
    text; :func:`lang_of` and :func:`fallback` ask for the rest (a plain ``str`` answers None and False).
    """

    lang: str
    state: str
    source: str  # the source text (itself, on a fallback): worksheets are identified by it (see forms.py)

    def __new__(cls, text: str, lang: str, state: str, source: str | None = None) -> Localised:
        self = super().__new__(cls, text)
        self.lang = lang
        self.state = state
        self.source = str(text) if source is None else source
        return self

    @property
    def fallback(self) -> bool:
        return self.state != TRANSLATED

    def __reduce__(self):  # pickled with its language (workers get the model by pickling)
        return (Localised, (str(self), self.lang, self.state, self.source))

    def __repr__(self) -> str:  # dependency hashes (deps.value_hash) see the language and state too
        return f"Localised({str(self)!r}, {self.lang!r}, {self.state!r}, {self.source!r})"


def derived(text: str, new: str) -> str:
    """``new``, made from ``text`` (capitalised, joined with a code), with ``text``'s language and state."""
    if isinstance(text, Localised):
        return Localised(new, text.lang, text.state, new if text.fallback else text.source)
    return new


def reminder(competency: model.Competency) -> str:
    """:func:`model.reminder` (the first sentence of a competency's description), in the language of the text
    it is cut from."""
    paragraphs = [b.text for b in competency.description if isinstance(b, model.Paragraph)]
    opening = competency.description[0]
    source = paragraphs[0] if paragraphs else opening.items[0] if isinstance(opening, model.ItemList) else ""
    return derived(source, model.reminder(competency))


def lang_of(text: object) -> str | None:
    """The language of a text of a translated edition; None for a text of an untranslated one."""
    return text.lang if isinstance(text, Localised) else None


def source_of(text: str) -> str:
    """The source text a text of a translated edition shows or translates; a plain text itself."""
    return text.source if isinstance(text, Localised) else text


def fallback(text: object) -> bool:
    """Whether this text is shown in the source's language in a translated edition: its translation is
    missing or stale, or it is never translated."""
    return isinstance(text, Localised) and text.fallback


# --- what can be translated ------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str  # from ids: competency.listening.activity.3
    code: str  # for people: C1.3
    text: str  # the source text


def _section_fields(prefix: str, label: str, section: model.Section) -> Iterator[Field]:
    yield Field(f"{prefix}.heading", f"{label} heading", section.heading)
    yield from _block_fields(f"{prefix}.body", label, section.body)


def _block_fields(prefix: str, label: str, blocks: tuple[model.Block, ...]) -> Iterator[Field]:
    for n, block in enumerate(blocks, start=1):
        if isinstance(block, model.Paragraph):
            yield Field(f"{prefix}.{n}", f"{label} ¶{n}", block.text)
        else:
            for i, item in enumerate(block.items, start=1):
                yield Field(f"{prefix}.{n}.{i}", f"{label} ¶{n} item {i}", item)


TERMS = {"principle": "principles", "domain": "domains", "competency": "competencies"}  # the parts it names
HEADINGS = ("description", "activities")  # the vocabulary's headings over a competency's two parts


def _vocabulary_fields(v: model.Vocabulary) -> Iterator[Field]:
    """What the profile calls its parts (its own words, or the engine's defaults when it declares none)."""
    for part, parts in TERMS.items():
        term = getattr(v, part)
        yield Field(f"vocabulary.{part}.one", f"vocabulary {part}", term.one)
        yield Field(f"vocabulary.{part}.many", f"vocabulary {parts}", term.many)
    for name in HEADINGS:
        yield Field(f"vocabulary.{name}", f"vocabulary {name}", getattr(v, name))


def fields(profile: model.Profile) -> Iterator[Field]:
    """Every translatable text of the profile, in print order, with its key and code."""
    for name in ("title", "subtitle", "short_title", "date"):
        value = getattr(profile, name)
        if value:
            yield Field(f"profile.{name}", name.replace("_", " "), value)
    yield from _vocabulary_fields(profile.vocabulary)
    yield from _section_fields("profile.introduction", "introduction", profile.introduction)
    yield from _section_fields("profile.principles_section", "principles section", profile.principles_section)
    for p in profile.principles:
        yield Field(f"principle.{p.id}.name", f"{p.code} name", p.name)
        yield Field(f"principle.{p.id}.text", f"{p.code} text", p.text)
    yield from _section_fields("profile.domains_section", "domains section", profile.domains_section)
    for d in profile.domains:
        yield Field(f"domain.{d.id}.name", f"{d.code} name", d.name)
        if d.overview != d.summary:
            yield Field(f"domain.{d.id}.overview", f"{d.code} overview", d.overview)
        yield Field(f"domain.{d.id}.summary", f"{d.code} summary", d.summary)
        for c in d.competencies:
            yield Field(f"competency.{c.id}.name", f"{c.code} name", c.name)
            yield from _block_fields(f"competency.{c.id}.description", f"{c.code} description", c.description)
            for n, a in enumerate(c.activities, start=1):
                yield Field(f"competency.{c.id}.activity.{n}", a.code, a.text)
                for i, item in enumerate(a.items, start=1):
                    yield Field(f"competency.{c.id}.activity.{n}.item.{i}", f"{a.code} item {i}", item)


# --- an overlay and its state ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One translated text as its overlay file holds it."""

    key: str
    text: str | None  # None: not translated yet (a skeleton)
    source_hash: str
    where: tuple[str, int, int] = ("", 0, 0)  # file, line, column of the entry


@dataclass(frozen=True)
class Overlay:
    """A language's translation entries, by key."""

    lang: str
    entries: Mapping[str, Entry] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    """How far a language's translation is: every field's state, and the entries that match no field."""

    lang: str
    translated: tuple[Field, ...]
    missing: tuple[Field, ...]
    stale: tuple[tuple[Field, Entry], ...]
    unknown: tuple[Entry, ...]

    @property
    def complete(self) -> bool:
        return not (self.missing or self.stale or self.unknown)


def state(profile: model.Profile, overlay: Overlay) -> State:
    translated, missing, stale = [], [], []
    known = set()
    for f in fields(profile):
        known.add(f.key)
        entry = overlay.entries.get(f.key)
        if entry is None or entry.text is None:
            missing.append(f)
        elif entry.source_hash != source_hash(f.text):
            stale.append((f, entry))
        else:
            translated.append(f)
    unknown = tuple(e for k, e in overlay.entries.items() if k not in known)
    return State(overlay.lang, tuple(translated), tuple(missing), tuple(stale), unknown)


# --- the translated model ----------------------------------------------------------------------------


def translate(profile: model.Profile, overlay: Overlay) -> model.Profile:
    """The profile with the overlay applied: every translatable text a :class:`Localised`, the translation
    where it is current, else the source text marked with the source's language. Pure."""
    source_lang = profile.language

    def text(key: str, value: str) -> Localised:
        entry = overlay.entries.get(key)
        if entry is None or entry.text is None:
            return Localised(value, source_lang, MISSING)
        if entry.source_hash != source_hash(value):
            return Localised(value, source_lang, STALE)
        return Localised(entry.text, overlay.lang, TRANSLATED, value)

    def blocks(prefix: str, items: tuple[model.Block, ...]) -> tuple[model.Block, ...]:
        out: list[model.Block] = []
        for n, block in enumerate(items, start=1):
            if isinstance(block, model.Paragraph):
                out.append(model.Paragraph(text(f"{prefix}.{n}", block.text)))
            else:
                out.append(
                    model.ItemList(tuple(text(f"{prefix}.{n}.{i}", v) for i, v in enumerate(block.items, start=1)))
                )
        return tuple(out)

    def section(prefix: str, s: model.Section) -> model.Section:
        return model.Section(text(f"{prefix}.heading", s.heading), blocks(f"{prefix}.body", s.body))

    def competency(c: model.Competency) -> model.Competency:
        k = f"competency.{c.id}"
        activities = tuple(
            replace(
                a,
                text=text(f"{k}.activity.{n}", a.text),
                items=tuple(text(f"{k}.activity.{n}.item.{i}", v) for i, v in enumerate(a.items, start=1)),
            )
            for n, a in enumerate(c.activities, start=1)
        )
        return replace(
            c,
            name=text(f"{k}.name", c.name),
            description=blocks(f"{k}.description", c.description),
            activities=activities,
        )

    def domain(d: model.Domain) -> model.Domain:
        k = f"domain.{d.id}"
        summary = text(f"{k}.summary", d.summary)
        overview = text(f"{k}.overview", d.overview) if d.overview != d.summary else summary
        return replace(
            d,
            name=text(f"{k}.name", d.name),
            overview=overview,
            summary=summary,
            competencies=tuple(competency(c) for c in d.competencies),
        )

    def untranslated(value: str) -> Localised:
        return Localised(value, source_lang, SOURCE)

    def term(part: str) -> model.Term:
        source = getattr(profile.vocabulary, part)
        return model.Term(text(f"vocabulary.{part}.one", source.one), text(f"vocabulary.{part}.many", source.many))

    vocabulary = model.Vocabulary(
        principle=term("principle"),
        domain=term("domain"),
        competency=term("competency"),
        description=text("vocabulary.description", profile.vocabulary.description),
        activities=text("vocabulary.activities", profile.vocabulary.activities),
    )
    domains = tuple(domain(d) for d in profile.domains)
    by_code = {c.code: c for d in domains for c in d.competencies}
    roles = tuple(
        replace(
            r,
            name=untranslated(r.name),
            description=untranslated(r.description),
            primary=tuple(by_code[c.code] for c in r.primary),
            supporting=tuple(by_code[c.code] for c in r.supporting),
        )
        for r in profile.roles
    )
    return replace(
        profile,
        title=text("profile.title", profile.title),
        subtitle=text("profile.subtitle", profile.subtitle) if profile.subtitle else profile.subtitle,
        short_title=text("profile.short_title", profile.short_title),
        date=text("profile.date", profile.date),
        citation=untranslated(profile.citation),
        publisher=untranslated(profile.publisher),
        language=overlay.lang,
        source_language=source_lang,
        vocabulary=vocabulary,
        introduction=section("profile.introduction", profile.introduction),
        principles_section=section("profile.principles_section", profile.principles_section),
        domains_section=section("profile.domains_section", profile.domains_section),
        principles=tuple(
            replace(p, name=text(f"principle.{p.id}.name", p.name), text=text(f"principle.{p.id}.text", p.text))
            for p in profile.principles
        ),
        domains=domains,
        roles=roles,
    )


def translate_brand(brand: model.Brand, locale: str) -> model.Brand:
    """A brand as a translated edition shows it: its interface in ``locale``; where that is not the language
    its own text is written in (``text_lang``), its name, tagline, contact, footer and permission keep their
    language (``source`` :class:`Localised` texts, marked where they are shown, as a role's are)."""
    brand = replace(brand, locale=locale)
    if same_language(brand.text_lang, locale):
        return brand

    def own(words: str | None) -> str | None:
        return Localised(words, brand.text_lang, SOURCE) if words else words

    return replace(
        brand,
        name=own(brand.name),
        tagline=own(brand.tagline),
        contact=own(brand.contact),
        footer=own(brand.footer),
        permission=own(brand.permission),
    )


def translate_packets(packets: Mapping[str, model.Packet], profile: model.Profile) -> dict[str, model.Packet]:
    """Packet recipes whose competencies and role are the translated profile's (matched by code and id). A
    recipe is never translated: its own text is written in the source profile's language, and keeps it (a
    ``source`` :class:`Localised` text, marked where it is shown); the people it names are names."""
    by_code = {c.code: c for c in profile.competencies}
    roles = {r.id: r for r in profile.roles}
    lang = profile.source_language or profile.language
    foreign = not same_language(lang, profile.language)

    def own(value: str) -> str:
        return Localised(value, lang, SOURCE) if value and foreign else value

    def all_own(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(own(v) for v in values)

    def slot(s: model.Slot) -> model.Slot:
        g = s.guide
        guide = replace(
            g,
            purpose=own(g.purpose),
            steps=tuple(replace(step, do=own(step.do)) for step in g.steps),
            key_messages=all_own(g.key_messages),
            debrief=all_own(g.debrief),
            materials=all_own(g.materials),
            if_short=own(g.if_short),
        )
        return replace(s, item=own(s.item), guide=guide)

    return {
        pid: replace(
            p,
            title=own(p.title),
            event=own(p.event),
            date=own(p.date),
            venue=own(p.venue) if p.venue else p.venue,
            audience=own(p.audience),
            welcome=own(p.welcome) if p.welcome else p.welcome,
            objectives=all_own(p.objectives),
            pre_work=all_own(p.pre_work),
            agenda=tuple(slot(s) for s in p.agenda),
            cases=tuple(replace(c, title=own(c.title), text=own(c.text)) for c in p.cases),
            discussion=all_own(p.discussion),
            trainer=replace(
                p.trainer,
                materials=all_own(p.trainer.materials),
                before=all_own(p.trainer.before),
                follow_up=all_own(p.trainer.follow_up),
            ),
            competencies=tuple(by_code.get(c.code, c) for c in p.competencies),
            role=roles.get(p.role.id, p.role) if p.role is not None else None,
        )
        for pid, p in packets.items()
    }


@dataclass(frozen=True)
class Summary:
    """What a translated document says about itself (``translation`` in the template context): its language,
    and the source's, which governs. Which texts fell back to the source is told text by text
    (:func:`fallback`, :func:`lang_of`), so that a document depends only on the texts it shows."""

    lang: str
    source_lang: str


def summary(profile: model.Profile) -> Summary | None:
    """For the template context: None for the source's edition, else the translation's language and the
    source's."""
    if profile.source_language is None:
        return None
    return Summary(profile.language, profile.source_language)


# --- a skeleton for the translator -----------------------------------------------------------------


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def skeleton(lang: str, missing: list[Field], schema: str = "") -> str:
    """A new overlay file holding an untranslated entry (``text:`` empty) for each field, with the source text
    beside it, for a translator to fill in."""
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    lines += [
        f"# Translation ({lang}) of the profile's text. Fill in each 'text:'; keep 'source_hash' as it is:",
        "# it records which source text you translated ('build.py translations' reports entries whose source",
        "# changed since). 'source' is there for you to read; changing it changes nothing.",
        f"language: {lang}",
        "entries:",
    ]
    for f in missing:
        lines += [
            f"  {f.key}:  # {f.code}",
            f"    source: {_quoted(f.text)}",
            f"    source_hash: {_quoted(source_hash(f.text))}",
            "    text: null",
        ]
    return "\n".join(lines) + "\n"
