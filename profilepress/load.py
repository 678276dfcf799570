"""Load stage: profile sources on disk → a validated, linked :class:`Profile`.

Reads every source file strictly (:mod:`profilepress.yamlread`), validates each
against its declared shape (:mod:`profilepress.sources`), then checks the links
between files (ids, codes, references) and builds the frozen model. Every
problem is collected with its ``file:line:col``; if there is any, one
:class:`ProfileErrors` carries them all and nothing is returned.

Layout of a profile folder::

    profile.yaml          metadata, front matter, domain order
    principles.yaml       guiding principles
    domains/*.yaml        one domain each, listing its competencies in order
    competencies/*.yaml   one competency each
"""

from __future__ import annotations

import difflib
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from . import messages, model, sources
from .errors import ProfileErrors, SourceError
from .yamlread import Document, FieldPath, dotted, read_yaml

M = TypeVar("M", bound=sources.SourceModel)

PROFILE_FILE = "profile.yaml"
PRINCIPLES_FILE = "principles.yaml"
DOMAINS_DIR = "domains"
COMPETENCIES_DIR = "competencies"
ROLES_DIR = "roles"


@dataclass
class Parsed(Generic[M]):
    """A source file that was read as a YAML mapping.

    ``data`` is the validated content, or None when the file failed validation;
    the raw mapping (``doc.data``) is still used to check links between files,
    so that one broken file does not hide the other files' errors.
    """

    doc: Document
    data: M | None
    kind: str

    @property
    def path(self) -> Path:
        return Path(self.doc.path)

    @property
    def raw(self) -> dict:
        return self.doc.data

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        return value if isinstance(value, str) else None

    def texts(self, key: str) -> list[str]:
        value = self.raw.get(key)
        return [v if isinstance(v, str) else "" for v in value] if isinstance(value, list) else []

    def error(self, path: FieldPath, message: str, hint: str = "") -> SourceError:
        line, col = self.doc.position(path)
        return SourceError(self.doc.path, line, col, message, field=dotted(path), hint=hint)


def source_files(source_dir: Path) -> list[Path]:
    """Every file the loader reads, in a stable order (used for fingerprints too)."""
    files = [source_dir / PROFILE_FILE, source_dir / PRINCIPLES_FILE]
    for sub in (DOMAINS_DIR, COMPETENCIES_DIR):
        files += _yaml_files(source_dir / sub)
    return files


def load_profile(source_dir: Path) -> model.Profile:
    """Load, validate and link a profile folder, or raise :class:`ProfileErrors`."""
    source_dir = Path(source_dir).resolve()
    if not source_dir.is_dir():
        raise ProfileErrors(
            [
                SourceError(
                    source_dir,
                    0,
                    0,
                    "the profile folder does not exist",
                    hint="pass the folder holding profile.yaml with --source",
                )
            ]
        )
    errors: list[SourceError] = []
    unreadable: set[str] = set()  # kinds with a file that could not be read at all

    def parse_all(folder: Path, schema: type[M], kind: str) -> list[Parsed[M]]:
        parsed = []
        for path in _yaml_files(folder):
            result = _parse(path, schema, kind, errors)
            if result is None:
                unreadable.add(kind)
            else:
                parsed.append(result)
        return parsed

    profile = _parse_required(source_dir / PROFILE_FILE, sources.ProfileFile, "profile", errors)
    principles = _parse_required(source_dir / PRINCIPLES_FILE, sources.PrinciplesFile, "principles", errors)
    domains = parse_all(source_dir / DOMAINS_DIR, sources.DomainFile, "domain")
    competencies = parse_all(source_dir / COMPETENCIES_DIR, sources.CompetencyFile, "competency")
    roles = parse_all(source_dir / ROLES_DIR, sources.RoleFile, "role")
    if profile is None:
        unreadable.add("domain-order")

    errors += _check_links(profile, principles, domains, competencies, unreadable)
    if "competency" not in unreadable:
        errors += _check_roles(roles, {c.text("code") for c in competencies} - {None})
    if errors:
        raise ProfileErrors(errors)
    return _build_model(profile, principles, domains, competencies, roles)


def load_scales(folders: list[Path]) -> dict[str, model.RatingScale]:
    """Every rating scale in ``folders`` (later folders may add, never silently replace)."""
    errors: list[SourceError] = []
    scales: dict[str, model.RatingScale] = {}
    where: dict[str, Path] = {}
    for folder in folders:
        for path in _yaml_files(folder):
            parsed = _parse(path, sources.ScaleFile, "scale", errors)
            if parsed is None or parsed.data is None:
                continue
            scale = parsed.data
            if scale.id in scales:
                errors.append(
                    parsed.error(
                        ("id",),
                        f"duplicate scale id '{scale.id}', also used in {where[scale.id]}",
                        hint="rename one of the two scales",
                    )
                )
                continue
            level_ids = [level.id for level in scale.levels]
            for i, level_id in enumerate(level_ids):
                if level_ids.index(level_id) != i or level_id == "na":
                    errors.append(
                        parsed.error(
                            ("levels", i, "id"),
                            f"level id '{level_id}' is used twice or reserved",
                            hint="give each level its own id; 'na' is kept for N/A",
                        )
                    )
            where[scale.id] = path
            scales[scale.id] = model.RatingScale(
                scale.id,
                scale.name,
                scale.source,
                scale.rated_unit,
                scale.evidence_column,
                scale.not_applicable,
                tuple(
                    model.Level(level.id, level.label, level.descriptor, rank)
                    for rank, level in enumerate(scale.levels, start=1)
                ),
            )
    if errors:
        raise ProfileErrors(errors)
    return scales


BRAND_FILE = "brand.yaml"
MAX_LOGO_BYTES = 1_000_000
_LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
_FONT_TYPES = (".ttf", ".otf")
_FONT_FACES = {
    "regular": (400, "normal"),
    "bold": (700, "normal"),
    "italic": (400, "italic"),
    "bold_italic": (700, "italic"),
}


def load_brands(brands_dir: Path, project_root: Path) -> dict[str, model.Brand]:
    """Every brand in ``brands_dir`` (one folder each), checked: assets inside the folder, text contrast AA."""
    from .theme import failing_pairs

    errors: list[SourceError] = []
    brands: dict[str, model.Brand] = {}
    folders = sorted(p for p in brands_dir.iterdir() if p.is_dir()) if brands_dir.is_dir() else []
    for folder in folders:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", folder.name):
            errors.append(
                SourceError(
                    folder / BRAND_FILE,
                    0,
                    0,
                    f"the brand folder name '{folder.name}' is not allowed",
                    hint="use lower-case letters, digits and hyphens: it becomes part of output paths",
                )
            )
            continue
        parsed = _parse_required(folder / BRAND_FILE, sources.BrandFile, "brand", errors)
        if parsed is None or parsed.data is None:
            continue
        data, before = parsed.data, len(errors)
        for fg, bg, use, ratio in failing_pairs(data.colours.model_dump()):
            errors.append(
                parsed.error(
                    ("colours", fg),
                    f"{fg} {getattr(data.colours, fg)} on {bg} "
                    f"{getattr(data.colours, bg)} has a contrast of {ratio:.2f}:1; {use} needs "
                    f"at least 4.5:1 (WCAG AA)",
                    hint=f"choose a {'darker' if fg != 'on_accent' else 'more contrasting'} {fg} or a different {bg}",
                )
            )
        logo = None
        if data.logo is not None:
            path = _asset(parsed, folder, ("logo", "file"), data.logo.file, tuple(_LOGO_TYPES), errors)
            if path is not None:
                raw = path.read_bytes()
                problem = (
                    f"the logo is {len(raw):,} bytes (at most {MAX_LOGO_BYTES:,})"
                    if len(raw) > MAX_LOGO_BYTES
                    else check_logo(raw, path.suffix.lower())
                )
                if problem:
                    errors.append(
                        parsed.error(
                            ("logo", "file"), problem, hint="use a plain SVG drawing or a PNG within the limits"
                        )
                    )
                else:
                    logo = model.Logo(data.logo.alt, _LOGO_TYPES[path.suffix.lower()], raw, data.logo.file)
        font_files = {}
        if data.font is not None:
            for face, (weight, style) in _FONT_FACES.items():
                name = getattr(data.font.files, face)
                if name is None:
                    continue
                path = _asset(parsed, folder, ("font", "files", face), name, _FONT_TYPES, errors)
                if path is not None:
                    font_files[(weight, style)] = path.relative_to(project_root.resolve()).as_posix()
        locales = messages.available()
        if data.locale not in locales:
            close = difflib.get_close_matches(data.locale, locales, n=1)
            errors.append(
                parsed.error(
                    ("locale",),
                    f"no interface catalogue for locale '{data.locale}'",
                    hint=f"did you mean '{close[0]}'?" if close else f"choose one of: {', '.join(locales)}",
                )
            )
        if len(errors) == before:
            brands[folder.name] = model.Brand(
                folder.name,
                data.name,
                logo,
                data.colours.model_dump(),
                data.font.family if data.font else None,
                font_files,
                data.tagline,
                data.footer,
                data.contact,
                data.paper,
                data.permission,
                data.locale,
            )
    if errors:
        raise ProfileErrors(errors)
    return brands


MAX_LOGO_PIXELS = 16_000_000
MAX_LOGO_SIDE = 8000
MAX_SVG_ELEMENTS = 5000
_SVG_FORBIDDEN = {
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "audio",
    "video",
    "animate",
    "set",
    "handler",
    "listener",
}


def check_logo(raw: bytes, suffix: str) -> str | None:
    """Why a logo cannot be used, or None. PNGs must decode within pixel limits; SVGs must be plain drawings:
    no entities or DTD, no scripts, event handlers or foreign content, no references outside the file."""
    if suffix == ".png":
        from io import BytesIO

        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(BytesIO(raw)) as image:
                if image.format != "PNG":
                    return f"the logo is a {image.format} image, not a PNG"
                width, height = image.size
                if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
                    return (
                        f"the logo is {width}×{height} pixels (at most {MAX_LOGO_SIDE} a side, "
                        f"{MAX_LOGO_PIXELS:,} in all)"
                    )
                image.verify()
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
            return f"the logo is not a readable PNG ({type(exc).__name__})"
        return None
    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException

    try:
        root = safe_xml.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        return "the SVG logo declares a DTD or entities, which are not allowed"
    except Exception as exc:
        return f"the SVG logo is not well-formed XML ({type(exc).__name__})"
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return "the logo file is not an SVG image (its root element is not <svg>)"
    for count, element in enumerate(root.iter(), start=1):
        if count > MAX_SVG_ELEMENTS:
            return f"the SVG logo has more than {MAX_SVG_ELEMENTS} elements"
        name = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
        if name in _SVG_FORBIDDEN:
            return f"the SVG logo has a <{name}> element; logos must be plain drawings"
        if name in ("text", "tspan", "textpath"):
            return (
                f"the SVG logo has live text (<{name}>), which each program draws in its own font and may clip; "
                "convert the text to paths (in Inkscape: Path, Object to Path) and save the logo again"
            )
        for attribute, value in element.attrib.items():
            attribute = attribute.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                return f"the SVG logo has an event handler ({attribute}); logos must be plain drawings"
            if attribute == "href" and not value.startswith("#"):
                return f"the SVG logo refers to '{value[:60]}'; only references inside the file (#id) are allowed"
            if "url(" in value.replace(" ", "") and not re.search(r"url\(\s*['\"]?#", value):
                return "the SVG logo refers to an outside resource with url(); only url(#id) is allowed"
        if (
            name == "style"
            and element.text
            and ("@import" in element.text or re.search(r"url\(\s*['\"]?[^#'\"\s]", element.text))
        ):
            return "the SVG logo's style loads an outside resource; only url(#id) is allowed"
    return None


def _asset(
    parsed: Parsed, folder: Path, path: FieldPath, name: str, suffixes: tuple[str, ...], errors: list[SourceError]
) -> Path | None:
    """A file a brand names: it must be a relative path that stays inside the brand's folder and exists."""
    if "://" in name or name.startswith(("/", "\\")) or ":" in name.split("/")[0]:
        errors.append(
            parsed.error(
                path,
                f"'{name}' is not a file in the brand's folder",
                hint="name a file inside this folder, e.g. logo.svg; URLs and absolute paths are not allowed",
            )
        )
        return None
    target = (folder / name).resolve()
    if folder.resolve() not in target.parents:
        errors.append(
            parsed.error(
                path, f"'{name}' is outside the brand's folder", hint="keep the brand's files inside its own folder"
            )
        )
        return None
    if target.suffix.lower() not in suffixes:
        errors.append(
            parsed.error(
                path, f"'{name}' is not one of: {', '.join(suffixes)}", hint="use a file of one of these types"
            )
        )
        return None
    if not target.is_file():
        errors.append(
            parsed.error(path, f"'{name}' does not exist in {folder.name}/", hint="add the file, or fix its name")
        )
        return None
    return target


def load_packets(packets_dir: Path, profile: model.Profile, scale_ids: set[str]) -> dict[str, model.Packet]:
    """Every packet recipe, its role, competencies and scale resolved (with "did you mean")."""
    errors: list[SourceError] = []
    packets: dict[str, model.Packet] = {}
    roles = {r.id: r for r in profile.roles}
    by_code = {c.code: c for c in profile.competencies}
    by_domain = {d.code: d for d in profile.domains}
    for path in _yaml_files(packets_dir):
        parsed = _parse(path, sources.PacketFile, "packet", errors)
        if parsed is None or parsed.data is None:
            continue
        data, before = parsed.data, len(errors)
        if data.id in packets:
            errors.append(parsed.error(("id",), f"duplicate packet id '{data.id}'", hint="rename one of them"))
        if data.role is None and not data.domains and not data.competencies:
            errors.append(
                parsed.error(
                    (),
                    "the recipe chooses no competencies",
                    hint="add 'role', 'domains' or 'competencies' (or several of them)",
                )
            )
        if data.role is not None and data.role not in roles:
            close = difflib.get_close_matches(data.role, sorted(roles), n=1, cutoff=0.6)
            errors.append(
                parsed.error(
                    ("role",),
                    f"unknown role '{data.role}'",
                    hint=f"did you mean '{close[0]}'?" if close else f"roles: {', '.join(sorted(roles))}",
                )
            )
        errors += _check_references(parsed, ("domains",), data.domains, set(by_domain), "domain code", "a domain")
        errors += _check_references(
            parsed, ("competencies",), data.competencies, set(by_code), "competency code", "a competency"
        )
        if data.scale is not None and data.scale not in scale_ids:
            close = difflib.get_close_matches(data.scale, sorted(scale_ids), n=1)
            errors.append(
                parsed.error(
                    ("scale",),
                    f"unknown rating scale '{data.scale}'",
                    hint=f"did you mean '{close[0]}'?" if close else f"available: {', '.join(sorted(scale_ids))}",
                )
            )
        for i, section in enumerate(data.sections):
            if data.sections.index(section) != i:
                errors.append(
                    parsed.error(("sections", i), f"section '{section}' is listed twice", hint="list each section once")
                )
        errors += _check_agenda(parsed, data)
        if len(errors) > before:
            continue
        chosen = {c.code for c in roles[data.role].competencies} if data.role else set()
        chosen |= {c.code for code in data.domains for c in by_domain[code].competencies}
        chosen |= set(data.competencies)
        packets[data.id] = model.Packet(
            data.id,
            data.title,
            data.event,
            data.date,
            data.venue,
            data.facilitator,
            data.audience,
            data.welcome,
            tuple(data.objectives),
            tuple(data.pre_work),
            data.print_pre_work,
            tuple(
                model.Slot(
                    s.time,
                    s.minutes,
                    s.item,
                    s.lead or data.facilitator,
                    model.Guide(
                        s.guide.purpose,
                        tuple(model.Step(step.minutes, step.do) for step in s.guide.steps),
                        tuple(s.guide.key_messages),
                        tuple(s.guide.debrief),
                        tuple(s.guide.materials),
                        tuple(s.guide.handouts),
                        s.guide.if_short,
                    ),
                )
                for s in data.agenda
            ),
            roles.get(data.role) if data.role else None,
            tuple(c for c in profile.competencies if c.code in chosen),
            data.scale,
            data.paper,
            data.duplex,
            tuple(data.sections),
            tuple(model.Case(c.title, c.text, c.example) for c in data.cases),
            tuple(data.discussion),
            data.notes_pages,
            model.TrainerPart(tuple(data.trainer.materials), tuple(data.trainer.before), tuple(data.trainer.follow_up)),
        )
    if errors:
        raise ProfileErrors(errors)
    return packets


def _check_agenda(parsed: Parsed, data: sources.PacketFile) -> list[SourceError]:
    """Each block starts when the one before ends, its steps fill its minutes, and the handouts it uses are
    in the packet; cases are printed only where there is a discussion guide."""
    errors = []
    for i, slot in enumerate(data.agenda):
        total = sum(step.minutes for step in slot.guide.steps)
        if total != slot.minutes:
            errors.append(
                parsed.error(
                    ("agenda", i, "guide", "steps"),
                    f"the steps of '{slot.item}' take {total} minutes, the block {slot.minutes}",
                    hint="make the steps' minutes add up to the block's",
                )
            )
        for j, handout in enumerate(slot.guide.handouts):
            if handout not in data.sections:
                errors.append(
                    parsed.error(
                        ("agenda", i, "guide", "handouts", j),
                        f"handout '{handout}' is not one of the packet's sections",
                        hint=f"add '{handout}' to 'sections', or remove it here",
                    )
                )
    clock = None
    for i, slot in enumerate(data.agenda):
        start = model.clock_minutes(slot.time)
        if start is None:
            clock = None
            continue
        if clock is not None and start != clock:
            errors.append(
                parsed.error(
                    ("agenda", i, "time"),
                    f"'{slot.item}' starts at {slot.time}, but the block before it ends at {model.clock_time(clock)}",
                    hint="make each block start when the one before it ends (add a break block for a gap)",
                )
            )
        clock = start + slot.minutes
    if data.cases and "discussion-guide" not in data.sections:
        errors.append(
            parsed.error(
                ("cases",),
                "the recipe has cases but no 'discussion-guide' section to print them",
                hint="add 'discussion-guide' to 'sections'",
            )
        )
    return errors


def load_build_file(path: Path) -> Parsed[sources.BuildFile]:
    """The build plan file, validated; raises ProfileErrors with its locations."""
    errors: list[SourceError] = []
    parsed = _parse_required(path, sources.BuildFile, "build", errors)
    if errors or parsed is None or parsed.data is None:
        raise ProfileErrors(errors)
    return parsed


# --- reading and validating one file ---------------------------------------------


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _parse_required(path: Path, schema: type[M], kind: str, errors: list[SourceError]) -> Parsed[M] | None:
    if not path.is_file():
        errors.append(
            SourceError(
                path,
                0,
                0,
                f"{path.name} is missing",
                hint=f"every profile folder needs a {path.name}; check that --source points at the profile folder",
            )
        )
        return None
    return _parse(path, schema, kind, errors)


def _parse(path: Path, schema: type[M], kind: str, errors: list[SourceError]) -> Parsed[M] | None:
    """Read and validate one file. None when it is not a readable YAML mapping."""
    doc, yaml_errors = read_yaml(path)
    errors += yaml_errors
    if doc is None:
        return None
    if doc.data is None:
        errors.append(SourceError(path, 1, 1, "the file is empty", hint=f"write the {kind} fields, or delete the file"))
        return None
    if not isinstance(doc.data, dict):
        errors.append(
            SourceError(
                path,
                1,
                1,
                "the file must hold a mapping of fields (name: value)",
                hint=f"see schema/{kind}.schema.json for the expected fields",
            )
        )
        return None
    try:
        data = schema.model_validate(doc.data)
    except ValidationError as exc:
        errors += _from_pydantic_all(doc, schema, exc.errors())
        return Parsed(doc, None, kind)
    return Parsed(doc, None if yaml_errors else data, kind)


def _from_pydantic_all(doc: Document, schema: type[BaseModel], errs: list[Any]) -> list[SourceError]:
    """Map every pydantic error; a missing field explained by a misspelt one is not repeated."""
    locs = [tuple(p for p in e["loc"] if p not in sources.UNION_TAGS) for e in errs]
    misspelt, text_as_key = set(), set()
    for e, loc in zip(errs, locs):
        if e["type"] == "extra_forbidden":
            if " " in str(loc[-1]):
                text_as_key.add(loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), _field_names(schema, loc[:-1]), n=1, cutoff=0.6)
            misspelt.update(loc[:-1] + (c,) for c in close)
    return [
        _from_pydantic(doc, schema, e)
        for e, loc in zip(errs, locs)
        if not (e["type"] == "missing" and (loc in misspelt or loc[:-1] in text_as_key))
    ]


def _from_pydantic(doc: Document, schema: type[BaseModel], err: Any) -> SourceError:
    """Turn one pydantic error into a located, actionable SourceError."""
    loc: FieldPath = tuple(p for p in err["loc"] if p not in sources.UNION_TAGS)
    kind, value = err["type"], err.get("input")
    field = dotted(loc)
    hint = ""
    if kind == "extra_forbidden" and " " in str(loc[-1]):
        line, col = doc.position(loc, key=True)
        return SourceError(
            doc.path,
            line,
            col,
            f"text was read as a field name: {_short(loc[-1])}",
            field=dotted(loc[:-1]),
            hint="text that contains ': ' or ends with ':' must be quoted, "
            "or written as a folded block ('>-' and the text on the next lines)",
        )
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _field_names(schema, loc[:-1])
        message = f"unknown field '{name}'"
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'? " if close else "") + f"allowed fields here: {', '.join(sorted(allowed))}"
        line, col = doc.position(loc, key=True)
        return SourceError(doc.path, line, col, message, field=field, hint=hint)
    line, col = doc.position(loc)
    if kind == "missing":
        message = f"missing required field '{loc[-1]}'"
        hint = f"add '{loc[-1]}:' here"
    elif kind == "string_pattern_mismatch":
        message = f"{_short(value)} is not allowed here"
        hint = _describe(schema, loc) or f"it must match {err['ctx']['pattern']}"
    elif kind in (
        "string_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "int_type",
        "bool_type",
    ):
        expected = {
            "string_type": "text",
            "list_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping",
            "model_attributes_type": "a mapping",
            "int_type": "a whole number",
            "bool_type": "true or false",
        }[kind]
        message = f"must be {expected}, not {_type_name(value)}"
        hint = (
            "put text in quotes if YAML read it as something else"
            if kind == "string_type"
            else "see the schema in schema/ for this field's shape"
        )
    elif kind == "too_short":
        message = "must not be empty"
        hint = "give at least one item"
    else:
        message = err["msg"][0].lower() + err["msg"][1:]
    return SourceError(doc.path, line, col, message, field=field, hint=hint)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _type_name(value: Any) -> str:
    if value is None:
        return "empty (null)"
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )


def _model_at(schema: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``path``, if any."""
    current: Any = schema
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        current = _find_model(current.model_fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _find_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


def _field_names(schema: type[BaseModel], path: FieldPath) -> list[str]:
    found = _model_at(schema, path)
    return list(found.model_fields) if found else []


def _describe(schema: type[BaseModel], loc: FieldPath) -> str:
    names = [p for p in loc if isinstance(p, str)]
    parent = _model_at(schema, loc[:-1] if loc and isinstance(loc[-1], str) else loc[:-2])
    if not names or parent is None or names[-1] not in parent.model_fields:
        return ""
    info = parent.model_fields[names[-1]]
    for meta in info.metadata:
        if getattr(meta, "description", None):
            return meta.description
    annotation = info.annotation
    for arg in (annotation, *typing.get_args(annotation)):
        for meta in getattr(arg, "__metadata__", ()):
            if getattr(meta, "description", None):
                return meta.description
    return info.description or ""


# --- links between files --------------------------------------------------------


def _check_links(
    profile: Parsed | None,
    principles: Parsed | None,
    domains: list[Parsed],
    competencies: list[Parsed],
    unreadable: set[str],
) -> list[SourceError]:
    """Ids unique per kind, codes unique overall, every reference resolved, nothing orphaned.

    Works on the raw mappings so that it also runs beside files that failed
    validation; checks that could be fooled by an unreadable file are skipped.
    """
    errors: list[SourceError] = []
    first_id: dict[tuple[str, str], SourceError] = {}
    first_code: dict[str, SourceError] = {}

    def claim(kind: str, parsed: Parsed, path: FieldPath, entry: dict) -> None:
        for key, table, label in (("id", first_id, f"{kind} id"), ("code", first_code, "code")):
            value = entry.get(key)
            if not isinstance(value, str):
                continue
            slot = (kind, value) if key == "id" else value
            here = parsed.error(path + (key,), "")
            if slot in table:
                first = table[slot]
                errors.append(
                    parsed.error(
                        path + (key,),
                        f"duplicate {label} '{value}', also used at {first.file.name}:{first.line}",
                        hint="ids must be unique; rename one of them"
                        if key == "id"
                        else "codes are shown to readers and must be unique; change one of them",
                    )
                )
            else:
                table[slot] = here

    if principles is not None and isinstance(principles.raw.get("principles"), list):
        for i, entry in enumerate(principles.raw["principles"]):
            if isinstance(entry, dict):
                claim("principle", principles, ("principles", i), entry)
    for parsed in domains:
        claim("domain", parsed, (), parsed.raw)
    for parsed in competencies:
        claim("competency", parsed, (), parsed.raw)

    # profile.yaml lists every domain once; each domain lists its competencies.
    domain_ids = {d.text("id") for d in domains} - {None}
    if profile is not None and "domain" not in unreadable:
        errors += _check_references(
            profile, ("domains",), profile.texts("domains"), domain_ids, "domain", "a file in domains/"
        )
    if profile is not None:
        listed = set(profile.texts("domains"))
        for d in domains:
            if d.text("id") and d.text("id") not in listed:
                errors.append(
                    d.error(
                        ("id",),
                        f"domain '{d.text('id')}' is not listed in {PROFILE_FILE}",
                        hint=f"add it to 'domains' in {PROFILE_FILE}, or delete this file",
                    )
                )

    competency_ids = {c.text("id") for c in competencies} - {None}
    owner: dict[str, str] = {}
    for d in domains:
        refs = d.texts("competencies")
        if "competency" not in unreadable:
            errors += _check_references(
                d, ("competencies",), refs, competency_ids, "competency", "a file in competencies/"
            )
        for i, cid in enumerate(refs):
            if cid in owner and owner[cid] != d.text("id"):
                errors.append(
                    d.error(
                        ("competencies", i),
                        f"competency '{cid}' is already in domain '{owner[cid]}'",
                        hint="a competency belongs to one domain; remove it from one of them",
                    )
                )
            owner.setdefault(cid, d.text("id") or "")
    if "domain" not in unreadable:
        for c in competencies:
            if c.text("id") and c.text("id") not in owner:
                errors.append(
                    c.error(
                        ("id",),
                        f"competency '{c.text('id')}' is not listed in any domain",
                        hint="add its id to a domain's 'competencies' list, or delete this file",
                    )
                )
    return errors


def _check_references(
    parsed: Parsed, path: FieldPath, refs: list[str], known: set[str], kind: str, where: str
) -> list[SourceError]:
    errors = []
    seen: set[str] = set()
    for i, ref in enumerate(refs):
        if not ref:
            continue
        if ref in seen:
            errors.append(parsed.error(path + (i,), f"{kind} '{ref}' is listed twice", hint="remove the second entry"))
        seen.add(ref)
        if ref not in known:
            close = difflib.get_close_matches(ref, sorted(known), n=1, cutoff=0.6)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"choose one of: {', '.join(sorted(known))}"
                if 0 < len(known) <= 20
                else f"no {kind} has this id; add {where} or fix the id"
            )
            errors.append(parsed.error(path + (i,), f"unknown {kind} '{ref}'", hint=hint))
    return errors


# --- building the model -----------------------------------------------------------


def _blocks(blocks: list[Any]) -> tuple[model.Block, ...]:
    return tuple(model.Paragraph(b) if isinstance(b, str) else model.ItemList(tuple(b.items)) for b in blocks)


def _section(section: sources.Section) -> model.Section:
    return model.Section(section.heading, _blocks(section.body))


def _competency(c: sources.CompetencyFile, domain_id: str) -> model.Competency:
    activities = []
    for n, entry in enumerate(c.activities, start=1):
        text, items = (entry, ()) if isinstance(entry, str) else (entry.text, tuple(entry.items))
        activities.append(model.Activity(model.activity_id(c.code, n), model.activity_code(c.code, n), text, items))
    return model.Competency(c.id, c.code, c.name, _blocks(c.description), tuple(activities), domain_id)


def _check_roles(roles: list[Parsed], codes: set[str]) -> list[SourceError]:
    """Role ids unique; every code a competency's; no competency both primary and supporting."""
    errors: list[SourceError] = []
    first: dict[str, Parsed] = {}
    for role in roles:
        rid = role.text("id")
        if rid in first:
            errors.append(
                role.error(
                    ("id",),
                    f"duplicate role id '{rid}', also used in {first[rid].doc.path.name}",
                    hint="rename one of them",
                )
            )
        elif rid:
            first[rid] = role
        primary, supporting = role.texts("primary"), role.texts("supporting")
        errors += _check_references(role, ("primary",), primary, codes, "competency code", "a competency")
        errors += _check_references(role, ("supporting",), supporting, codes, "competency code", "a competency")
        for i, code in enumerate(supporting):
            if code in primary:
                errors.append(
                    role.error(("supporting", i), f"{code} is both primary and supporting", hint="list it once")
                )
    return errors


def _build_model(
    profile: Parsed[sources.ProfileFile],
    principles: Parsed[sources.PrinciplesFile],
    domains: list[Parsed[sources.DomainFile]],
    competencies: list[Parsed[sources.CompetencyFile]],
    roles: list[Parsed[sources.RoleFile]] = (),
) -> model.Profile:
    p = profile.data
    by_domain = {d.data.id: d.data for d in domains}
    by_competency = {c.data.id: c.data for c in competencies}
    built_domains = tuple(
        model.Domain(
            d.id,
            d.code,
            d.name,
            d.overview or d.summary,
            d.summary,
            tuple(_competency(by_competency[cid], d.id) for cid in d.competencies),
        )
        for d in (by_domain[i] for i in p.domains)
    )
    return model.Profile(
        title=p.title,
        subtitle=p.subtitle,
        short_title=p.short_title or p.title,
        version=p.version,
        date=p.date,
        language=p.language,
        authors=tuple(p.authors),
        publisher=p.publisher,
        partners=tuple(p.partners),
        citation=p.citation,
        rights=model.Rights(p.rights.licence, p.rights.permission),
        introduction=_section(p.introduction),
        principles_section=_section(p.principles_section),
        domains_section=_section(p.domains_section),
        principles=tuple(model.Principle(x.id, x.code, x.name, x.text) for x in principles.data.principles),
        domains=built_domains,
        roles=_roles(roles, built_domains),
    )


def _roles(roles: list[Parsed[sources.RoleFile]], domains: tuple[model.Domain, ...]) -> tuple[model.Role, ...]:
    """Roles in file order; each role's competencies in the profile's order."""
    order = [c for d in domains for c in d.competencies]
    by_code = {c.code: c for c in order}

    def pick(codes: list[str]) -> tuple[model.Competency, ...]:
        return tuple(sorted((by_code[code] for code in codes), key=order.index))

    return tuple(
        model.Role(r.data.id, r.data.name, r.data.description, pick(r.data.primary), pick(r.data.supporting))
        for r in roles
    )
