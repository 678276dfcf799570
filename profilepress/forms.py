"""Worksheet form fields: their names, and the identity a filled worksheet carries.

Field names are derived from the codes every document prints, so a filled form
can be read by a program and "C1.3" means the same activity everywhere. PDF
reads a dot in a field name as a hierarchy separator, so codes use ``_``:

    C1_3_r1          rating of activity C1.3 in the first round (a level id, or "na")
    C1_3_r2          ... in the second round
    C1_3_evidence    evidence or example for C1.3
    C1_3_priority    "on" when C1.3 is marked as a priority
    C1_notes         notes for competency C1
    C1_reflection    reflections on competency C1
    name, role, organisation, r1_date, r2_date    the cover sheet

A worksheet also carries its identity (profile, version, a fingerprint of the
activities' codes and words, each activity's code with a short hash of its own
words, the rating scale and its levels), so that answers are never read against
another scale, and an answer is collected only for an activity whose code and
words are still those the person saw: a correction to one activity leaves the
answers to every other activity usable.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from .model import Activity, Competency, Profile, RatingScale
from .translation import source_of

NA = "na"
ROUNDS = (1, 2)
COVER_FIELDS = ("name", "role", "organisation")
ROUND_DATE_FIELDS = {1: "r1_date", 2: "r2_date"}
ANSWERS_FORMAT = "profilepress-worksheet-answers"
ANSWERS_FORMAT_VERSION = 1


def field_base(code: str) -> str:
    """``C1.3`` → ``C1_3``."""
    return code.replace(".", "_")


def rating_field(activity: Activity, round_: int) -> str:
    return f"{field_base(activity.code)}_r{round_}"


def evidence_field(activity: Activity) -> str:
    return f"{field_base(activity.code)}_evidence"


def priority_field(activity: Activity) -> str:
    return f"{field_base(activity.code)}_priority"


def notes_field(competency: Competency) -> str:
    return f"{field_base(competency.code)}_notes"


def reflection_field(competency: Competency) -> str:
    return f"{field_base(competency.code)}_reflection"


def fingerprint(competencies: tuple[Competency, ...] | list[Competency]) -> str:
    """Changes whenever one of these competencies or its activities is added, removed, recoded or reworded.

    A worksheet is fingerprinted over its own competencies only: editing another
    part of the profile neither changes it nor invalidates its filled copies.
    """
    digest = hashlib.sha256()
    for c in competencies:  # a translated edition's worksheet: by the source text, as the English one is
        digest.update(f"{c.code}\0{source_of(c.name)}\0".encode())
        for a in c.activities:
            digest.update(f"{a.code}\0{source_of(a.text)}\0{'|'.join(map(source_of, a.items))}\0".encode())
    return digest.hexdigest()[:16]


def activity_hash(activity: Activity) -> str:
    """A short hash of an activity's words (its text and sub-items): changes when it is reworded."""
    words = "\0".join(map(source_of, (activity.text, *activity.items)))  # a translation's: the source's
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class WorksheetIdentity:
    """What a filled worksheet says about where it came from."""

    profile: str
    version: str
    fingerprint: str
    scale: str
    levels: tuple[str, ...]
    competencies: tuple[str, ...]  # the codes this worksheet covers
    # each activity's code and the hash of its words, in document order; None in a worksheet made
    # before activities carried their own hashes (it is compared by its whole fingerprint)
    activities: tuple[tuple[str, str], ...] | None = None

    def to_json(self) -> str:
        data = asdict(self)
        if self.activities is None:
            del data["activities"]
        else:
            data["activities"] = dict(self.activities)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> WorksheetIdentity:
        data = json.loads(text)
        activities = data.get("activities")
        if activities is not None and not isinstance(activities, dict):
            raise TypeError("activities must map codes to hashes")
        return cls(
            str(data["profile"]),
            str(data["version"]),
            str(data["fingerprint"]),
            str(data["scale"]),
            tuple(map(str, data["levels"])),
            tuple(map(str, data["competencies"])),
            None if activities is None else tuple((str(k), str(v)) for k, v in activities.items()),
        )


def identity(profile: Profile, scale: RatingScale, competencies: tuple[Competency, ...]) -> WorksheetIdentity:
    return WorksheetIdentity(
        source_of(profile.title),
        profile.version,
        fingerprint(competencies),
        scale.id,
        tuple(level.id for level in scale.levels),
        tuple(c.code for c in competencies),
        tuple((a.code, activity_hash(a)) for c in competencies for a in c.activities),
    )
