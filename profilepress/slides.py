"""A workshop's slide deck, 16:9, from its packet recipe: what goes on each slide.

Slides are read from the back of a room, so body text is 24 pt and a slide
holds only what fits at that size. Lists (objectives, agenda, a competency's
activities, discussion questions) are spread over as many slides as they need:
each item's lines are counted from the font's own metrics (see
:mod:`profilepress.measure`), and a slide takes items while they fit. Nothing
is cut or shrunk to fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from . import measure
from .errors import UserError
from .messages import number, same_language
from .model import Packet, Profile, RatingScale
from .render import marked, phrase
from .translation import SOURCE, Localised, fallback, reminder

Fonts = dict[int, Path] | None  # the brand's font files by weight; None: the vendored font

# The slide's geometry (templates/css/slides.css says the same): 254 × 142.875 mm (16:9).
WIDTH_MM, HEIGHT_MM = 254.0, 142.875
SIDE_MM, TOP_MM, FOOT_MM = 14.0, 11.0, 14.0  # margins; the foot holds the slide number
TITLE_PT, BODY_PT, CODE_PT = 34.0, 24.0, 18.0
TITLE_LEADING, BODY_LEADING = 1.15, 1.25
ITEM_GAP_LINES = 0.3  # space between list items, in body lines
TITLE_GAP_MM = 6.0
PT_MM = 25.4 / 72
SAFETY = 0.96  # measured widths are trusted to 96 % of the line


@dataclass(frozen=True)
class Item:
    text: str
    code: str = ""  # a code chip before the text (C1.3, D2, P1)
    note: str = ""  # a second column: an agenda row's time, a domain's competencies


@dataclass(frozen=True)
class Slide:
    kind: str  # title | list | agenda | competency | close | source
    heading: str  # Markup when it marks a passage's language (a competency's name shown untranslated)
    items: tuple[Item, ...] = ()
    lead: str = ""  # a sentence above the list (a competency's reminder)
    part: str = ""  # "2 of 3" when a list spreads over slides (in the interface's words and numbers)
    ordered: bool = False
    extra: dict = field(default_factory=dict, hash=False, compare=False)


def _lines(
    text: str, width_mm: float, size_pt: float, bold: bool = False, indent_em: float = 0.0, fonts: Fonts = None
) -> int:
    """How many lines ``text`` takes at ``size_pt`` in a column ``width_mm`` wide (greedy wrapping).

    ``indent_em``: what stands before the text on its first line (a code chip), in ems."""
    if isinstance(text, Markup):  # measured by its words, without the markup that marks their language
        text = text.striptags()
    room = width_mm / (size_pt * PT_MM) * SAFETY
    lines, used = 1, indent_em
    space = measure.width_em(" ", bold, fonts)
    for word in text.split():
        w = measure.width_em(word, bold, fonts)
        if used and used + space + w > room:
            lines, used = lines + 1, w
        else:
            used += (space if used else 0.0) + w
    return lines


def _body_room(heading: str, lead: str = "", fonts: Fonts = None) -> float:
    """Body lines left on a slide under this heading (and lead sentence)."""
    width = WIDTH_MM - 2 * SIDE_MM
    title = _lines(heading, width, TITLE_PT, bold=True, fonts=fonts) * TITLE_PT * TITLE_LEADING * PT_MM
    body = HEIGHT_MM - TOP_MM - FOOT_MM - title - TITLE_GAP_MM
    line = BODY_PT * BODY_LEADING * PT_MM
    used = (_lines(lead, width, BODY_PT, fonts=fonts) + ITEM_GAP_LINES * 2) * line if lead else 0.0
    return (body - used) / line


def _item_lines(item: Item, fonts: Fonts = None) -> float:
    width = WIDTH_MM - 2 * SIDE_MM - (BODY_PT * PT_MM) * 1.2  # the list's indent
    chip = (measure.width_em(item.code, True, fonts) * CODE_PT / BODY_PT + 0.8) if item.code else 0.0
    if item.note:
        width -= 0.30 * (WIDTH_MM - 2 * SIDE_MM) + 0.6 * BODY_PT * PT_MM  # a second column takes 30 %
    return _lines(item.text, width, BODY_PT, indent_em=chip, fonts=fonts) + ITEM_GAP_LINES


def _heading(heading: str, part: str) -> str:
    """A heading as measured (its text, without markup): its part label ("(2 of 3)") never breaks, so it is
    one word."""
    words = Markup(heading).striptags() if isinstance(heading, Markup) else heading
    return f"{words} {part.replace(' ', '_')}" if part else words


def part_of(n: int, total: int) -> str:
    """The label of slide ``n`` of a run of ``total`` (the default: the source's words)."""
    return f"{n} of {total}"


def spread(
    heading: str,
    items: list[Item],
    *,
    lead: str = "",
    kind: str = "list",
    ordered: bool = False,
    fonts: Fonts = None,
    part: Callable[[int, int], str] = part_of,
) -> list[Slide]:
    """The items on as few slides as they need, in order, the slides about equally full; the lead on the first.

    The fewest slides are found by filling each in turn; then the items are
    shared out again so that no slide of a run is left nearly empty.
    """
    needs = [_item_lines(item, fonts) for item in items]

    def room(index: int, total: int) -> float:
        label = f"({part(index + 1, total)})" if total > 1 else ""
        return _body_room(_heading(heading, label), lead if index == 0 else "", fonts)

    def pack(total: int, target: float | None) -> list[list[int]] | None:
        pages: list[list[int]] = [[]]
        used = 0.0
        for i, need in enumerate(needs):
            limit = room(len(pages) - 1, total)
            if target is not None:
                limit = min(limit, max(target, need))
            if pages[-1] and used + need > limit:
                if len(pages) == total:
                    return None
                pages.append([])
                used = 0.0
            pages[-1].append(i)
            used += need
        return (
            pages
            if len(pages) <= total
            and all(sum(needs[i] for i in page) <= room(n, total) + 1e-6 for n, page in enumerate(pages))
            else None
        )

    for i, need in enumerate(needs):
        if need > room(1, 2):
            raise UserError(
                f"'{items[i].code or items[i].text[:40]}' is too long for one slide at {BODY_PT:g} pt "
                f"under '{_heading(heading, '')}'; shorten it, or leave it to the handouts"
            )
    total = 1
    while (pages := pack(total, None)) is None:
        total += 1
    if len(pages) < total and (fewer := pack(len(pages), None)) is not None and len(fewer) == len(pages):
        pages = fewer
    total = len(pages)
    if total > 1:  # share out: aim at the average, never past what fits
        average = sum(needs) / total
        for slack in (1.0, 1.15, 1.3, 1.5, 2.0):
            balanced = pack(total, average * slack)
            if balanced is not None and len(balanced) == total:
                pages = balanced
                break
    starts = [1 + sum(len(p) for p in pages[:i]) for i in range(total)]
    return [
        Slide(
            kind,
            heading,
            tuple(items[i] for i in page),
            lead if n == 0 else "",
            part(n + 1, total) if total > 1 else "",
            ordered,
            {"start": starts[n]},
        )
        for n, page in enumerate(pages)
    ]


def fits(slide: Slide, fonts: Fonts = None) -> bool:
    """Does a slide's content fit at full size? (Every slide :func:`deck` makes does.)"""
    need = sum(_item_lines(item, fonts) for item in slide.items)
    part = f"({slide.part})" if slide.part else ""
    return need <= _body_room(_heading(slide.heading, part), slide.lead, fonts) + 1e-6


def title_slide(recipe: Packet, trainers: list[str], fonts: Fonts = None, logo: bool = False) -> Slide:
    """The title slide, its title set as large as fits (38 pt, down to 24 pt) above the slide's foot."""
    width = WIDTH_MM - 2 * SIDE_MM
    when = recipe.date + (f" · {recipe.venue}" if recipe.venue else "")
    rest = (
        13.0
        + (17.0 if logo else 0.0)
        + 4.0
        + 2.0
        + 3.0 * 2  # top padding, logo, gaps (slides.css)
        + _lines(recipe.event, width, 26.0, fonts=fonts) * 26.0 * BODY_LEADING * PT_MM
        + (_lines(when, width, BODY_PT, fonts=fonts) + _lines(", ".join(trainers), width, BODY_PT, fonts=fonts))
        * BODY_PT
        * BODY_LEADING
        * PT_MM
    )
    for size in (38.0, 34.0, 31.0, 28.0, 26.0, 24.0):
        title = _lines(recipe.title, width, size, bold=True, fonts=fonts) * size * TITLE_LEADING * PT_MM
        if rest + title <= HEIGHT_MM - FOOT_MM:
            return Slide(
                "title",
                recipe.title,
                extra={
                    "event": recipe.event,
                    "date": recipe.date,
                    "venue": recipe.venue,
                    "trainers": trainers,
                    "title_pt": size,
                },
            )
    raise UserError(
        f"the workshop's title and event are too long for the title slide, even with the title at "
        f"24 pt; shorten 'title' or 'event' in the recipe '{recipe.id}'"
    )


def deck(
    profile: Profile,
    recipe: Packet,
    trainers: list[str],
    fonts: Fonts = None,
    scale: RatingScale | None = None,
    logo: bool = False,
    gettext: Callable[[str], str] = str,
    locale: str | None = None,
) -> list[Slide]:
    """Every slide of a workshop, in the order it is shown; ``fonts``: the brand's (weight → file), if any;
    ``gettext`` and ``locale``: the edition's interface words and numbers (profilepress.messages); the profile
    names its own parts. A passage shown in another language than the interface's (a text of a translated
    edition not translated yet, a scale's cited labels) keeps its language, in the HTML (render.marked)."""
    _ = gettext

    def part(n: int, total: int) -> str:
        return _("%(number)s of %(count)s") % {"number": number(n, locale), "count": number(total, locale)}

    def listed(heading: str, items: list[Item], **options) -> list[Slide]:
        return spread(heading, items, part=part, fonts=fonts, **options)

    def own(words: str) -> str:
        """The profile's words, marked with their language when it is not the interface's."""
        if fallback(words) or locale is None or same_language(profile.language, locale):
            return words
        return Localised(words, profile.language, SOURCE)

    vocabulary = profile.vocabulary
    slides = [title_slide(recipe, trainers, fonts, logo)]
    slides += listed(_("What you will learn"), [Item(o) for o in recipe.objectives], ordered=True)
    slides += listed(
        _("Agenda"),
        [
            Item(slot.item, note=f"{slot.time} · " + _("%(minutes)s min") % {"minutes": slot.minutes})
            for slot in recipe.agenda
        ],
        kind="agenda",
    )
    slides += listed(
        phrase(_("The %(principles)s"), heading=True, principles=own(vocabulary.principle.many)),
        [Item(own(p.name), code=p.code) for p in profile.principles],
    )
    chosen = {c.code for c in recipe.competencies}
    slides += listed(
        phrase(
            _("The %(count)s %(domains)s"),
            heading=True,
            count=number(len(profile.domains), locale),
            domains=own(vocabulary.domain.many),
        ),
        [
            Item(
                own(d.name),
                code=d.code,
                note=_range(d)
                + "".join(
                    _("; today: %(codes)s") % {"codes": ", ".join(c.code for c in d.competencies if c.code in chosen)}
                    for _once in [0]
                    if any(c.code in chosen for c in d.competencies)
                ),
            )
            for d in profile.domains
        ],
    )

    for c in recipe.competencies:  # its name, a one-line reminder, then its activities
        slides += listed(
            Markup("{} {}").format(c.code, marked(own(c.name))),
            [Item(own(a.text), code=a.code) for a in c.activities],
            lead=own(reminder(c)),
            kind="competency",
        )
    if scale is not None:  # what the self-assessment rates with (its labels cited: see select.shown_scale)
        levels = [
            Item(
                Markup("{}: {}").format(marked(level.label), marked(level.descriptor))
                if level.descriptor
                else level.label
            )
            for level in scale.levels
        ]
        slides += listed(
            _("Rating your practice"),
            levels + [Item(scale.not_applicable)],
            lead=_("For each activity, tick the level that best describes your practice now, with an example:"),
            ordered=False,
        )
    if recipe.discussion:
        slides += listed(_("Discuss in your group"), [Item(q) for q in recipe.discussion], ordered=True)
    slides.append(Slide("source", _("Where the competencies come from"), lead=own(profile.citation)))
    slides.append(Slide("close", _("Thank you"), extra={"trainers": trainers}))
    return slides


def _range(domain) -> str:
    codes = [c.code for c in domain.competencies]
    return f"{codes[0]}–{codes[-1]}" if len(codes) > 1 else codes[0]
