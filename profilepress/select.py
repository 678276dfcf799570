"""Select stage: the one place that decides what a document shows.

Each function takes the validated :class:`~profilepress.model.Profile` and
returns the context a template lays out: which parts, in which order, with which
headings in the contents. Templates never filter, sort or number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import Profile


@dataclass(frozen=True)
class ContentsEntry:
    """One line of a table of contents (and, in print, of the PDF outline)."""

    anchor: str
    label: str
    code: str = ""
    children: tuple["ContentsEntry", ...] = field(default=())


def handbook(profile: Profile) -> dict[str, Any]:
    """The whole profile, in print order."""
    contents = (
        ContentsEntry("about", "About this edition"),
        ContentsEntry("introduction", profile.introduction.heading),
        ContentsEntry("principles", profile.principles_section.heading),
        ContentsEntry("domains", profile.domains_section.heading),
        *(
            ContentsEntry(
                domain.id, domain.name, domain.code,
                tuple(ContentsEntry(c.id, c.name, c.code) for c in domain.competencies),
            )
            for domain in profile.domains
        ),
    )
    return {
        "profile": profile,
        "document": {
            "kind": "handbook",
            "title": profile.full_title,
            "description": f"The {profile.title}, version {profile.version} ({profile.date}): "
                           f"guiding principles, domains and core competencies.",
        },
        "contents": contents,
        "principles": profile.principles,
        "domains": profile.domains,
    }
