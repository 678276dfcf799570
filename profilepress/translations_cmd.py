"""``build.py translations [LANG] [--init]``: how far each translation of the profile's text is, by code;
and a skeleton of the entries still to translate, for a translator to fill in.

Exit codes: 0 when no entry is stale (missing entries are work in progress: listed, counted, not an error);
1 when an entry is stale (its source text changed since it was translated) or the files have errors
(unknown keys among them, located). ``--init`` only ever adds a new file in ``translations/<lang>/``: it
never changes a file that is there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import translation
from .errors import ProfileErrors, SourceError, UserError, display_path
from .load.translations import languages as folder_languages
from .load.translations import load_overlay, overlay_files, translations_dir
from .model import Profile
from .progress import Reporter
from .write import OutputFolder

SHOWN = 50  # entries listed per state and language; the counts are always whole


def report(profile: Profile, langs: list[str], source_dir: Path, reporter: Reporter) -> int:
    """Print each language's state; the exit code (1 if an entry is stale or a file has errors)."""
    if not langs:
        reporter.info(
            f"no translations in {display_path(translations_dir(source_dir))}; "
            "start one with 'build.py translations LANG --init'"
        )
        return 0
    errors: list[SourceError] = []
    worst = 0
    for lang in langs:
        found: list[SourceError] = []
        overlay = load_overlay(source_dir, lang, profile, found)
        errors += found
        state = translation.state(profile, overlay)
        total = len(state.translated) + len(state.missing) + len(state.stale)
        print(
            f"{lang}: {len(state.translated)} of {total} translated, {len(state.missing)} missing, "
            f"{len(state.stale)} stale, {len(state.unknown)} unknown"
        )
        for f, entry in state.stale[:SHOWN]:
            where = f"{display_path(Path(entry.where[0]))}:{entry.where[1]}:{entry.where[2]}"
            print(f"  stale    {f.code}: {where}: the source text is now: {_short(f.text)}")
        for f in state.missing[:SHOWN]:
            print(f"  missing  {f.code} ({f.key})")
        for entry in state.unknown[:SHOWN]:
            print(f"  unknown  {entry.key}: {display_path(Path(entry.where[0]))}:{entry.where[1]}")
        hidden = sum(max(0, len(x) - SHOWN) for x in (state.stale, state.missing, state.unknown))
        if hidden:
            print(f"  … and {hidden} more")
        if state.stale or state.unknown:
            worst = 1
    for error in sorted(set(errors)):
        print(error.format(), file=sys.stderr, flush=True)
    return 1 if errors else worst


def init(profile: Profile, lang: str, source_dir: Path, root: Path, reporter: Reporter) -> int:
    """Add a file of skeleton entries (the source text, its hash, an empty translation) for every text the
    language has no entry for (an entry left empty, or stale, is there already: nothing is added for it). Existing files are never changed: the first file is ``profile.yaml``, later
    ones ``added-<n>.yaml``."""
    from pydantic import TypeAdapter, ValidationError

    from .sources import Language

    try:
        TypeAdapter(Language).validate_python(lang)
    except ValidationError:
        raise UserError(f"'{lang}' is not a language tag (BCP 47), e.g. es, fr or pt-BR") from None
    errors: list[SourceError] = []
    overlay = load_overlay(source_dir, lang, profile, errors)
    if errors:
        raise ProfileErrors(errors)
    state = translation.state(profile, overlay)
    absent = [f for f in state.missing if f.key not in overlay.entries]  # an empty entry is there already
    if not absent:
        reporter.info(f"{lang}: every text has an entry; nothing to add")
        return 0
    folder = translations_dir(source_dir) / lang
    existing = {p.name for p in overlay_files(source_dir, lang)}
    name = "profile.yaml"
    n = 1
    while name in existing or (folder / name).exists():
        name = f"added-{n}.yaml"
        n += 1
    schema = os.path.relpath(root / "schema" / "translation.schema.json", folder)
    text = translation.skeleton(lang, absent, Path(schema).as_posix())
    path = OutputFolder(folder).write(name, text.encode("utf-8"))
    reporter.info(f"wrote {display_path(path)}: {len(absent)} entries to translate")
    return 0


def languages(source_dir: Path, lang: str | None) -> list[str]:
    found = folder_languages(source_dir)
    if lang is None:
        return found
    if lang not in found:
        raise UserError(
            f"no translation '{lang}' in {display_path(translations_dir(source_dir))}"
            + (f" (there are: {', '.join(found)})" if found else "")
            + f"; start one with 'build.py translations {lang} --init'"
        )
    return [lang]


def _short(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "…")
