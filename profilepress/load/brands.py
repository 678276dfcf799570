"""Brands: one folder each, with brand.yaml, its logo (checked) and its fonts."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from pathlib import Path

from .. import messages, model, sources
from ..errors import ProfileErrors, SourceError
from ..home import INSTALLED
from ..yamlread import FieldPath
from .common import Parsed, parse_required

BRAND_FILE = "brand.yaml"
MAX_LOGO_BYTES = 1_000_000
_LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
_FONT_TYPES = (".ttf", ".otf")
_FONT_FACES = {
    "regular": (400, "normal"),
    "bold": (700, "normal"),
    "italic": (400, "italic"),
    "bold_italic": (700, "italic"),
}


def load_brands(brands_dirs: Path | Iterable[Path], project_root: Path) -> dict[str, model.Brand]:
    """Every brand in ``brands_dirs`` (one folder each), checked: assets inside the folder, text contrast AA.

    Several folders (the engine's shipped brands, then a project's own): a brand of a later folder replaces
    the one of the same name in an earlier folder."""
    from ..theme import failing_pairs

    errors: list[SourceError] = []
    brands: dict[str, model.Brand] = {}
    for folder in brand_folders(brands_dirs):
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", folder.name):
            errors.append(
                SourceError(
                    folder / BRAND_FILE,
                    0,
                    0,
                    f"the brand folder name '{folder.name}' is not allowed",
                    hint="use lower-case letters, digits and hyphens: it becomes part of output paths",
                )
            )
            continue
        parsed = parse_required(folder / BRAND_FILE, sources.BrandFile, "brand", errors)
        if parsed is None or parsed.data is None:
            continue
        data, before = parsed.data, len(errors)
        for fg, bg, use, ratio in failing_pairs(data.colours.model_dump()):
            errors.append(
                parsed.error(
                    ("colours", fg),
                    f"{fg} {getattr(data.colours, fg)} on {bg} "
                    f"{getattr(data.colours, bg)} has a contrast of {ratio:.2f}:1; {use} needs "
                    f"at least 4.5:1 (WCAG AA)",
                    hint=f"choose a {'darker' if fg != 'on_accent' else 'more contrasting'} {fg} or a different {bg}",
                )
            )
        logo = None
        if data.logo is not None:
            path = _asset(parsed, folder, ("logo", "file"), data.logo.file, tuple(_LOGO_TYPES), errors)
            if path is not None:
                raw = path.read_bytes()
                problem = (
                    f"the logo is {len(raw):,} bytes (at most {MAX_LOGO_BYTES:,})"
                    if len(raw) > MAX_LOGO_BYTES
                    else check_logo(raw, path.suffix.lower())
                )
                if problem:
                    errors.append(
                        parsed.error(
                            ("logo", "file"),
                            problem,
                            hint=f"replace {data.logo.file} with a plain SVG drawing or a PNG within the limits",
                        )
                    )
                else:
                    at = parsed.error(("logo", "file"), "")
                    logo = model.Logo(
                        data.logo.alt,
                        _LOGO_TYPES[path.suffix.lower()],
                        raw,
                        data.logo.file,
                        (at.file, at.line, at.column),
                    )
        font_files = {}
        if data.font is not None:
            for face, (weight, style) in _FONT_FACES.items():
                name = getattr(data.font.files, face)
                if name is None:
                    continue
                path = _asset(parsed, folder, ("font", "files", face), name, _FONT_TYPES, errors)
                if path is not None:
                    font_files[(weight, style)] = _font_path(path, project_root)
        locales = messages.available()
        if not messages.accepted(data.locale):
            close = difflib.get_close_matches(data.locale, locales, n=1)
            errors.append(
                parsed.error(
                    ("locale",),
                    f"no interface catalogue for locale '{data.locale}'",
                    hint=f"did you mean '{close[0]}'?" if close else f"choose one of: {', '.join(locales)}",
                )
            )
        if len(errors) == before:
            brands[folder.name] = model.Brand(
                folder.name,
                data.name,
                logo,
                data.colours.model_dump(),
                data.font.family if data.font else None,
                font_files,
                data.tagline,
                data.footer,
                data.contact,
                data.paper or messages.default_paper(data.locale),
                data.permission,
                data.locale,
            )
    if errors:
        raise ProfileErrors(errors)
    return brands


def brand_folders(brands_dirs: Path | Iterable[Path]) -> list[Path]:
    """One folder per brand name, in name order: the last of the given folders that has it."""
    found: dict[str, Path] = {}
    for brands_dir in [brands_dirs] if isinstance(brands_dirs, Path) else brands_dirs:
        if brands_dir.is_dir():
            found.update((p.name, p) for p in brands_dir.iterdir() if p.is_dir())
    return [found[name] for name in sorted(found)]


def _font_path(path: Path, project_root: Path) -> str:
    """A brand's font file as documents name it: relative to the engine's folder in the repository (so a
    manifest does not depend on where it is checked out); absolute for a brand a project keeps beside its
    own plan, and once the engine is installed (its folder is then not the one beside the package)."""
    root = project_root.resolve()
    if not INSTALLED and root in path.resolve().parents:
        return path.resolve().relative_to(root).as_posix()
    return path.resolve().as_posix()


MAX_LOGO_PIXELS = 16_000_000
MAX_LOGO_SIDE = 8000
MAX_SVG_ELEMENTS = 5000
_SVG_FORBIDDEN = {
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "audio",
    "video",
    "animate",
    "set",
    "handler",
    "listener",
}


def check_logo(raw: bytes, suffix: str) -> str | None:
    """Why a logo cannot be used, or None. PNGs must decode within pixel limits; SVGs must be plain drawings:
    no entities or DTD, no scripts, event handlers or foreign content, no references outside the file.
    Whether the PDF renderer can draw an SVG is checked apart, when PDFs are made: :func:`undrawable_logos`."""
    if suffix == ".png":
        from io import BytesIO

        from PIL import Image, ImageFile, UnidentifiedImageError

        try:
            with Image.open(BytesIO(raw)) as image:
                if image.format != "PNG":
                    return f"the logo is a {image.format} image, not a PNG"
                width, height = image.size
                if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
                    return (
                        f"the logo is {width}×{height} pixels (at most {MAX_LOGO_SIDE} a side, "
                        f"{MAX_LOGO_PIXELS:,} in all)"
                    )
                image.verify()  # the chunks' checksums
            tolerant, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:  # (WeasyPrint sets it to True when it is imported: a damaged PNG would pass, half blank)
                with Image.open(BytesIO(raw)) as image:
                    image.load()  # every pixel decoded: garbage image data behind valid checksums is caught here
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
            why = str(exc).split(" (")[0][:80] or type(exc).__name__
            return f"the logo is not a readable PNG ({why}); export it again as a PNG from its original drawing"
        return None
    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException

    try:
        root = safe_xml.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        return "the SVG logo declares a DTD or entities, which are not allowed"
    except Exception as exc:
        return f"the SVG logo is not well-formed XML ({type(exc).__name__})"
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return "the logo file is not an SVG image (its root element is not <svg>)"
    for count, element in enumerate(root.iter(), start=1):
        if count > MAX_SVG_ELEMENTS:
            return f"the SVG logo has more than {MAX_SVG_ELEMENTS} elements"
        name = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
        if name in _SVG_FORBIDDEN:
            return f"the SVG logo has a <{name}> element; logos must be plain drawings"
        if name in ("text", "tspan", "textpath"):
            return (
                f"the SVG logo has live text (<{name}>), which each program draws in its own font and may clip; "
                "convert the text to paths (in Inkscape: Path, Object to Path) and save the logo again"
            )
        for attribute, value in element.attrib.items():
            attribute = attribute.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                return f"the SVG logo has an event handler ({attribute}); logos must be plain drawings"
            if attribute == "href" and not value.startswith("#"):
                return f"the SVG logo refers to '{value[:60]}'; only references inside the file (#id) are allowed"
            if "url(" in value.replace(" ", "") and not re.search(r"url\(\s*['\"]?#", value):
                return "the SVG logo refers to an outside resource with url(); only url(#id) is allowed"
        if (
            name == "style"
            and element.text
            and ("@import" in element.text or re.search(r"url\(\s*['\"]?[^#'\"\s]", element.text))
        ):
            return "the SVG logo's style loads an outside resource; only url(#id) is allowed"
    return None


def undrawable_logos(brands: Iterable[model.Brand]) -> list[SourceError]:
    """The SVG logos of these brands that the PDF renderer cannot draw, located in their brand.yaml. Checked
    only for brands a PDF is about to be made with (and by ``check``): drawing one starts the PDF renderer,
    which an HTML build never needs, and browsers draw SVGs it rejects."""
    errors = []
    for brand in brands:
        logo = brand.logo
        if logo is not None and logo.media_type == "image/svg+xml" and _undrawable_svg(logo.data):
            file, line, column = logo.named_at
            errors.append(
                SourceError(
                    file,
                    line,
                    column,
                    "the SVG logo cannot be drawn in a PDF (the PDF renderer rejects its drawing)",
                    field="logo.file",
                    hint=f"save {logo.file} again as plain SVG from a drawing program, or replace it with a PNG",
                )
            )
    return errors


@functools.lru_cache(maxsize=16)  # a brand's logo is drawn once per process, not at every load
def _undrawable_svg(raw: bytes) -> bool:
    """Whether WeasyPrint cannot draw this SVG: the logo is drawn alone on a small page, and any failure or
    warning (a PDF would otherwise be made without its logo) says it cannot."""
    import base64
    import logging

    from .. import fontconfig

    weasyprint = fontconfig.weasyprint()
    heard: list[str] = []

    class Heard(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            heard.append(record.getMessage())

    url = "data:image/svg+xml;base64," + base64.b64encode(raw).decode("ascii")
    logger = logging.getLogger("weasyprint")
    handler = Heard(logging.WARNING)
    logger.addHandler(handler)
    try:
        fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)
        weasyprint.HTML(string=f'<img src="{url}" alt="">', url_fetcher=fetcher).write_pdf()  # drawn, not only laid out
        failed = bool(heard)
    except Exception:  # WeasyPrint's own SVG code failing: the same verdict as a warning
        failed = True
    finally:
        logger.removeHandler(handler)
    return failed


def _asset(
    parsed: Parsed, folder: Path, path: FieldPath, name: str, suffixes: tuple[str, ...], errors: list[SourceError]
) -> Path | None:
    """A file a brand names: it must be a relative path that stays inside the brand's folder and exists."""
    if "://" in name or name.startswith(("/", "\\")) or ":" in name.split("/")[0]:
        errors.append(
            parsed.error(
                path,
                f"'{name}' is not a file in the brand's folder",
                hint="name a file inside this folder, e.g. logo.svg; URLs and absolute paths are not allowed",
            )
        )
        return None
    target = (folder / name).resolve()
    if folder.resolve() not in target.parents:
        errors.append(
            parsed.error(
                path, f"'{name}' is outside the brand's folder", hint="keep the brand's files inside its own folder"
            )
        )
        return None
    if target.suffix.lower() not in suffixes:
        errors.append(
            parsed.error(
                path, f"'{name}' is not one of: {', '.join(suffixes)}", hint="use a file of one of these types"
            )
        )
        return None
    if not target.is_file():
        errors.append(
            parsed.error(path, f"'{name}' does not exist in {folder.name}/", hint="add the file, or fix its name")
        )
        return None
    return target
