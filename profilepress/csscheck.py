"""Mistakes in the templates' stylesheets that WeasyPrint and browsers pass over in silence.

A block left open (``a { color: red``) swallows every rule after it, the
vendored fonts' ``@font-face`` rules among them, and neither WeasyPrint nor a
browser says a word. Each stylesheet a document uses is read here (its Jinja
expressions blanked out, so lines and columns stay those of the file), and
every unclosed block, stray closing bracket, unclosed string or comment, and
every error of the CSS parser (tinycss2, WeasyPrint's own) becomes a warning
naming the file and its line: ``--strict`` makes it fatal, and the manifest
records it with the document, so a later ``--strict`` build replays it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

from . import usercache

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_PAIRS = {"{": "}", "[": "]", "(": ")"}


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def problems(text: str) -> list[tuple[int, int, str]]:
    """(line, column, what is wrong) for each mistake in a stylesheet, in order."""
    text = _JINJA.sub(_blank, text)
    found: list[tuple[int, int, str]] = []
    opened: list[tuple[str, int, int]] = []
    line, column, i = 1, 1, 0

    def advance(to: int) -> None:
        nonlocal line, column, i
        chunk = text[i:to]
        breaks = chunk.count("\n")
        line, column = (line + breaks, len(chunk) - chunk.rfind("\n")) if breaks else (line, column + len(chunk))
        i = to

    while i < len(text):
        char = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                found.append((line, column, "a comment opened here is never closed; add */"))
                break
            advance(end + 2)
        elif char in "\"'":
            end = i + 1
            while end < len(text) and text[end] not in (char, "\n"):
                end += 2 if text[end] == "\\" else 1
            if end >= len(text) or text[end] == "\n":
                found.append((line, column, f"a string opened here is never closed; add {char} before the line ends"))
                advance(end)
            else:
                advance(end + 1)
        elif char == "\\":
            advance(i + 2)
        elif char in _PAIRS:
            opened.append((char, line, column))
            advance(i + 1)
        elif char in _PAIRS.values():
            if opened and _PAIRS[opened[-1][0]] == char:
                opened.pop()
            else:
                expected = f"'{_PAIRS[opened[-1][0]]}' first" if opened else "nothing to close"
                found.append((line, column, f"a stray '{char}' ({expected}); remove it or open its block"))
            advance(i + 1)
        else:
            advance(i + 1)
    for char, at_line, at_column in opened:
        found.append(
            (
                at_line,
                at_column,
                f"a '{char}' opened here is never closed, so every rule after it is ignored "
                f"(the document's fonts among them); add '{_PAIRS[char]}'",
            )
        )
    if not found:
        found += _parse_errors(text)
    return sorted(found)


def _parse_errors(text: str) -> list[tuple[int, int, str]]:
    import tinycss2

    errors = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "error":
            errors.append((rule.source_line, rule.source_column, f"{rule.message}; fix or remove the rule"))
        elif rule.type == "qualified-rule":
            for item in tinycss2.parse_blocks_contents(rule.content):
                if item.type == "error":
                    errors.append((item.source_line, item.source_column, f"{item.message}; fix the declaration"))
    return errors


@functools.cache
def _warnings(shown: str, text: str) -> tuple[str, ...]:
    """Kept in the user's cache by the stylesheet's text (parsing one takes a tenth of a second)."""
    entry = f"css-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]}.json"
    stored = usercache.read(entry)
    if stored is not None:
        try:
            return tuple(f"{shown}:{line}:{column}: {what}" for line, column, what in json.loads(stored))
        except (ValueError, TypeError):
            pass  # damaged: parsed again
    found = problems(text)
    usercache.write(entry, json.dumps(found).encode("utf-8"))
    return tuple(f"{shown}:{line}:{column}: {what}" for line, column, what in found)


def warnings(templates_dir: Path, names: list[str]) -> list[str]:
    """The warnings about the stylesheets among ``names`` (templates, by name in ``templates_dir``)."""
    found: list[str] = []
    for name in sorted(n for n in names if n.endswith(".css")):
        path = templates_dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the template loader has said what is wrong with it
        found += _warnings(f"{templates_dir.name}/{name}", text)  # the same words from any working folder
    return found
