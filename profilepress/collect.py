"""Reading filled worksheets back: PDFs filled in any PDF program, and answers saved from the HTML worksheet.

Both become a :class:`FilledWorksheet`: the identity the worksheet carries and
its fields as ``{field name: value}``. A file that holds no answers (a blank
form, a printable worksheet, a PDF whose fields were flattened into the page)
is refused by name: collecting it would invent an empty person.
:func:`responses` then checks every file against the profile and scale it
claims, activity by activity, and turns fields into ratings and notes.

Reading a filled PDF form robustly (see ../shared/design.md, "Known traps"):
programs record a radio choice in the group's ``/V`` (a name, ``/developmental``,
or a string, ``developmental`` or ``/developmental``), in the chosen widget's
appearance state ``/AS``, or both. We read every widget on every page, prefer
``/AS`` and fall back to ``/V``. Worksheets made before the form was repaired
name their states ``/0``, ``/1``… and keep the values in the group's ``/Opt``.
Text is decoded from the string's own bytes (UTF-16BE or UTF-8 with a byte
order mark, else PDFDocEncoding), so that one broken character becomes U+FFFD
and the rest of the answer is kept.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import forms
from .errors import ProfileErrors, SourceError, display_path
from .model import Activity, Competency, Profile, RatingScale

if TYPE_CHECKING:  # pragma: no cover
    from pypdf.generic import DictionaryObject

METADATA_KEY = "/profilepressworksheet"
ACCEPT_CHANGED = "--accept-changed"


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
    level: str | None  # a level id, forms.NA, or None when left blank
    priority: bool
    evidence: str
    file: Path


@dataclass(frozen=True)
class Note:
    """What one person wrote under one competency in one file: notes and reflection."""

    person: str
    competency: Competency
    notes: str
    reflection: str
    file: Path


@dataclass(frozen=True)
class Notice:
    """Answers in a file that were left out, or collected only because they were asked for."""

    file: Path
    message: str

    def format(self) -> str:
        return f"{display_path(self.file)}: {self.message}"

    def as_error(self) -> SourceError:
        return SourceError(self.file, 0, 0, self.message)


@dataclass
class Person:
    name: str
    role: str = ""
    organisation: str = ""
    round_dates: dict[int, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class Responses:
    """Everything collected: the scale, the people, their ratings, and what was left out or accepted."""

    scale: RatingScale
    people: list[Person]
    ratings: list[Rating]
    warnings: list[Notice] = field(default_factory=list)  # answers left out, one per activity and file
    accepted: list[Notice] = field(default_factory=list)  # answers to reworded activities collected as asked

    @property
    def notes(self) -> list[Note]:
        return [note for person in self.people for note in person.notes]


def read(path: Path) -> FilledWorksheet:
    """Read one filled worksheet (PDF or saved HTML answers); raises ProfileErrors naming the file."""
    if not path.is_file():
        raise _error(path, "file not found")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        sheet = _read_pdf(path)
    elif suffix == ".json":
        sheet = _read_answers(path)
    else:
        raise _error(
            path,
            "not a filled worksheet",
            "give filled worksheet PDFs, answers saved from the HTML worksheet (.json), or scans of printed "
            "worksheets as PDF, PNG, JPEG or TIFF files",
        )
    if not any(value.strip() for name, value in sheet.fields.items() if name not in _COVER):
        raise _error(
            path,
            "holds no answers: no activity is rated, and no evidence, priority, note or reflection is filled in",
            "collect worksheets once they are filled in; a paper worksheet's answers can be typed "
            "into the fillable PDF or the HTML worksheet",
        )
    return sheet


_COVER = (
    set(forms.COVER_FIELDS) | set(forms.ROUND_DATE_FIELDS.values()) | {"date"}
)  # "date": worksheets made before 2026-12


def responses(
    files: list[FilledWorksheet], profile: Profile, scales: dict[str, RatingScale], accept_changed: bool = False
) -> Responses:
    """Check every file against the current profile and its scale, and turn fields into ratings and notes.

    Each activity a worksheet carries is compared with the profile by its code
    and the hash of its words: answers to unchanged activities are collected;
    answers to an activity reworded since the worksheet was made are left out
    (with a warning naming the file and the code) unless ``accept_changed``;
    answers to an activity no longer in the profile are left out.
    """
    errors: list[SourceError] = []
    warnings: list[Notice] = []
    accepted: list[Notice] = []
    competency_by_code = {c.code: c for c in profile.competencies}
    activity_by_code = {a.code: (a, c) for c in profile.competencies for a in c.activities}
    scale_ids = sorted({f.identity.scale for f in files})
    if len(scale_ids) > 1:
        raise ProfileErrors(
            [
                SourceError(
                    f.path,
                    0,
                    0,
                    f"rated on the '{f.identity.scale}' scale",
                    hint=f"collect worksheets of one scale at a time (found: {', '.join(scale_ids)})",
                )
                for f in files
            ]
        )
    people: dict[str, Person] = {}
    ratings: list[Rating] = []
    seen: dict[tuple[str, int, str], Path] = {}
    scale = None
    for sheet in files:
        ident, where = sheet.identity, sheet.path
        scale = scales.get(ident.scale)
        if scale is None or tuple(level.id for level in scale.levels) != ident.levels:
            errors.append(
                SourceError(
                    sheet.path,
                    0,
                    0,
                    f"rated on the scale '{ident.scale}', which scales/ no longer holds in that form",
                    hint="restore that scale file",
                )
            )
            continue
        usable, problem = _usable_activities(sheet, profile, activity_by_code, competency_by_code)
        if problem is not None:
            errors.append(problem)
            continue
        for code, status in usable.items():
            if status == "same" or not _answered(sheet, code):
                continue
            if status == "gone":
                warnings.append(Notice(where, f"{code} is no longer in the profile; its answers are left out"))
            elif accept_changed:
                accepted.append(
                    Notice(
                        where,
                        f"{code} was reworded after this worksheet was made; its answers "
                        f"are collected against its current words, as {ACCEPT_CHANGED} asks",
                    )
                )
            else:
                warnings.append(
                    Notice(
                        where,
                        f"{code} was reworded after this worksheet was made; its answers "
                        f"are left out (give {ACCEPT_CHANGED} to collect them anyway)",
                    )
                )
        collected = [
            code for code, status in usable.items() if status == "same" or (status == "reworded" and accept_changed)
        ]
        warnings += _unknown_fields(sheet, usable)

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
            notes = sheet.fields.get(f"{forms.field_base(code)}_notes", "").strip()
            reflection = sheet.fields.get(f"{forms.field_base(code)}_reflection", "").strip()
            if not (notes or reflection):
                continue
            if code not in competency_by_code:
                warnings.append(
                    Notice(
                        where,
                        f"{code} is no longer in the profile; the notes and reflection written under it are left out",
                    )
                )
                continue
            note = Note(name, competency_by_code[code], notes, reflection, sheet.path)
            if not any((n.competency.code, n.notes, n.reflection) == (code, notes, reflection) for n in person.notes):
                person.notes.append(note)
        for code in collected:
            activity, competency = activity_by_code[code]
            evidence = sheet.fields.get(forms.evidence_field(activity), "").strip()
            priority = sheet.fields.get(forms.priority_field(activity), "") not in ("", "Off")
            for round_ in forms.ROUNDS:
                key = forms.rating_field(activity, round_)
                value = sheet.fields.get(key) or None
                if value is not None and value not in allowed:
                    errors.append(
                        SourceError(
                            sheet.path,
                            0,
                            0,
                            f"field {key} holds '{value}', which is not a level of the '{scale.id}' scale",
                            hint="was the file edited by hand?",
                        )
                    )
                    continue
                if value is None and not (round_ == 1 and (evidence or priority)):
                    continue
                slot = (name, round_, activity.code)
                if slot in seen and value is not None:
                    errors.append(
                        SourceError(
                            sheet.path,
                            0,
                            0,
                            f"{name} rated {activity.code} in round {round_} again (also in {seen[slot].name})",
                            hint="give each person's round once",
                        )
                    )
                    continue
                if value is not None:
                    seen[slot] = sheet.path
                ratings.append(
                    Rating(
                        name,
                        round_,
                        activity,
                        competency,
                        value,
                        priority and round_ == 1,
                        evidence if round_ == 1 else "",
                        sheet.path,
                    )
                )
    if errors:
        raise ProfileErrors(errors)
    if scale is None:
        raise ProfileErrors([SourceError(Path("."), 0, 0, "no worksheets to collect")])
    if not ratings and not any(p.notes for p in people.values()):
        raise ProfileErrors(
            [n.as_error() for n in warnings]
            + [SourceError(Path("."), 0, 0, "nothing left to collect: every answer in these files is left out")]
        )
    return Responses(scale, list(people.values()), ratings, warnings, accepted)


def _usable_activities(
    sheet: FilledWorksheet, profile: Profile, activity_by_code: dict, competency_by_code: dict
) -> tuple[dict[str, str], SourceError | None]:
    """Each activity code the worksheet carries → "same", "reworded" or "gone"; or why the file is refused."""
    ident = sheet.identity
    if ident.activities is None:
        # Made before activities carried their own hashes: compared as a whole, by its fingerprint.
        mine = [competency_by_code[code] for code in ident.competencies if code in competency_by_code]
        if len(mine) == len(ident.competencies) and forms.fingerprint(mine) == ident.fingerprint:
            return {a.code: "same" for c in mine for a in c.activities}, None
        if ident.version != profile.version:
            what = f"made from version {ident.version} of the profile, and the profile is now version {profile.version}"
        else:
            what = (
                f"made before some of its competencies or activities were changed (the profile's version, "
                f"{profile.version}, stayed the same)"
            )
        return {}, SourceError(
            sheet.path,
            0,
            0,
            f"{what}; this worksheet is of an older kind that cannot tell which activities "
            "changed, so none of its answers can be matched safely",
            hint="collect it with the profile sources it was made from (--source), or copy its answers into a "
            "worksheet made from the profile as it is now",
        )
    usable = {}
    for code, digest in sorted(ident.activities, key=lambda item: _code_key(item[0])):
        current = activity_by_code.get(code)
        if current is None:
            usable[code] = "gone"
        else:
            usable[code] = "same" if forms.activity_hash(current[0]) == digest else "reworded"
    if ident.profile != profile.title and "same" not in usable.values():
        return {}, SourceError(
            sheet.path,
            0,
            0,
            f"made from another profile ({ident.profile} {ident.version}), not the {profile.title}",
            hint="collect it with the profile sources it was made from (--source)",
        )
    return usable, None


def _code_key(code: str) -> tuple:
    """``C1.10`` after ``C1.2``: codes in the order people read them."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


def _answered(sheet: FilledWorksheet, code: str) -> bool:
    base = forms.field_base(code)
    return any(
        sheet.fields.get(f"{base}_{suffix}", "").strip() not in ("", "Off")
        for suffix in ("r1", "r2", "evidence", "priority")
    )


def _unknown_fields(sheet: FilledWorksheet, usable: dict[str, str]) -> list[Notice]:
    """Answers in fields this worksheet does not have (a hand-edited file): named, not silently dropped."""
    known = set(_COVER)
    for code in sheet.identity.competencies:
        known |= {f"{forms.field_base(code)}_notes", f"{forms.field_base(code)}_reflection"}
    for code in usable:
        known |= {f"{forms.field_base(code)}_{suffix}" for suffix in ("r1", "r2", "evidence", "priority")}
    return [
        Notice(sheet.path, f"the field '{name}' is not on this worksheet; its answer is left out")
        for name, value in sorted(sheet.fields.items())
        if name not in known and value.strip()
    ]


# --- text --------------------------------------------------------------------------


# PDFDocEncoding (ISO 32000-2, Annex D) where it differs from Latin-1; undefined codes become U+FFFD.
_PDFDOC = {
    0x18: "\u02d8",
    0x19: "\u02c7",
    0x1A: "\u02c6",
    0x1B: "\u02d9",
    0x1C: "\u02dd",
    0x1D: "\u02db",
    0x1E: "\u02da",
    0x1F: "\u02dc",
    0x7F: "\ufffd",
    0x80: "\u2022",
    0x81: "\u2020",
    0x82: "\u2021",
    0x83: "\u2026",
    0x84: "\u2014",
    0x85: "\u2013",
    0x86: "\u0192",
    0x87: "\u2044",
    0x88: "\u2039",
    0x89: "\u203a",
    0x8A: "\u2212",
    0x8B: "\u2030",
    0x8C: "\u201e",
    0x8D: "\u201c",
    0x8E: "\u201d",
    0x8F: "\u2018",
    0x90: "\u2019",
    0x91: "\u201a",
    0x92: "\u2122",
    0x93: "\ufb01",
    0x94: "\ufb02",
    0x95: "\u0141",
    0x96: "\u0152",
    0x97: "\u0160",
    0x98: "\u0178",
    0x99: "\u017d",
    0x9A: "\u0131",
    0x9B: "\u0142",
    0x9C: "\u0153",
    0x9D: "\u0161",
    0x9E: "\u017e",
    0x9F: "\ufffd",
    0xA0: "\u20ac",
    0xAD: "\ufffd",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def decode_text_string(raw: bytes) -> str:
    """A PDF text string's bytes as text: only a broken character becomes U+FFFD (see the module's notes)."""
    if raw.startswith(codecs.BOM_UTF16_BE):
        text = raw[2:].decode("utf-16-be", "replace")
    elif raw.startswith(codecs.BOM_UTF16_LE):  # not allowed by the standard, but some programs write it
        text = raw[2:].decode("utf-16-le", "replace")
    elif raw.startswith(codecs.BOM_UTF8):  # PDF 2.0
        text = raw[3:].decode("utf-8", "replace")
    else:
        text = "".join(_PDFDOC.get(byte) or chr(byte) for byte in raw)
    return clean_text(text)


def clean_text(text: str) -> str:
    """Text fit to print and to write as UTF-8: lone surrogates become U+FFFD, control characters go,
    line ends become ``\\n``."""
    text = _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def _pdf_text(value) -> str:
    """A text field's value, decoded from the bytes in the file when the library kept them."""
    if value is None:
        return ""
    try:
        raw = value.original_bytes  # pypdf's TextStringObject and ByteStringObject
    except Exception:
        raw = None
    if isinstance(raw, bytes):
        return decode_text_string(raw)
    return clean_text(str(value))


# --- PDF ---------------------------------------------------------------------------


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf's own warnings about a damaged file (printed as they come, "EOF marker not found") silenced: the
    file's problem is reported once, by its name, with what to do."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_pdf(path: Path) -> FilledWorksheet:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with quiet_pypdf():
            reader = PdfReader(path)
            info: Mapping[str, Any] = reader.metadata or {}
            raw_identity = info.get(METADATA_KEY)
            pages = list(reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise _error(
            path,
            f"not a readable PDF ({exc})",
            "save, export or scan it again; a PDF cut short in copying or e-mail cannot be read",
        ) from None
    if raw_identity is None:
        raise _error(
            path,
            "not a worksheet made by this tool (it carries no worksheet identity)",
            "fill in a fillable worksheet PDF from output/worksheets/",
        )
    identity = _identity(path, _pdf_text(raw_identity))
    try:
        fields = _form_fields(path, pages, list(identity.levels) + [forms.NA])
    except (PdfReadError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _error(path, f"its form fields cannot be read ({exc})") from None
    return FilledWorksheet(path, identity, fields)


def _form_fields(path: Path, pages: list, order: list[str]) -> dict[str, str]:
    """Every filled field on every page: {name: value}, a radio group's value being the chosen level's id."""
    fields: dict[str, str] = {}
    radios: dict[str, tuple[DictionaryObject, list[str]]] = {}  # group name → (group, the states its widgets show on)
    widgets = 0
    for page in pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            widgets += 1
            parent = widget.get("/Parent")
            group = parent.get_object() if parent is not None else None
            name = _pdf_text((group or widget).get("/T"))
            if not name:
                continue
            kind = (group or widget).get("/FT") or widget.get("/FT")
            if kind == "/Tx":
                value = _pdf_text((group or widget).get("/V")).strip()
                if value:
                    fields[name] = value
            elif kind == "/Btn" and group is not None:  # a radio choice
                shown = radios.setdefault(name, (group, []))[1]
                state = _state(widget.get("/AS"))
                if state is not None:
                    shown.append(state)
            elif kind == "/Btn":  # a checkbox
                state = _state(widget.get("/AS")) or _state(widget.get("/V"))
                if state is not None:
                    fields[name] = "on"
    if not widgets:
        raise _error(
            path,
            "has no form fields: it is a printable worksheet, or a filled one whose fields were "
            "flattened into the page, so its answers cannot be read",
            "collect the fillable worksheet (…-fillable.pdf) as filled in a PDF program, before it is "
            "flattened or printed to PDF",
        )
    for name, (group, shown) in radios.items():
        chosen = sorted(set(shown))
        stored = _state(group.get("/V"))
        if len(chosen) > 1:
            if stored not in chosen:
                values = " and ".join(_radio_value(s, group, order) for s in chosen)
                raise _error(
                    path,
                    f"field {name} has two choices ticked ({values})",
                    "open the file in a PDF program, tick one choice, and save it again",
                )
            chosen = [stored]
        state = chosen[0] if chosen else stored
        if state is not None:
            fields[name] = _radio_value(state, group, order)
    return fields


def _state(value) -> str | None:
    """A button's state name without the slash, or None when off or unset."""
    if value is None:
        return None
    text = _pdf_text(value).strip().lstrip("/")
    return None if text in ("", "Off") else text


def _radio_value(state: str, group, order: list[str]) -> str:
    """A choice's value: its state's name, or, in a form from before the repair, an index into /Opt."""
    if state in order or not state.isdigit():
        return state
    options = [_pdf_text(o) for o in (group.get("/Opt") or [])]
    index = int(state)
    if index < len(options):
        return options[index]
    return order[index] if index < len(order) else state


# --- HTML answers ------------------------------------------------------------------


def _read_answers(path: Path) -> FilledWorksheet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _error(path, f"not a saved answers file (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != forms.ANSWERS_FORMAT:
        raise _error(
            path,
            f"not a saved answers file (no 'format': '{forms.ANSWERS_FORMAT}')",
            "save the answers with the HTML worksheet's 'Save answers to a file' button",
        )
    if data.get("format_version") != forms.ANSWERS_FORMAT_VERSION:
        raise _error(
            path,
            f"answers format version {data.get('format_version')!r} is not supported "
            f"(this tool reads version {forms.ANSWERS_FORMAT_VERSION})",
        )
    fields = data.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise _error(path, "the answers file has no valid 'fields'")
    values = {clean_text(k): clean_text(v).strip() for k, v in fields.items()}
    return FilledWorksheet(
        path, _identity(path, json.dumps(data.get("worksheet"))), {k: v for k, v in values.items() if v}
    )


def _identity(path: Path, text: str) -> forms.WorksheetIdentity:
    try:
        return forms.WorksheetIdentity.from_json(text)
    except (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError):
        raise _error(path, "its worksheet identity is damaged") from None


def _error(path: Path, message: str, hint: str = "") -> ProfileErrors:
    return ProfileErrors([SourceError(path, 0, 0, message, hint=hint)])
