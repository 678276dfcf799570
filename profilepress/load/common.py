"""Reading one source file: strict YAML, validated against its declared shape, every problem located."""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .. import model, sources, text
from ..errors import SourceError, named_characters, warn
from ..yamlread import Document, FieldPath, dotted, read_yaml

M = TypeVar("M", bound=sources.SourceModel)


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
    def valid(self) -> M:
        """``data`` of a file that validated; for callers that run only once every file has (no errors)."""
        assert self.data is not None, f"{self.path} did not validate"
        return self.data

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


# --- reading and validating one file ---------------------------------------------


def yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    # Hidden files (a macOS "._coach.yaml", an editor's ".coach.yaml.swp") are not sources.
    return sorted(
        p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and p.is_file()
    )


def parse_required(path: Path, schema: type[M], kind: str, errors: list[SourceError]) -> Parsed[M] | None:
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
    return parse(path, schema, kind, errors)


def parse(path: Path, schema: type[M], kind: str, errors: list[SourceError]) -> Parsed[M] | None:
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
    markdown_errors = _check_markdown(doc, schema)
    errors += markdown_errors
    warn(*doc.warnings)
    try:
        data = schema.model_validate(doc.data)
    except ValidationError as exc:
        errors += _from_pydantic_all(doc, schema, exc.errors())
        return Parsed(doc, None, kind)
    return Parsed(doc, None if yaml_errors or markdown_errors else data, kind)


def _check_markdown(doc: Document, schema: type[BaseModel]) -> list[SourceError]:
    """Each Markdown field (:data:`sources.MARKDOWN`): what the sanitiser would leave out becomes a warning
    on the document; Markdown nested too deeply, an error."""
    errors: list[SourceError] = []
    for path, value in _markdown_values(schema, doc.data, ()):
        if len(value) > sources.MARKDOWN_MAX:  # too long: refused by validation, never rendered
            continue
        line, col = doc.position(path)
        try:
            removed = text.left_out(" ".join(value.split()))  # as the field is shown: on one line
        except text.TooDeep as exc:
            errors.append(
                SourceError(
                    doc.path,
                    line,
                    col,
                    str(exc),
                    field=dotted(path),
                    hint="write it as plain sentences: only inline Markdown (*emphasis*, **strong**, `code`, links) "
                    "is shown",
                )
            )
            continue
        if removed:
            shown = removed[:3] + ([f"{len(removed) - 3} more"] if len(removed) > 3 else [])
            doc.warnings.append(
                SourceError(
                    doc.path,
                    line,
                    col,
                    "; ".join(shown),
                    field=dotted(path),
                    hint="the documents show this text without it; inline Markdown is kept: *emphasis*, "
                    "**strong**, `code` and links to https:// or mailto: addresses",
                )
            )
    return errors


_MAY_HOLD_MARKDOWN: dict[int, bool] = {}  # by id: schema annotations live as long as the process


def _may_hold_markdown(annotation: Any) -> bool:
    """Whether a value of this type can hold a Markdown field anywhere inside (the profile's own text cannot:
    its lists of activities are not walked item by item)."""
    key = id(annotation)
    if key not in _MAY_HOLD_MARKDOWN:
        _MAY_HOLD_MARKDOWN[key] = True  # a model that contains itself: walked, to be safe
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found = any(
                sources.MARKDOWN in info.metadata or _may_hold_markdown(info.annotation)
                for info in annotation.model_fields.values()
            )
        else:
            found = sources.MARKDOWN in getattr(annotation, "__metadata__", ()) or any(
                _may_hold_markdown(argument) for argument in typing.get_args(annotation)
            )
        _MAY_HOLD_MARKDOWN[key] = found
    return _MAY_HOLD_MARKDOWN[key]


def _markdown_values(annotation: Any, value: Any, path: FieldPath) -> typing.Iterator[tuple[FieldPath, str]]:
    """The values of ``value`` (raw YAML) that the schema ``annotation`` marks as Markdown, with their paths."""
    if not _may_hold_markdown(annotation):
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(value, dict):
            for name, info in annotation.model_fields.items():
                if name in value:
                    if sources.MARKDOWN in info.metadata:
                        if isinstance(value[name], str):
                            yield path + (name,), value[name]
                    else:
                        yield from _markdown_values(info.annotation, value[name], path + (name,))
        return
    if sources.MARKDOWN in getattr(annotation, "__metadata__", ()):
        if isinstance(value, str):
            yield path, value
        return
    arguments = typing.get_args(annotation)
    if isinstance(value, list) and typing.get_origin(annotation) is list:
        for i, item in enumerate(value):
            yield from _markdown_values(arguments[0], item, path + (i,))
        return
    for argument in arguments:  # X | None, Annotated[…]
        if argument is not type(None):
            yield from _markdown_values(argument, value, path)


def _from_pydantic_all(doc: Document, schema: type[BaseModel], errs: list[Any]) -> list[SourceError]:
    """Map every pydantic error; a missing field explained by a misspelt one is not repeated."""
    locs = [tuple(p for p in e["loc"] if p not in sources.UNION_TAGS) for e in errs]
    misspelt: set[FieldPath] = set()
    text_as_key: set[FieldPath] = set()
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
    elif kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        message = f"is {len(value):,} characters long, more than the {err['ctx']['max_length']:,} allowed here"
        hint = "shorten it; a longer text belongs in the profile's own fields, not in Markdown"
    elif kind == "too_short":
        message = "must not be empty"
        hint = "give at least one item"
    elif kind == "value_error":  # a validator's own words, without pydantic's "Value error, "
        message = str(err.get("ctx", {}).get("error", err["msg"]))
    else:
        message = err["msg"][0].lower() + err["msg"][1:]
    return SourceError(doc.path, line, col, message, field=field, hint=hint)


def _short(value: Any) -> str:
    """A value as a message quotes it; characters outside ASCII named, so that a look-alike ("С7" with a
    Cyrillic С) is told from the letters it imitates."""
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "…"
    named = named_characters(value) if isinstance(value, str) else ""
    return f"{text} (with {named})" if named else text


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


def check_references(
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
            errors.append(parsed.error(path + (i,), f"unknown {kind} {_short(ref)}", hint=hint))
    return errors


# --- building the model -----------------------------------------------------------


def blocks(blocks: list[sources.Block]) -> tuple[model.Block, ...]:
    return tuple(model.Paragraph(b) if isinstance(b, str) else model.ItemList(tuple(b.items)) for b in blocks)


def section(section: sources.Section) -> model.Section:
    return model.Section(section.heading, blocks(section.body))
