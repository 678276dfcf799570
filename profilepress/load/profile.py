"""Load stage: profile sources on disk → a validated, linked :class:`Profile`.

Reads every source file strictly (:mod:`profilepress.yamlread`), validates each
against its declared shape (:mod:`profilepress.sources`), then checks the links
between files (ids, codes, references) and builds the frozen model. Every
problem is collected with its ``file:line:col``; if there is any, one
:class:`ProfileErrors` carries them all and nothing is returned.

Layout of a profile folder::

    profile.yaml          metadata, front matter, domain order
    principles.yaml       guiding principles
    domains/*.yaml        one domain each, listing its competencies in order
    competencies/*.yaml   one competency each
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .. import model, sources
from ..errors import ProfileErrors, SourceError
from ..yamlread import FieldPath
from .common import M, Parsed, blocks, check_references, parse, parse_required, section, yaml_files

PROFILE_FILE = "profile.yaml"
PRINCIPLES_FILE = "principles.yaml"
DOMAINS_DIR = "domains"
COMPETENCIES_DIR = "competencies"
ROLES_DIR = "roles"


def source_files(source_dir: Path) -> list[Path]:
    """Every file the loader reads, in a stable order (used for fingerprints too)."""
    files = [source_dir / PROFILE_FILE, source_dir / PRINCIPLES_FILE]
    for sub in (DOMAINS_DIR, COMPETENCIES_DIR):
        files += yaml_files(source_dir / sub)
    return files


def load_profile(source_dir: Path) -> model.Profile:
    """Load, validate and link a profile folder, or raise :class:`ProfileErrors`."""
    source_dir = Path(source_dir).resolve()
    if not source_dir.is_dir():
        raise ProfileErrors(
            [
                SourceError(
                    source_dir,
                    0,
                    0,
                    "the profile folder does not exist",
                    hint="pass the folder holding profile.yaml with --source",
                )
            ]
        )
    errors: list[SourceError] = []
    unreadable: set[str] = set()  # kinds with a file that could not be read at all

    def parse_all(folder: Path, schema: type[M], kind: str) -> list[Parsed[M]]:
        parsed = []
        for path in yaml_files(folder):
            result = parse(path, schema, kind, errors)
            if result is None:
                unreadable.add(kind)
            else:
                parsed.append(result)
        return parsed

    profile = parse_required(source_dir / PROFILE_FILE, sources.ProfileFile, "profile", errors)
    principles = parse_required(source_dir / PRINCIPLES_FILE, sources.PrinciplesFile, "principles", errors)
    domains = parse_all(source_dir / DOMAINS_DIR, sources.DomainFile, "domain")
    competencies = parse_all(source_dir / COMPETENCIES_DIR, sources.CompetencyFile, "competency")
    roles = parse_all(source_dir / ROLES_DIR, sources.RoleFile, "role")
    if profile is None:
        unreadable.add("domain-order")

    errors += _check_links(profile, principles, domains, competencies, unreadable)
    if "competency" not in unreadable:
        errors += _check_roles(roles, {code for c in competencies if (code := c.text("code")) is not None})
    if errors:
        raise ProfileErrors(errors)
    # Both files are read: a missing or unreadable one would have added an error.
    assert profile is not None and principles is not None
    return _build_model(profile, principles, domains, competencies, roles)


# --- links between files --------------------------------------------------------


def _check_links(
    profile: Parsed | None,
    principles: Parsed | None,
    domains: list[Parsed],
    competencies: list[Parsed],
    unreadable: set[str],
) -> list[SourceError]:
    """Ids unique per kind, codes unique overall, every reference resolved, nothing orphaned.

    Works on the raw mappings so that it also runs beside files that failed
    validation; checks that could be fooled by an unreadable file are skipped.
    """
    errors: list[SourceError] = []
    # Ids are claimed per kind, as (kind, id); codes overall, as the code alone.
    first_id: dict[tuple[str, str] | str, SourceError] = {}
    first_code: dict[tuple[str, str] | str, SourceError] = {}

    def claim(kind: str, parsed: Parsed, path: FieldPath, entry: dict) -> None:
        for key, table, label in (("id", first_id, f"{kind} id"), ("code", first_code, "code")):
            value = entry.get(key)
            if not isinstance(value, str):
                continue
            slot = (kind, value) if key == "id" else value
            here = parsed.error(path + (key,), "")
            if slot in table:
                first = table[slot]
                errors.append(
                    parsed.error(
                        path + (key,),
                        f"duplicate {label} '{value}', also used at {first.file.name}:{first.line}",
                        hint="ids must be unique; rename one of them"
                        if key == "id"
                        else "codes are shown to readers and must be unique; change one of them",
                    )
                )
            else:
                table[slot] = here

    if principles is not None and isinstance(principles.raw.get("principles"), list):
        for i, entry in enumerate(principles.raw["principles"]):
            if isinstance(entry, dict):
                claim("principle", principles, ("principles", i), entry)
    for parsed in domains:
        claim("domain", parsed, (), parsed.raw)
    for parsed in competencies:
        claim("competency", parsed, (), parsed.raw)

    # profile.yaml lists every domain once; each domain lists its competencies.
    domain_ids = {did for d in domains if (did := d.text("id")) is not None}
    if profile is not None and "domain" not in unreadable:
        errors += check_references(
            profile, ("domains",), profile.texts("domains"), domain_ids, "domain", "a file in domains/"
        )
    if profile is not None:
        listed = set(profile.texts("domains"))
        for d in domains:
            if d.text("id") and d.text("id") not in listed:
                errors.append(
                    d.error(
                        ("id",),
                        f"domain '{d.text('id')}' is not listed in {PROFILE_FILE}",
                        hint=f"add it to 'domains' in {PROFILE_FILE}, or delete this file",
                    )
                )

    competency_ids = {cid for c in competencies if (cid := c.text("id")) is not None}
    owner: dict[str, str] = {}
    for d in domains:
        refs = d.texts("competencies")
        if "competency" not in unreadable:
            errors += check_references(
                d, ("competencies",), refs, competency_ids, "competency", "a file in competencies/"
            )
        for i, cid in enumerate(refs):
            if cid in owner and owner[cid] != d.text("id"):
                errors.append(
                    d.error(
                        ("competencies", i),
                        f"competency '{cid}' is already in domain '{owner[cid]}'",
                        hint="a competency belongs to one domain; remove it from one of them",
                    )
                )
            owner.setdefault(cid, d.text("id") or "")
    if "domain" not in unreadable:
        for c in competencies:
            if c.text("id") and c.text("id") not in owner:
                errors.append(
                    c.error(
                        ("id",),
                        f"competency '{c.text('id')}' is not listed in any domain",
                        hint="add its id to a domain's 'competencies' list, or delete this file",
                    )
                )
    return errors


def _competency(c: sources.CompetencyFile, domain_id: str) -> model.Competency:
    activities = []
    for n, entry in enumerate(c.activities, start=1):
        text, items = (entry, ()) if isinstance(entry, str) else (entry.text, tuple(entry.items))
        activities.append(model.Activity(model.activity_id(c.code, n), model.activity_code(c.code, n), text, items))
    return model.Competency(c.id, c.code, c.name, blocks(c.description), tuple(activities), domain_id)


def _check_roles(roles: list[Parsed], codes: set[str]) -> list[SourceError]:
    """Role ids unique; every code a competency's; no competency both primary and supporting."""
    errors: list[SourceError] = []
    first: dict[str, Parsed] = {}
    for role in roles:
        rid = role.text("id")
        if rid in first:
            errors.append(
                role.error(
                    ("id",),
                    f"duplicate role id '{rid}', also used in {first[rid].doc.path.name}",
                    hint="rename one of them",
                )
            )
        elif rid:
            first[rid] = role
        primary, supporting = role.texts("primary"), role.texts("supporting")
        errors += check_references(role, ("primary",), primary, codes, "competency code", "a competency")
        errors += check_references(role, ("supporting",), supporting, codes, "competency code", "a competency")
        for i, code in enumerate(supporting):
            if code in primary:
                errors.append(
                    role.error(("supporting", i), f"{code} is both primary and supporting", hint="list it once")
                )
    return errors


def _build_model(
    profile: Parsed[sources.ProfileFile],
    principles: Parsed[sources.PrinciplesFile],
    domains: list[Parsed[sources.DomainFile]],
    competencies: list[Parsed[sources.CompetencyFile]],
    roles: Sequence[Parsed[sources.RoleFile]] = (),
) -> model.Profile:
    """The model, built once every file has validated (so each one's ``valid`` data is there)."""
    p = profile.valid
    by_domain = {d.valid.id: d.valid for d in domains}
    by_competency = {c.valid.id: c.valid for c in competencies}
    built_domains = tuple(
        model.Domain(
            d.id,
            d.code,
            d.name,
            d.overview or d.summary,
            d.summary,
            tuple(_competency(by_competency[cid], d.id) for cid in d.competencies),
        )
        for d in (by_domain[i] for i in p.domains)
    )
    return model.Profile(
        title=p.title,
        subtitle=p.subtitle,
        short_title=p.short_title or p.title,
        version=p.version,
        date=p.date,
        language=p.language,
        authors=tuple(p.authors),
        publisher=p.publisher,
        partners=tuple(p.partners),
        citation=p.citation,
        rights=model.Rights(p.rights.licence, p.rights.permission),
        introduction=section(p.introduction),
        principles_section=section(p.principles_section),
        domains_section=section(p.domains_section),
        principles=tuple(model.Principle(x.id, x.code, x.name, x.text) for x in principles.valid.principles),
        domains=built_domains,
        roles=_roles(roles, built_domains),
        vocabulary=_vocabulary(p.vocabulary),
        provenance=p.provenance,
    )


def _vocabulary(v: sources.Vocabulary) -> model.Vocabulary:
    return model.Vocabulary(
        principle=model.Term(v.principle.one, v.principle.many),
        domain=model.Term(v.domain.one, v.domain.many),
        competency=model.Term(v.competency.one, v.competency.many),
        description=v.description,
        activities=v.activities,
    )


def _roles(roles: Sequence[Parsed[sources.RoleFile]], domains: tuple[model.Domain, ...]) -> tuple[model.Role, ...]:
    """Roles in file order; each role's competencies in the profile's order."""
    order = [c for d in domains for c in d.competencies]
    by_code = {c.code: c for c in order}

    def pick(codes: list[str]) -> tuple[model.Competency, ...]:
        return tuple(sorted((by_code[code] for code in codes), key=order.index))

    return tuple(
        model.Role(r.valid.id, r.valid.name, r.valid.description, pick(r.valid.primary), pick(r.valid.supporting))
        for r in roles
    )
