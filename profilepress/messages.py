"""The interface's words in the edition's language and spelling: gettext catalogues, read with Babel.

Templates write their interface text in British English (the source language)
through ``_()``; a catalogue per locale (``locales/<ll_CC>/LC_MESSAGES/messages.po``)
gives the words another edition uses: ``en-US`` spells "Organization" and
"License". The profile's own text never passes through a catalogue. Extract and
update catalogues with ``make messages``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SOURCE_LOCALE = "en-GB"


def available() -> list[str]:
    """Every locale an edition can choose: the source's, and each catalogue's (as BCP 47 tags)."""
    found = sorted(p.parent.parent.name.replace("_", "-") for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
    return [SOURCE_LOCALE, *found]


@lru_cache(maxsize=8)
def _catalogue(locale: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = LOCALES_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return {
        m.id: m.string
        for m in catalogue
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str) and isinstance(m.string, str)
    }


def gettext_for(locale: str | None) -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    """gettext and ngettext for an edition's locale (the source text where the catalogue has none)."""
    words = _catalogue(locale) if locale and locale != SOURCE_LOCALE else {}

    def gettext(message: str) -> str:
        return words.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    return gettext, ngettext


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message
