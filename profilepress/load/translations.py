"""Translations of a profile's text: ``<profile>/translations/<lang>/*.yaml``, each file a mapping of
entries keyed by ids (see :mod:`profilepress.translation`), every problem located.

Layout::

    translations/
      es/
        profile.yaml        language: es; entries: {competency.listening.name: {source_hash, text}, …}
        added-1.yaml        entries added later by `build.py translations es --init`

A language's files are read together: an entry given twice, a key that names no text of the profile
("did you mean"), a ``language`` that is not the folder's or not a language, are errors.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path

from .. import model, sources, translation
from ..errors import ProfileErrors, SourceError
from .common import parse

TRANSLATIONS_DIR = "translations"


def translations_dir(source_dir: Path) -> Path:
    return Path(source_dir) / TRANSLATIONS_DIR


def languages(source_dir: Path) -> list[str]:
    """The languages the profile has a translation folder for."""
    folder = translations_dir(source_dir)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def overlay_files(source_dir: Path, lang: str) -> list[Path]:
    folder = translations_dir(source_dir) / lang
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in (".yaml", ".yml") and p.is_file() and not any(part.startswith(".") for part in p.parts)
    )


def _known_language(tag: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return False
    return True


def load_overlay(source_dir: Path, lang: str, profile: model.Profile, errors: list[SourceError]) -> translation.Overlay:
    """One language's entries; problems are added to ``errors`` (entries that match no text of the profile
    among them)."""
    keys = [f.key for f in translation.fields(profile)]
    known = set(keys)
    entries: dict[str, translation.Entry] = {}
    first: dict[str, SourceError] = {}
    for path in overlay_files(source_dir, lang):
        parsed = parse(path, sources.TranslationFile, "translation", errors)
        if parsed is None:
            continue
        declared = parsed.text("language")
        if declared is not None and declared != lang:
            errors.append(
                parsed.error(
                    ("language",),
                    f"language '{declared}' is not the folder's, '{lang}'",
                    hint=f"write 'language: {lang}', or move the file into translations/{declared}/",
                )
            )
        elif declared is not None and not _known_language(declared):
            errors.append(
                parsed.error(
                    ("language",),
                    f"'{declared}' is not a known language tag",
                    hint="use a BCP 47 tag: a language (es, fr, pt) and, if needed, a region (pt-BR)",
                )
            )
        if parsed.data is None:
            continue
        for key, value in parsed.data.entries.items():
            line, col = parsed.doc.position(("entries", key), key=True)
            here = SourceError(path, line, col, "", field=f"entries.{key}")
            if key in first:
                other = first[key]
                errors.append(
                    replace(
                        here,
                        message=f"entry '{key}' is given twice, also at {other.file.name}:{other.line}",
                        hint="keep one of them",
                    )
                )
                continue
            first[key] = here
            if key not in known:
                close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
                errors.append(
                    replace(
                        here,
                        message=f"unknown entry '{key}': no text of the profile has this key",
                        hint=(f"did you mean '{close[0]}'? " if close else "")
                        + "keys are made of ids (see 'build.py translations "
                        f"{lang} --init'); remove the entry if its source text was removed",
                    )
                )
            entries[key] = translation.Entry(key, value.text, value.source_hash, (str(path), here.line, here.column))
    return translation.Overlay(lang, entries)


def load_translations(
    source_dir: Path, profile: model.Profile, langs: list[str] | None = None
) -> dict[str, translation.Overlay]:
    """The overlays of ``langs`` (default: every folder in translations/), or ProfileErrors with every
    problem located. A language without a folder is left out (the plan says where it is asked for)."""
    errors: list[SourceError] = []
    wanted = languages(source_dir) if langs is None else [lang for lang in langs if lang in languages(source_dir)]
    overlays = {lang: load_overlay(source_dir, lang, profile, errors) for lang in wanted}
    if errors:
        raise ProfileErrors(errors)
    return overlays


def stale_warnings(profile: model.Profile, overlay: translation.Overlay) -> list[SourceError]:
    """A located warning for each stale entry (the edition shows the source text in its place); ``--strict``
    makes them errors."""
    found = translation.state(profile, overlay)
    return [
        SourceError(
            Path(entry.where[0]),
            entry.where[1],
            entry.where[2],
            f"stale translation of {f.code} ({overlay.lang}): the source text changed since it was translated; "
            f"the {overlay.lang} edition shows the source text",
            field=f"entries.{f.key}",
            hint=f"translate the current text again and set source_hash to '{translation.source_hash(f.text)}'",
            severity="warning",
        )
        for f, entry in found.stale
    ]
