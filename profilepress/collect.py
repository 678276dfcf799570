"""Reading filled worksheets back: PDFs filled in any PDF program, and answers saved from the HTML worksheet.

Both become a :class:`FilledWorksheet`: the identity the worksheet carries and
its fields as ``{field name: value}``. :func:`responses` then checks them
against the profile and scale they claim, and turns fields into ratings.

Reading a filled PDF form robustly (see ../shared/design.md, "Known traps"):
WeasyPrint names a radio group's choices ``/0``, ``/1``… in input order and
keeps the values in the group's ``/Opt``; programs record a choice either in the
group's ``/V``, in the chosen widget's appearance state ``/AS``, or both. We read
every widget on every page, prefer ``/AS`` and fall back to ``/V``, and map an
index back to its value through ``/Opt`` (or the worksheet's own level order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import forms
from .errors import ProfileErrors, SourceError
from .model import Activity, Competency, Profile, RatingScale

METADATA_KEY = "/profilepressworksheet"


@dataclass(frozen=True)
class FilledWorksheet:
    """One file, as read: what worksheet it says it is, and what was filled in."""

    path: Path
    identity: forms.WorksheetIdentity
    fields: dict[str, str]


@dataclass(frozen=True)
class Rating:
    """One activity rated by one person in one round."""

    person: str
    round: int
    activity: Activity
    competency: Competency
    level: str | None          # a level id, forms.NA, or None when left blank
    priority: bool
    evidence: str
    file: Path


@dataclass
class Person:
    name: str
    role: str = ""
    organisation: str = ""
    round_dates: dict[int, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)        # competency code → notes
    reflections: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Responses:
    """Everything collected: the scale, the people and their ratings."""

    scale: RatingScale
    people: list[Person]
    ratings: list[Rating]


def read(path: Path) -> FilledWorksheet:
    """Read one filled worksheet (PDF or saved HTML answers); raises ProfileErrors naming the file."""
    if not path.is_file():
        raise _error(path, "file not found")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _read_pdf(path)
    if suffix == ".json":
        return _read_answers(path)
    raise _error(path, "not a filled worksheet", "give filled worksheet PDFs or answers saved from the HTML "
                                                 "worksheet (.json)")


def responses(files: list[FilledWorksheet], profile: Profile, scales: dict[str, RatingScale]) -> Responses:
    """Check every file against the current profile and its scale, and turn fields into ratings."""
    errors: list[SourceError] = []
    by_code = {c.code: c for c in profile.competencies}
    scale_ids = sorted({f.identity.scale for f in files})
    if len(scale_ids) > 1:
        raise ProfileErrors([SourceError(f.path, 0, 0, f"rated on the '{f.identity.scale}' scale",
                                         hint=f"collect worksheets of one scale at a time (found: "
                                              f"{', '.join(scale_ids)})") for f in files])
    people: dict[str, Person] = {}
    ratings: list[Rating] = []
    seen: dict[tuple[str, int, str], Path] = {}
    scale = None
    for sheet in files:
        ident = sheet.identity
        mine = [by_code[code] for code in ident.competencies if code in by_code]
        current = forms.fingerprint(mine) if len(mine) == len(ident.competencies) else "(codes missing)"
        if ident.fingerprint != current:
            errors.append(SourceError(
                sheet.path, 0, 0,
                f"made from a different version of the profile ({ident.profile} {ident.version}, "
                f"fingerprint {ident.fingerprint}; the sources now give {profile.title} {profile.version}, "
                f"fingerprint {current})",
                hint="collect it with the sources it was made from, or fill in a worksheet built from these"))
            continue
        scale = scales.get(ident.scale)
        if scale is None or tuple(level.id for level in scale.levels) != ident.levels:
            errors.append(SourceError(sheet.path, 0, 0, f"rated on the scale '{ident.scale}', which scales/ "
                                      "no longer holds in that form", hint="restore that scale file"))
            continue
        allowed = {level.id for level in scale.levels} | {forms.NA}
        name = sheet.fields.get("name", "").strip() or sheet.path.stem
        person = people.setdefault(name, Person(name))
        person.files.append(sheet.path)
        person.role = person.role or sheet.fields.get("role", "").strip()
        person.organisation = person.organisation or sheet.fields.get("organisation", "").strip()
        for round_, key in forms.ROUND_DATE_FIELDS.items():
            if sheet.fields.get(key, "").strip():
                person.round_dates.setdefault(round_, sheet.fields[key].strip())
        for code in ident.competencies:
            competency = by_code[code]
            for key, store in ((forms.notes_field(competency), person.notes),
                               (forms.reflection_field(competency), person.reflections)):
                if sheet.fields.get(key, "").strip():
                    store[code] = sheet.fields[key].strip()
            for activity in competency.activities:
                evidence = sheet.fields.get(forms.evidence_field(activity), "").strip()
                priority = sheet.fields.get(forms.priority_field(activity), "") not in ("", "Off")
                for round_ in forms.ROUNDS:
                    key = forms.rating_field(activity, round_)
                    value = sheet.fields.get(key) or None
                    if value is not None and value not in allowed:
                        errors.append(SourceError(sheet.path, 0, 0, f"field {key} holds '{value}', which is not "
                                                  f"a level of the '{scale.id}' scale",
                                                  hint="was the file edited by hand?"))
                        continue
                    if value is None and not (round_ == 1 and (evidence or priority)):
                        continue
                    slot = (name, round_, activity.code)
                    if slot in seen and value is not None:
                        errors.append(SourceError(sheet.path, 0, 0, f"{name} rated {activity.code} in round "
                                                  f"{round_} again (also in {seen[slot].name})",
                                                  hint="give each person's round once"))
                        continue
                    if value is not None:
                        seen[slot] = sheet.path
                    ratings.append(Rating(name, round_, activity, competency, value,
                                          priority and round_ == 1, evidence if round_ == 1 else "", sheet.path))
    if errors:
        raise ProfileErrors(errors)
    if scale is None:
        raise ProfileErrors([SourceError(Path("."), 0, 0, "no worksheets to collect")])
    return Responses(scale, list(people.values()), ratings)


# --- PDF ---------------------------------------------------------------------------


def _read_pdf(path: Path) -> FilledWorksheet:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        info = reader.metadata or {}
        raw_identity = info.get(METADATA_KEY)
        pages = list(reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise _error(path, f"not a readable PDF ({exc})") from None
    if raw_identity is None:
        raise _error(path, "not a worksheet made by this tool (it carries no worksheet identity)",
                     "fill in a fillable worksheet PDF from output/worksheets/")
    identity = _identity(path, str(raw_identity))
    order = list(identity.levels) + [forms.NA]
    fields: dict[str, str] = {}
    for page in pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            parent = widget.get("/Parent")
            group = parent.get_object() if parent is not None else None
            name = str((group or widget).get("/T", ""))
            if not name:
                continue
            kind = (group or widget).get("/FT") or widget.get("/FT")
            if kind == "/Tx":
                value = (group or widget).get("/V")
                if value:
                    fields[name] = str(value)
            elif kind == "/Btn" and group is not None:          # a radio choice
                chosen = _state(widget.get("/AS")) or _state(group.get("/V"))
                if chosen is not None and name not in fields:
                    fields[name] = _radio_value(chosen, group, order)
            elif kind == "/Btn":                                # a checkbox
                state = _state(widget.get("/AS")) or _state(widget.get("/V"))
                if state is not None:
                    fields[name] = "on"
    return FilledWorksheet(path, identity, fields)


def _state(value) -> str | None:
    """A button's state name without the slash, or None when off or unset."""
    if value is None:
        return None
    text = str(value).lstrip("/")
    return None if text in ("", "Off") else text


def _radio_value(state: str, group, order: list[str]) -> str:
    """WeasyPrint's radio states are indices into /Opt; other programs may use the value itself."""
    options = [str(o) for o in (group.get("/Opt") or [])]
    if state.isdigit():
        index = int(state)
        if index < len(options):
            return options[index]
        if index < len(order):
            return order[index]
    return state


# --- HTML answers ------------------------------------------------------------------


def _read_answers(path: Path) -> FilledWorksheet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _error(path, f"not a saved answers file (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != forms.ANSWERS_FORMAT:
        raise _error(path, "not a saved answers file (no 'format': "
                           f"'{forms.ANSWERS_FORMAT}')", "save the answers with the HTML worksheet's "
                                                        "'Save answers to a file' button")
    if data.get("format_version") != forms.ANSWERS_FORMAT_VERSION:
        raise _error(path, f"answers format version {data.get('format_version')!r} is not supported "
                           f"(this tool reads version {forms.ANSWERS_FORMAT_VERSION})")
    fields = data.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise _error(path, "the answers file has no valid 'fields'")
    return FilledWorksheet(path, _identity(path, json.dumps(data.get("worksheet"))), dict(fields))


def _identity(path: Path, text: str) -> forms.WorksheetIdentity:
    try:
        return forms.WorksheetIdentity.from_json(text)
    except (KeyError, TypeError, ValueError, json.JSONDecodeError):
        raise _error(path, "its worksheet identity is damaged") from None


def _error(path: Path, message: str, hint: str = "") -> ProfileErrors:
    return ProfileErrors([SourceError(path, 0, 0, message, hint=hint)])
