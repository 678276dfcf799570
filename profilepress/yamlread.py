"""Strict YAML reading, with the position of every key and value.

PyYAML's safe loader silently keeps the last of two duplicate keys, reads
``no`` as false and ``1.10`` as the number 1.1, and follows aliases (the
"billion laughs" bomb). This reader composes PyYAML's node tree and converts it
itself, so that:

* duplicate keys, aliases/anchors and explicit tags (``!!python/...``) are errors;
* a plain scalar is a string unless it is ``null``/``~``/empty, ``true``/``false``
  or a decimal integer; words and numbers that YAML 1.1 would silently turn into
  booleans or floats (``yes``, ``no``, ``on``, ``1.10``, ``0o17``…) are errors that
  ask for quotes;
* every value and key keeps its ``line:column``, so later validation errors can
  point at the exact place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from .errors import SourceError, character_name

FieldPath = tuple[str | int, ...]

# Limits that keep a hostile file from exhausting memory or the stack.
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 40

# Bidirectional controls reorder how text is shown without changing what it says (a "Trojan Source"):
# each is reported, by its code point and name, wherever it appears in a value.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_YAML11_BOOL = re.compile(r"(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|True|TRUE|False|FALSE)\Z")
_NUMBERISH = re.compile(
    r"""(
        [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?   # 1.10  1e3  007  1_000
      | [-+]?0[xob][0-9a-fA-F_]+                                   # hex, octal, binary
      | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?               # sexagesimal 1:20
      | [-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)
    )\Z""",
    re.VERBOSE,
)


@dataclass
class Document:
    """A parsed YAML file: its data and where each part of it stands."""

    path: Path
    data: Any
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    warnings: list[SourceError] = field(default_factory=list)  # what the documents will not show as written

    def position(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """The closest known ``(line, column)`` for a field path.

        With ``key=True`` the key's own position is preferred (for "unknown
        field" errors). A path that does not exist (a missing field) falls back
        to its nearest existing parent.
        """
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            if path[:end] in self.values:
                return self.values[path[:end]]
        return (1, 1)


try:  # libyaml's parser (PyYAML's wheels carry it): the same events, ten times faster than PyYAML's own
    from yaml._yaml import CParser as _Events
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Events(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


class _Loader(Composer, _Events, Resolver):
    """Composes the parser's events into nodes itself (PyYAML's composer), recording aliases and explicit tags
    instead of using them, and refusing nesting deeper than MAX_DEPTH."""

    def __init__(self, stream: str, errors: list[SourceError], path: Path):
        _Events.__init__(self, stream)
        Composer.__init__(self)
        Resolver.__init__(self)
        self._errors = errors
        self._path = path
        self._depth = 0

    def _error(self, mark: Any, message: str, hint: str) -> None:
        self._errors.append(SourceError(self._path, mark.line + 1, mark.column + 1, message, hint=hint))

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # Any: libyaml's events and PyYAML's have the same attributes, but not the same types in types-PyYAML.
        event: Any = self.peek_event()
        if isinstance(event, AliasEvent):
            self.get_event()
            self._error(
                event.start_mark,
                f"YAML alias '*{event.anchor}' is not allowed",
                "write the value out in full; anchors and aliases are not supported",
            )
            # A node's marks are typed as PyYAML's own; libyaml's have the same line and column.
            return ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)  # type: ignore[arg-type]
        if getattr(event, "anchor", None):
            self._error(
                event.start_mark,
                f"YAML anchor '&{event.anchor}' is not allowed",
                "remove the anchor; anchors and aliases are not supported",
            )
            event.anchor = None
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            self._error(
                event.start_mark,
                f"YAML tag '{tag}' is not allowed",
                "remove the tag and write a plain value",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nesting deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_yaml(path: Path) -> tuple[Document | None, list[SourceError]]:
    """Read one YAML file strictly. Returns the document (None if unreadable) and its errors."""
    errors: list[SourceError] = []
    try:
        size = path.stat().st_size  # checked before reading: a huge file is refused at once
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        return None, [SourceError(path, 0, 0, f"cannot read the file: {exc.strerror}")]
    if size > MAX_FILE_BYTES or len(raw) > MAX_FILE_BYTES:
        return None, [
            SourceError(
                path,
                0,
                0,
                f"file is too large ({max(size, len(raw)):,} bytes)",
                hint=f"source files are limited to {MAX_FILE_BYTES:,} bytes; split it",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [SourceError(path, line, 1, "the file is not valid UTF-8", hint="save it as UTF-8")]

    try:
        loader = _Loader(text, errors, path)  # PyYAML's reader refuses control characters (NUL…) at once
    except yaml.reader.ReaderError as exc:
        return None, [_control_character(path, text, exc)]
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        return None, errors + [_control_character(path, text, exc)]
    except yaml.MarkedYAMLError as exc:
        return None, errors + [_syntax_error(path, exc, text)]
    except yaml.YAMLError as exc:
        return None, errors + [SourceError(path, 0, 0, f"YAML error: {exc}")]
    finally:
        loader.dispose()

    doc = Document(path, None)
    if node is not None:
        doc.data = _convert(node, (), doc, errors)
    return doc, errors


# What YAML 1.1 does not allow in a file (its "printable" set, inverted).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _control_character(path: Path, text: str, exc: yaml.reader.ReaderError) -> SourceError:
    """A character YAML does not allow in a file (NUL, other control characters), located."""
    # Found again in the text: libyaml gives the position in bytes, PyYAML in characters.
    found = _NOT_PRINTABLE.search(text)
    position = found.start() if found else exc.position
    before = text[:position]
    line, col = before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
    char = found.group() if found else chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    return SourceError(
        path,
        line,
        col,
        f"the file holds the control character {character_name(char)}, which YAML does not allow",
        hint="remove it (an editor that shows invisible characters helps); save the file as plain UTF-8 text",
    )


def _syntax_error(path: Path, exc: yaml.MarkedYAMLError, text: str) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = (exc.problem or "YAML syntax error").strip()
    lines = text.splitlines()
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())] if 0 < line <= len(lines) else ""
    if "\t" in indent or "'\\t'" in problem or "tab" in problem.lower():
        return SourceError(
            path,
            line,
            col,
            "a tab character is used for indentation",
            hint="YAML indentation must use spaces; replace the tab with spaces",
        )
    if "maximum nesting depth" in problem:  # libyaml's own limit (1000 levels), met before this reader's
        problem, exc.context = f"nesting deeper than {MAX_DEPTH} levels", None
    context = f" {exc.context}" if exc.context else ""
    return SourceError(
        path,
        line,
        col,
        f"YAML syntax error: {problem}{context}",
        hint="check the indentation and quoting on this line and the one before it",
    )


def _convert(node: Node, path: FieldPath, doc: Document, errors: list[SourceError]) -> Any:
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, MappingNode):
        return _convert_mapping(node, path, doc, errors)
    if isinstance(node, SequenceNode):
        return [_convert(item, path + (i,), doc, errors) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)  # a node that is neither a mapping nor a sequence is a scalar
    return _convert_scalar(node, path, doc, errors)


def _convert_mapping(node: MappingNode, path: FieldPath, doc: Document, errors: list[SourceError]) -> dict:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, ScalarNode):
            errors.append(
                SourceError(
                    doc.path,
                    line,
                    col,
                    "a key must be a plain name",
                    field=dotted(path),
                    hint="write the key as a plain word",
                )
            )
            continue
        key = key_node.value
        if key in result:
            first_line = doc.keys[path + (key,)][0]
            errors.append(
                SourceError(
                    doc.path,
                    line,
                    col,
                    f"duplicate key '{key}', first used at line {first_line}",
                    field=dotted(path + (key,)),
                    hint="YAML would silently keep only the last one; remove or rename one of them",
                )
            )
            continue
        doc.keys[path + (key,)] = (line, col)
        result[key] = _convert(value_node, path + (key,), doc, errors)
    return result


def _convert_scalar(node: ScalarNode, path: FieldPath, doc: Document, errors: list[SourceError]) -> Any:
    value = node.value
    controls = sorted(BIDI_CONTROLS.intersection(value))
    if controls:
        doc.warnings.append(
            SourceError(
                doc.path,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                ("bidirectional control characters " if len(controls) > 1 else "bidirectional control character ")
                + ", ".join(character_name(c) for c in controls)
                + (": they" if len(controls) > 1 else ": it")
                + " can show the text in another order than it is written",
                field=dotted(path),
                hint=f"remove {'them' if len(controls) > 1 else 'it'}, unless the text needs "
                f"{'them' if len(controls) > 1 else 'it'} to show right-to-left words correctly",
            )
        )
    if node.style:  # quoted or block scalar: always a string (a plain one has no style: None, or "" from libyaml)
        return value
    if value in ("", "~", "null"):
        return None
    if value in ("true", "false"):
        return value == "true"
    if _INT.match(value):
        return int(value)
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if _YAML11_BOOL.match(value):
        errors.append(
            SourceError(
                doc.path,
                line,
                col,
                f"'{value}' is ambiguous: YAML 1.1 reads it as a boolean",
                field=dotted(path),
                hint=f'write "{value}" in quotes for text, or true/false',
            )
        )
        return value
    if _NUMBERISH.match(value):
        errors.append(
            SourceError(
                doc.path,
                line,
                col,
                f"'{value}' is ambiguous: YAML reads it as a number, not the text you wrote",
                field=dotted(path),
                hint=f'write "{value}" in quotes',
            )
        )
        return value
    return value


def dotted(path: FieldPath) -> str:
    """``('activities', 2, 'text')`` → ``activities#3.text`` (items counted from 1)."""
    out = ""
    for part in path:
        out += f"#{part + 1}" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
