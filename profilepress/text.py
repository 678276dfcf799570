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
"""

from __future__ import annotations

import re

import markdown as markdown_lib
import nh3
from markupsafe import Markup

TAGS = {"em", "strong", "code", "a", "br"}
SCHEMES = ("https://", "mailto:")


def _safe_link(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(SCHEMES) else None
    return value


def inline_markdown(text: str) -> Markup:
    """One paragraph of inline Markdown as sanitised HTML."""
    html = markdown_lib.markdown(str(text), output_format="html")
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
