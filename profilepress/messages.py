"""The interface's words in the edition's language and spelling: gettext catalogues, read with Babel.

Templates write their interface text in British English (the source language)
through ``_()``; a catalogue per locale (``locales/<ll_CC>/LC_MESSAGES/messages.po``)
gives the words another edition uses: ``en-US`` spells "Organization" and
"License", ``es`` is Spanish. The profile's own text (and its vocabulary) never
passes through a catalogue. Extract, update, compile and check catalogues with
``make messages``.

``qps-ploc``, the pseudo-locale, has no catalogue: it wraps every message in
⟦ ⟧, so that text which reaches a document without passing through a catalogue
shows (tests/test_messages.py builds documents in it).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

from .home import ENGINE_ROOT

LOCALES_DIR = ENGINE_ROOT / "locales"  # the repository's locales/, or the installed package's (home.py)
SOURCE_LOCALE = "en-GB"
PSEUDO_LOCALE = "qps-ploc"
PSEUDO = ("⟦", "⟧")
# Regions that print on US Letter by default; every other locale prints on A4.
LETTER_REGIONS = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR"})


def interface_locale(lang: str, otherwise: str) -> str:
    """The interface's locale for an edition whose content is in ``lang``: ``lang``'s catalogue (or that of
    its language: es-MX → es) if there is one, else ``otherwise`` (the brand's)."""
    known = available()
    for candidate in (lang, lang.split("-")[0]):
        if candidate in known:
            return candidate
    return otherwise


def available() -> list[str]:
    """Every locale an edition can choose: the source's, and each catalogue's (as BCP 47 tags)."""
    found = sorted(p.parent.parent.name.replace("_", "-") for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
    return [SOURCE_LOCALE, *found]


def accepted(locale: str) -> bool:
    """Can an edition choose this locale? The catalogues', and the pseudo-locale (for tests)."""
    return locale in available() or locale == PSEUDO_LOCALE


def default_paper(locale: str) -> str:
    """The paper an edition prints on when neither its brand nor its plan says: letter in the regions that
    use it (en-US), A4 elsewhere."""
    region = locale.split("-")[1].upper() if "-" in locale else ""
    return "letter" if region in LETTER_REGIONS else "a4"


@lru_cache(maxsize=8)
def _catalogue(locale: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = LOCALES_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    words: dict[str, str] = {}
    for m in catalogue:
        if not m.id or m.fuzzy:
            continue
        # A plural message: each form by its English form (the catalogues' languages pluralise as English does:
        # one, and every other number).
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        for key, value in zip(ids, strings, strict=False):
            if isinstance(key, str) and isinstance(value, str) and key and value:
                words[key] = value
    return words


def gettext_for(locale: str | None) -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    """gettext and ngettext for an edition's locale (the source text where the catalogue has none)."""
    words = _catalogue(locale) if locale and locale != SOURCE_LOCALE else {}
    pseudo = locale == PSEUDO_LOCALE

    def gettext(message: str) -> str:
        if pseudo:
            return PSEUDO[0] + message + PSEUDO[1]
        return words.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    return gettext, ngettext


def translator(locale: str | None) -> Callable[[str], str]:
    """The edition's gettext, for the words the code writes (see :func:`gettext_for`)."""
    return gettext_for(locale)[0]


def _babel_locale(locale: str | None):
    """Babel's data for an edition's locale (the source's for the pseudo-locale and any it does not know)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse((locale or SOURCE_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LOCALE.replace("-", "_"))


def number(value: float | Decimal, locale: str | None, decimals: int = 0) -> str:
    """A number as the interface's language writes it (Babel): 1234 → "1,234" in English, 2.5 → "2,5" in
    Spanish; ``decimals``: the places always shown (an average: 3.0, not 3)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_babel_locale(locale))


def same_language(one: str, other: str) -> bool:
    """Are two language tags the same language (en-GB and en are; the region aside)?"""
    return one.split("-")[0].lower() == other.split("-")[0].lower()


def language_name(tag: str, locale: str | None) -> str:
    """A language's name as the interface's language writes it, mid-sentence: en-GB → "English" in an en-GB
    edition, "inglés" in a Spanish one (Babel's locale data; the tag itself for a language it does not know)."""
    return _babel_locale(locale).languages.get(tag.split("-")[0].lower(), tag)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message


# The label of a scale's N/A choice when its file gives none: the engine's words (not its source's), so an
# edition shows it in the interface's language.
NOT_APPLICABLE = N_("No opportunity / N/A")
