"""The registry of document kinds: for each, what the plan makes of it, how its context is selected,
which template presents it, and how long it takes to render.

Adding a kind of document means adding one entry here (and its template and
select function); no other code names the kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import select, webfonts
from .messages import N_
from .model import Brand, Competency, Packet, Profile, RatingScale, Role, scopes
from .project import Caption, Target


@dataclass(frozen=True)
class Sources:
    """What one document is made from (tracked by the dependency recorder when rendered)."""

    profile: Profile
    brand: Brand
    scale: RatingScale  # the build's rating scale
    packets: dict[str, Packet]
    scales: dict[str, RatingScale]
    track: Callable[[Any], Any] = lambda value: value

    def recipe(self, target: Target) -> tuple[Packet, RatingScale]:
        """A packet's recipe and the scale its worksheets use (the recipe's own, or the build's)."""
        assert target.packet is not None  # asked only for packet and slides targets, which name their packet
        recipe = self.track(self.packets[target.packet])
        return recipe, self.track(self.scales[recipe.scale]) if recipe.scale else self.scale


@dataclass(frozen=True)
class Planned:
    """One document a plan entry asks for, before it is made in each format and paper."""

    stem: str  # path in the brand's folder, without extension
    caption: Caption  # its name in a list of documents (label: in the source's words)
    fields: dict = field(default_factory=dict)  # the Target fields this document sets (scope, role, packet…)
    kind: str | None = None  # another kind than the entry's (a packet's slides)
    paper: str | None = None  # the paper it is made on unless the plan chooses one

    @property
    def label(self) -> str:
        return self.caption.text()


@dataclass
class Planning:
    """What a plan entry's documents are chosen from, and where problems are reported."""

    profile: Profile
    packets: dict[str, Packet]
    error: Callable[[tuple, str, str], None]  # (field path, message, hint)


@dataclass(frozen=True)
class Kind:
    name: str
    template: str
    context: Callable[[Sources, Target, bool, Any], dict]  # (sources, target, printed, notes) → template context
    documents: Callable[[Planning, Any, tuple], Iterator[Planned]]  # (planning, plan entry, its field path)
    cost: Callable[[Target], float]  # pages, roughly, when the last build's count is unknown
    fonts: tuple = ()  # font families the HTML embeds besides the brand's
    custom_metadata: bool = False  # the PDF carries the document's own metadata (worksheets)
    page_codes: bool = False  # its printable PDF's pages carry corner marks and a code, to be scanned
    page_shape: str | None = None  # what the catalogue calls its pages when they are not a paper size


# --- handbook ---------------------------------------------------------------------------------


def _handbook_documents(planning: Planning, doc, at: tuple) -> Iterator[Planned]:
    yield Planned("handbook", Caption(N_("Handbook")))


# --- worksheet --------------------------------------------------------------------------------


def _worksheet_context(src: Sources, target: Target, printed: bool, notes) -> dict:
    return select.worksheet(src.profile, src.scale, target.scope, src.brand, printed, target.format != "pdf", notes)


def _worksheet_documents(planning: Planning, doc, at: tuple) -> Iterator[Planned]:
    for scope in scopes(planning.profile, doc.scope):
        whole = scope.kind == "profile"
        caption = Caption(N_("Worksheet: %(name)s"), N_("the whole profile") if whole else scope.label, whole)
        yield Planned(f"worksheets/{scope.slug}", caption, {"scope": scope})


# --- excerpt ----------------------------------------------------------------------------------


def role_for(profile: Profile, target: Target) -> Role:
    """The role of a role excerpt, or a stand-in for a tailored selection of competencies."""
    if target.role is not None:
        return next(r for r in profile.roles if r.id == target.role)
    by_code = {c.code: c for c in profile.competencies}
    chosen: tuple[Competency, ...] = tuple(by_code[c] for c in target.competencies)
    return Role("", "", "", chosen, ())


def _excerpt_context(src: Sources, target: Target, printed: bool, notes) -> dict:
    return select.excerpt(src.profile, role_for(src.profile, target), src.scale, src.brand, printed, notes)


def _excerpt_documents(planning: Planning, doc, at: tuple) -> Iterator[Planned]:
    roles = {r.id: r for r in planning.profile.roles}
    wanted = list(roles) if doc.roles == "all" else doc.roles
    for i, rid in enumerate(wanted):
        if rid not in roles:
            planning.error((*at, "roles", i), f"unknown role '{rid}'", _suggest(rid, roles, "roles"))
            continue
        yield Planned(f"roles/{rid}", Caption(N_("Role excerpt: %(name)s"), roles[rid].name), {"role": rid})


# --- packet and its slides --------------------------------------------------------------------


def _packet_context(src: Sources, target: Target, printed: bool, notes) -> dict:
    recipe, scale = src.recipe(target)
    return select.packet(src.profile, recipe, scale, src.brand, printed, target.trainer, notes)


def _slides_context(src: Sources, target: Target, printed: bool, notes) -> dict:
    recipe, scale = src.recipe(target)
    return select.slides(src.profile, recipe, scale, src.brand, printed)


def _packet_documents(planning: Planning, doc, at: tuple) -> Iterator[Planned]:
    if doc.packet not in planning.packets:
        planning.error(
            (*at, "packet"),
            f"unknown packet '{doc.packet}'",
            _suggest(doc.packet, planning.packets, None) or "add a recipe in packets/",
        )
        return
    recipe = planning.packets[doc.packet]
    for trainer in (False, True) if doc.trainer else (False,):
        yield Planned(
            f"packets/{recipe.id}" + ("-trainer" if trainer else ""),
            Caption(N_("Packet: %(name)s (trainer edition)") if trainer else N_("Packet: %(name)s"), recipe.title),
            {"packet": recipe.id, "trainer": trainer},
            paper=recipe.paper,
        )
    if doc.slides:
        yield Planned(
            f"packets/{recipe.id}-slides",
            Caption(N_("Slides: %(name)s"), recipe.title),
            {"packet": recipe.id},
            kind="slides",
            paper=recipe.paper,
        )


def _suggest(name: str, known, what: str | None) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"{what}: {', '.join(sorted(known))}" if what else ""


def _none(planning: Planning, doc, at: tuple) -> Iterator[Planned]:
    return iter(())


def _pages(count: int) -> Callable[[Target], float]:
    return lambda target: float(count)


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "handbook",
            "handbook.html.j2",
            lambda src, target, printed, notes: select.handbook(src.profile, src.brand, printed),
            _handbook_documents,
            _pages(23),
        ),
        Kind(
            "worksheet",
            "worksheet.html.j2",
            _worksheet_context,
            _worksheet_documents,
            lambda target: 33.0 if target.scope.kind == "profile" else 12.0,
            custom_metadata=True,
            page_codes=True,
        ),
        Kind("excerpt", "excerpt.html.j2", _excerpt_context, _excerpt_documents, _pages(28)),
        Kind("packet", "packet.html.j2", _packet_context, _packet_documents, _pages(34)),
        Kind(
            "slides",
            "slides.html.j2",
            _slides_context,
            _none,
            _pages(20),
            fonts=(("Atkinson Hyperlegible", webfonts.ATKINSON),),
            page_shape=N_("Slides, 16:9"),
        ),
    )
}
