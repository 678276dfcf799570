"""Everything a build reads, loaded and validated before anything is rendered: the build plan file,
the profile, rating scales, brands and packet recipes (each loaded by :mod:`profilepress.load`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ProfileErrors, SourceError, UserError, as_errors, collecting_warnings, warn
from .model import Brand, Packet, Profile, RatingScale
from .plan import unknown
from .project import BuildOptions, Project

if TYPE_CHECKING:  # pragma: no cover
    from .load import Parsed
    from .sources import BuildFile


@dataclass(frozen=True)
class Inputs:
    profile: Profile
    scales: dict[str, RatingScale]
    brands: dict[str, Brand]
    packets: dict[str, Packet]
    build_file: Parsed[BuildFile] | None = None
    warnings: list[SourceError] = field(default_factory=list)  # what the documents will not show as written
    translated: dict[str, Profile] = field(default_factory=dict)  # the plan's translations, by language

    def profile_for(self, lang: str | None) -> Profile:
        """The profile an edition shows: the source's, or its translation (see profilepress.translation)."""
        return self.profile if lang is None else self.translated[lang]

    def brands_for(self, lang: str | None) -> dict[str, Brand]:
        """The brands as a translated edition shows them: the interface in the translation's language when
        there is a catalogue for it (a Spanish edition speaks Spanish whatever the brand's own locale). The
        brand's own text keeps its language (``Brand.text_lang``), marked where it is not the interface's."""
        from .messages import interface_locale
        from .translation import translate_brand

        if lang is None:
            return self.brands
        return {key: translate_brand(b, interface_locale(lang, b.locale)) for key, b in self.brands.items()}

    def keyed(self) -> dict[str, Any]:
        """Every keyed object of these inputs, by key, to look the fields a document read up again (see
        :func:`profilepress.deps.index`); a translated edition's as "es/competency:C1"."""
        from .deps import index

        objects = index(self.profile, self.brands, self.packets, self.scales)
        for lang in self.translated:
            objects |= index(
                self.profile_for(lang), self.brands_for(lang), self.packets_for(lang), self.scales, f"{lang}/"
            )
        return objects

    def packets_for(self, lang: str | None) -> dict[str, Packet]:
        """Packet recipes with the competencies of the edition's profile."""
        if lang is None:
            return self.packets
        from .translation import translate_packets

        return translate_packets(self.packets, self.translated[lang])


def read_plan(plan_file: Path) -> Parsed[BuildFile]:
    """The build plan file, validated (ProfileErrors with file:line:col if not)."""
    from .load import load_build_file

    return load_build_file(plan_file)


def project_from_plan(
    parsed: Parsed[BuildFile], root: Path, *, source: Path | None, templates: Path, output: Path | None
) -> Project:
    """A project as a build plan declares it: its profile, packets and output folders are relative to the
    plan file (the command line's --source and --output win)."""
    folder = parsed.path.resolve().parent
    return Project(
        source or folder / parsed.valid.profile,
        templates,
        output or folder / parsed.valid.output,
        root,
        parsed.path,
        folder / parsed.valid.packets,
    )


def options_from_plan(parsed: Parsed[BuildFile]) -> BuildOptions:
    """build.yaml's defaults as BuildOptions (its documents are planned when the build runs)."""
    return BuildOptions(scale=parsed.valid.scale)


def load_inputs(
    project: Project,
    options: BuildOptions,
    with_build_file: bool = True,
    with_packets: bool = True,
    build_file: Parsed[BuildFile] | None = None,
    draw_logos: bool = False,
) -> Inputs:
    """Load and validate every source; all errors of all files are reported together.

    ``build_file``: the plan, if the caller has read it already (it is not read twice). Warnings (text the
    documents will not show as written) are kept in ``Inputs.warnings``; with ``--strict`` they are errors.
    ``draw_logos``: check that the PDF renderer can draw every brand's logo now (builds check only the
    brands their PDFs use, with :func:`refuse_undrawable_logos`).
    """
    from .load import load_brands, load_build_file, load_packets, load_profile, load_scales, undrawable_logos

    errors: list[SourceError] = []

    def attempt(load):
        try:
            return load()
        except ProfileErrors as exc:
            errors.extend(exc.errors)
            return None

    with collecting_warnings() as warnings:
        if build_file is not None:
            warn(*build_file.doc.warnings)  # read before: its warnings are on its document
        profile = attempt(lambda: load_profile(project.source_dir))
        scales = attempt(lambda: load_scales(project.scale_dirs)) or {}
        brands = attempt(lambda: load_brands(project.brand_dirs, project.root)) or {}
        if draw_logos:
            errors.extend(undrawable_logos(brands.values()))
        packets = attempt(lambda: load_packets(project.packets, profile, set(scales))) if with_packets else {}
        if build_file is None and with_build_file:
            build_file = attempt(lambda: load_build_file(project.build_file))
        translated = attempt(lambda: _translations(project, profile, build_file)) if profile is not None else None
    plan_scale = build_file.data.scale if build_file is not None and build_file.data is not None else None
    if scales and options.scale not in scales and options.scale == plan_scale and build_file is not None:
        # the plan's choice (not --scale): located in the plan, and reported with the others
        message, _, hint = unknown("rating scale", options.scale, scales).partition("; ")
        errors.append(build_file.error(("scale",), message, hint=hint))
    warnings = sorted(set(warnings))
    if options.strict:
        errors += as_errors(warnings)
    if errors:
        raise ProfileErrors(errors)
    if not project.templates_dir.is_dir():
        raise UserError(f"templates folder not found: {project.templates_dir}")
    if options.scale not in scales:
        raise UserError(unknown("rating scale", options.scale, scales))
    if "neutral" not in brands:
        raise UserError("brands/neutral/brand.yaml is missing: it is the default every brand is layered over")
    if options.brand is not None and options.brand not in brands:
        raise UserError(unknown("brand", options.brand, brands))
    return Inputs(profile, scales, brands, packets or {}, build_file, warnings, translated or {})


def _translations(project: Project, profile: Profile, build_file: Parsed[BuildFile] | None) -> dict[str, Profile]:
    """The translations the plan's editions ask for, applied to the profile; a stale entry is a warning
    (the edition shows the source text in its place). A language without a folder is the plan's error."""
    from .load.translations import load_translations, stale_warnings
    from .translation import translate

    plan = build_file.data if build_file is not None else None
    langs = sorted({e.translation for e in plan.editions if e.translation}) if plan is not None else []
    if not langs:
        return {}
    overlays = load_translations(project.source_dir, profile, langs)
    for overlay in overlays.values():
        warn(*stale_warnings(profile, overlay))
    return {lang: translate(profile, overlay) for lang, overlay in overlays.items()}


def refuse_undrawable_logos(inputs: Inputs, brands: Iterable[str]) -> None:
    """ProfileErrors, located in brand.yaml, if the PDF renderer cannot draw the SVG logo of one of these
    brands, which PDFs are about to be made with (see :func:`profilepress.load.undrawable_logos`)."""
    from .load import undrawable_logos

    errors = undrawable_logos(inputs.brands[b] for b in sorted(brands))
    if errors:
        raise ProfileErrors(errors)


def with_every_other_error(plan_errors: ProfileErrors, project: Project) -> ProfileErrors:
    """A plan that has errors, and every other source's errors with them: the profile, scales, brands and
    packets the plan names (as far as it can be read, see :func:`profilepress.freshness.project_of`) are
    loaded too, so that one run shows every mistake, not one file at a time. A plan that cannot be read as
    YAML does not say where they are: its errors alone, then."""
    from .yamlread import read_yaml

    document, unreadable = read_yaml(project.build_file)
    if document is None or unreadable or not isinstance(document.data, dict):
        return plan_errors
    try:
        load_inputs(project, BuildOptions(), with_build_file=False)
    except ProfileErrors as exc:
        return ProfileErrors(plan_errors.errors + exc.errors)
    except UserError:  # a folder the broken plan names does not exist: the plan's errors say enough
        pass
    return plan_errors
