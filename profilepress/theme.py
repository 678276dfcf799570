"""A brand's look as CSS, and the contrast check its text colours must pass.

Branding lives in covers, page furniture and front/back matter; the CSS here only
sets colours and fonts that the templates' own rules use (custom properties),
so no template is ever copied for an organisation.
"""

from __future__ import annotations

from .model import Brand

AA_TEXT = 4.5  # WCAG 2.1 AA, normal-size text

# (foreground, background, where it is used): every pair the templates print text in.
TEXT_PAIRS = (
    ("text", "background", "body text"),
    ("muted", "background", "captions and page furniture"),
    ("accent", "background", "headings and links"),
    ("on_accent", "accent", "text on the cover band"),
)


def luminance(colour: str) -> float:
    """Relative luminance of "#rrggbb" (WCAG 2.1)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def failing_pairs(colours: dict[str, str]) -> list[tuple[str, str, str, float]]:
    """The text colour pairs below AA: (foreground key, background key, use, ratio)."""
    return [
        (fg, bg, use, contrast(colours[fg], colours[bg]))
        for fg, bg, use in TEXT_PAIRS
        if contrast(colours[fg], colours[bg]) < AA_TEXT
    ]


def brand_css(brand: Brand, print_fonts: bool) -> str:
    """Custom properties, and the brand's font for body text and headings (with @font-face rules for print)."""
    c = brand.colours
    lines = [
        ":root {",
        f"  --accent: {c['accent']};",
        f"  --ink: {c['text']};",
        f"  --muted: {c['muted']};",
        f"  --paper: {c['background']};",
        f"  --on-accent: {c['on_accent']};",
        "}",
    ]
    if brand.font_family:
        if print_fonts:  # the HTML has its faces embedded instead (see webfonts.embed)
            for (weight, style), url in sorted(brand.font_files.items()):
                lines.append(
                    f'@font-face {{ font-family: "{brand.font_family}"; font-weight: {weight}; '
                    f'font-style: {style}; src: url("{url}"); }}'
                )
        lines.append(
            f'html, body, .code, input, textarea, select, button {{ font-family: "{brand.font_family}", '
            f'"Atkinson Hyperlegible", sans-serif; }}'
        )
    return "\n".join(lines) + "\n"
