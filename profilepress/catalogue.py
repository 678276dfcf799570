"""output/index.html: a catalogue of everything a build made, with page counts and sizes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import select
from .kinds import KINDS
from .messages import N_, number, translator
from .model import Brand, Profile

if TYPE_CHECKING:  # pragma: no cover
    from .inputs import Inputs
    from .manifest import Manifest
    from .project import Project, Target, Written
    from .render import Renderer

FILE = "index.html"
FORMAT_NAMES = {"html": "HTML", "pdf": "PDF", "fillable-pdf": N_("Fillable PDF")}


def rows(written: list[Written], output_dir: Path, locale: str | None = None) -> list[dict]:
    """One row per document, grouped by brand in the order they were planned, in the words and numbers of
    the interface's ``locale``."""
    _ = translator(locale)
    out = []
    for w in written:
        t = w.target
        size = (
            _("%(size)s KB") % {"size": number(round(w.size / 1024), locale)}
            if w.size >= 1024
            else _("%(size)s bytes") % {"size": number(w.size, locale)}
        )
        out.append(
            {
                "brand": t.brand,
                "label": t.caption.text(_) if t.caption else (t.label or t.path),
                "format": _(FORMAT_NAMES[t.format]),
                "paper": _paper(t, _),
                "pages": number(w.pages, locale) if w.pages else "",
                "size": size,
                "href": t.path,
            }
        )
    return out


def _paper(target, _) -> str:
    """What its pages are: the paper size, or the kind's own shape (slides)."""
    shape = KINDS[target.kind].page_shape
    if shape:
        return _(shape)
    return target.paper.upper() if target.paper == "a4" else _("Letter")


def render(
    renderer: Renderer, profile: Profile, brands: dict[str, Brand], written: list[Written], output_dir: Path
) -> bytes:
    locale = brands["neutral"].locale
    _ = translator(locale)
    context = select.frame(
        profile,
        brands["neutral"],
        "handbook",
        False,
        _("Documents: %(title)s") % {"title": profile.title},
        _("Every document built from the %(title)s, with page counts and sizes.") % {"title": profile.title},
    )
    entries = rows(written, output_dir, locale)
    context["groups"] = [
        {
            "brand": b,
            "name": brands[b].name or _("Neutral edition (no organisation)"),
            "entries": [e for e in entries if e["brand"] == b],
        }
        for b in dict.fromkeys(e["brand"] for e in entries)
    ]
    context["total"] = len(entries)
    return renderer.render("catalogue.html.j2", context).encode("utf-8")


def make(project: Project, inputs: Inputs, targets: list[Target], recorded: Manifest) -> bytes:
    """The catalogue of ``targets`` as the manifest ``recorded`` describes them (sizes, pages)."""
    from .project import Written
    from .render import Renderer

    listed = [
        Written(t, project.output_dir / t.path, recorded.targets[t.path].bytes, recorded.targets[t.path].pages)
        for t in targets
    ]
    return render(Renderer(project.templates_dir), inputs.profile, inputs.brands, listed, project.output_dir)
