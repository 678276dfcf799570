"""Results from collected ratings: per competency and per domain, per round, and the change between rounds.

Results are read competency by competency and as change over time, never as one
pass/fail score. "Average level" is the mean of the levels' ranks (1 = the
scale's lowest level) over the activities rated, N/A left out; it is always
shown beside the counts it comes from.

* Each round's average is over everyone who rated the competency (or domain) in
  that round; ``people`` says how many they were.
* The change is paired by person: it compares the ratings of the people rated
  (N/A aside) in both rounds, so someone rated only once cannot move it. It
  carries its own two averages and the number of people; when everyone was
  rated twice, its averages are the rounds' own.
* Figures are printed to one decimal place, and the printed change is the
  difference of the two printed averages (:func:`rounded`), so the numbers on
  the page always add up.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from . import forms
from .collect import Rating, Responses
from .model import Competency, Profile, RatingScale


def rounded(value: float) -> Decimal:
    """A figure as printed: one decimal place, halves rounded up."""
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RoundResult:
    """How one group of activities was rated in one round."""

    counts: tuple[int, ...]  # ticks per level, lowest first
    not_applicable: int
    average: float | None  # mean rank of the rated activities, or None if none was rated
    people: int = 0  # how many people rated at least one of them (N/A aside)

    @property
    def rated(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Change:
    """The change between rounds over the people rated in both."""

    first: float  # their average in the first round
    second: float  # ... and in the second
    people: int  # how many people were rated in both rounds
    pairs: int  # how many ratings the two averages are over, together

    @property
    def difference(self) -> Decimal:
        """The change as printed: the difference of the two printed averages."""
        return rounded(self.second) - rounded(self.first)


@dataclass(frozen=True)
class GroupResult:
    """A competency's or a domain's results in both rounds."""

    code: str
    name: str
    activities: int
    rounds: dict[int, RoundResult]
    priorities: int  # priority ticks on its activities, all people together
    change: Change | None = None  # None when nobody rated one of its activities in both rounds


@dataclass(frozen=True)
class Priority:
    activity_code: str
    activity_text: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class Results:
    scale: RatingScale
    people: int
    competencies: list[GroupResult]
    domains: list[tuple[GroupResult, list[GroupResult]]]
    priorities: list[tuple[Competency, list[Priority]]]


def round_result(ratings: list[Rating], scale: RatingScale) -> RoundResult:
    # Looked up with a rating's level, which may be None (left blank) or N/A: neither is a key.
    ranks: dict[str | None, int] = {level.id: level.rank for level in scale.levels}
    counts = tuple(sum(1 for r in ratings if r.level == level.id) for level in scale.levels)
    rated = [r for r in ratings if r.level in ranks]
    return RoundResult(
        counts,
        sum(1 for r in ratings if r.level == forms.NA),
        sum(ranks[r.level] for r in rated) / len(rated) if rated else None,
        len({r.person for r in rated}),
    )


def paired_change(ratings: list[Rating], scale: RatingScale) -> Change | None:
    """The change over the people rated on the scale (N/A aside) in both rounds: each round's average of
    their ratings."""
    ranks: dict[str | None, int] = {level.id: level.rank for level in scale.levels}  # as in round_result
    rated = {n: [r for r in ratings if r.round == n and r.level in ranks] for n in forms.ROUNDS}
    people = {r.person for r in rated[1]} & {r.person for r in rated[2]}
    if not people:
        return None
    first = [ranks[r.level] for r in rated[1] if r.person in people]
    second = [ranks[r.level] for r in rated[2] if r.person in people]
    return Change(sum(first) / len(first), sum(second) / len(second), len(people), len(first) + len(second))


def group_result(
    code: str, name: str, competencies: list[Competency], ratings: list[Rating], scale: RatingScale
) -> GroupResult:
    codes = {c.code for c in competencies}
    mine = [r for r in ratings if r.competency.code in codes]
    return GroupResult(
        code,
        name,
        sum(len(c.activities) for c in competencies),
        {n: round_result([r for r in mine if r.round == n], scale) for n in forms.ROUNDS},
        sum(1 for r in mine if r.priority),
        paired_change(mine, scale),
    )


def compute(profile: Profile, responses: Responses) -> Results:
    """The group's results: everyone's ratings together."""
    return compute_for(profile, responses.scale, responses.ratings, len(responses.people))


def compute_for(profile: Profile, scale: RatingScale, ratings: list[Rating], people: int) -> Results:
    """Results of some ratings (everyone's, or one person's), per competency and domain."""
    rated_codes = {r.competency.code for r in ratings}
    shown = [c for c in profile.competencies if c.code in rated_codes]
    per_competency = {c.code: group_result(c.code, c.name, [c], ratings, scale) for c in shown}
    domains = []
    for d in profile.domains:
        members = [c for c in d.competencies if c.code in per_competency]
        if members:
            domains.append(
                (group_result(d.code, d.name, members, ratings, scale), [per_competency[c.code] for c in members])
            )
    priorities = []
    for c in shown:
        ticked = []
        for a in c.activities:
            ticked_by = tuple(sorted({r.person for r in ratings if r.activity.code == a.code and r.priority}))
            if ticked_by:
                ticked.append(Priority(a.code, a.text, ticked_by))
        if ticked:
            priorities.append((c, ticked))
    return Results(scale, people, [per_competency[c.code] for c in shown], domains, priorities)


# --- tables for programs -------------------------------------------------------------

COLUMNS = (
    "person",
    "role",
    "organisation",
    "round",
    "round_date",
    "domain",
    "competency",
    "activity",
    "level",
    "level_label",
    "level_rank",
    "priority",
    "evidence",
    "file",
)


def rating_rows(profile: Profile, responses: Responses) -> list[dict[str, object]]:
    """One row per person, activity and round: the table behind every result."""
    people = {p.name: p for p in responses.people}
    domain_of = {c.code: d for d in profile.domains for c in d.competencies}
    labels = {level.id: level for level in responses.scale.levels}
    rows = []
    for r in responses.ratings:
        person = people[r.person]
        level = labels.get(r.level or "")
        rows.append(
            {
                "person": r.person,
                "role": person.role,
                "organisation": person.organisation,
                "round": r.round,
                "round_date": person.round_dates.get(r.round, ""),
                "domain": domain_of[r.competency.code].code,
                "competency": r.competency.code,
                "activity": r.activity.code,
                "level": r.level or "",
                "level_label": level.label
                if level
                else (responses.scale.not_applicable if r.level == forms.NA else ""),
                "level_rank": level.rank if level else "",
                "priority": "yes" if r.priority else "",
                "evidence": r.evidence,
                "file": r.file.name,
            }
        )
    return rows


def to_csv(rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    """Rows as CSV (UTF-8, a header line first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


NOTE_COLUMNS = ("person", "competency", "notes", "reflection", "file")


def note_rows(responses: Responses) -> list[dict[str, object]]:
    """One row per person, competency and file with notes or a reflection written in it."""
    return [
        {
            "person": n.person,
            "competency": n.competency.code,
            "notes": n.notes,
            "reflection": n.reflection,
            "file": n.file.name,
        }
        for n in responses.notes
    ]


def notes_csv(rows: list[dict[str, object]]) -> bytes:
    return to_csv(rows, NOTE_COLUMNS)


def to_json(profile: Profile, responses: Responses, rows: list[dict[str, object]]) -> bytes:
    document = {
        "profile": {"title": profile.title, "version": profile.version, "citation": profile.citation},
        "scale": {
            "id": responses.scale.id,
            "name": responses.scale.name,
            "source": responses.scale.source,
            "levels": [{"id": level.id, "label": level.label, "rank": level.rank} for level in responses.scale.levels],
            "not_applicable": responses.scale.not_applicable,
        },
        "people": [
            {
                "name": p.name,
                "role": p.role,
                "organisation": p.organisation,
                "round_dates": {str(k): v for k, v in sorted(p.round_dates.items())},
                "files": [f.name for f in p.files],
                "notes": [
                    {"competency": n.competency.code, "notes": n.notes, "reflection": n.reflection, "file": n.file.name}
                    for n in p.notes
                ],
            }
            for p in responses.people
        ],
        "ratings": rows,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
