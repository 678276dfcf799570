"""Markdown in the fields this edition writes, rendered to a safe subset of HTML.

The profile's own text is never Markdown: it is reproduced word for word and
escaped. Fields that people add around it (role descriptions, packet recipes,
brand taglines and contacts, scale descriptors) may use inline Markdown:
*emphasis*, **strong**, `code`, and links to https:// or mailto: addresses.
Everything else is neutralised by a well-kept sanitiser (nh3, on ammonia): raw
HTML tags are dropped (script and style with their content), attributes other
than a link's address are removed, and links to local files, relative paths or
other schemes lose their address. Images are not allowed, so no text can make a
PDF fetch a file or a URL.

What the sanitiser leaves out is not silent: the loader asks :func:`left_out`
for each Markdown field and warns about it, naming the field. Markdown nested
deeper than :data:`MAX_DEPTH` (lists in lists, quotes in quotes, brackets in
brackets) is refused there, before the Markdown library would recurse through it.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3
from markupsafe import Markup

TAGS = {"em", "strong", "code", "a", "br"}
SCHEMES = ("https://", "mailto:")


def _safe_link(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _allowed(value) else None
    return value


def _allowed(href: str) -> bool:
    return href.lower().startswith(SCHEMES)


MAX_DEPTH = 20  # levels of lists, block quotes or brackets inside each other in one field
_BLOCK_MARKER = re.compile(r"[ \t]*(?:>|[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")


class TooDeep(ValueError):
    """Markdown nested deeper than :data:`MAX_DEPTH`."""


def nesting(text: str) -> int:
    """How deep the field's Markdown nests: block markers at the start of a line ("- - - x", "> > x"),
    or brackets inside brackets ("[[[x]]]"), whichever is deeper."""
    deepest = 0
    for line in str(text).splitlines() or [""]:
        depth, at = 0, 0
        while (found := _BLOCK_MARKER.match(line, at)) and found.end() > at:
            depth, at = depth + 1, found.end()
        deepest = max(deepest, depth)
    depth = 0
    for char in re.sub(r"\\.", "", str(text)):
        if char == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]":
            depth = max(0, depth - 1)
    return deepest


_MARKDOWN: list[markdown_lib.Markdown] = []


def _to_html(text: str) -> str:
    """Markdown → HTML, with one converter for the process (making one costs more than converting a field)."""
    if not _MARKDOWN:
        _MARKDOWN.append(markdown_lib.Markdown(output_format="html"))
    return _MARKDOWN[0].reset().convert(text)


def left_out(text: str) -> list[str]:
    """What :func:`inline_markdown` leaves out of this text, in a few words each: "raw HTML <script>
    removed", "link to 'javascript:alert(1)' removed"… Empty when it shows everything as written.
    Raises :class:`TooDeep` for Markdown nested deeper than :data:`MAX_DEPTH`."""
    return list(_left_out(str(text)))


@functools.lru_cache(maxsize=4096)  # a field's text, read again by each build in one process
def _left_out(text: str) -> tuple[str, ...]:
    depth = nesting(text)
    if depth > MAX_DEPTH:
        raise TooDeep(f"Markdown nested {depth} levels deep (at most {MAX_DEPTH})")
    try:
        html = _to_html(text)
    except RecursionError:
        _MARKDOWN.clear()  # left half-way through: a new converter next time
        raise TooDeep(f"Markdown nested too deeply to read (at most {MAX_DEPTH} levels)") from None
    found = _Removed(text)
    found.feed(html)
    found.close()
    return tuple(dict.fromkeys(found.removed))


# Block elements that Markdown makes from a line's own syntax (the sanitiser keeps their text, not their form).
_BLOCKS = {
    "ul": "list",
    "ol": "list",
    "blockquote": "block quote",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "hr": "rule",
    "pre": "code block",
}


class _Removed(HTMLParser):
    """Reads the Markdown's HTML as the sanitiser will, noting each thing it drops."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source.lower()
        self.removed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = f"<{tag}" in self.source
        if tag not in TAGS:
            if raw:
                self.removed.append(f"raw HTML <{tag}> removed")
            elif tag == "img":
                self.removed.append("image removed (images are not allowed)")
            elif tag in _BLOCKS:
                self.removed.append(
                    f"Markdown {_BLOCKS[tag]} removed (only inline Markdown is allowed; its text is kept)"
                )
            elif tag != "p" and tag != "li":
                self.removed.append(f"<{tag}> removed")
            return
        for name, value in attrs:
            if tag == "a" and name == "href":
                if not _allowed(value or ""):
                    self.removed.append(f"link to {_quote(value or '')} removed (only https:// and mailto: links)")
            elif raw:
                self.removed.append(f"attribute '{name}' of <{tag}> removed")

    def handle_comment(self, data: str) -> None:
        self.removed.append("HTML comment removed")


def _quote(value: str) -> str:
    return repr(value) if len(value) <= 40 else repr(value[:38] + "…")


def inline_markdown(text: str) -> Markup:
    """One paragraph of inline Markdown as sanitised HTML."""
    return _inline_markdown(str(text))


@functools.lru_cache(maxsize=4096)  # the same field in every document that shows it
def _inline_markdown(text: str) -> Markup:
    html = _to_html(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href"}},
        attribute_filter=_safe_link,
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)


def direction(text: str) -> str:
    """ "rtl" when the text's first strong character is right-to-left (Hebrew, Arabic…), else "ltr".

    (The HTML ``dir="auto"`` rule, worked out here because WeasyPrint does not
    apply ``auto``; browsers and WeasyPrint both honour an explicit direction.)
    """
    import unicodedata

    for char in str(text):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


SLASH_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d_]{3}/)(?=[^\W\d_]{3})")  # "Expected/|Proficient", not "N/A"


def heading_label(label: str) -> Markup:
    """A column heading that wraps only between words, and after a slash joining two words.

    "Unacceptable Variation" may wrap at its space, "Expected/Proficient" after its
    slash; no word is hyphenated and "N/A" never splits.
    """
    words = []
    for word in label.split():
        parts = [Markup('<span class="nw">{}</span>').format(part) for part in SLASH_BETWEEN_WORDS.split(word)]
        words.append(Markup("<wbr>").join(parts))
    return Markup(" ").join(words)
