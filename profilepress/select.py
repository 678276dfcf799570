"""Select stage: the one place that decides what a document shows.

Each function takes the validated model and returns the context a template lays
out: which parts, in which order, with which headings in the contents, which
stylesheets, and the brand layered over them. Templates never filter, sort or
number.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from . import forms, measure, pagination, review, text, theme
from . import slides as slide_deck
from .home import ENGINE_ROOT
from .messages import N_, NOT_APPLICABLE, SOURCE_LOCALE, language_name, number, same_language, translator
from .model import (  # noqa: F401  (re-exported: select.scopes)
    Activity,
    Brand,
    Competency,
    Domain,
    Level,
    Packet,
    Paragraph,
    Profile,
    RatingScale,
    Role,
    Scope,
    clock_minutes,
    clock_time,
    padded,
    scopes,
)
from .render import capitalised as _capitalised
from .render import css_string, marked, phrase
from .translation import SOURCE, Localised, derived, fallback, reminder, source_of
from .translation import summary as translation_summary

# Our own words, in plain language, printed under every competency and marked as
# added by this edition (the profile has no reflection prompts).
REFLECTION_PROMPTS = (
    N_("Which of these activities do you do with the most confidence? What helps you?"),
    N_("Which one activity, done more or better, would make the biggest difference to the people you support?"),
    N_("What evidence or feedback could you gather before your next rating?"),
)

# A workshop's evaluation form: our own statements, rated on a labelled five-point agreement scale.
# (The second statement names the profile's parts in its own words: see _evaluation.)
EVALUATION_STATEMENTS = (
    N_("The workshop met its learning objectives."),
    N_("I understand the %(principles)s and the %(domains)s of the profile."),
    N_("The self-assessment helped me see what I do well and what to work on."),
    N_("The small-group discussion was useful for my work."),
    N_("I know what I will do next, and who can help me."),
)
AGREEMENT = (
    N_("Strongly disagree"),
    N_("Disagree"),
    N_("Neither agree nor disagree"),
    N_("Agree"),
    N_("Strongly agree"),
)
EVALUATION_QUESTIONS = (N_("What was most useful today?"), N_("What would you change about this workshop?"))
ACTION_PLAN_COLUMNS = (
    N_("Activity I will work on (code)"),
    N_("My first step"),
    N_("By when"),
    N_("Who can help me"),
    N_("How I will know it is working"),
)
# The headings of a packet's handouts, by section (the trainer's guide refers to them).
HANDOUT_TITLES = {
    "cover": N_("Cover"),
    "objectives": N_("What you will learn"),
    "agenda": N_("Agenda"),
    "pre-work": N_("Before the workshop"),
    "competency-map": N_("The competencies at a glance"),
    "competencies": N_("The competencies of this workshop"),
    "worksheets": N_("Self-assessment"),
    "discussion-guide": N_("Small-group discussion"),
    "reflection": N_("Reflection"),
    "action-plan": N_("My action plan"),
    "notes": N_("Notes"),
    "evaluation": N_("Evaluation"),
}


@dataclass(frozen=True)
class ContentsEntry:
    """One line of a table of contents (and, in print, of the PDF outline)."""

    anchor: str
    label: str
    code: str = ""
    children: tuple[ContentsEntry, ...] = field(default=())
    own: bool = False  # the label is the profile's words (marked with their language where it is not the interface's)


# --- what every document shares ------------------------------------------------------------

STYLES = {
    # document kind → (stylesheets for the screen, stylesheets for print): base.css, then print.css on paper,
    # then the kind's own file, if it has one
    "handbook": (("css/base.css",), ("css/base.css", "css/print.css")),
    "worksheet": (("css/base.css", "css/worksheet.css"), ("css/base.css", "css/print.css")),
    "summary": (("css/base.css", "css/summary.css"), ("css/base.css", "css/print.css", "css/summary.css")),
    # one person's report: the summary's stylesheets
    "person": (("css/base.css", "css/summary.css"), ("css/base.css", "css/print.css", "css/summary.css")),
    "excerpt": (("css/base.css",), ("css/base.css", "css/print.css")),
    "slides": (("css/base.css", "css/slides.css"), ("css/base.css", "css/print.css", "css/slides.css")),
    "packet": (("css/base.css", "css/packet.css"), ("css/base.css", "css/print.css", "css/packet.css")),
    "review": (("css/base.css", "css/review.css"), ("css/base.css", "css/review.css")),  # on screen only
}


def frame(
    profile: Profile,
    brand: Brand,
    kind: str,
    printed: bool,
    title: str,
    description: str,
    *,
    landscape: bool = False,
    duplex: bool = True,
) -> dict[str, Any]:
    """The context every template needs: the profile, the brand, stylesheets, rights, the document's facts,
    and the edition's words: the interface's language, the profile's vocabulary and provenance."""
    _ = translator(brand.locale)
    return {
        "profile": profile,
        "brand": brand,
        "brand_css": Markup(theme.brand_css(brand, print_fonts=printed)),
        "styles": STYLES[kind][1 if printed else 0],
        "rights": {"licence": profile.rights.licence, "permission": brand.permission or profile.rights.permission},
        "code_examples": _code_examples(profile),
        "document": {
            "kind": kind,
            "title": title,
            "description": description,
            "landscape": landscape,
            "duplex": duplex,
            "created": None,
            "author": None,
        },
        "fillable": False,
        "print": None,
        "locale": brand.locale,
        "lang": brand.locale,
        "content_lang": content_lang(profile, brand.locale),
        "terms": terms(profile),
        "wording": Wording(profile, _, brand.locale),
        "translation": translation_summary(profile),
        "furniture": furniture(_),
    }


def content_lang(profile: Profile, locale: str) -> Markup:
    """The ``lang`` attribute the profile's text carries when its language is not the interface's (so that a
    screen reader pronounces each in its own language); nothing when they are the same language."""
    return Markup("") if same_language(profile.language, locale) else Markup(' lang="{}"').format(profile.language)


# --- the rating scale, as an edition shows it -------------------------------------------------------


def shown_scale(scale: RatingScale, profile: Profile, locale: str, _) -> RatingScale:
    """The rating scale as an edition shows it.

    A scale is cited from its source (scales/README.md): its name, labels and descriptors are printed as the
    source prints them, never translated; where the interface's language is not the scale's, they keep their
    own language, marked (a :class:`~profilepress.translation.Localised` text, as the citation is), and the
    documents say so (:func:`scale_note`). The N/A choice's label, when the scale's file gives none, is the
    engine's own words, and follows the interface (messages.NOT_APPLICABLE).
    """
    lang = scale_language(scale, profile)
    foreign = not same_language(lang, locale)

    def cited(words: str) -> str:
        return Localised(words, lang, SOURCE) if foreign else words

    return RatingScale(
        scale.id,
        cited(scale.name),
        cited(scale.source),
        scale.rated_unit,
        scale.evidence_column,
        _(NOT_APPLICABLE) if scale.not_applicable == NOT_APPLICABLE else cited(scale.not_applicable),
        tuple(
            Level(level.id, cited(level.label), cited(level.descriptor) if level.descriptor else None, level.rank)
            for level in scale.levels
        ),
        lang,
    )


def scale_language(scale: RatingScale, profile: Profile) -> str:
    """The language of a scale's words: its file's, else the profile's (a translation's source's)."""
    return scale.language or profile.source_language or profile.language


def scale_note(scale: RatingScale, locale: str, _) -> str:
    """The sentence that says a scale's words are quoted in their own language, when it is not the
    interface's; else nothing."""
    if scale.language is None or same_language(scale.language, locale):
        return ""
    return _("The names of the levels are quoted as their source gives them, in %(language)s.") % {
        "language": language_name(scale.language, locale)
    }


def terms(profile: Profile) -> dict[str, str]:
    """The profile's names for its parts (its vocabulary), as headings and mid-sentence: the profile's words,
    translated only by a translation of the profile (each keeps its language: see translation.derived)."""
    v = profile.vocabulary
    return {
        "description": v.description,
        "description_heading": _capitalised(v.description),
        "activities": v.activities,
        "activities_heading": _capitalised(v.activities),
        "principles": v.principle.many,
        "principles_heading": _capitalised(v.principle.many),
        "domains": v.domain.many,
        "competencies": v.competency.many,
    }


def _code(value: str) -> Markup:
    return Markup('<span class="code">{}</span>').format(value)


def _listed(items: list[Markup], _) -> Markup:
    """A, B and C, in the interface's language."""
    if len(items) < 2:
        return Markup("").join(items)
    return Markup(_("%(items)s and %(last)s")) % {"items": Markup(", ").join(items[:-1]), "last": items[-1]}


class Wording:
    """The sentences about where an edition's text comes from. They follow the profile's provenance (a
    publication reproduced word for word, or the organisation's own text), whether the edition is a
    translation (which says so, and that the original governs), and the interface's language."""

    def __init__(self, profile: Profile, _, locale: str | None = None):
        self._ = _
        self.reproduced = profile.reproduced
        self.examples = _code_examples(profile)
        licence = profile.rights.licence
        self.governs = ""
        self.untranslated_note = ""
        self.licence_heading = _("Licence")
        self.licence_line = _("Licence: %(licence)s") % {"licence": licence} if licence else ""
        if profile.source_language is not None:
            self._translated(profile, _, locale)
        elif profile.reproduced:
            self.about_source = _("This document reproduces the text of the following profile word for word:")
            self.colophon_source = _("Reproduced word for word from:")
            self.verbatim_note = _("Reproduced word for word from the profile.")
            self.packet_source = _("The competencies and their activities are reproduced word for word from:")
            self.back_cover = (
                _("This edition reproduces the %(title)s word for word, under %(licence)s.")
                % {"title": profile.title, "licence": licence}
                if licence
                else _("This edition reproduces the %(title)s word for word.") % {"title": profile.title}
            )
        else:
            self.about_source = _("This document holds the text of the following profile, written by its publisher:")
            self.colophon_source = _("The profile's text is its publisher's own. Cite it as:")
            self.verbatim_note = _("As written in the profile.")
            self.packet_source = _("The competencies and their activities are those of:")
            self.back_cover = (
                _("This edition holds the %(title)s, under %(licence)s.") % {"title": profile.title, "licence": licence}
                if licence
                else _("This edition holds the %(title)s.") % {"title": profile.title}
            )

    def _translated(self, profile: Profile, _, locale: str | None) -> None:
        """A translation: never "word for word"; a publication's is unofficial; the original governs."""
        assert profile.source_language is not None
        language = language_name(profile.source_language, locale)
        original = Markup('<span lang="{}">{}</span>').format(profile.source_language, source_of(profile.title))
        licence = profile.rights.licence
        self.governs = _(
            "Where the translation and the original differ, the original text, in %(language)s, governs."
        ) % {"language": language}
        self.untranslated_note = _("Passages not yet translated are shown in the original %(language)s.") % {
            "language": language
        }
        self.licence_heading = _("Licence of the original")
        self.licence_line = _("Licence of the original: %(licence)s") % {"licence": licence} if licence else ""
        if profile.reproduced:
            self.about_source = _("This document is an unofficial translation of the following publication:")
            self.colophon_source = _("Unofficial translation of:")
            self.verbatim_note = _(
                "An unofficial translation of the profile: where the two differ, the original text, in "
                "%(language)s, governs."
            ) % {"language": language}
            self.packet_source = _("The competencies and their activities are an unofficial translation of:")
            self.back_cover = Markup(
                _(
                    "This edition is an unofficial translation of the %(title)s, published under %(licence)s; "
                    "the original text governs."
                )
                if licence
                else _("This edition is an unofficial translation of the %(title)s; the original text governs.")
            ) % {"title": original, "licence": licence}
        else:
            self.about_source = _(
                "This document holds a translation of the following profile, written by its publisher:"
            )
            self.colophon_source = _(
                "A translation of the profile's text, which is its publisher's own. Cite the original as:"
            )
            self.verbatim_note = _(
                "Translated from the profile: where the two differ, the original text, in %(language)s, governs."
            ) % {"language": language}
            self.packet_source = _("The competencies and their activities are translated from:")
            self.back_cover = Markup(
                _("This edition holds a translation of the %(title)s, under %(licence)s.")
                if licence
                else _("This edition holds a translation of the %(title)s.")
            ) % {"title": original, "licence": licence}

    @property
    def about_codes(self) -> Markup:
        _ = self._
        codes = _listed([_code(c) for c in self.examples], _)
        if self.reproduced:
            return Markup(
                _(
                    "The codes in this edition (such as %(codes)s) are not part of the profile. They were added so "
                    "that the same principle, domain, competency or activity can be referred to in the same way in "
                    "every document made from it."
                )
            ) % {"codes": codes}
        return Markup(
            _(
                "The codes (such as %(codes)s) refer to the same principle, domain, competency or activity in the "
                "same way in every document made from the profile."
            )
        ) % {"codes": codes}

    def colophon_codes(self, codes: tuple[str, ...], added: str = "") -> Markup:
        _ = self._
        if not self.reproduced:  # the codes are the profile's own
            return (
                Markup(_capitalised(_("%(added)s were added by this edition.") % {"added": added}))
                if added
                else Markup("")
            )
        pair = _listed([_code(c) for c in codes[:2]], _)
        if added:
            return Markup(_("The codes (such as %(codes)s) and %(added)s were added by this edition.")) % {
                "codes": pair,
                "added": added,
            }
        return Markup(_("The codes (such as %(codes)s) were added by this edition.")) % {"codes": pair}

    def packet_added(self, cases: bool) -> Markup:
        _ = self._
        if self.reproduced:
            pair = _listed([_code(c) for c in self.examples[2:4]], _)
            message = (
                _(
                    "The codes (such as %(codes)s), the reflection questions, the cases, the action plan and the "
                    "evaluation were written for this workshop; they are not part of the profile."
                )
                if cases
                else _(
                    "The codes (such as %(codes)s), the reflection questions, the action plan and the evaluation "
                    "were written for this workshop; they are not part of the profile."
                )
            )
            return Markup(message) % {"codes": pair}
        return Markup(
            _(
                "The reflection questions, the cases, the action plan and the evaluation were written for this "
                "workshop; they are not part of the profile."
            )
            if cases
            else _(
                "The reflection questions, the action plan and the evaluation were written for this workshop; they "
                "are not part of the profile."
            )
        )


def css_content(message: str, **pieces: str) -> str:
    """A translated message as the value of a CSS ``content`` property: its text as quoted strings, each
    ``%(name)s`` replaced by the CSS given for it (``counter(page)``), so that a language can move them."""
    out = []
    for i, part in enumerate(re.split(r"%\((\w+)\)s", message)):
        if i % 2:
            out.append(pieces[part])
        elif part:
            out.append(f'"{css_string(part.replace("%%", "%"))}"')
    return " ".join(out) or '""'


def furniture(_) -> dict[str, Markup]:
    """The words of the page furniture, as CSS ``content`` values (running heads and feet, page numbers)."""
    page, pages = "counter(page)", "counter(pages)"
    return {
        key: Markup(value)
        for key, value in {
            "page": css_content(_("Page %(page)s"), page=page),
            "page_of": css_content(_("Page %(page)s of %(pages)s"), page=page, pages=pages),
            "notes": css_content(_("Notes")),
            "continued": css_content(_("%(heading)s (continued)"), heading="content(text)"),
            "page_ref": css_content(_(", page %(page)s"), page="target-counter(attr(href), page)"),
            "trainer_copy": css_content(_("Trainer copy")),
            "trainer_page": css_content(_("Trainer copy · page T%(page)s"), page=page),
        }.items()
    }


def js_messages(messages: dict[str, str], _) -> Markup:
    """Messages a page's script shows, translated, as a JavaScript object (safe inside a <script> element)."""
    text = json.dumps({key: _(value) for key, value in messages.items()}, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# What the worksheet's script says (``%(file)s`` and the like are filled in by the script).
WORKSHEET_SCRIPT = {
    "notAnswers": N_("%(file)s is not a saved answers file."),
    "otherWorksheet": N_(
        "%(file)s was saved from a different worksheet (another version of the profile or another rating scale), "
        "so it was not loaded."
    ),
    "loaded": N_("Loaded the answers from %(file)s."),
    "kept": N_("This browser kept answers you gave on %(when)s (%(count)s filled in). Restore them?"),
    "restored": N_("Your answers are back. Save them to a file to keep them safely."),
    "afresh": N_("Starting afresh."),
    "saved": N_("Saved as %(file)s. Keep this file: load it here to carry on, or give it to your coach."),
}
SLIDES_SCRIPT = {
    "help": N_("← → or a tap on the right or left of the slide to move; Home and End for the first and last slide"),
    "slide": N_("Slide %(number)s of %(count)s: %(heading)s"),
}


def _code_examples(profile: Profile) -> tuple[str, ...]:
    first = profile.domains[0].competencies[0]
    return profile.principles[0].code, profile.domains[0].code, first.code, first.activities[0].code


def _contents_for(
    profile: Profile, domains: list[tuple[Domain, tuple[Competency, ...]]], front: tuple[ContentsEntry, ...]
) -> tuple[ContentsEntry, ...]:
    return front + tuple(
        ContentsEntry(d.id, d.name, d.code, tuple(ContentsEntry(c.id, c.name, c.code, own=True) for c in members), True)
        for d, members in domains
    )


def _by_domain(profile: Profile, competencies: tuple[Competency, ...]) -> list[tuple[Domain, tuple[Competency, ...]]]:
    """The chosen competencies grouped under their domains, in the profile's order."""
    chosen = set(c.code for c in competencies)
    return [
        (d, tuple(c for c in d.competencies if c.code in chosen))
        for d in profile.domains
        if any(c.code in chosen for c in d.competencies)
    ]


# --- handbook ------------------------------------------------------------------------------


def handbook(profile: Profile, brand: Brand, printed: bool) -> dict[str, Any]:
    """The whole profile, in print order."""
    _ = translator(brand.locale)
    t = terms(profile)
    context = frame(
        profile,
        brand,
        "handbook",
        printed,
        profile.full_title,
        _("The %(title)s, version %(version)s (%(date)s): %(principles)s, %(domains)s and %(competencies)s.")
        % {"title": profile.title, "version": profile.version, "date": profile.date, **t},
    )
    context["contents"] = _contents_for(
        profile,
        [(d, d.competencies) for d in profile.domains],
        (
            ContentsEntry("about", _("About this edition")),
            ContentsEntry("introduction", profile.introduction.heading, own=True),
            ContentsEntry("principles", profile.principles_section.heading, own=True),
            ContentsEntry("domains", profile.domains_section.heading, own=True),
        ),
    )
    context["domains"] = profile.domains
    return context


# --- worksheets ----------------------------------------------------------------------------


# The two rounds of rating, as column headings, as words and as a heading.
ROUNDS = {
    1: {"short": N_("1st"), "long": N_("first rating"), "heading": N_("First rating")},
    2: {"short": N_("2nd"), "long": N_("second rating"), "heading": N_("Second rating")},
}


def rounds_named(_) -> dict[int, dict[str, str]]:
    return {n: {key: _(words) for key, words in named.items()} for n, named in ROUNDS.items()}


# Ruled lines (8 mm apart on paper) for writing: under each activity, and for notes and reflection,
# compact under a competency's table or filling a page of their own.
WRITING_LINES = {"evidence": 2, "notes": 6, "reflection": 3, "page_notes": 19, "page_reflection": 16}
HEADING_PT = 7.5  # rating column headings on paper (bold)
HALF_COLUMN_MIN_MM = 9.5  # one tick box column: a 4.5 mm box with room around it
COLUMN_PADDING_MM = 2.4


def _level_width(labels: list[str]) -> dict[str, str]:
    """The width of each of a level's two tick columns (1st, 2nd), for paper and for the screen."""
    em = max(
        (
            measure.width_em(part, bold=True)
            for label in labels
            for word in label.split()
            for part in text.SLASH_BETWEEN_WORDS.split(word)
        ),
        default=0.0,
    )
    pair_mm = em * HEADING_PT * 25.4 / 72 + COLUMN_PADDING_MM
    half_mm = max(HALF_COLUMN_MIN_MM, math.ceil(pair_mm * 2) / 4)  # half the pair, to 0.25 mm
    # On screen the heading is 0.8rem, in a font the reader's system chooses (often wider than ours).
    return {"half": f"{half_mm:.2f}mm", "screen": f"{max(2.6, em * 0.8 * 1.4 / 2 + 0.5):.2f}rem"}


def _who_fields() -> list[dict[str, str]]:
    """The cover's fields: who is rated, and when (with the browser's autofill hint for each)."""
    fields = [
        ("name", N_("Name"), "name"),
        ("role", N_("Role"), "organization-title"),
        ("organisation", N_("Organisation"), "organization"),
        (forms.ROUND_DATE_FIELDS[1], N_("Date of the first rating"), "off"),
        (forms.ROUND_DATE_FIELDS[2], N_("Date of the second rating"), "off"),
    ]
    return [{"name": name, "label": label, "autocomplete": auto} for name, label, auto in fields]


def worksheet_parts(
    profile: Profile,
    scale: RatingScale,
    _,
    competencies: tuple[Competency, ...],
    notes: dict[str, int] | None = None,
    summary: bool = True,
    reflection: bool = True,
    notes_page: bool = True,
    locale: str = SOURCE_LOCALE,
) -> dict[str, Any]:
    """What the worksheet parts lay out, for any set of competencies, with the scale as shown (shown_scale).

    ``notes``: for a competency (by id), how many ruled lines its notes and
    reflection get beyond the fewest, to reach the foot of the page under its
    table, or pagination.PAGE when they do not fit there and fill a ruled page of
    their own (decided after a first layout). ``notes_page`` False: notes that
    do not fit under their table are left out (a packet has pages for notes).
    ``reflection`` False: no reflection prompts (a packet asks them once).
    """
    rounds = rounds_named(_)
    sections = []
    for c in competencies:
        rows = [
            {
                "activity": a,
                "ratings": {r: forms.rating_field(a, r) for r in forms.ROUNDS},
                "names": {
                    r: _("%(activity)s, %(round)s") % {"activity": f"{a.code} {a.text}", "round": rounds[r]["long"]}
                    for r in forms.ROUNDS
                },
                "evidence": forms.evidence_field(a),
                "evidence_name": _("%(activity)s: evidence or example") % {"activity": f"{a.code} {a.text}"},
                "priority": forms.priority_field(a),
                "priority_name": _("%(activity)s: priority") % {"activity": f"{a.code} {a.text}"},
            }
            for a in c.activities
        ]
        extra = (notes or {}).get(c.id, 0)
        page = extra == pagination.PAGE
        sections.append(
            {
                "competency": c,
                "reminder": reminder(c),
                "rows": rows,
                "notes": forms.notes_field(c),
                "notes_name": _("%(competency)s: notes and coaching focus") % {"competency": f"{c.code} {c.name}"},
                "reflection": forms.reflection_field(c),
                "reflection_name": _("%(competency)s: reflection") % {"competency": f"{c.code} {c.name}"},
                "alone": page,
                "writing": notes_page or not page,
                "lines": {
                    "notes": WRITING_LINES["page_notes"] if page else WRITING_LINES["notes"] + extra,
                    "reflection": WRITING_LINES["page_reflection"] if page else WRITING_LINES["reflection"] + extra,
                },
            }
        )
    labels = [level.label for level in scale.levels] + [scale.not_applicable]
    columns = [
        {
            "value": level.id,
            "label": level.label,
            "heading": marked(level.label, text.heading_label(level.label)),
            "descriptor": level.descriptor,
        }
        for level in scale.levels
    ]
    columns.append(
        {
            "value": forms.NA,
            "label": scale.not_applicable,
            "heading": marked(scale.not_applicable, text.heading_label(scale.not_applicable)),
            "descriptor": None,
        }
    )
    return {
        "scale": scale,
        "scale_note": scale_note(scale, locale, _),
        "columns": columns,
        "na_value": forms.NA,
        "na_label": scale.not_applicable,
        "level_width": _level_width(labels),
        "rounds": forms.ROUNDS,
        "rounds_named": rounds,
        "who_fields": _who_fields(),
        "writing_lines": WRITING_LINES,
        "sections": sections,
        "summary_domains": [
            {"domain": d, "competencies": list(members)} for d, members in _by_domain(profile, competencies)
        ]
        if summary
        else [],
        "prompts": tuple(_(prompt) for prompt in REFLECTION_PROMPTS) if reflection else (),
    }


def own_words(text: str, profile: Profile, locale: str) -> object:
    """One of the profile's texts, for a place that holds more than the text (a heading after its code): marked
    with its language when that is not the interface's (render.marked; content_lang), else as it is."""
    if fallback(text) or same_language(profile.language, locale):
        return marked(text)
    return Markup('<span lang="{}">{}</span>').format(profile.language, text)


def _scope_heading(profile: Profile, scope: Scope, locale: str) -> Markup | None:
    """A domain's or a competency's worksheet's subtitle: its code and name, the name in its language."""
    parts = profile.domains if scope.kind == "domain" else profile.competencies
    for part in parts if scope.kind != "profile" else ():
        if part.code == scope.code:
            return Markup("{} {}").format(part.code, own_words(part.name, profile, locale))
    return None


def worksheet(
    profile: Profile,
    scale: RatingScale,
    scope: Scope,
    brand: Brand,
    printed: bool,
    fillable: bool,
    notes: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A self-assessment worksheet: cover, one section per competency, a summary sheet (for two or more)."""
    _ = translator(brand.locale)
    competencies = scope.competencies(profile)
    scope_title = _("All competencies") if scope.kind == "profile" else scope.label
    context = frame(
        profile,
        brand,
        "worksheet",
        printed,
        _("Self-assessment worksheet: %(scope)s") % {"scope": scope_title},
        _("Self-assessment against the %(title)s, version %(version)s: %(scope)s, rated on the %(scale)s scale.")
        % {"title": profile.title, "version": profile.version, "scope": scope_title, "scale": scale.name},
        landscape=True,
        duplex=False,
    )
    shown = shown_scale(scale, profile, brand.locale, _)
    context.update(
        worksheet_parts(profile, shown, _, competencies, notes, summary=len(competencies) > 1, locale=brand.locale)
    )
    context.update(
        {
            "scope": scope,
            "scope_title": _scope_heading(profile, scope, brand.locale) or scope_title,
            "fillable": fillable,
            "identity": forms.identity(profile, scale, competencies).to_json(),
            "js_messages": js_messages(WORKSHEET_SCRIPT, _),
        }
    )
    return context


# --- role excerpts ---------------------------------------------------------------------------


def excerpt(
    profile: Profile, role: Role, scale: RatingScale, brand: Brand, printed: bool, notes: dict[str, int] | None = None
) -> dict[str, Any]:
    """What one role needs: the principles, the role's competencies in full, and their worksheets.

    A role with an empty id stands for a selection made on the command line.
    """
    _ = translator(brand.locale)
    t = terms(profile)
    for_role = bool(role.id)
    codes = ", ".join(c.code for c in role.competencies)
    role_name = derived(role.name, role.name.lower())
    context = frame(
        profile,
        brand,
        "excerpt",
        printed,
        (
            _("%(title)s: excerpt for the %(role)s") % {"title": profile.title, "role": role_name}
            if for_role
            else _("%(title)s: excerpt for selected competencies (%(codes)s)")
            % {"title": profile.title, "codes": codes}
        ),
        (
            _(
                "The %(principles)s and the competencies a %(role)s draws on most, from the %(title)s, with "
                "self-assessment worksheets."
            )
            if for_role
            else _(
                "The %(principles)s and the competencies %(codes)s, from the %(title)s, with self-assessment "
                "worksheets."
            )
        )
        % {"principles": t["principles"], "role": role_name, "codes": codes, "title": profile.title},
    )
    groups = (
        [
            ("primary", _("Competencies this role draws on most"), role.primary),
            ("supporting", _("Competencies this role also uses"), role.supporting),
        ]
        if for_role
        else [("selected", _("Selected competencies"), role.primary)]
    )
    context.update(
        worksheet_parts(
            profile, shown_scale(scale, profile, brand.locale, _), _, role.competencies, notes, locale=brand.locale
        )
    )
    context.update(
        {
            "role": role if for_role else None,
            "role_name": role_name,
            "role_heading": phrase(_("The %(role)s"), heading=True, role=role_name),
            "for_subject": (
                phrase(_("For the %(role)s"), role=role_name)
                if for_role
                else _("For selected competencies (%(codes)s)") % {"codes": codes}
            ),
            "codes": codes,
            "groups": [
                {"id": gid, "heading": heading, "domains": _by_domain(profile, members)}
                for gid, heading, members in groups
                if members
            ],
            "contents": (
                ContentsEntry("about", _("About this edition")),
                *(
                    (ContentsEntry("role", phrase(_("The %(role)s"), heading=True, role=role_name)),)
                    if for_role
                    else ()
                ),
                ContentsEntry("principles", profile.principles_section.heading, own=True),
                *(
                    ContentsEntry(
                        gid, heading, "", tuple(ContentsEntry(c.id, c.name, c.code, own=True) for c in members)
                    )
                    for gid, heading, members in groups
                    if members
                ),
                ContentsEntry("worksheets", _("Self-assessment worksheets")),
            ),
        }
    )
    return context


# --- workshop packets ------------------------------------------------------------------------


def packet(
    profile: Profile,
    recipe: Packet,
    scale: RatingScale,
    brand: Brand,
    printed: bool,
    trainer: bool,
    notes: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A workshop packet: the recipe's handouts in its order; the trainer edition opens with the trainer's guide.

    On paper the pre-work may be left out (the recipe says so), and the
    worksheets leave the reflection prompts to the reflection handout when the
    packet has one, so that no prompt is printed twice. A packet's worksheets
    have no summary sheet: its action plan draws the ratings together, and the
    second rating, weeks later, is made on a worksheet of its own.
    """
    _ = translator(brand.locale)
    t = terms(profile)
    edition = _("trainer edition") if trainer else _("participant packet")
    context = frame(
        profile,
        brand,
        "packet",
        printed,
        f"{recipe.title} ({edition})",
        _("%(event)s, %(date)s: %(edition)s, based on the %(title)s.")
        % {"event": recipe.event, "date": recipe.date, "edition": edition, "title": profile.title},
        duplex=recipe.duplex,
    )
    context.update(
        worksheet_parts(
            profile,
            shown_scale(scale, profile, brand.locale, _),
            _,
            recipe.competencies,
            notes,
            summary=False,
            reflection="reflection" not in recipe.sections,
            notes_page=not ({"notes", "reflection"} <= set(recipe.sections)),
            locale=brand.locale,
        )
    )
    sections = tuple(s for s in recipe.sections if not (s == "pre-work" and printed and not recipe.print_pre_work))
    map_rows = [
        {"domain": d, "competencies": [{"competency": c, "chosen": c in recipe.competencies} for c in d.competencies]}
        for d in profile.domains
    ]
    leads = recipe.trainers
    context["document"]["author"] = brand.name or ", ".join(leads)  # the workshop's, not the profile's
    context.update(
        {
            "packet": recipe,
            "trainer": trainer,
            "sections": sections,
            "titles": {section: _(title) for section, title in HANDOUT_TITLES.items()},
            "trainers": leads,
            "ws_sections": context.pop("sections"),
            "chosen": _by_domain(profile, recipe.competencies),
            "competency_map": map_rows,
            "agenda_total": sum(slot.minutes for slot in recipe.agenda),
            "agenda_end": _end_time(recipe.agenda[-1]),
            "cases": [{"letter": chr(ord("A") + i), "case": case} for i, case in enumerate(recipe.cases)],
            "evaluation": {
                "statements": tuple(
                    phrase(_(statement), principles=t["principles"], domains=t["domains"])
                    for statement in EVALUATION_STATEMENTS
                ),
                "agreement": tuple(_(label) for label in AGREEMENT),
                "questions": tuple(_(question) for question in EVALUATION_QUESTIONS),
            },
            "action_plan": {"columns": tuple(_(column) for column in ACTION_PLAN_COLUMNS), "rows": 5},
            "reflection_prompts": tuple(_(prompt) for prompt in REFLECTION_PROMPTS),
            "principles_heading": phrase(_("The %(principles)s"), heading=True, **t),
        }
    )
    return context


def slides(profile: Profile, recipe: Packet, scale: RatingScale, brand: Brand, printed: bool) -> dict[str, Any]:
    """A workshop's slide deck (see :mod:`profilepress.slides`), measured in the brand's font if it has one."""
    trainers = recipe.trainers
    fonts = (
        {
            weight: ENGINE_ROOT / brand.font_files[(weight, "normal")]
            for weight in (400, 700)
            if (weight, "normal") in brand.font_files
        }
        if brand.font_family
        else {}
    )
    _ = translator(brand.locale)
    deck = slide_deck.deck(
        profile,
        recipe,
        trainers,
        fonts,
        shown_scale(scale, profile, brand.locale, _),
        logo=brand.logo is not None,
        gettext=_,
        locale=brand.locale,
    )
    context = frame(
        profile,
        brand,
        "slides",
        printed,
        _("%(title)s: slides") % {"title": recipe.title},
        _("Slides for %(event)s, %(date)s, based on the %(title)s.")
        % {"event": recipe.event, "date": recipe.date, "title": profile.title},
        duplex=False,
    )
    context["document"]["author"] = brand.name or ", ".join(trainers)
    context.update(
        {"packet": recipe, "slides": deck, "trainers": trainers, "js_messages": js_messages(SLIDES_SCRIPT, _)}
    )
    return context


def level_key(scale: RatingScale, locale: str | None = None) -> Markup:
    """The levels and their ranks, as a report explains its averages: 1 = Emerging; 2 = Acquiring (each label
    marked with its language where it is not the interface's: see shown_scale)."""
    return Markup("; ").join(
        Markup("{} = {}").format(number(level.rank, locale), marked(level.label)) for level in scale.levels
    )


def _end_time(slot) -> str | None:
    """When the last block ends, or None when its start is not written as a clock time."""
    start = clock_minutes(slot.time)
    return None if start is None else clock_time(start + slot.minutes)


# --- summary of collected worksheets, and each person's report ------------------------------------


def _figure(value: float | None, locale: str | None) -> str:
    """An average as printed (see results.rounded), in the interface's numbers; a dash when there is none."""
    from .results import rounded

    return "–" if value is None else number(rounded(value), locale, 1)


def _signed(value, locale: str | None) -> str:
    if value > 0:
        return "+" + number(value, locale, 1)
    return "−" + number(-value, locale, 1) if value < 0 else number(abs(value), locale, 1)


def _change(change, locale: str | None) -> dict[str, Any] | None:
    """The paired change as printed: its two averages, their difference, and how many people."""
    if change is None:
        return None
    return {
        "first": _figure(change.first, locale),
        "second": _figure(change.second, locale),
        "difference": _signed(change.difference, locale),
        "people": number(change.people, locale),
        "pairs": change.pairs,
    }


def _row(group, locale: str | None) -> dict[str, Any]:
    """A group's results as the summary prints them: counts and averages in the interface's numbers."""
    return {
        "code": group.code,
        "name": group.name,
        "activities": number(group.activities, locale),
        "rounds": {
            n: {
                "counts": tuple(number(count, locale) for count in r.counts),
                "na": number(r.not_applicable, locale),
                "average": _figure(r.average, locale),
                "people": number(r.people, locale) if r.average is not None else "–",
            }
            for n, r in group.rounds.items()
        },
        "change": _change(group.change, locale),
        "priorities": number(group.priorities, locale) if group.priorities else "",
    }


def _notes_by_competency(profile: Profile, notes) -> list[dict[str, Any]]:
    """Notes and reflections, under their competencies in the profile's order."""
    return [
        {"competency": c, "notes": [n for n in notes if n.competency.code == c.code]}
        for c in profile.competencies
        if any(n.competency.code == c.code for n in notes)
    ]


def summary(
    profile: Profile,
    responses,
    results,
    chart_svg: str,
    brand: Brand,
    printed: bool,
    reports: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The summary report of collected worksheets: per domain and competency, per round, and the change.

    ``reports``: each person's name → the address of their own report, linked from the list of people.
    """
    _ = translator(brand.locale)
    people = responses.people
    context = frame(
        profile,
        brand,
        "summary",
        printed,
        _("Self-assessment summary: %(title)s") % {"title": profile.title},
        (
            _("Ratings of 1 person on the %(scale)s scale, per competency and domain, first and second rating.")
            if len(people) == 1
            else _(
                "Ratings of %(count)s people on the %(scale)s scale, per competency and domain, first and second "
                "rating."
            )
        )
        % {"count": number(len(people), brand.locale), "scale": responses.scale.name},
        landscape=True,
        duplex=False,
    )
    scale = shown_scale(responses.scale, profile, brand.locale, _)
    context.update(
        {
            "scale": scale,
            "scale_note": scale_note(scale, brand.locale, _),
            "levels": scale.levels,
            "level_key": level_key(scale, brand.locale),
            "rounds": forms.ROUNDS,
            "rounds_named": rounds_named(_),
            "people": [{"person": p, "report": (reports or {}).get(p.name)} for p in people],
            "reports": bool(reports),
            "domains": [
                {"total": _row(total, brand.locale), "competencies": [_row(c, brand.locale) for c in members]}
                for total, members in results.domains
            ],
            "priorities": results.priorities,
            "notes": _notes_by_competency(profile, responses.notes),
            "chart": "data:image/svg+xml;base64," + base64.b64encode(chart_svg.encode("utf-8")).decode("ascii"),
            "chart_alt": _(
                "Chart of the average level of each competency in each round, first rating as open circles "
                "and second rating as filled squares. The same figures are in the tables below."
            ),
        }
    )
    return context


def person_report(
    profile: Profile,
    scale: RatingScale,
    person,
    ratings,
    results,
    brand: Brand,
    printed: bool,
    crops=(),
    awaiting_review: int = 0,
) -> dict[str, Any]:
    """One person's own report, to take to their coach: every activity they answered, in both rounds.

    ``ratings`` are this person's; ``results`` their results per competency (results.compute_for).
    """
    _ = translator(brand.locale)
    rounds = rounds_named(_)
    scale = shown_scale(scale, profile, brand.locale, _)
    # wrapping only between words
    labels = {level.id: marked(level.label, text.heading_label(level.label)) for level in scale.levels}
    labels[forms.NA] = marked(scale.not_applicable, text.heading_label(scale.not_applicable))
    per_competency = {g.code: g for g in results.competencies}
    answered = {r.competency.code for r in ratings} | {n.competency.code for n in person.notes}
    by_slot = {(r.activity.code, r.round): r for r in ratings}
    domains = []
    for domain, members in _by_domain(profile, tuple(c for c in profile.competencies if c.code in answered)):
        sections = []
        for c in members:
            rows = []
            for a in c.activities:
                first, second = by_slot.get((a.code, 1)), by_slot.get((a.code, 2))
                rows.append(
                    {
                        "activity": a,
                        "ratings": [labels.get(r.level) if r is not None and r.level else "" for r in (first, second)],
                        "priority": bool(first and first.priority),
                        "evidence": first.evidence if first else "",
                    }
                )
            group = per_competency.get(c.code)
            sections.append(
                {
                    "competency": c,
                    "reminder": reminder(c),
                    "rows": rows,
                    "rounds": [
                        {
                            "round": n,
                            "label": rounds[n]["long"],
                            "rated": group.rounds[n].rated,
                            "average": _figure(group.rounds[n].average, brand.locale),
                        }
                        for n in forms.ROUNDS
                        if group and group.rounds[n].rated
                    ],
                    "change": _change(group.change, brand.locale) if group else None,
                    "notes": [n for n in person.notes if n.competency.code == c.code],
                }
            )
        domains.append({"domain": domain, "competencies": sections})
    order = {a.code: i for i, a in enumerate(profile.activities)}
    priorities = sorted((r for r in ratings if r.priority), key=lambda r: order[r.activity.code])
    context = frame(
        profile,
        brand,
        "person",
        printed,
        _("Self-assessment: %(name)s") % {"name": person.name},
        _(
            "%(name)s's self-assessment against the %(title)s, on the %(scale)s scale: each activity in the first "
            "and second rating, priorities, evidence, notes and reflections."
        )
        % {"name": person.name, "title": profile.title, "scale": scale.name},
        duplex=False,
    )
    context.update(
        {
            "person": person,
            "scale": scale,
            "scale_note": scale_note(scale, brand.locale, _),
            "levels": scale.levels,
            "level_key": level_key(scale, brand.locale),
            "rounds": [
                {
                    "round": n,
                    "label": rounds[n]["long"],
                    "date_label": _("Date of the first rating") if n == 1 else _("Date of the second rating"),
                    "date": person.round_dates.get(n, ""),
                }
                for n in forms.ROUNDS
            ],
            "domains": domains,
            "priorities": priorities,
            "not_rated": _("Not rated"),
            "handwriting": _handwriting(profile, crops, _),
            "awaiting_review": awaiting_review,  # answers on their scans left out until a person decides them
        }
    )
    return context


def _handwriting(profile: Profile, crops, _) -> list[dict[str, str]]:
    """Handwriting on a person's scanned pages, as pictures (there is no OCR), each named by what it answers."""
    names: dict[str, str] = {"name": _("Name"), "role": _("Role"), "organisation": _("Organisation")}
    names[forms.ROUND_DATE_FIELDS[1]] = _("Date of the first rating")
    names[forms.ROUND_DATE_FIELDS[2]] = _("Date of the second rating")
    for c in profile.competencies:
        names[forms.notes_field(c)] = f"{c.code} · {_('Notes and coaching focus')}"
        names[forms.reflection_field(c)] = f"{c.code} · {_('Reflection')}"
        for a in c.activities:
            names[forms.evidence_field(a)] = f"{a.code} · {_('Evidence or example')}"
    return [
        {
            "label": names.get(crop.field, crop.field),
            "where": _("%(file)s, page %(page)s") % {"file": crop.file.name, "page": crop.page},
            "picture": "data:image/png;base64," + base64.b64encode(crop.png).decode("ascii"),
        }
        for crop in crops
    ]


# --- the review of scanned answers -----------------------------------------------------------------


def review_page(profile: Profile, scale: RatingScale, items: list, brand: Brand, answers_file: str) -> dict[str, Any]:
    """The review page: each scanned rating a machine must not decide (scan.Ambiguous), with its picture and
    a choice under each of its boxes, in the order of the scans, their pages and the activities."""
    _ = translator(brand.locale)
    shown = shown_scale(scale, profile, brand.locale, _)
    labels = {level.id: level.label for level in shown.levels}
    labels[forms.NA] = shown.not_applicable
    labels["on"] = _("Priority")
    fields: dict[str, tuple[Activity, str]] = {}
    for c in profile.competencies:
        for a in c.activities:
            for r, named in rounds_named(_).items():
                fields[forms.rating_field(a, r)] = (a, named["long"])
            fields[forms.priority_field(a)] = (a, _("Priority"))
    context = frame(
        profile,
        brand,
        "review",
        False,
        _("Scanned answers to review: %(title)s") % {"title": profile.title},
        _("Ratings read from scanned worksheets that a person must decide."),
    )
    rows = []
    for item in items:
        activity, what = fields.get(item.field, (None, item.field))
        rows.append(
            {
                "key": item.key,
                "file": item.file.name,
                "page": item.page,
                "activity": activity,
                "what": what,
                "reason": _(item.reason),
                "picture": "data:image/png;base64," + base64.b64encode(item.crop).decode("ascii"),
                "choices": [
                    {"value": value, "label": labels.get(value, value), "left": round(x * 100, 2)}
                    for value, (x, _y) in zip(item.values, item.boxes, strict=True)
                ],
            }
        )
    context.update(
        {
            "items": rows,
            "answers_file": answers_file,
            "js_messages": Markup(
                json.dumps(
                    {
                        "saved": _("Saved: %(file)s. Collect again with it beside the scans."),
                        "left": _("%(count)s of %(total)s still to decide."),
                    },
                    ensure_ascii=False,
                ).replace("</", "<\\/")
            ),
            "format": {"format": review.FORMAT, "format_version": review.FORMAT_VERSION},
        }
    )
    return context
