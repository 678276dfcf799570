"""Accessibility gates, on every output of the default build.

* every HTML output passes axe-core's WCAG 2.1 A and AA rules in headless Chromium;
* every PDF is tagged (PDF/UA-1), shows its title in the window, has a language
  and bookmarks, and gives every image alternative text;
* every colour pair used for text, in the theme and in every brand, reaches 4.5:1.
"""

from __future__ import annotations

import re

from pypdf import PdfReader

from profilepress.theme import AA_TEXT, contrast

from browser import Chromium
from conftest import ROOT, TINY, run_script
from pdfcheck import figure_count, figures_without_alt, tables


def test_every_html_output_passes_axe_wcag_21_aa(default_build):
    pages = sorted(default_build.rglob("*.html"))
    assert len(pages) == 31 + 3  # the plan's 31 HTML documents, the catalogue, the summary, one person's report
    with Chromium() as browser:
        violations = {str(page.relative_to(default_build)): browser.axe(page) for page in pages}
    failing = {page: [(v["id"], v["impact"], v["nodes"]) for v in found] for page, found in violations.items() if found}
    assert not failing, failing


def test_axe_gate_catches_a_violation(tmp_path):
    """The gate is real: a page with an unlabelled input and low-contrast text fails it."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><main><input type="text">'
        '<p style="color:#bbb">faint</p></main></body></html>',
        encoding="utf-8",
    )
    with Chromium() as browser:
        found = {v["id"] for v in browser.axe(page)}
    assert {"label", "color-contrast", "html-has-lang"} <= found


def test_every_pdf_is_tagged_titled_in_its_language_with_bookmarks(default_build):
    pdfs = sorted(default_build.rglob("*.pdf"))
    assert len(pdfs) == 38 + 2  # the plan's 38, and the summary and one person's report
    for path in pdfs:
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        name = str(path.relative_to(default_build))
        assert root["/MarkInfo"]["/Marked"] == True and "/StructTreeRoot" in root, name  # noqa: E712
        assert 'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data().decode("utf-8"), name
        assert reader.metadata.title and root["/ViewerPreferences"]["/DisplayDocTitle"] == True, name  # noqa: E712
        assert root["/Lang"] == "en", name
        assert reader.outline, name
        assert figures_without_alt(reader) == 0, name


def test_logos_and_charts_carry_their_alternative_text(default_build):
    logo = PdfReader(default_build / "northwind/handbook.pdf")
    chart = PdfReader(default_build / "summary/summary.pdf")
    assert figure_count(logo) >= 1 and figures_without_alt(logo) == 0
    assert figure_count(chart) >= 1 and figures_without_alt(chart) == 0


def _wcag_ratio(fg: str, bg: str) -> float:
    """WCAG 2.1's contrast ratio, computed here (not by the engine's own function)."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_edition_sets_its_text_in_colours_that_reach_aa(default_build):
    """The colours each brand's handbook is actually set in (its CSS custom properties), checked with WCAG's
    formula: text, muted text and the accent on the paper, and text on the accent."""
    assert round(_wcag_ratio("#767676", "#ffffff"), 2) == 4.54  # the formula, against a known value
    editions = sorted(default_build.glob("*/handbook.html"))
    assert {p.parent.name for p in editions} >= {"neutral", "northwind"}
    for page in editions:
        html = page.read_text(encoding="utf-8")
        colours = dict(re.findall(r"--(accent|ink|muted|paper|on-accent):\s*(#[0-9a-fA-F]{6})", html))
        assert len(colours) == 5, (page, colours)
        for fg, bg in (("ink", "paper"), ("muted", "paper"), ("accent", "paper"), ("on-accent", "accent")):
            ratio = _wcag_ratio(colours[fg], colours[bg])
            assert ratio >= 4.5, f"{page.parent.name}: {fg} {colours[fg]} on {bg} {colours[bg]} is {ratio:.2f}:1"


CSS_COLOUR = re.compile(r"(?<![-\w])color\s*:\s*(#[0-9a-fA-F]{3,6})\b")


def test_every_text_colour_in_the_templates_reaches_aa_on_white():
    """Text colours written in the stylesheets (page furniture, captions) are on white pages."""
    found = []
    for css in (ROOT / "templates/css").glob("*.css"):
        for colour in CSS_COLOUR.findall(css.read_text(encoding="utf-8")):
            full = colour if len(colour) == 7 else "#" + "".join(c * 2 for c in colour[1:])
            found.append((css.name, full, contrast(full, "#ffffff")))
    assert found
    assert all(ratio >= AA_TEXT for _, _, ratio in found), [f for f in found if f[2] < AA_TEXT]


def test_tiny_profile_html_passes_axe_too(tmp_path):
    out = tmp_path / "out"
    result = run_script("--plan", str(TINY / "build.yaml"), "-o", str(out), "--format", "html")
    assert result.code == 0, result.err
    with Chromium() as browser:
        failing = {p.name: browser.axe(p) for p in out.rglob("*.html")}
    assert not any(failing.values()), failing


def test_every_table_cell_is_announced_with_the_headers_of_its_own_column_and_row(default_build):
    """In every PDF, each cell's /Headers name the header cells above it in its columns and left of it in its
    row, as the table is laid out (spans counted), and each header cell says whether it heads a column or a row."""
    for path in sorted(default_build.rglob("*.pdf")):
        for cells in tables(PdfReader(path), with_text=False):
            for cell in cells:
                if cell["role"] == "TH":
                    assert cell["scope"] in ("/Column", "/Row", "/Rowgroup"), path.name
                    continue
                above = {
                    c["id"]
                    for c in cells
                    if c["role"] == "TH"
                    and c["scope"] == "/Column"
                    and c["row"] < cell["row"]
                    and c["col"] < cell["col"] + cell["cols"]
                    and cell["col"] < c["col"] + c["cols"]
                }
                left = {
                    c["id"]
                    for c in cells
                    if c["role"] == "TH"
                    and c["scope"] == "/Row"
                    and c["col"] < cell["col"]
                    and c["row"] <= cell["row"] < c["row"] + c["rows"]
                }
                assert above | left <= set(cell["headers"]), (path.name, cell["row"], cell["col"])
                assert set(cell["headers"]) <= {c["id"] for c in cells if c["role"] == "TH"}, path.name
