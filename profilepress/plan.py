"""The plan: which output files a build makes, at which paths. Pure: it reads no file.

From build.yaml's editions (each entry expanded by its kind, see
:mod:`profilepress.kinds`), or from a command's own choice (``tailor``); then
narrowed by the command line (formats, ``--only``, ``--shard``).
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
from dataclasses import replace

from .errors import ProfileErrors, UserError
from .kinds import KINDS, Planning
from .messages import N_
from .model import padded
from .project import EXTENSIONS, FORMATS, BuildOptions, Caption, Target


def targets(inputs, options: BuildOptions) -> list[Target]:
    """Every output file the options ask for, in a stable order, with predictable paths."""
    planned = list(options.plan) if options.plan is not None else from_build_file(inputs, options)
    planned = [t for t in planned if t.format in options.formats]
    if options.only:
        planned = [t for t in planned if any(fnmatch.fnmatch(t.path, pattern) for pattern in options.only)]
        if not planned:
            raise UserError(f"no target matches --only {' '.join(options.only)}; see them all with --list")
    seen: dict[str, Target] = {}
    for t in planned:
        if t.path in seen:
            raise UserError(
                f"two targets would write the same file, {t.path}: {seen[t.path].label} and {t.label}; check build.yaml"
            )
        seen[t.path] = t
    return shard(planned, options.shard)


def from_build_file(inputs, options: BuildOptions) -> list[Target]:
    """build.yaml's editions: for each brand, each paper, each document entry in each of its formats."""
    parsed, errors, planned = inputs.build_file, [], []

    def error(at: tuple, message: str, hint: str) -> None:
        errors.append(parsed.error(at, message, hint=hint))

    for e, edition in enumerate(parsed.data.editions):
        lang = edition.translation
        if lang is not None and lang not in inputs.translated:
            error(
                ("editions", e, "translation"),
                f"no translation '{lang}' of the profile",
                f"start one with 'build.py translations {lang} --init' (it writes translations/{lang}/ in the "
                "profile folder), or remove 'translation'",
            )
            continue
        planning = Planning(inputs.profile_for(lang), inputs.packets, error)
        folder = f"{lang}/" if lang else ""
        if edition.brand not in inputs.brands:
            close = difflib.get_close_matches(edition.brand, sorted(inputs.brands), n=1)
            error(
                ("editions", e, "brand"),
                f"unknown brand '{edition.brand}'",
                f"did you mean '{close[0]}'?" if close else f"brands: {', '.join(sorted(inputs.brands))}",
            )
            continue
        if options.brand is not None and edition.brand != options.brand:
            continue
        brand = inputs.brands[edition.brand]
        chosen = options.paper or edition.papers  # the plan (or the command) chose the papers
        papers = [options.paper] if options.paper else (edition.papers or [brand.paper])
        documents = [
            (doc, list(KINDS[doc.kind].documents(planning, doc, ("editions", e, "documents", d))))
            for d, doc in enumerate(edition.documents)
        ]
        for paper in papers:
            suffix = f"-{paper}" if len(papers) > 1 else ""
            for doc, made in documents:
                for planned_doc in made:
                    on = paper
                    if planned_doc.paper and not chosen:  # a recipe's paper, unless the plan chose
                        if paper != papers[0]:
                            continue
                        on = planned_doc.paper
                    for fmt in doc.formats:
                        ext = EXTENSIONS[fmt].replace(".", suffix + ".", 1) if suffix else EXTENSIONS[fmt]
                        planned.append(
                            Target(
                                f"{brand.id}/{folder}{planned_doc.stem}{ext}",
                                planned_doc.kind or doc.kind,
                                fmt,
                                brand.id,
                                on,
                                planned_doc.label + (f" ({lang})" if lang else ""),
                                **planned_doc.fields,
                                caption=replace(planned_doc.caption, suffix=f" ({lang})" if lang else ""),
                                translation=lang,
                            )
                        )
    if errors:
        raise ProfileErrors(errors)
    return planned


def tailored(
    inputs,
    options: BuildOptions,
    *,
    role: str | None = None,
    domains: tuple[str, ...] = (),
    competencies: tuple[str, ...] = (),
    name: str | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
) -> tuple[Target, ...]:
    """An excerpt for a role, or for domains and competencies chosen on the command line (no file written)."""
    profile = inputs.profile
    brand = inputs.brands[options.brand or "neutral"]
    paper = options.paper or brand.paper
    roles = {r.id: r for r in profile.roles}
    if role is not None:
        if role not in roles:
            raise UserError(unknown("role", role, roles))
        codes, slug, label = tuple(c.code for c in roles[role].competencies), name or role, roles[role].name
    else:
        by_domain = {d.code: d for d in profile.domains}
        by_code = {c.code: c for c in profile.competencies}
        chosen: list[str] = []
        for code in domains:
            if code not in by_domain:
                raise UserError(unknown("domain code", code, by_domain))
            chosen += [c.code for c in by_domain[code].competencies]
        for code in competencies:
            if code not in by_code:
                raise UserError(unknown("competency code", code, by_code))
            chosen.append(code)
        if not chosen:
            raise UserError("choose what to tailor: --role, --domain or --competency")
        order = [c.code for c in profile.competencies]
        codes = tuple(sorted(dict.fromkeys(chosen), key=order.index))
        slug = name or "-".join(padded(c) for c in codes)
        label = ", ".join(codes)
    if not slug.replace("-", "").isalnum():
        raise UserError(f"--name '{slug}' may hold only letters, digits and hyphens")
    return tuple(
        Target(
            f"{brand.id}/tailored/{slug}{EXTENSIONS[fmt]}",
            "excerpt",
            fmt,
            brand.id,
            paper,
            f"Excerpt: {label}",
            role=role,
            competencies=() if role else codes,
            caption=Caption(N_("Excerpt: %(name)s"), label),
        )
        for fmt in formats
        if fmt in FORMATS
    )


def shard_of(path: str, count: int) -> int:
    """The shard (1 to ``count``) an output belongs to: from a hash of its path, never its position, so
    adding or removing a target moves no other target to another shard."""
    return int(hashlib.sha256(path.encode("utf-8")).hexdigest()[:12], 16) % count + 1


def shard(planned: list[Target], which: tuple[int, int] | None) -> list[Target]:
    """Shard I of N: the targets whose path hashes to I. The shards are disjoint and cover the plan."""
    if which is None:
        return planned
    index, count = which
    return [t for t in planned if shard_of(t.path, count) == index]


MANY = 500  # more documents than this at once, and the build asks for --many first


def confirm_many(count: int, options: BuildOptions) -> None:
    """A build that would make more than MANY documents stops, unless --many says that is what was meant
    (a plan that multiplies editions, roles or scopes by mistake starts hours of work without a word)."""
    if count > MANY and not options.many:
        raise UserError(
            f"this build would make {count:,} documents, more than {MANY} at once; if that is what you "
            "meant, run again with --many; otherwise choose fewer (--only, --brand, --format, --shard) "
            "or check the plan's editions and documents"
        )


def unknown(kind: str, name: str, known) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return (
        f"unknown {kind} '{name}'; "
        + (f"did you mean '{close[0]}'? " if close else "")
        + f"available: {', '.join(sorted(known))}"
    )
