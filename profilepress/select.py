"""Select stage: the one place that decides what a document shows.

Each function takes the validated :class:`~profilepress.model.Profile` and
returns the context a template lays out: which parts, in which order, with which
headings in the contents. Templates never filter, sort or number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import forms
from .model import Competency, Paragraph, Profile, RatingScale


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


# --- worksheets ----------------------------------------------------------------------

# Our own words, in plain language, printed under every competency and marked as
# added by this edition (the profile has no reflection prompts).
REFLECTION_PROMPTS = (
    "Which of these activities do you do with the most confidence? What helps you?",
    "Which one activity, done more or better, would make the biggest difference to the people you support?",
    "What evidence or feedback could you gather before your next rating?",
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“‘\"'(])")


def reminder(competency: Competency) -> str:
    """A one-line reminder of a competency: the first sentence of its description, verbatim."""
    first = next(b.text for b in competency.description if isinstance(b, Paragraph))
    return _SENTENCE_END.split(first, maxsplit=1)[0]


@dataclass(frozen=True)
class Scope:
    """What a worksheet covers: the whole profile, one domain or one competency."""

    kind: str                     # "profile" | "domain" | "competency"
    code: str = ""                # the domain's or competency's code
    label: str = ""
    slug: str = "profile"         # used in file names

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
    return [Scope(kind, item.code, f"{item.code} {item.name}", f"{_padded(item.code)}-{item.id}") for item in items]


def _padded(code: str) -> str:
    """``C5`` → ``c05``, so that file names sort in code order."""
    return re.sub(r"\d+", lambda m: m.group().zfill(2), code.lower())


def worksheet(profile: Profile, scale: RatingScale, scope: Scope) -> dict[str, Any]:
    """A self-assessment worksheet: cover, one section per competency, a summary sheet."""
    competencies = scope.competencies(profile)
    sections = []
    for c in competencies:
        sections.append({
            "competency": c,
            "reminder": reminder(c),
            "rows": [
                {
                    "activity": a,
                    "ratings": {r: forms.rating_field(a, r) for r in forms.ROUNDS},
                    "evidence": forms.evidence_field(a),
                    "priority": forms.priority_field(a),
                }
                for a in c.activities
            ],
            "notes": forms.notes_field(c),
            "reflection": forms.reflection_field(c),
        })
    domains = [
        {"domain": d, "competencies": [c for c in d.competencies if c in competencies]}
        for d in profile.domains
    ]
    scope_title = "the whole profile" if scope.kind == "profile" else scope.label
    return {
        "profile": profile,
        "document": {
            "kind": "worksheet",
            "title": f"Self-assessment worksheet: {scope_title}",
            "short_title": f"{profile.short_title} self-assessment",
            "description": f"Self-assessment against the {profile.title}, version {profile.version}: "
                           f"{scope_title}, rated on the {scale.name} scale.",
        },
        "scope": scope,
        "scale": scale,
        "levels": scale.levels,
        "na": {"value": forms.NA, "label": scale.not_applicable},
        "rounds": forms.ROUNDS,
        "round_dates": forms.ROUND_DATE_FIELDS,
        "sections": sections,
        "summary_domains": [d for d in domains if d["competencies"]],
        "prompts": REFLECTION_PROMPTS,
        "identity": forms.identity(profile, scale, competencies).to_json(),
        "answers_format": {"name": forms.ANSWERS_FORMAT, "version": forms.ANSWERS_FORMAT_VERSION},
    }


# --- summary of collected worksheets ---------------------------------------------------


def _average(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _change(value: float | None) -> str:
    if value is None:
        return "–"
    return f"+{value:.1f}" if value > 0.05 else (f"−{-value:.1f}" if value < -0.05 else "0.0")


def _row(group) -> dict[str, Any]:
    return {
        "code": group.code, "name": group.name, "activities": group.activities,
        "rounds": {n: {"counts": r.counts, "na": r.not_applicable, "average": _average(r.average)}
                   for n, r in group.rounds.items()},
        "change": _change(group.change), "priorities": group.priorities or "",
    }


def summary(profile: Profile, responses, results, chart_svg: str) -> dict[str, Any]:
    """The summary report of collected worksheets: per domain and competency, per round, and the change."""
    import base64

    people = responses.people
    return {
        "profile": profile,
        "document": {
            "kind": "summary",
            "title": f"Self-assessment summary: {profile.title}",
            "description": f"Ratings of {len(people)} {'person' if len(people) == 1 else 'people'} on the "
                           f"{responses.scale.name} scale, per competency and domain, first and second rating.",
        },
        "scale": responses.scale,
        "levels": responses.scale.levels,
        "rounds": forms.ROUNDS,
        "people": people,
        "domains": [{"total": _row(total), "competencies": [_row(c) for c in members]}
                    for total, members in results.domains],
        "priorities": results.priorities,
        "chart": "data:image/svg+xml;base64," + base64.b64encode(chart_svg.encode("utf-8")).decode("ascii"),
        "chart_alt": "Chart of the average level of each competency, first rating as open circles and second "
                     "rating as filled squares. The same figures are in the tables below.",
    }
